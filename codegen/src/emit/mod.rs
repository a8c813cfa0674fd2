//! One emitter per item kind; each returns tokens, `expand` joins and formats them.
//! Emitting never fails: the checker has caught everything first.

mod builders;
mod chosen;
mod dispatch;
mod errors;
mod fields;
mod groups;
mod lines;
pub(crate) mod params;
mod requests;
mod responses;
mod shapes;
mod sizes;
mod tables;
mod timeouts;
mod urcs;

use crate::ir::Model;
use proc_macro2::TokenStream;
use quote::quote;

/// The path of a form's request struct below the crate root (`qicfg::recvind::Set`).
pub(crate) fn request_path(cmd: &crate::spec::Command, form: &crate::spec::Form) -> TokenStream {
    dispatch::request_path(cmd, form)
}

/// All generated items, as tokens.
pub fn generate(model: &Model) -> TokenStream {
    let params = params::emit(model);
    let errors = errors::emit(model);
    let requests = requests::emit(model);
    let builders = builders::emit(model);
    let responses = responses::emit(model);
    let urcs = urcs::emit(model);
    let chosen = chosen::emit(model);
    let dispatch = dispatch::emit(model);
    let fields = fields::emit(model);
    let sizes = sizes::emit(model);
    let tables = tables::emit(model);
    quote! {
        /// The reply of a form that has no information lines (only a final result).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct NoResponse;

        impl atat::AtatResp for NoResponse {}

        #params
        #errors
        #requests
        #builders
        /// Response line types, by command.
        pub mod response {
            #[allow(unused_imports)]
            use super::*;
            #responses
        }
        #urcs
        #chosen
        #dispatch
        #fields
        #sizes
        #tables
    }
}

/// `match self { arms }`, or for an enum without variants (a spec without URCs, say)
/// `match *self {}`, the only match of a reference to it that compiles.
pub(crate) fn match_self(arms: &[TokenStream]) -> TokenStream {
    if arms.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms)* })
    }
}

/// `let _ = (a, b);` (or `let _ = a;`) when `unused`: for parameters that only some specs' code reads.
pub(crate) fn unused(unused: bool, names: &[&str]) -> TokenStream {
    if !unused {
        return TokenStream::new();
    }
    let ids: Vec<_> = names
        .iter()
        .map(|n| proc_macro2::Ident::new(n, proc_macro2::Span::call_site()))
        .collect();
    match ids.as_slice() {
        [one] => quote!(let _ = #one;),
        _ => quote!(let _ = (#(#ids),*);),
    }
}

/// The generated code formatted by prettyplease: deterministic for a given spec.
pub fn format(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("generated tokens form a valid file");
    prettyplease::unparse(&file)
}

/// `#[doc]` attributes for text that may span paragraphs, one per line, so that it reads as
/// `/// ...` lines like the hand-written doc comments around it (not `/** */`).
pub(crate) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote::quote!(#[doc = #l])
    });
    quote::quote!(#(#lines)*)
}
