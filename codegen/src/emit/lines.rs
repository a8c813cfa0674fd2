//! One line shape (prefix, optional keyword, fields, optional payload), shared by response lines
//! and URCs: a struct with `decode` and `encode`, so that both directions use one code. Fields
//! are owned; a payload is borrowed from the frame it came in (`data: &'a [u8]`), so that a
//! value kept or queued (`detach`) carries the line's metadata only, never a copy of the payload.

use super::params::param_doc;
use super::requests::{field_kind, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{DataBlock, ParamDef, ParamUse};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub struct Shape<'a> {
    pub name: Ident,
    pub doc: String,
    pub prefix: String,
    pub keyword: Option<&'a str>,
    /// Other keyword spellings that decoding accepts (never written).
    pub keyword_also: &'a [String],
    pub fields: &'a [ParamUse],
    pub data: Option<&'a DataBlock>,
    /// A URC's line: its variant of the `Urc` enum, which its decoder builds (see
    /// [`UrcVariant`]); `None` for a response line.
    pub urc: Option<UrcVariant>,
}

/// How a URC line's decoder returns: the `Urc` value itself, so that `Urc::decode` hands the
/// caller's slot straight to the one decoder that builds it (no copy of the line per layer),
/// and the line's own `decode` takes it back out of the variant.
pub struct UrcVariant {
    /// `Urc::Name`.
    pub variant: TokenStream,
    /// Whether the `Urc` enum has a lifetime (some URC carries data).
    pub enum_has_lifetime: bool,
}

/// The largest payload a data block can announce: the top of its length field's range.
pub fn data_capacity(model: &Model, fields: &[ParamUse], d: &DataBlock) -> usize {
    let u = fields
        .iter()
        .find(|u| u.field_name() == d.length)
        .expect("checked");
    let def = model.param(&u.param);
    def.range
        .as_ref()
        .and_then(|r| r.last())
        .map_or(0, |r| r[1].max(0) as usize)
}

/// The longest string a length field can announce: the top of its range.
pub fn length_capacity(model: &Model, fields: &[ParamUse], length: &str) -> usize {
    data_capacity(
        model,
        fields,
        &DataBlock {
            length: length.to_owned(),
            separator_by: None,
            encoding_by: None,
        },
    )
}

