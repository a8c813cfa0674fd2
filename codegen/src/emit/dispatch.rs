//! Dispatch over every form: `Request` (decode any command line, encode it back) and
//! `ResponseLine` (decode a module line in the context of the request it answers). The virtual
//! module and the log decoder work through these.

use super::requests::struct_name;
use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, Form};
use proc_macro2::TokenStream;
use quote::quote;

/// The path of a form's request struct from the crate root (`qicfg::recvind::Set`).
pub(super) fn request_path(cmd: &Command, form: &Form) -> TokenStream {
    let m = naming::command_module(cmd);
    let t = struct_name(form);
    match &form.selector {
        Some(s) => {
            let sm = naming::module(s);
            quote!(#m::#sm::#t)
        }
        None => quote!(#m::#t),
    }
}

/// The position of a form among all forms of the spec (commands in order, their forms in
/// order): `FORM_INDEX`, what the digester is told is in flight.
pub(super) fn form_index(model: &Model, form: &Form) -> u16 {
    let i = model
        .spec
        .commands
        .iter()
        .flat_map(|c| &c.value.forms)
        .position(|f| std::ptr::eq(f, form))
        .expect("a form of the spec");
    u16::try_from(i).expect("fewer than 65536 forms")
}

/// `Request` borrows its strings from the command line: `<'a>` and the line's `'a`, or nothing
/// when no form has a string (an unused lifetime would not compile).
pub(super) fn request_lifetime(model: &Model) -> (TokenStream, TokenStream) {
    let borrows = model
        .spec
        .commands
        .iter()
        .flat_map(|c| &c.value.forms)
        .any(|f| super::requests::has_lifetime(model, f));
    if borrows {
        (quote!(<'a>), quote!('a))
    } else {
        (TokenStream::new(), TokenStream::new())
    }
}

pub fn emit(model: &Model) -> TokenStream {
    let all: Vec<(&Command, &Form)> = model
        .spec
        .commands
        .iter()
        .flat_map(|c| c.value.forms.iter().map(move |f| (&c.value, f)))
        .collect();
    let req_variants = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        let p = request_path(c, f);
        let lt = if super::requests::has_lifetime(model, f) {
            quote!(<'a>)
        } else {
            TokenStream::new()
        };
        let doc = format!("`{}` ({})", c.at_name(), f.name);
        quote! { #[doc = #doc] #v(#p #lt), }
    });
    let req_decode = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        let p = request_path(c, f);
        let n = f.params.len() + usize::from(f.selector.is_some());
        quote! {
            match #p::decode(line) {
                Ok(r) => return Ok(Request::#v(r)),
                Err(e) => closest.note(e, #n),
            }
        }
    });
    let req_encode = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        quote! { Request::#v(r) => r.encode(buf), }
    });
    let req_names = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        let (n, form) = (&c.name, &f.name);
        quote! { Request::#v(_) => (#n, #form), }
    });
    let req_timeout = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        let p = request_path(c, f);
        quote! { Request::#v(_) => #p::TIMEOUT_MS, }
    });
    let req_index = all.iter().map(|(c, f)| {
        let v = naming::request_variant(c, f);
        let p = request_path(c, f);
        quote! { Request::#v(_) => #p::FORM_INDEX, }
    });
    let mut fit_arms = Vec::new();
    let mut line_variants = Vec::new();
    let mut line_encodes = Vec::new();
    let mut decode_arms = Vec::new();
    // Lines with a payload borrow it: `ResponseLine` gets the payload's lifetime.
    let mut line_data = false;
    for (c, f) in &all {
        let m = naming::command_module(c);
        for i in 0..f.response.lines.len() {
            let t = naming::line_type(f, i);
            let lv = naming::line_variant(c, f, i);
            let doc = format!("A response line of `{}` ({})", c.at_name(), f.name);
            let lt = if f.response.lines[i].data.is_some() {
                line_data = true;
                quote!(<'p>)
            } else {
                TokenStream::new()
            };
            line_variants.push(quote! { #[doc = #doc] #lv(response::#m::#t #lt), });
            line_encodes.push(quote! { ResponseLine::#lv(l) => l.encode(w), });
        }
        // Own lines exactly, then the lines of sibling forms of the same kind exactly (their
        // reply can depend on the socket type, which the command line does not show), then own
        // lines tolerantly.
        let siblings = c
            .forms
            .iter()
            .filter(|g| g.kind == f.kind && g.selector == f.selector);
        // Lines of text alone (no prefix) would take any line: they are tried last.
        let prefixed = |(g, i): &(&Form, usize)| g.response.lines[*i].prefix.as_deref() != Some("");
        let mut own: Vec<(&Form, usize)> = (0..f.response.lines.len()).map(|i| (*f, i)).collect();
        own.sort_by_key(|x| !prefixed(x));
        let mut exact: Vec<(&Form, usize)> = own
            .iter()
            .copied()
            .chain(
                siblings
                    .filter(|g| g.name != f.name)
                    .flat_map(|g| (0..g.response.lines.len()).map(move |i| (g, i))),
            )
            .collect();
        exact.sort_by_key(|x| !prefixed(x));
        let mut tries = Vec::new();
        for (g, i) in exact {
            let (t, lv) = (naming::line_type(g, i), naming::line_variant(c, g, i));
            tries.push(quote! { if let Ok(l) = response::#m::#t::decode_strict(line, payload) { return Ok(ResponseLine::#lv(l)); } });
        }
        for (g, i) in own {
            let (t, lv) = (naming::line_type(g, i), naming::line_variant(c, g, i));
            let l = &g.response.lines[i];
            let n = l.fields.len() + usize::from(l.selector.is_some());
            tries.push(quote! {
                match response::#m::#t::decode(line, payload) {
                    Ok(l) => return Ok(ResponseLine::#lv(l)),
                    Err(e) => closest.note(e, #n),
                }
            });
        }
        let v = naming::request_variant(c, f);
        decode_arms.push(quote! { Request::#v(_) => { #(#tries)* } });
        // The same candidates, for the digester, which knows only the form's index.
        if !f.response.lines.is_empty()
            || c.forms.iter().any(|g| {
                g.kind == f.kind && g.selector == f.selector && !g.response.lines.is_empty()
            })
        {
            // Own lines fit exactly or tolerantly, a sibling's only exactly: the best wins.
            let mut fits = Vec::new();
            for g in c
                .forms
                .iter()
                .filter(|g| g.kind == f.kind && g.selector == f.selector)
            {
                for i in 0..g.response.lines.len() {
                    let t = naming::line_type(g, i);
                    fits.push(if std::ptr::eq(g, *f) {
                        quote! { .max(response::#m::#t::fit(line, rest)) }
                    } else {
                        quote! { .max(response::#m::#t::fit(line, rest).exact_only()) }
                    });
                }
            }
            let p = request_path(c, f);
            fit_arms.push(quote! {
                #p::FORM_INDEX => crate::wire::Fit::No #(#fits)*,
            });
        }
    }
    let (req_lt, line_lt) = request_lifetime(model);
    let (resp_lt, payload_lt) = if line_data {
        (quote!(<'p>), quote!('p))
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let fit_body = if fit_arms.is_empty() {
        quote! { let _ = (form, line, rest); crate::wire::Fit::No }
    } else {
        quote! {
            match form {
                #(#fit_arms)*
                _ => crate::wire::Fit::No,
            }
        }
    };
    let closest = if line_encodes.is_empty() {
        quote!(let closest = crate::wire::Closest::default();)
    } else {
        quote!(let mut closest = crate::wire::Closest::default();)
    };
    // No form with information lines: an enum without variants, matched through `*self`.
    let line_encode_body = if line_encodes.is_empty() {
        quote!(let _ = w; match *self {})
    } else {
        quote!(match self { #(#line_encodes)* })
    };
    quote! {
        /// Any command line of the spec, typed.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Request #req_lt {
            #(#req_variants)*
        }

        impl #req_lt Request #req_lt {
            /// Decodes a command line; the first form (in spec order) that accepts it wins.
            /// When none does, the error is that of the form that got furthest.
            pub fn decode(line: &#line_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                let mut closest = crate::wire::Closest::default();
                #(#req_decode)*
                Err(closest.error())
            }

            /// Validates and writes the command line, `\r` included.
            pub fn encode(&self, buf: &mut [u8]) -> Result<usize, crate::wire::EncodeError> {
                match self {
                    #(#req_encode)*
                }
            }

            /// The command's name in the spec (`QIOPEN`; `E` for `ATE`) and the form's name.
            pub fn name(&self) -> (&'static str, &'static str) {
                match self {
                    #(#req_names)*
                }
            }

            /// The form's `FORM_INDEX`.
            pub fn form_index(&self) -> u16 {
                match self {
                    #(#req_index)*
                }
            }

            /// How well a module line (and the bytes after its CR LF) fits a response line of
            /// the form with this `FORM_INDEX`, as `decode_response` tries them: exactly (own
            /// and sibling lines), tolerantly (own lines), or not; the digester weighs it
            /// against [`Urc::fit`] with [`wire::response_wins`](crate::wire::response_wins).
            pub fn response_fit(form: u16, line: &[u8], rest: &[u8]) -> crate::wire::Fit {
                #fit_body
            }

            /// How long to wait for the final result.
            pub fn timeout_ms(&self) -> u32 {
                match self {
                    #(#req_timeout)*
                }
            }

            /// Decodes an information line (and its payload) answering this request; when none
            /// of its lines does, the error is that of the line that got furthest.
            pub fn decode_response #resp_lt (&self, line: &[u8], payload: &#payload_lt [u8]) -> Result<ResponseLine #resp_lt, crate::wire::DecodeError> {
                #closest
                match self {
                    #(#decode_arms)*
                }
                Err(closest.error())
            }
        }

        /// Any information line of any response, typed.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ResponseLine #resp_lt {
            #(#line_variants)*
        }

        impl #resp_lt ResponseLine #resp_lt {
            /// Writes the line (and its payload), without the surrounding CR LF.
            pub fn encode(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                #line_encode_body
            }
        }
    }
}
