//! The URC enum: one variant per URC of the spec, each carrying a line struct.

use super::lines::{shape, Shape};
use crate::ir::Model;
use crate::naming;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(model: &Model) -> TokenStream {
    let urcs = &model.spec.urcs.value.urcs;
    let structs = urcs.iter().map(|u| {
        let when: Vec<String> = u
            .when
            .iter()
            .flatten()
            .map(|(k, c)| match &c.one_of {
                Some(v) => format!("{k} is {}", v.join(" or ")),
                None => k.clone(),
            })
            .collect();
        let when = if when.is_empty() {
            String::new()
        } else {
            format!("\n\nSent when {}.", when.join(", and "))
        };
        let kw = u
            .keyword
            .as_ref()
            .map(|k| format!(" \"{k}\""))
            .unwrap_or_default();
        let doc = format!(
            "`{}:{kw}`: {}.{when}\n\nSection {}.",
            u.prefix, u.about, u.section
        );
        shape(
            model,
            &Shape {
                name: naming::type_name(&u.name),
                doc,
                prefix: u.prefix.clone(),
                keyword: u.keyword.as_deref(),
                fields: &u.fields,
                data: u.data.as_ref(),
            },
        )
    });
    let variants = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        let t = naming::type_name(&u.name);
        let doc = &u.about;
        quote! { #[doc = #doc] #v(urc::#t), }
    });
    let attempt = |u: &crate::spec::Urc, how: TokenStream| {
        let v = naming::variant(&u.name);
        let t = naming::type_name(&u.name);
        quote! { if let Ok(x) = urc::#t::#how(line, payload) { return Ok(Urc::#v(x)); } }
    };
    let with_data = urcs
        .iter()
        .filter(|u| u.data.is_some())
        .map(|u| attempt(u, quote!(decode_strict)));
    let strict = urcs.iter().map(|u| attempt(u, quote!(decode_strict)));
    let tolerant = urcs.iter().map(|u| attempt(u, quote!(decode)));
    let encodes = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        quote! { Urc::#v(x) => x.encode(w), }
    });
    let prefixes: Vec<&str> = {
        let mut p: Vec<&str> = urcs.iter().map(|u| u.prefix.as_str()).collect();
        p.sort();
        p.dedup();
        p
    };
    quote! {
        /// The URC line types.
        pub mod urc {
            #[allow(unused_imports)]
            use super::*;
            #(#structs)*
        }

        /// Every unsolicited result code of the spec. Variants sharing a prefix and keyword are
        /// told apart by their fields; where that is ambiguous the first listed wins (see the
        /// spec's errata).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Urc {
            #(#variants)*
        }

        impl atat::AtatUrc for Urc {
            type Response = Urc;

            /// A URC as the digester hands it over: the line, then (for data URCs) CR LF and
            /// the payload.
            fn parse(resp: &[u8]) -> Option<Urc> {
                let (line, payload) = crate::wire::split_line(resp);
                Urc::decode(line, payload).ok()
            }
        }

        impl Urc {
            /// The prefixes URCs start with.
            pub const PREFIXES: &'static [&'static str] = &[#(#prefixes),*];

            /// Decodes a URC line (without CR LF) and, for data URCs, the payload after it.
            ///
            /// Variants are tried in spec order, first with their exact field count (data
            /// variants first when a payload is given), then tolerantly (extra trailing fields
            /// from newer firmware ignored). A variant that depends on a setting the line does not
            /// show (recvind, access mode) is best chosen by a caller that knows the setting.
            pub fn decode(line: &[u8], payload: &[u8]) -> Result<Self, crate::wire::DecodeError> {
                if !payload.is_empty() {
                    #(#with_data)*
                }
                #(#strict)*
                #(#tolerant)*
                Err(crate::wire::DecodeError::Prefix)
            }

            /// Writes the URC line (and payload), without the surrounding CR LF.
            pub fn encode(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                match self {
                    #(#encodes)*
                }
            }
        }
    }
}