fn owned_type(model: &Model, key: &str, def: &ParamDef) -> TokenStream {
    match field_kind(def) {
        FieldKind::Newtype | FieldKind::Enum { .. } => {
            let t = naming::type_name(key);
            quote!(crate::#t)
        }
        FieldKind::Int => quote!(u32),
        FieldKind::Str | FieldKind::Hex => {
            let n = string_len(model, def);
            quote!(heapless::String<#n>)
        }
    }
}

pub(crate) fn decode_value(
    model: &Model,
    key: &str,
    def: &ParamDef,
    field: TokenStream,
    index: impl quote::ToTokens,
) -> TokenStream {
    let ty = owned_type(model, key, def);
    if let Some(v) = int_value(
        model,
        key,
        def,
        quote!(crate::wire::int(#field, #index)?),
        &index,
    ) {
        return v;
    }
    match field_kind(def) {
        FieldKind::Enum { keyword: true } => {
            // A bare keyword (`+CPIN: READY`) where the spec says `quoted: false`.
            let text = if crate::check::values::is_quoted(def) {
                quote!(crate::wire::quoted(#field, #index)?)
            } else {
                quote!(crate::wire::bare(#field, #index)?)
            };
            quote! {
                #ty::from_keyword(#text).ok_or(crate::wire::DecodeError::UnknownValue { index: #index })?
            }
        }
        FieldKind::Newtype | FieldKind::Int | FieldKind::Enum { keyword: false } => {
            unreachable!("decoded by int_value")
        }
        FieldKind::Str | FieldKind::Hex => {
            let get = if crate::check::values::is_quoted(def) {
                quote!(crate::wire::quoted(#field, #index)?)
            } else {
                quote!(crate::wire::text(#field, #index)?)
            };
            quote! { crate::wire::owned(#get, #index)? }
        }
    }
}

/// A text field of a line as the decoder holds it until the value is built: the field's
/// `&str`, checked to fit its string (`wire::fitting`), so that the decoder holds no copy of
/// the string besides the value's own (`wire::owned_fit` builds it in the value). Other kinds
/// as [`decode_value`].
fn decode_local(
    model: &Model,
    key: &str,
    def: &ParamDef,
    field: TokenStream,
    index: u8,
) -> TokenStream {
    match field_kind(def) {
        FieldKind::Str | FieldKind::Hex => {
            let n = string_len(model, def);
            let get = if crate::check::values::is_quoted(def) {
                quote!(crate::wire::quoted(#field, #index)?)
            } else {
                quote!(crate::wire::text(#field, #index)?)
            };
            quote! { crate::wire::fitting(#get, #index, #n)? }
        }
        _ => decode_value(model, key, def, field, index),
    }
}

/// The longest text a string field holds.
fn string_len(model: &Model, def: &ParamDef) -> usize {
    def.max_len
        .unwrap_or(model.spec.document.value.unspecified_string_len) as usize
}

/// A field whose type is a number (a ranged newtype, a plain integer, a numbered enumeration)
/// from the integer `int`; `None` for other kinds.
fn int_value(
    model: &Model,
    key: &str,
    def: &ParamDef,
    int: TokenStream,
    index: &impl quote::ToTokens,
) -> Option<TokenStream> {
    let ty = owned_type(model, key, def);
    Some(match field_kind(def) {
        FieldKind::Newtype => quote! {
            #ty::new(#int).ok_or(crate::wire::DecodeError::OutOfRange { index: #index })?
        },
        FieldKind::Int => quote! {
            u32::try_from(#int).map_err(|_| crate::wire::DecodeError::OutOfRange { index: #index })?
        },
        FieldKind::Enum { keyword: false } => quote! {
            #ty::try_from(#int).map_err(|_| crate::wire::DecodeError::UnknownValue { index: #index })?
        },
        _ => return None,
    })
}

/// A field the line must have, decoded from `fields` (`MissingField` when the line ended):
/// numbers through one shared call (`Fields::required_int`), other kinds as `value` says of
/// the field `x`.
pub(crate) fn decode_required(
    model: &Model,
    key: &str,
    def: &ParamDef,
    index: u8,
    value: TokenStream,
) -> TokenStream {
    match int_value(
        model,
        key,
        def,
        quote!(fields.required_int(#index)?),
        &index,
    ) {
        Some(v) => v,
        None => quote! {{
            let x = fields.required(#index)?;
            #value
        }},
    }
}

/// Writes one field; `v` is a reference to the field's value (an owned line field or a request
/// field, strings deref to `&str` either way).
pub(crate) fn encode_value(def: &ParamDef, v: TokenStream) -> TokenStream {
    match field_kind(def) {
        FieldKind::Newtype => quote! { w.int(i64::from(#v.get()))?; },
        FieldKind::Int => quote! { w.int(i64::from(*#v))?; },
        FieldKind::Enum { keyword: false } => quote! { w.int(i64::from(#v.code()))?; },
        FieldKind::Enum { keyword: true } if !crate::check::values::is_quoted(def) => {
            quote! { w.bytes(#v.as_str().as_bytes())?; }
        }
        FieldKind::Enum { keyword: true } => quote! { w.quoted(#v.as_str())?; },
        FieldKind::Str | FieldKind::Hex => {
            if crate::check::values::is_quoted(def) {
                quote! { w.quoted(#v)?; }
            } else {
                quote! { w.bytes(#v.as_bytes())?; }
            }
        }
    }
}

/// Hands one field to a `describe::Visitor`; `v` is a reference to the field's value, `name`
/// its name in the generated types.
pub(crate) fn visit_value(def: &ParamDef, v: TokenStream, name: &str) -> TokenStream {
    match field_kind(def) {
        FieldKind::Newtype => quote! { vis.int(#name, i64::from(#v.get())); },
        FieldKind::Int => quote! { vis.int(#name, i64::from(*#v)); },
        FieldKind::Enum { keyword: false } => {
            quote! { vis.enumeration(#name, crate::describe::Wire::Int(i64::from(#v.code())), #v.name()); }
        }
        FieldKind::Enum { keyword: true } => {
            quote! { vis.enumeration(#name, crate::describe::Wire::Keyword(#v.as_str()), #v.name()); }
        }
        FieldKind::Str | FieldKind::Hex => quote! { vis.text(#name, #v); },
    }
}

/// Writes one field of a line: as [`encode_value`], except that bare text after a comma is
/// printed after ", " (erratum qigeterror-description-format; decoding trims the space).
fn encode_line_value(def: &ParamDef, v: TokenStream, first: bool) -> TokenStream {
    let bare_text = matches!(field_kind(def), FieldKind::Str | FieldKind::Hex)
        && !crate::check::values::is_quoted(def);
    let one = encode_value(def, v);
    if bare_text && !first {
        quote! { w.bytes(b" ")?; #one }
    } else {
        one
    }
}

/// The pieces of a repeated last field: its list, how it decodes, encodes and is visited.
struct Repeated {
    def: TokenStream,
    decode: TokenStream,
    encode: TokenStream,
    visit: TokenStream,
}

/// A last field that repeats `r.min..=r.max` times: a `heapless::Vec` of its values, each at
/// its own wire index from `index` on.
fn repeated(
    model: &Model,
    u: &ParamUse,
    def: &ParamDef,
    r: crate::spec::Repeat,
    index: u8,
    comma: &TokenStream,
) -> Repeated {
    let f = naming::field(u.field_name());
    let l = naming::local(u.field_name());
    let ty = owned_type(model, &u.param, def);
    let (min, max) = (r.min as usize, r.max as usize);
    let fdoc = format!(
        "{} Repeated: {min} to {max} values, in wire order.",
        param_doc(def)
    );
    let value = decode_value(model, &u.param, def, quote!(x), quote!(at));
    let enc = encode_line_value(def, quote!(v), false);
    let fname = u.field_name();
    let visit = visit_value(def, quote!(v), fname);
    // A comma before every value, or after the first where nothing precedes the field.
    let each_comma = if comma.is_empty() {
        quote! { if k > 0 { w.comma()?; } }
    } else {
        quote! { let _ = k; w.comma()?; }
    };
    // `len() < 0` would be a warning of its own, `len() < 1` a lint.
    let short = if min == 1 {
        quote!(#l.is_empty())
    } else {
        quote!(#l.len() < #min)
    };
    let too_few = (min > 0).then(|| {
        quote! {
            if #short {
                let at = #index.saturating_add(u8::try_from(#l.len()).unwrap_or(u8::MAX));
                return Err(crate::wire::DecodeError::MissingField { index: at });
            }
        }
    });
    Repeated {
        def: quote! { #[doc = #fdoc] pub #f: heapless::Vec<#ty, #max>, },
        decode: quote! {
            let mut #l = heapless::Vec::<#ty, #max>::new();
            for (k, x) in fields.by_ref().enumerate() {
                let at = #index.saturating_add(u8::try_from(k).unwrap_or(u8::MAX));
                if !crate::wire::is_whole(x) {
                    return Err(crate::wire::DecodeError::TrailingData);
                }
                #l.push(#value).map_err(|_| crate::wire::DecodeError::TrailingData)?;
            }
            #too_few
        },
        encode: quote! {
            for (k, v) in self.#f.iter().enumerate() {
                #each_comma
                #enc
            }
        },
        visit: quote! { for v in &self.#f { #visit } },
    }
}

/// The struct, its `decode(line, payload)` and `encode(writer)`.
pub fn shape(model: &Model, s: &Shape) -> TokenStream {
    let name = &s.name;
    let doc = &s.doc;
    let prefix = &s.prefix;
    let mut defs = Vec::new();
    let mut decodes = Vec::new();
    let mut inits = Vec::new();
    let mut encodes = Vec::new();
    let mut visits = Vec::new();
    let mut first = s.keyword.is_none();
    for (i, u) in s.fields.iter().enumerate() {
        let def = model.param(&u.param);
        let f = naming::field(u.field_name());
        let l = naming::local(u.field_name());
        let index = i as u8 + u8::from(s.keyword.is_some());
        let comma = if first {
            TokenStream::new()
        } else {
            quote!(w.comma()?;)
        };
        let was_first = first;
        first = false;
        if u.shown.is_some() {
            // Test responses show ranges and placeholders: kept as text, a parenthesised
            // list whole (`(0,1)`); `supported::parse` reads it.
            defs.push(quote! { #[doc = "As the module shows it (a range, a list or a placeholder; `quectel_qi::supported::parse` reads it)."] pub #f: heapless::String<64>, });
            decodes.push(quote! {
                let #l = fields.required_shown(#index)?;
            });
            encodes.push(quote! { #comma w.bytes(self.#f.as_bytes())?; });
            let fname = u.field_name();
            visits.push(quote! { vis.text(#fname, &self.#f); });
            inits.push(quote!(#f: #l,));
            continue;
        }
        if let Some(len) = &u.length {
            // A quoted string (or raw `bytes`) read by an earlier field's length: any bytes.
            let quoted = def.ty != crate::spec::ParamType::Bytes;
            let take = if quoted {
                quote!(take_quoted)
            } else {
                quote!(take_raw)
            };
            let cap = length_capacity(model, s.fields, len);
            let n = naming::local(len);
            let fdoc = format!(
                "{} Its length is `{len}` (keep the two in step when encoding).",
                param_doc(def)
            );
            defs.push(quote! { #[doc = #fdoc] pub #f: heapless::Vec<u8, #cap>, });
            decodes.push(quote! {
                let #l = {
                    let n = usize::try_from(i64::from(#n)).unwrap_or(usize::MAX);
                    let raw = fields.#take(n, #index)?;
                    heapless::Vec::from_slice(raw).map_err(|_| crate::wire::DecodeError::TooLong { index: #index })?
                };
            });
            encodes.push(if quoted {
                quote! { #comma w.bytes(b"\"")?; w.bytes(&self.#f)?; w.bytes(b"\"")?; }
            } else {
                quote! { #comma w.bytes(&self.#f)?; }
            });
            let fname = u.field_name();
            visits.push(quote! { vis.bytes(#fname, &self.#f); });
            inits.push(quote!(#f: #l,));
            continue;
        }
        if let Some(r) = u.repeat {
            let rep = repeated(model, u, def, r, index, &comma);
            defs.push(rep.def);
            decodes.push(rep.decode);
            encodes.push(rep.encode);
            visits.push(rep.visit);
            inits.push(quote!(#f: #l,));
            continue;
        }
        let ty = owned_type(model, &u.param, def);
        let fdoc = param_doc(def);
        let alias = naming::doc_alias(
            &u.doc.clone().unwrap_or_else(|| def.doc.clone()),
            u.field_name(),
        );
        let value = decode_local(model, &u.param, def, quote!(x), index);
        let text = matches!(field_kind(def), FieldKind::Str | FieldKind::Hex);
        let enc = encode_line_value(def, quote!(v), was_first);
        let fname = u.field_name();
        let visit = visit_value(def, quote!(v), fname);
        if u.keeps_place() || u.optional {
            visits.push(
                quote! { match &self.#f { Some(v) => { #visit } None => vis.absent(#fname), } },
            );
        } else {
            visits.push(quote! { { let v = &self.#f; #visit } });
        }
        if u.keeps_place() {
            defs.push(quote! { #[doc = #fdoc] #alias pub #f: Option<#ty>, });
            decodes.push(quote! {
                let #l = match fields.next() {
                    Some([]) | None => None,
                    Some(x) => Some(#value),
                };
            });
            encodes.push(quote! { #comma if let Some(v) = &self.#f { #enc } });
        } else if u.optional {
            defs.push(quote! { #[doc = #fdoc] #alias pub #f: Option<#ty>, });
            decodes.push(
                quote! { let #l = match fields.next() { Some(x) => Some(#value), None => None }; },
            );
            encodes.push(quote! { if let Some(v) = &self.#f { #comma #enc } });
        } else {
            defs.push(quote! { #[doc = #fdoc] #alias pub #f: #ty, });
            let value = decode_required(model, &u.param, def, index, value);
            decodes.push(quote! { let #l = #value; });
            encodes.push(quote! { { let v = &self.#f; #comma #enc } });
        }
        inits.push(match (text, u.keeps_place() || u.optional) {
            (false, _) => quote!(#f: #l,),
            (true, false) => quote!(#f: crate::wire::owned_fit(#l),),
            (true, true) => quote!(#f: #l.map(crate::wire::owned_fit),),
        });
    }
    let keyword_check = match s.keyword {
        Some(k) if s.keyword_also.is_empty() => quote! { crate::wire::keyword(&mut fields, #k)?; },
        Some(k) => {
            let also = s.keyword_also;
            quote! {
                match fields.next().map(|f| crate::wire::quoted(f, 0)) {
                    Some(Ok(kw)) if kw == #k #(|| kw == #also)* => {}
                    _ => return Err(crate::wire::DecodeError::Keyword),
                }
            }
        }
        None => TokenStream::new(),
    };
    let keyword_enc = match s.keyword {
        Some(k) => quote! { w.quoted(#k)?; },
        None => TokenStream::new(),
    };
    if s.data.is_some() {
        visits.push(quote! { vis.bytes("data", self.data); });
    }
    let visit_unused = super::unused(visits.is_empty(), &["vis"]);
    let field_names: Vec<Ident> = s
        .fields
        .iter()
        .map(|u| naming::field(u.field_name()))
        .collect();
    let (data_def, data_dec, data_init, data_enc, cap_const) = match s.data {
        Some(d) => {
            let cap = data_capacity(model, s.fields, d);
            let len = naming::local(&d.length);
            (
                quote! {
                    /// The payload that follows the line, where it lies in the frame; empty in a
                    /// value that was [`detach`](Self::detach)ed (its length field still says how
                    /// long it was).
                    pub data: &'a [u8],
                },
                quote! {
                    let n = usize::try_from(i64::from(#len)).unwrap_or(usize::MAX);
                    let data = payload.get(..n).ok_or(crate::wire::DecodeError::Truncated)?;
                    if n > #cap {
                        return Err(crate::wire::DecodeError::TooLong { index: 0 });
                    }
                },
                quote!(data,),
                quote! { if !self.data.is_empty() { w.bytes(b"\r\n")?; w.bytes(self.data)?; } },
                quote! {
                    /// The largest payload this line can announce.
                    pub const DATA_CAPACITY: usize = #cap;
                },
            )
        }
        None => (
            TokenStream::new(),
            quote! { let _ = payload; },
            TokenStream::new(),
            TokenStream::new(),
            TokenStream::new(),
        ),
    };
    // A line of text alone (`Quectel` answering AT+CGMI) has no prefix and no `: `.
    let separator = if !prefix.is_empty() && (s.keyword.is_some() || !s.fields.is_empty()) {
        quote!(w.bytes(b": ")?;)
    } else {
        TokenStream::new()
    };
    let body = if prefix.is_empty() {
        quote! { let body: &[u8] = line.strip_suffix(b"\r\n").unwrap_or(line); }
    } else {
        quote! { let body = crate::wire::line_body(line, #prefix.as_bytes())?; }
    };
    let (generics, impl_generics, payload_lt, detach) = if s.data.is_some() {
        (
            quote!(<'a>),
            quote!(<'a>),
            quote!('a),
            quote! {
                /// The line without its payload (`data` empty, the length field kept): what
                /// is kept or queued once the frame it came in is gone.
                pub fn detach(self) -> #name<'static> {
                    #name { #(#field_names: self.#field_names,)* data: &[] }
                }
            },
        )
    } else {
        (
            TokenStream::new(),
            TokenStream::new(),
            TokenStream::new(),
            TokenStream::new(),
        )
    };
    let decode_doc = quote! {
        /// Decodes the line (without CR LF) and, for lines that announce one, its payload.
        /// Extra trailing fields (newer firmware) are ignored if whole: a line cut inside a
        /// quoted string is an error, never a shorter line.
    };
    let strict_doc = quote! {
        /// Like `decode`, but extra trailing fields are an error: for telling apart
        /// variants that share a prefix.
    };
    let fit_doc = quote! {
        /// How well the line fits: `Exact` where `decode_strict` takes it, `Tolerant` where
        /// only `decode` does, else `No`; one decode instead of two (flash).
    };
    let fields_body = quote! {
        #body
        #[allow(unused_mut)]
        let mut fields = crate::wire::Fields::new(body);
        #keyword_check
        #(#decodes)*
    };
    let decoders = match &s.urc {
        None => quote! {
            #decode_doc
            pub fn decode(line: &[u8], payload: &#payload_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                Self::decode_fields(line, payload, false).map(|(v, _)| v)
            }

            #strict_doc
            pub fn decode_strict(line: &[u8], payload: &#payload_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                Self::decode_fields(line, payload, true).map(|(v, _)| v)
            }

            #fit_doc
            #[allow(dead_code)]
            pub(crate) fn fit(line: &[u8], payload: &#payload_lt [u8]) -> crate::wire::Fit {
                crate::wire::Fit::of(Self::decode_fields(line, payload, false).map(|(_, extra)| extra))
            }

            #detach

            /// The line, and whether whole extra fields were skipped (never when `strict`).
            /// Never inlined: the dispatchers try dozens of lines one after the other, and
            /// inlined, their locals would all share one frame (see `docs/PERFORMANCE.md`).
            #[inline(never)]
            pub(crate) fn decode_fields(line: &[u8], payload: &#payload_lt [u8], strict: bool) -> Result<(Self, bool), crate::wire::DecodeError> {
                #fields_body
                // Extra fields: an error when strict, or when one was cut inside its quotes.
                let extra = fields.finish(strict)?;
                #data_dec
                Ok((Self { #(#inits)* #data_init }, extra))
            }
        },
        Some(u) => {
            let variant = &u.variant;
            // The enum's lifetime: the payload's for a data line, any for the others.
            let (fn_lt, urc_ty, of_ty) = match (s.data.is_some(), u.enum_has_lifetime) {
                (true, _) => (TokenStream::new(), quote!(Urc<'a>), quote!(Urc<'a>)),
                (false, true) => (quote!(<'u>), quote!(Urc<'u>), quote!(Urc<'_>)),
                (false, false) => (TokenStream::new(), quote!(Urc), quote!(Urc)),
            };
            quote! {
                #decode_doc
                pub fn decode(line: &[u8], payload: &#payload_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                    Self::of(Self::decode_fields(line, payload, false, &mut false))
                }

                #strict_doc
                pub fn decode_strict(line: &[u8], payload: &#payload_lt [u8]) -> Result<Self, crate::wire::DecodeError> {
                    Self::of(Self::decode_fields(line, payload, true, &mut false))
                }

                #fit_doc
                #[allow(dead_code)]
                pub(crate) fn fit(line: &[u8], payload: &#payload_lt [u8]) -> crate::wire::Fit {
                    let mut extra = false;
                    crate::wire::Fit::of(Self::decode_fields(line, payload, false, &mut extra).map(|_| extra))
                }

                #detach

                /// The line out of the URC its decoder built.
                #[allow(unreachable_patterns)]
                fn of(u: Result<#of_ty, crate::wire::DecodeError>) -> Result<Self, crate::wire::DecodeError> {
                    match u? {
                        #variant(x) => Ok(x),
                        _ => Err(crate::wire::DecodeError::Prefix),
                    }
                }

                /// The URC of this line, and in `extra` whether whole extra fields were
                /// skipped (never when `strict`). Built as the `Urc` itself: `Urc::decode`
                /// returns what this returns, so the value is built once, in the caller's
                /// slot. Never inlined: the dispatchers try dozens of lines one after the
                /// other, and inlined, their locals would all share one frame (see
                /// `docs/PERFORMANCE.md`).
                #[inline(never)]
                pub(crate) fn decode_fields #fn_lt (line: &[u8], payload: &#payload_lt [u8], strict: bool, extra: &mut bool) -> Result<#urc_ty, crate::wire::DecodeError> {
                    #fields_body
                    // Extra fields: an error when strict, or when one was cut inside its quotes.
                    *extra = fields.finish(strict)?;
                    #data_dec
                    Ok(#variant(Self { #(#inits)* #data_init }))
                }
            }
        }
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #name #generics {
            #(#defs)*
            #data_def
        }

        impl #impl_generics atat::AtatResp for #name #generics {}

        impl #impl_generics #name #generics {
            /// The line's prefix.
            pub const PREFIX: &'static str = #prefix;
            #cap_const

            #decoders
            /// Writes the line (and its payload), without the surrounding CR LF.
            pub fn encode(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                w.bytes(#prefix.as_bytes())?;
                #separator
                #keyword_enc
                #(#encodes)*
                #data_enc
                Ok(())
            }

            /// Hands every field to `vis`, in wire order (the payload last, as `data`).
            pub fn visit(&self, vis: &mut dyn crate::describe::Visitor) {
                #visit_unused
                #(#visits)*
            }
        }
    }
}
