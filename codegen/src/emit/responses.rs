//! Response types: for each form with information lines, one struct per line shape and the
//! form's response (a single line, or a bounded list for repeated lines).

use super::lines::{shape, Shape};
use crate::ir::Model;
use crate::naming;
use crate::spec::Command;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn emit(model: &Model) -> TokenStream {
    let mods = model.spec.commands.iter().map(|c| command(model, &c.value));
    quote! { #(#mods)* }
}

fn command(model: &Model, cmd: &Command) -> TokenStream {
    let m = naming::command_module(cmd);
    let mut items = Vec::new();
    for form in &cmd.forms {
        for (i, l) in form.response.lines.iter().enumerate() {
            let name = naming::line_type(form, i);
            let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name));
            let kw = l
                .selector
                .as_ref()
                .map(|k| format!(" \"{k}\""))
                .unwrap_or_default();
            let rep = l
                .repeat
                .map(|n| format!(" Repeats up to {n} times."))
                .unwrap_or_default();
            let doc = format!(
                "A `{prefix}:{kw}` line answering the `{}` form of `{}`.{rep}",
                form.name,
                cmd.at_name()
            );
            items.push(shape(
                model,
                &Shape {
                    name: name.clone(),
                    doc,
                    prefix,
                    keyword: l.selector.as_deref(),
                    keyword_also: &l.selector_also,
                    fields: &l.fields,
                    data: l.data.as_ref(),
                },
            ));
            if let Some(n) = l.repeat {
                let list = format_ident!("{}List", name);
                let n = n as usize;
                let doc = format!("Every `{}` line of one response (at most {n}).", name);
                items.push(quote! { #[doc = #doc] pub type #list = heapless::Vec<#name, #n>; });
            }
        }
    }
    quote! {
        /// Response lines of the command's forms.
        pub mod #m {
            #[allow(unused_imports)]
            use super::*;
            #(#items)*
        }
    }
}
