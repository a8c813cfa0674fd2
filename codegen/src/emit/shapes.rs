//! The field tables of every command form, response line and URC (`wire::FormShape`,
//! `wire::LineShape`), which the runtime's one interpreter reads as the typed decoders would:
//! the digester weighs lines against a form known only at run time, and through these tables
//! it links no decoder of a form the application never names.

use super::requests::{field_kind, FieldKind};
use crate::check::values::is_quoted;
use crate::ir::Model;
use crate::spec::{Command, DataBlock, Form, FormKind, ParamType, ParamUse, Rule, Scalar};
use proc_macro2::TokenStream;
use quote::quote;

/// The lists the packed field rules index (`wire::ValueLists`), each distinct entry once, in
/// the order first named.
#[derive(Default)]
pub(super) struct Lists {
    ranges: Vec<Vec<[i64; 2]>>,
    keywords: Vec<Vec<String>>,
    texts: Vec<String>,
    repeats: Vec<(u16, u16)>,
}

/// The position of `item` in `list`, added at the end when new.
fn index_of<T: PartialEq>(list: &mut Vec<T>, item: T) -> u16 {
    let at = match list.iter().position(|x| *x == item) {
        Some(at) => at,
        None => {
            list.push(item);
            list.len() - 1
        }
    };
    u16::try_from(at).expect("fewer than 65536 distinct value lists")
}

