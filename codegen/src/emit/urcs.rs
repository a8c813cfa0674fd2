//! The URC enum: one variant per URC of the spec, each carrying a line struct.

use super::lines::{shape, Shape, UrcVariant};
use crate::ir::Model;
use crate::naming;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(model: &Model) -> TokenStream {
    let urcs = &model.spec.urcs.value.urcs;
    // Data URCs borrow their payload from the frame: the enum gets the frame's lifetime.
    let has_data = urcs.iter().any(|u| u.data.is_some());
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
                keyword_also: &[],
                fields: &u.fields,
                data: u.data.as_ref(),
                urc: Some(UrcVariant {
                    variant: {
                        let v = naming::variant(&u.name);
                        quote!(Urc::#v)
                    },
                    enum_has_lifetime: has_data,
                }),
            },
        )
    });
    let lt = if has_data {
        quote!(<'a>)
    } else {
        TokenStream::new()
    };
    let variants = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        let t = naming::type_name(&u.name);
        let doc = &u.about;
        let lt = if u.data.is_some() {
            quote!(<'a>)
        } else {
            TokenStream::new()
        };
        quote! { #[doc = #doc] #v(urc::#t #lt), }
    });
    let detaches = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        if u.data.is_some() {
            quote! { Urc::#v(x) => Urc::#v(x.detach()), }
        } else {
            quote! { Urc::#v(x) => Urc::#v(x), }
        }
    });
    let copies = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        let t = naming::type_name(&u.name);
        if u.data.is_some() {
            quote! { Urc::#v(x) => Urc::#v(urc::#t { data: &[], ..x.clone() }), }
        } else {
            quote! { Urc::#v(x) => Urc::#v(x.clone()), }
        }
    });
    let detached_body = if urcs.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#copies)* })
    };
    let rewires = urcs.iter().map(|u| {
        let v = naming::variant(&u.name);
        if u.data.is_some() {
            quote! { Urc::#v(x) => x.data = wire, }
        } else {
            quote! { Urc::#v(_) => {} }
        }
    });
    // Without data URCs there is no payload to put in.
    let with_wire_body = if urcs.is_empty() {
        quote!(let _ = wire; match *self {})
    } else if !has_data {
        quote!(let _ = wire;)
    } else {
        quote!(match self { #(#rewires)* })
    };
    let detach_body = if urcs.is_empty() {
        quote!(match self {})
    } else {
        quote!(match self { #(#detaches)* })
    };
    // `variant_of` finds the variant (its place in `urcs`) and how strictly it decoded;
    // `decode` then decodes that one where it returns it.
    let place = |u: &crate::spec::Urc| urcs.iter().position(|x| x.name == u.name).unwrap_or(0);
    let attempt = |u: &crate::spec::Urc, how: TokenStream| {
        let t = naming::type_name(&u.name);
        let k = place(u);
        quote! { if urc::#t::decode_fields(line, payload, #how, &mut false).is_ok() { return Ok((#k, #how)); } }
    };
    // Each line's decoder builds its `Urc` variant: what it returns is returned as it is.
    let finals = urcs.iter().enumerate().map(|(k, u)| {
        let t = naming::type_name(&u.name);
        quote! { #k => urc::#t::decode_fields(line, payload, strict, &mut false), }
    });
    let data_places: Vec<usize> = urcs
        .iter()
        .enumerate()
        .filter(|(_, u)| u.data.is_some())
        .map(|(k, _)| k)
        .collect();
    let (decode_body, decode_as_body, announced_body) = if urcs.is_empty() {
        let none = quote! { let _ = (line, payload); Err(crate::wire::DecodeError::Prefix) };
        (none.clone(), quote! { let _ = (k, strict); #none }, none)
    } else {
        let announced = if data_places.is_empty() {
            quote! { Self::variant_of(line, payload).map(|_| 0) }
        } else {
            quote! {
                let (k, strict) = Self::variant_of(line, payload)?;
                match k {
                    #(#data_places)|* => Self::data_announced(k, strict, line, payload),
                    _ => Ok(0),
                }
            }
        };
        (
            quote! {
                let (k, strict) = Self::variant_of(line, payload)?;
                Self::decode_as(k, strict, line, payload)
            },
            quote! {
                match k {
                    #(#finals)*
                    _ => Err(crate::wire::DecodeError::Prefix),
                }
            },
            announced,
        )
    };
    let with_data: Vec<TokenStream> = urcs
        .iter()
        .filter(|u| u.data.is_some())
        .map(|u| attempt(u, quote!(true)))
        .collect();
    let with_data = if with_data.is_empty() {
        TokenStream::new()
    } else {
        quote! { if !payload.is_empty() { #(#with_data)* } }
    };
    let decode_unused = super::unused(urcs.is_empty(), &["line", "payload"]);
    let strict = urcs.iter().map(|u| attempt(u, quote!(true)));
    let framing: Vec<TokenStream> = urcs.iter().filter(|u| u.data.is_some()).map(|u| {
        let t = naming::type_name(&u.name);
        quote! {
            match urc::#t::decode_fields(line, payload, true, &mut false) {
                Ok(u) => return Ok(u),
                Err(crate::wire::DecodeError::Truncated) => return Err(crate::wire::DecodeError::Truncated),
                Err(_) => {}
            }
        }
    }).collect();
    let framing_unused = framing.is_empty().then(|| quote!(let _ = payload;));
    // A URC marked `exact` shares its prefix with a longer response line (`+CREG: <n>,<stat>`),
    // which a tolerant decode would take for the URC. The last pass keeps the closest error: an
    // out-of-range value is not "unexpected prefix".
    let loose_urcs: Vec<&crate::spec::Urc> = urcs.iter().filter(|u| !u.exact).collect();
    let tolerant = loose_urcs.iter().map(|u| {
        let t = naming::type_name(&u.name);
        let k = place(u);
        let n = u.fields.len() + usize::from(u.keyword.is_some());
        quote! {
            match urc::#t::decode_fields(line, payload, false, &mut false) {
                Ok(_) => return Ok((#k, false)),
                Err(e) => closest.note(e, #n),
            }
        }
    });
    let closest = if loose_urcs.is_empty() {
        quote!(let closest = crate::wire::Closest::default();)
    } else {
        quote!(let mut closest = crate::wire::Closest::default();)
    };
    let fit_body = if urcs.is_empty() {
        quote! { let _ = (line, payload); crate::wire::Fit::No }
    } else {
        // A URC marked `exact` counts only when it fits exactly; the best fit wins.
        let fits = urcs.iter().map(|u| {
            let t = naming::type_name(&u.name);
            if u.exact {
                quote!(.max(urc::#t::fit(line, payload).exact_only()))
            } else {
                quote!(.max(urc::#t::fit(line, payload)))
            }
        });
        quote! { crate::wire::Fit::No #(#fits)* }
    };
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
    let (parser_doc, decode_doc) = framing_docs(model, urcs);
    let (wild, frame_lt, static_lt) = if has_data {
        (quote!(<'_>), quote!('a), quote!(<'static>))
    } else {
        (TokenStream::new(), TokenStream::new(), TokenStream::new())
    };
    let (parser_doc, decode_doc) = (super::doc_lines(&parser_doc), super::doc_lines(&decode_doc));
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
        ///
        /// A data URC borrows its payload from the frame it was decoded from; a URC that is
        /// kept or queued is [`detach`](Self::detach)ed first and carries metadata only.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Urc #lt {
            #(#variants)*
        }

        #parser_doc
        impl atat::Parser for Urc #wild {
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

        impl #lt Urc #lt {
            /// Decodes a URC as the digester hands it over: the line, then (for data URCs)
            /// the payload in the module's live framing (`quectel_qi::framing`), which the
            /// value borrows as it lies on the wire (hex digits in hex framing; see
            /// [`wire::copy_payload`](crate::wire::copy_payload)).
            pub fn from_frame(frame: &#frame_lt [u8]) -> Option<Self> {
                Self::decode_frame(frame).ok()
            }

            /// [`from_frame`](Self::from_frame), with the error of a frame that does not decode.
            /// The value is decoded where it is returned: a caller that keeps the `Result` and
            /// looks at the URC through it holds one URC, not two.
            pub fn decode_frame(frame: &#frame_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                crate::wire::decode_framed(frame, &Urc::announced, Urc::decode, Urc::set_wire_payload)
            }

            /// The payload bytes a line announces (0 but for a data URC), as `decode` then
            /// `payload_len` would tell, without a value in this frame: only a data URC is
            /// built, in `data_announced`'s frame, once its variant is known.
            fn announced(line: &[u8], payload: &#frame_lt [u8]) -> Result<usize, crate::wire::DecodeError> {
                #announced_body
            }

            /// The payload bytes of the data URC of variant `k`.
            #[inline(never)]
            #[allow(dead_code)]
            fn data_announced(k: usize, strict: bool, line: &[u8], payload: &#frame_lt [u8]) -> Result<usize, crate::wire::DecodeError> {
                Self::decode_as(k, strict, line, payload).map(|u| u.payload_len())
            }

            /// Decodes the line as variant `k` (its place among the variants), as strictly as
            /// `variant_of` found it; the line's decoder builds the value where it is returned.
            fn decode_as(k: usize, strict: bool, line: &[u8], payload: &#frame_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                #decode_as_body
            }

            /// Puts `wire` in as a data URC's payload (as it lies on the wire), in place; other
            /// URCs unchanged.
            fn set_wire_payload(&mut self, wire: &#frame_lt [u8]) {
                #with_wire_body
            }

            /// The URC without the payload of a data URC (its length field kept): what is kept
            /// or queued once the frame is gone.
            pub fn detach(self) -> Urc #static_lt {
                #detach_body
            }

            /// A copy of the URC without the payload of a data URC, as [`detach`](Self::detach)
            /// gives it, built once (not a clone, then a move).
            pub fn detached(&self) -> Urc #static_lt {
                #detached_body
            }

            /// Decoding for framing: a line that matches a data URC always takes its payload, so
            /// that where a frame ends never depends on how the input was chunked.
            fn decode_framing(line: &[u8], payload: &#frame_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                #framing_unused
                #(#framing)*
                Self::decode(line, b"")
            }

            /// The payload bytes the URC holds as they lie on the wire (0 for URCs without data and
            /// for a detached one; twice the length field for hex digits).
            pub fn payload_len(&self) -> usize {
                #payload_len_body
            }

            /// The prefixes URCs start with.
            pub const PREFIXES: &'static [&'static str] = &[#(#prefixes),*];

            /// Decodes a URC line (without CR LF) and, for data URCs, the payload after it.
            ///
            #decode_doc
            /// When none decodes, the error is that of the variant that got furthest.
            pub fn decode(line: &[u8], payload: &#frame_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                #decode_body
            }

            /// Which variant `decode` takes (its place among the variants), and whether it
            /// decoded strictly. Apart: the values it tries lie in this frame, not in
            /// `decode`'s, which decodes only the one it returns.
            #[inline(never)]
            #[allow(dead_code)]
            fn variant_of(line: &[u8], payload: &[u8]) -> Result<(usize, bool), crate::wire::DecodeError> {
                #decode_unused
                #with_data
                #(#strict)*
                #closest
                #(#tolerant)*
                Err(closest.error())
            }

            /// How well a line (and its payload) fits some variant: with its exact field count,
            /// only tolerantly, or not (see [`wire::response_wins`](crate::wire::response_wins)).
            pub fn fit(line: &[u8], payload: &[u8]) -> crate::wire::Fit {
                #fit_body
            }

            /// Writes the URC line (and payload), without the surrounding CR LF.
            pub fn encode(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                #encode_body
            }
        }
    }
}

/// The docs of the framing parser and of `Urc::decode`, from the spec: which data URCs a line
/// of a plain URC is taken for, and which settings (the URCs' `when:`) tell them apart.
fn framing_docs(model: &Model, urcs: &[crate::spec::Urc]) -> (String, String) {
    let mut parser =
        "Frames URCs for atat's digester: the line, and the payload of data URCs.".to_owned();
    for d in urcs.iter().filter(|u| u.data.is_some()) {
        for n in urcs.iter().filter(|n| {
            n.data.is_none()
                && n.prefix == d.prefix
                && n.keyword == d.keyword
                && n.fields.len() == d.fields.len()
        }) {
            let line: Vec<String> = d
                .keyword
                .iter()
                .map(|k| format!("\"{k}\""))
                .chain(d.fields.iter().map(|u| {
                    let doc = u.doc.as_ref().unwrap_or(&model.param(&u.param).doc);
                    format!("<{doc}>")
                }))
                .collect();
            let settings = settings_of([n, d]);
            let told = if settings.is_empty() {
                "nothing on the wire tells them apart".to_owned()
            } else {
                format!(
                    "what tells them apart ({}) is not on the wire, so a client that expects \
                     `{}` needs a digester that knows those settings",
                    settings.join(", "),
                    n.name
                )
            };
            parser.push_str(&format!(
                "\n\n`{}: {}` is read as `{}`, followed by its payload: `{}` looks the same, \
                 and {told}.",
                d.prefix,
                line.join(","),
                d.name,
                n.name
            ));
        }
    }
    let all = settings_of(urcs);
    let decode = if all.is_empty() {
        "Variants are tried in spec order, first with their exact field count (data variants \
         first when a payload is given), then tolerantly (extra trailing fields from newer \
         firmware ignored)."
            .to_owned()
    } else {
        format!(
            "Variants are tried in spec order, first with their exact field count (data variants \
             first when a payload is given), then tolerantly (extra trailing fields from newer \
             firmware ignored). A variant that depends on a setting the line does not show ({}) \
             is best chosen by a caller that knows the setting.",
            all.join(", ")
        )
    };
    (parser, decode)
}

/// The settings named by the URCs' `when:`, sorted, once each.
fn settings_of<'a>(urcs: impl IntoIterator<Item = &'a crate::spec::Urc>) -> Vec<String> {
    let set: std::collections::BTreeSet<&String> = urcs
        .into_iter()
        .flat_map(|u| u.when.iter().flatten().map(|(k, _)| k))
        .collect();
    set.into_iter().cloned().collect()
}
