//! Parameter types: ranges, defaults, units, string bounds and enumeration values.

use super::{Class, Kind, Out};
use crate::check::values::describe_ranges;
use crate::ir::Model;
use crate::naming;
use crate::spec::{ParamDef, ParamType};
use std::collections::BTreeSet;

/// The Rust item a parameter type becomes, if any: int with a range → newtype, enum → enum.
pub(super) fn rust_item(key: &str, def: &ParamDef) -> Option<String> {
    match def.ty {
        ParamType::Int if def.range.is_some() => Some(naming::type_name(key).to_string()),
        ParamType::Enum => Some(naming::type_name(key).to_string()),
        _ => None,
    }
}

/// The Rust type of a field of this parameter type; `owned` for response lines and URCs
/// (strings become `heapless::String<N>` there, `&str` in requests).
pub(super) fn field_type(model: &Model, key: &str, owned: bool) -> String {
    let def = model.param(key);
    match (def.ty, rust_item(key, def)) {
        (_, Some(t)) => t,
        (ParamType::String | ParamType::Hex, _) if owned => format!(
            "heapless::String<{}>",
            def.max_len
                .unwrap_or(model.spec.document.value.unspecified_string_len)
        ),
        (ParamType::String | ParamType::Hex, _) => "&str".to_owned(),
        _ => "u32".to_owned(),
    }
}

/// The integer a range-checked newtype wraps: the emitter's choice.
pub fn storage(ranges: &[[i64; 2]]) -> &'static str {
    crate::emit::params::int_storage(ranges)
}

/// Whether every value of `inner` lies in `outer`.
pub(super) fn covers(outer: &[[i64; 2]], inner: &[[i64; 2]]) -> bool {
    let mut merged: Vec<[i64; 2]> = Vec::new();
    let mut sorted = outer.to_vec();
    sorted.sort();
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r[0] <= last[1].saturating_add(1) => last[1] = last[1].max(r[1]),
            _ => merged.push(r),
        }
    }
    inner
        .iter()
        .all(|[lo, hi]| merged.iter().any(|[a, b]| a <= lo && hi <= b))
}

/// Keys used in response lines or URCs, whose string bound is part of a type.
fn owned_uses(model: &Model) -> BTreeSet<&str> {
    let lines = model
        .spec
        .commands
        .iter()
        .flat_map(|c| &c.value.forms)
        .flat_map(|f| &f.response.lines)
        .flat_map(|l| &l.fields)
        .filter(|u| u.shown.is_none());
    let urcs = model.spec.urcs.value.urcs.iter().flat_map(|u| &u.fields);
    lines.chain(urcs).map(|u| u.param.as_str()).collect()
}

pub(super) fn compare(old: &Model, new: &Model, out: &mut Out) {
    let olds: Vec<(&str, &ParamDef)> = old.params().collect();
    let news: Vec<(&str, &ParamDef)> = new.params().collect();
    let owned = owned_uses(new);
    for (key, def) in &news {
        if !olds.iter().any(|(k, _)| k == key) {
            out.push(
                Class::Compatible,
                Kind::Added,
                format!("<{}> ({key})", def.doc),
                rust_item(key, def).unwrap_or_default(),
                "new parameter type",
                "a new type breaks no existing code",
            );
        }
    }
    for (key, o) in &olds {
        let item = format!("<{}> ({key})", o.doc);
        let rust = rust_item(key, o).unwrap_or_default();
        let Some((_, n)) = news.iter().find(|(k, _)| k == key) else {
            let (class, why) = if rust.is_empty() {
                (Class::Compatible, "it had no Rust type of its own")
            } else {
                (Class::Breaking, "its Rust type is gone")
            };
            out.push(
                class,
                Kind::Removed,
                item,
                rust,
                "parameter type removed",
                why,
            );
            continue;
        };
        one(key, o, n, owned.contains(key), &item, &rust, out);
    }
}