impl Lists {
    /// `wire::ValueLists` of everything named so far.
    pub(super) fn tokens(&self) -> TokenStream {
        let ranges = self.ranges.iter().map(|r| int_ranges(r));
        let keywords = self.keywords.iter().map(|k| quote! { &[#(#k),*] });
        let texts = &self.texts;
        let repeats = self.repeats.iter().map(|(lo, hi)| quote! { (#lo, #hi) });
        quote! {
            crate::wire::ValueLists {
                ranges: &[#(#ranges),*],
                keywords: &[#(#keywords),*],
                texts: &[#(#texts),*],
                repeats: &[#(#repeats),*],
            }
        }
    }
}

/// A field's kind and what it needs, as a packed `wire::FieldRule` holds them.
struct Packed {
    kind: TokenStream,
    quoted: bool,
    hex: bool,
    index: u16,
    max: u32,
}

impl Packed {
    fn of(kind: TokenStream) -> Self {
        Packed {
            kind,
            quoted: false,
            hex: false,
            index: 0,
            max: 0,
        }
    }
}

/// Where a field is read: a command line (`Request::decode`) or a module line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Command,
    Module,
}

fn int_ranges(ranges: &[[i64; 2]]) -> TokenStream {
    let pairs = ranges.iter().map(|[lo, hi]| quote! { (#lo, #hi), });
    quote! { &[#(#pairs)*] }
}

fn position(fields: &[ParamUse], name: &str) -> u8 {
    let at = fields
        .iter()
        .position(|f| f.field_name() == name)
        .expect("checked: a length names an earlier field");
    assert!(
        at < 16,
        "a length field beyond wire::MAX_LENGTH_POSITION (16): raise it in the runtime"
    );
    at as u8
}

/// What a form's unconditional rules (`then` without `if`) narrow a parameter to: the values
/// left (ranges, enumeration names), and whether leaving it out breaks them (its default does
/// not meet them). Such a rule tells forms of one syntax apart (`AT+QIRD=0,0` reads the
/// counters, not data); rules with a condition never do, and the tables leave them out.
#[derive(Default)]
struct Narrowed {
    ranges: Option<Vec<[i64; 2]>>,
    names: Option<Vec<String>>,
    required: bool,
}

fn narrowed(model: &Model, rules: &[Rule], u: &ParamUse) -> Narrowed {
    let mut n = Narrowed::default();
    let def = model.param(&u.param);
    let default = u.default.as_ref().or(def.default.as_ref());
    for c in rules
        .iter()
        .filter(|r| r.when.is_none())
        .filter_map(|r| r.then.as_ref()?.get(u.field_name()))
    {
        if let Some(r) = &c.range {
            n.ranges = Some(match n.ranges.take() {
                Some(old) => intersect(&old, r),
                None => r.clone(),
            });
            n.required |= u.optional
                && matches!(default, Some(Scalar::Int(i)) if !crate::check::values::in_ranges(r, *i));
        }
        if let Some(names) = &c.one_of {
            n.names = Some(match n.names.take() {
                Some(old) => old.into_iter().filter(|x| names.contains(x)).collect(),
                None => names.clone(),
            });
            n.required |= u.optional
                && default.is_some_and(|d| {
                    !def.values
                        .iter()
                        .flatten()
                        .any(|e| &e.value == d && names.contains(&e.name))
                });
        }
    }
    n
}

fn intersect(a: &[[i64; 2]], b: &[[i64; 2]]) -> Vec<[i64; 2]> {
    let mut out = Vec::new();
    for [alo, ahi] in a {
        for [blo, bhi] in b {
            let (lo, hi) = ((*alo).max(*blo), (*ahi).min(*bhi));
            if lo <= hi {
                out.push([lo, hi]);
            }
        }
    }
    out
}

/// The same numbers as fewer ranges: sorted, with touching and overlapping ones merged (an
/// enumeration's codes `0, 1, 2` are one range `0..=2`).
fn coalesced(mut ranges: Vec<[i64; 2]>) -> Vec<[i64; 2]> {
    ranges.sort_unstable();
    let mut out: Vec<[i64; 2]> = Vec::new();
    for [lo, hi] in ranges {
        match out.last_mut() {
            Some(last) if lo <= last[1].saturating_add(1) => last[1] = last[1].max(hi),
            _ => out.push([lo, hi]),
        }
    }
    out
}

/// The kind of one field, as the typed decoder of its side reads it.
fn kind(
    model: &Model,
    lists: &mut Lists,
    fields: &[ParamUse],
    u: &ParamUse,
    side: Side,
    narrow: &Narrowed,
) -> Packed {
    let def = model.param(&u.param);
    if let Some(v) = &u.value {
        let text = match v {
            Scalar::Int(i) => i.to_string(),
            Scalar::Str(s) => format!("\"{s}\""),
        };
        return Packed {
            index: index_of(&mut lists.texts, text),
            ..Packed::of(quote!(Fixed))
        };
    }
    if side == Side::Module && u.shown.is_some() {
        return Packed::of(quote!(Shown));
    }
    if let (Side::Module, Some(len)) = (side, &u.length) {
        return Packed {
            index: u16::from(position(fields, len)),
            quoted: def.ty != ParamType::Bytes,
            max: super::lines::length_capacity(model, fields, len) as u32,
            ..Packed::of(quote!(Framed))
        };
    }
    let quoted = is_quoted(def);
    let max = def
        .max_len
        .unwrap_or(model.spec.document.value.unspecified_string_len);
    let values = def
        .values
        .iter()
        .flatten()
        .filter(|v| narrow.names.as_ref().is_none_or(|n| n.contains(&v.name)));
    let mut ints = |r: &[[i64; 2]]| {
        let r = match &narrow.ranges {
            Some(n) => intersect(r, n),
            None => r.to_vec(),
        };
        Packed {
            index: index_of(&mut lists.ranges, coalesced(r)),
            ..Packed::of(quote!(Int))
        }
    };
    match field_kind(def) {
        FieldKind::Newtype => ints(def.range.as_deref().unwrap_or_default()),
        FieldKind::Int => ints(&[[0, i64::from(u32::MAX)]]),
        FieldKind::Enum { keyword: false } => {
            let codes: Vec<crate::spec::EnumValue> = values.cloned().collect();
            ints(&super::params::enum_ints(&codes))
        }
        FieldKind::Enum { keyword: true } => {
            let values = values
                .map(|v| match &v.value {
                    Scalar::Str(s) => s.clone(),
                    Scalar::Int(i) => i.to_string(),
                })
                .collect();
            Packed {
                quoted,
                index: index_of(&mut lists.keywords, values),
                ..Packed::of(quote!(Keyword))
            }
        }
        FieldKind::Str | FieldKind::Hex if side == Side::Module => Packed {
            quoted,
            max,
            ..Packed::of(quote!(Text))
        },
        k @ (FieldKind::Str | FieldKind::Hex) => Packed {
            quoted,
            max,
            hex: matches!(k, FieldKind::Hex),
            ..Packed::of(quote!(Arg))
        },
    }
}

fn rules(
    model: &Model,
    lists: &mut Lists,
    fields: &[ParamUse],
    form_rules: &[Rule],
    side: Side,
) -> TokenStream {
    let each = fields.iter().map(|u| {
        let narrow = narrowed(model, form_rules, u);
        let Packed {
            kind,
            quoted,
            hex,
            index,
            max,
        } = kind(model, lists, fields, u, side, &narrow);
        let mut repeat = 0u16;
        let presence = match u.repeat {
            Some(r) => {
                repeat = index_of(&mut lists.repeats, (r.min as u16, r.max as u16));
                quote!(Repeat)
            }
            None if narrow.required => quote!(Required),
            None if u.keeps_place() => quote!(KeepsPlace),
            None if u.optional && u.value.is_none() => quote!(Optional),
            None => quote!(Required),
        };
        quote! {
            crate::wire::FieldRule {
                kind: crate::wire::FieldKind::#kind,
                presence: crate::wire::Presence::#presence,
                quoted: #quoted,
                hex: #hex,
                index: #index,
                repeat: #repeat,
                max: #max,
            },
        }
    });
    let each: Vec<TokenStream> = each.collect();
    quote! { &[#(#each)*] }
}

/// A response line's or URC's shape.
pub(super) fn line(
    model: &Model,
    lists: &mut Lists,
    prefix: &str,
    keyword: Option<&str>,
    keyword_also: &[String],
    fields: &[ParamUse],
    data: Option<&DataBlock>,
) -> TokenStream {
    let keywords = keyword
        .into_iter()
        .chain(keyword_also.iter().map(String::as_str));
    let rules = rules(model, lists, fields, &[], Side::Module);
    let data = match data {
        Some(d) => {
            let length = position(fields, &d.length);
            let max = super::lines::data_capacity(model, fields, d) as u32;
            quote!(Some(crate::wire::DataRule { length: #length, max: #max }))
        }
        None => quote!(None),
    };
    quote! {
        crate::wire::LineShape { prefix: #prefix, keyword: &[#(#keywords),*], fields: #rules, data: #data },
    }
}

/// A command form's shape; a form with a repeated group of parameters is left to its typed
/// decoder.
pub(super) fn form(model: &Model, lists: &mut Lists, cmd: &Command, f: &Form) -> TokenStream {
    if f.repeat.is_some() {
        let p = super::dispatch::request_path(cmd, f);
        return quote! { crate::wire::FormShape::Typed(|line| #p::decode(line).is_ok()), };
    }
    let head = cmd.head(f);
    let selector = f.selector.is_some();
    let params = f.kind == FormKind::Write && !f.params.is_empty();
    let rules = rules(model, lists, &f.params, &f.rules, Side::Command);
    quote! {
        crate::wire::FormShape::Fields { head: #head, selector: #selector, params: #params, fields: #rules },
    }
}

#[cfg(test)]
mod tests {
    use super::coalesced;

    #[test]
    fn touching_and_overlapping_ranges_merge() {
        assert_eq!(
            coalesced(vec![[2, 2], [0, 0], [1, 1], [5, 9], [7, 12], [20, 30]]),
            vec![[0, 2], [5, 12], [20, 30]]
        );
        assert_eq!(
            coalesced(vec![[i64::MAX, i64::MAX], [0, i64::MAX]]),
            vec![[0, i64::MAX]]
        );
        assert_eq!(coalesced(Vec::new()), Vec::<[i64; 2]>::new());
    }
}
