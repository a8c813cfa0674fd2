//! A write form's repeated parameter group (`<topic1>,<qos1>[,<topic2>,<qos2>...]`): an entry
//! struct per group, and the pieces the request struct needs to hold, write, validate, decode
//! and visit a bounded list of entries.

use super::params::param_doc;
use super::requests::{borrowed_value, field_kind, max_text_len, rust_type, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, Form, ParamGroup};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The entry type of a form's group: `<form>_<group>_entry` (`SubscribeTopicsEntry`).
pub fn entry_type(form: &Form, g: &ParamGroup) -> Ident {
    naming::type_name(&format!("{}_{}_entry", form.name, g.name))
}

/// The entry type's path below the crate root (`qxsub::SubscribeTopicsEntry`), for code
/// outside the command's module.
fn entry_path(cmd: &Command, form: &Form, g: &ParamGroup) -> TokenStream {
    let m = naming::command_module(cmd);
    let t = entry_type(form, g);
    match &form.selector {
        Some(s) => {
            let sm = naming::module(s);
            quote!(crate::#m::#sm::#t)
        }
        None => quote!(crate::#m::#t),
    }
}

/// Whether an entry borrows text from the caller (or the decoded line).
pub fn has_lifetime(model: &Model, g: &ParamGroup) -> bool {
    g.params.iter().any(|u| {
        matches!(
            field_kind(model.param(&u.param)),
            FieldKind::Str | FieldKind::Hex
        )
    })
}

fn entry_lt(model: &Model, g: &ParamGroup) -> TokenStream {
    if has_lifetime(model, g) {
        quote!(<'a>)
    } else {
        TokenStream::new()
    }
}

/// The request's field that holds the entries.
pub fn field_def(model: &Model, form: &Form, g: &ParamGroup) -> TokenStream {
    let f = naming::field(&g.name);
    let t = entry_type(form, g);
    let lt = entry_lt(model, g);
    let max = g.max as usize;
    let doc = format!(
        "{}. Repeated: {} to {max} entries, in wire order after the other parameters.",
        upper(&g.about),
        g.min
    );
    quote! { #[doc = #doc] pub #f: heapless::Vec<#t #lt, #max>, }
}

/// The entry struct.
pub fn entry_struct(model: &Model, form: &Form, g: &ParamGroup) -> TokenStream {
    let t = entry_type(form, g);
    let lt = entry_lt(model, g);
    let doc = format!("One entry of `{}`: {}.", g.name, g.about);
    let defs = g.params.iter().map(|u| {
        let def = model.param(&u.param);
        let f = naming::field(u.field_name());
        let ty = rust_type(&u.param, def);
        let fdoc = param_doc(def);
        let a = naming::doc_alias(
            &u.doc.clone().unwrap_or_else(|| def.doc.clone()),
            u.field_name(),
        );
        quote! { #[doc = #fdoc] #a pub #f: #ty, }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct #t #lt { #(#defs)* }
    }
}

/// Writes every entry; `first`: nothing precedes the group on the line (no comma before it).
pub fn write(model: &Model, g: &ParamGroup, first: bool) -> TokenStream {
    let f = naming::field(&g.name);
    let each = g.params.iter().enumerate().map(|(i, u)| {
        let def = model.param(&u.param);
        let pf = naming::field(u.field_name());
        let one = super::lines::encode_value(def, quote!(v));
        let comma = if i == 0 && first {
            quote! { if k > 0 { w.comma()?; } }
        } else {
            quote! { w.comma()?; }
        };
        quote! { { let v = &e.#pf; #comma #one } }
    });
    quote! {
        for (k, e) in self.#f.iter().enumerate() {
            let _ = k;
            #(#each)*
        }
    }
}

/// The longest text of the entries, commas included.
pub fn max_len(model: &Model, g: &ParamGroup) -> usize {
    let one: usize = g
        .params
        .iter()
        .map(|u| 1 + max_text_len(model, model.param(&u.param)))
        .sum();
    one * g.max as usize
}

/// `validate`'s checks: the count of entries, then each entry's strings (`strings` gives the
/// checks of one parameter on a value `v`, as for the form's own parameters).
pub fn validate(
    g: &ParamGroup,
    too_few: TokenStream,
    strings: impl Fn(&crate::spec::ParamUse) -> Option<TokenStream>,
) -> TokenStream {
    let f = naming::field(&g.name);
    let min = g.min as usize;
    let count = match min {
        0 => None,
        1 => Some(quote! { if self.#f.is_empty() { #too_few } }),
        _ => Some(quote! { if self.#f.len() < #min { #too_few } }),
    };
    let each: Vec<TokenStream> = g
        .params
        .iter()
        .filter_map(|u| {
            let check = strings(u)?;
            let pf = naming::field(u.field_name());
            Some(quote! { { let v = e.#pf; #check } })
        })
        .collect();
    let entries = (!each.is_empty()).then(|| quote! { for e in &self.#f { #(#each)* } });
    quote! { #count #entries }
}

/// Decodes the entries from the remaining fields (`fields`) into a local; the wire index of
/// the first is `first_index`. Returns the statements and the struct field's initialiser.
pub fn decode(
    model: &Model,
    cmd: &Command,
    form: &Form,
    g: &ParamGroup,
    first_index: u8,
) -> (TokenStream, TokenStream) {
    let f = naming::field(&g.name);
    let l = naming::local(&g.name);
    let t = entry_path(cmd, form, g);
    let max = g.max as usize;
    let width = g.params.len();
    let mut lets = Vec::new();
    let mut inits = Vec::new();
    for (i, u) in g.params.iter().enumerate() {
        let def = model.param(&u.param);
        let pl = naming::local(u.field_name());
        let pf = naming::field(u.field_name());
        let value = borrowed_value(model, def, &u.param, quote!(at));
        let next = if i == 0 {
            quote! { let Some(x) = first else { break }; }
        } else {
            quote! { let x = fields.required(at)?; }
        };
        // The entry's first wire index plus `i`, written without operations that do nothing.
        let offset = match (width, i) {
            (1, _) => quote!(#l.len()),
            (_, 0) => quote!(#l.len() * #width),
            _ => quote!(#l.len() * #width + #i),
        };
        lets.push(quote! {
            let at = #first_index.saturating_add(u8::try_from(#offset).unwrap_or(u8::MAX));
            #next
            let #pl = #value;
        });
        inits.push(quote!(#pf: #pl,));
    }
    let stmts = quote! {
        let mut #l = heapless::Vec::<#t, #max>::new();
        loop {
            let first = fields.next();
            #(#lets)*
            #l.push(#t { #(#inits)* }).map_err(|_| crate::wire::DecodeError::TrailingData)?;
        }
    };
    (stmts, quote!(#f: #l,))
}

/// Hands every entry's parameters to `vis`, in wire order.
pub fn visit(model: &Model, g: &ParamGroup) -> TokenStream {
    let f = naming::field(&g.name);
    let each = g.params.iter().map(|u| {
        let def = model.param(&u.param);
        let pf = naming::field(u.field_name());
        let one = super::lines::visit_value(def, quote!(v), u.field_name());
        quote! { { let v = &e.#pf; #one } }
    });
    quote! { for e in &self.#f { #(#each)* } }
}

fn upper(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
