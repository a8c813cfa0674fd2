//! Response types: for each form with information lines, one struct per line shape and the
//! form's response (a single line, or a bounded list for repeated lines).

use super::lines::{shape, Shape};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, Form};
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
                    urc: None,
                },
            ));
            if let Some(n) = l.repeat {
                let list = format_ident!("{}List", name);
                let n = n as usize;
                let doc = format!("Every `{}` line of one response (at most {n}).", name);
                items.push(quote! { #[doc = #doc] pub type #list = heapless::Vec<#name, #n>; });
            }
        }
        if has_any_line(form) {
            items.push(any_line(cmd, form));
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

/// Whether a form's response has lines of several shapes that a line's own prefix and
/// keyword tell apart (lines of text alone would all take any line): such a form gets an
/// enum of its lines, read one at a time through `wire::LineList`.
pub(super) fn has_any_line(form: &Form) -> bool {
    let lines = &form.response.lines;
    lines.len() > 1 && lines.iter().all(|l| l.prefix.as_deref() != Some(""))
}

/// The enum of a form's line shapes and its `decode`: exact fits first (in the spec's order),
/// then tolerant ones, as `Request::decode_response` tries them.
fn any_line(cmd: &Command, form: &Form) -> TokenStream {
    let name = naming::any_line_type(form);
    let types: Vec<_> = (0..form.response.lines.len())
        .map(|i| naming::line_type(form, i))
        .collect();
    let doc = format!(
        "Any line answering the `{}` form of `{}`, one of its {} shapes.",
        form.name,
        cmd.at_name(),
        types.len()
    );
    // A line with a payload borrows it; decoded without one here, it borrows nothing.
    let variants = types.iter().zip(&form.response.lines).map(|(t, l)| {
        let vdoc = format!("A [`{t}`].");
        let lt = if l.data.is_some() {
            quote!(<'static>)
        } else {
            TokenStream::new()
        };
        quote! { #[doc = #vdoc] #t(#t #lt), }
    });
    let exact = types.iter().map(|t| {
        quote! { if let Ok(l) = #t::decode_strict(line, b"") { return Ok(#name::#t(l)); } }
    });
    let tolerant = types.iter().zip(&form.response.lines).map(|(t, l)| {
        let n = l.fields.len() + usize::from(l.selector.is_some());
        quote! {
            match #t::decode(line, b"") {
                Ok(l) => return Ok(#name::#t(l)),
                Err(e) => closest.note(e, #n),
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// Decodes one line (without CR LF); when no shape takes it, the error is that of
            /// the shape that got furthest.
            pub fn decode(line: &[u8]) -> Result<Self, crate::wire::DecodeError> {
                #(#exact)*
                let mut closest = crate::wire::Closest::default();
                #(#tolerant)*
                Err(closest.error())
            }
        }
    }
}