fn one(key: &str, o: &ParamDef, n: &ParamDef, owned: bool, item: &str, rust: &str, out: &mut Out) {
    let mut push = |class, detail: String, why: &str| {
        out.push(class, Kind::Changed, item, rust, detail, why);
    };
    if o.ty != n.ty || rust_item(key, o).is_some() != rust_item(key, n).is_some() {
        push(
            Class::Breaking,
            format!(
                "type {:?}{} → {:?}{}",
                o.ty,
                if o.range.is_some() {
                    " with a range"
                } else {
                    ""
                },
                n.ty,
                if n.range.is_some() {
                    " with a range"
                } else {
                    ""
                }
            )
            .to_lowercase(),
            "the field's Rust type changes",
        );
        return;
    }
    if let (Some(or), Some(nr)) = (&o.range, &n.range) {
        if or != nr {
            let detail = format!("range {} → {}", describe_ranges(or), describe_ranges(nr));
            let (wide, narrow) = (covers(nr, or), covers(or, nr));
            if storage(or) != storage(nr) {
                let why = format!(
                    "the newtype wraps {} instead of {}: `get()` changes type",
                    storage(nr),
                    storage(or)
                );
                push(Class::Breaking, detail, &why);
            } else if wide && !narrow {
                push(
                    Class::Compatible,
                    format!("{detail} (widened)"),
                    "every value accepted before is still accepted",
                );
            } else if narrow && !wide {
                push(Class::Breaking, format!("{detail} (narrowed)"), "values accepted before are now rejected (`new` returns None, `new_const` fails to build)");
            } else {
                push(
                    Class::Breaking,
                    format!("{detail} (shifted)"),
                    "some values accepted before are now rejected",
                );
            }
        }
    }
    if o.default != n.default {
        let show = |d: &Option<crate::spec::Scalar>| {
            d.as_ref().map_or("none".to_owned(), |d| d.to_string())
        };
        let detail = format!("default {} → {}", show(&o.default), show(&n.default));
        match (&o.default, &n.default) {
            (Some(_), None) if rust_item(key, o).is_some() => {
                push(Class::Breaking, detail, "its `impl Default` is gone")
            }
            _ => push(
                Class::Compatible,
                detail,
                "types are unchanged; `Default` follows the document",
            ),
        }
    }
    match (o.unit, n.unit) {
        (Some(a), Some(b)) if a != b => push(
            Class::Breaking,
            format!("unit {} → {}", a.as_str(), b.as_str()),
            "existing numbers compile but mean something else",
        ),
        (a, b) if a != b => push(
            Class::Compatible,
            format!(
                "unit {} → {}",
                a.map_or("none", |u| u.as_str()),
                b.map_or("none", |u| u.as_str())
            ),
            "a unit stated or dropped changes documentation only",
        ),
        _ => {}
    }
    if o.max_len != n.max_len {
        let show = |m: Option<u32>| m.map_or("unbounded".to_owned(), |m| m.to_string());
        let detail = format!("max_len {} → {}", show(o.max_len), show(n.max_len));
        let shorter = match (o.max_len, n.max_len) {
            (Some(a), Some(b)) => b < a,
            (None, Some(_)) => true,
            _ => false,
        };
        if shorter {
            push(
                Class::Breaking,
                detail,
                "longer strings accepted before are now rejected",
            );
        } else if owned {
            push(
                Class::Breaking,
                detail,
                "response lines hold it in a heapless::String whose capacity is part of the type",
            );
        } else {
            push(
                Class::Compatible,
                detail,
                "requests borrow the string; only the bound grows",
            );
        }
    }
    if o.quoted != n.quoted {
        push(
            Class::Compatible,
            format!("quoted {:?} → {:?}", o.quoted, n.quoted),
            "wire format only",
        );
    }
    let ov = o.values.as_deref().unwrap_or_default();
    let nv = n.values.as_deref().unwrap_or_default();
    for v in nv {
        match ov.iter().find(|x| x.name == v.name) {
            None => out.push(
                Class::Compatible,
                Kind::Added,
                format!("{item} value {}", v.value),
                format!("{rust}::{}", naming::variant(&v.name)),
                format!("enum value {} ({}) added", v.value, v.name),
                "generated enums are open sets (match with a `_` arm)",
            ),
            Some(x) if x.value != v.value => out.push(
                Class::Compatible,
                Kind::Changed,
                format!("{item} value {}", v.name),
                format!("{rust}::{}", naming::variant(&v.name)),
                format!("sent as {} → {}", x.value, v.value),
                "the variant stays; only its wire value changes",
            ),
            Some(_) => {}
        }
    }
    for v in ov {
        if !nv.iter().any(|x| x.name == v.name) {
            out.push(
                Class::Breaking,
                Kind::Removed,
                format!("{item} value {}", v.value),
                format!("{rust}::{}", naming::variant(&v.name)),
                format!("enum value {} ({}) removed", v.value, v.name),
                "code naming the variant stops compiling",
            );
        }
    }
}
