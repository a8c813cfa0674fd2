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
        let source = match &u.standard {
            Some(s) => format!("{s} section {}", u.section),
            None => format!("Section {}", u.section),
        };
        let doc = format!("`{}:{kw}`: {}.{when}\n\n{source}.", u.prefix, u.about);
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
    let with_data: Vec<TokenStream> = urcs
        .iter()
        .filter(|u| u.data.is_some())
        .map(|u| attempt(u, quote!(decode_strict)))
        .collect();
    let with_data = if with_data.is_empty() {
        TokenStream::new()
    } else {
        quote! { if !payload.is_empty() { #(#with_data)* } }
    };
    let decode_unused = super::unused(urcs.is_empty(), &["line", "payload"]);
    let strict = urcs.iter().map(|u| attempt(u, quote!(decode_strict)));
    let framing: Vec<TokenStream> = urcs.iter().filter(|u| u.data.is_some()).map(|u| {
        let v = naming::variant(&u.name);
        let t = naming::type_name(&u.name);
        quote! {
            match urc::#t::decode_strict(line, payload) {
                Ok(x) => return Ok(Urc::#v(x)),
                Err(crate::wire::DecodeError::Truncated) => return Err(crate::wire::DecodeError::Truncated),
                Err(_) => {}
            }
        }
    }).collect();
    let framing_unused = framing.is_empty().then(|| quote!(let _ = payload;));
    // A URC marked `exact` shares its prefix with a longer response line (`+CREG: <n>,<stat>`),
    // which a tolerant decode would take for the URC.
    let tolerant = urcs
        .iter()
        .filter(|u| !u.exact)
        .map(|u| attempt(u, quote!(decode)));
    let encodes = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        quote! { Urc::#v(x) => x.encode(w), }
    });
    let payload_lens = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        if u.data.is_some() {
            quote! { Urc::#v(x) => x.data.len(), }
        } else {
            quote! { Urc::#v(_) => 0, }
        }
    });
    // A spec without URCs gets an enum without variants, matched through `*self`.
    let (payload_len_body, encode_body) = if urcs.is_empty() {
        (quote!(match *self {}), quote!(let _ = w; match *self {}))
    } else {
        (
            quote!(match self { #(#payload_lens)* }),
            quote!(match self { #(#encodes)* }),
        )
    };
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
            /// A URC as the digester hands it over: the line, then (for data URCs) CR LF and
            /// the payload.
            fn parse(resp: &[u8]) -> Option<Urc> {
                let (line, payload) = crate::wire::split_line(resp);
                Urc::decode(line, payload).ok()
            }
        }

        /// Frames URCs for atat's digester: the line, and the payload of data URCs.
        ///
        /// `+QIURC: "recv",<id>,<len>` is read as a direct-push URC followed by `<len>` bytes:
        /// the buffer-access form with `recvind` enabled looks the same, and the setting that
        /// tells them apart is not on the wire. A client that enables `recvind` needs a digester
        /// that knows each socket's mode.
        impl atat::Parser for Urc {
            fn parse(buf: &[u8]) -> Result<(&[u8], usize), atat::digest::ParseError> {
                use atat::digest::ParseError;
                let start = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
                let body = &buf[start..];
                let mut maybe = false;
                let known = Self::PREFIXES.iter().any(|p| {
                    let p = p.as_bytes();
                    if body.len() <= p.len() {
                        maybe |= p.starts_with(body);
                        return false;
                    }
                    body.starts_with(p) && body[p.len()] == b':'
                });
                if !known {
                    return Err(if maybe && !body.is_empty() { ParseError::Incomplete } else { ParseError::NoMatch });
                }
                let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
                    return Err(ParseError::Incomplete);
                };
                match Urc::decode_framing(&body[..end], &body[end + 2..]) {
                    Ok(u) => {
                        let n = u.payload_len();
                        let len = if n == 0 { end } else { end + 2 + n };
                        Ok((&body[..len], start + len))
                    }
                    Err(crate::wire::DecodeError::Truncated) => Err(ParseError::Incomplete),
                    Err(_) => Err(ParseError::NoMatch),
                }
            }
        }

        impl Urc {
            /// Decoding for framing: a line that matches a data URC always takes its payload, so
            /// that where a frame ends never depends on how the input was chunked.
            fn decode_framing(line: &[u8], payload: &[u8]) -> Result<Self, crate::wire::DecodeError> {
                #framing_unused
                #(#framing)*
                Self::decode(line, b"")
            }

            /// The number of payload bytes the URC carries (0 for URCs without data).
            pub fn payload_len(&self) -> usize {
                #payload_len_body
            }

            /// The prefixes URCs start with.
            pub const PREFIXES: &'static [&'static str] = &[#(#prefixes),*];

            /// Decodes a URC line (without CR LF) and, for data URCs, the payload after it.
            ///
            /// Variants are tried in spec order, first with their exact field count (data
            /// variants first when a payload is given), then tolerantly (extra trailing fields
            /// from newer firmware ignored). A variant that depends on a setting the line does not
            /// show (recvind, access mode) is best chosen by a caller that knows the setting.
            pub fn decode(line: &[u8], payload: &[u8]) -> Result<Self, crate::wire::DecodeError> {
                #decode_unused
                #with_data
                #(#strict)*
                #(#tolerant)*
                Err(crate::wire::DecodeError::Prefix)
            }

            /// Writes the URC line (and payload), without the surrounding CR LF.
            pub fn encode(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                #encode_body
            }
        }
    }
}
