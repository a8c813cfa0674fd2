//! Cases of URC variants that the line alone does not tell apart (`when:`): with settings that
//! select a variant (for the instance the line names, where the spec says `per:`), the generated
//! `Urc::decode_with` returns that variant, and for another instance it does not.

use super::values::{self, Value};
use super::{shape_base, shape_line, Case, Check, Kind, ShapeRef};
use crate::ir::Model;
use crate::naming;
use crate::spec::{ParamType, Urc};
use std::collections::BTreeMap;

/// A setting the test's `UrcSettings` gives: the value that selects the variant for the
/// instance, and one that does not for every other instance (Rust expressions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The trait method (the setting's key).
    pub method: String,
    /// Its type's path.
    pub ty: String,
    pub chosen: String,
    pub other: String,
}

/// Every URC variant chosen by settings, in a spec that has `per:` (only then is
/// `Urc::decode_with` generated).
pub(super) fn cases<'m>(
    model: &'m Model,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'m>>,
) {
    let urcs = &model.spec.urcs.value.urcs;
    if urcs.iter().all(|u| u.per.is_none()) {
        return;
    }
    for u in urcs.iter().filter(|u| u.when.is_some()) {
        if let Some(case) = case(model, u, strings) {
            out.push(case);
        }
    }
}

fn case<'m>(model: &'m Model, u: &Urc, strings: &BTreeMap<String, String>) -> Option<Case<'m>> {
    let mut settings = Vec::new();
    for (key, c) in u.when.iter().flatten() {
        // Conditions on the line's own fields are the decoder's, not a setting.
        if u.fields.iter().any(|f| f.field_name() == key) {
            continue;
        }
        let def = model.param(key);
        let names = c.one_of.as_ref().filter(|_| def.ty == ParamType::Enum)?;
        let listed = def.values.as_deref().unwrap_or_default();
        let other = listed.iter().find(|v| !names.contains(&v.name))?;
        let ty = format!("quectel_qi::{}", naming::type_name(key));
        settings.push(Setting {
            method: naming::field(key).to_string(),
            chosen: format!("{ty}::{}", naming::variant(&names[0])),
            other: format!("{ty}::{}", naming::variant(&other.name)),
            ty,
        });
    }
    if settings.is_empty() {
        return None;
    }
    let shape = ShapeRef::of_urc(u, String::new(), String::new());
    let base = shape_base(model, &shape, strings);
    let line = shape_line(model, &shape, &base);
    // The instance the line names, and another one of the same field's range.
    let per = u
        .per
        .as_deref()
        .and_then(|p| u.fields.iter().position(|f| f.field_name() == p));
    let (instance, other_line) = match per {
        Some(i) => {
            let Value::Int(n) = base[i] else { return None };
            let def = model.param(&u.fields[i].param);
            let (ok, _) = values::boundaries(def.range.as_deref().unwrap_or(&[[0, 1]]));
            let other = ok.into_iter().find(|v| *v != n)?;
            let mut vs = base.clone();
            vs[i] = Value::Int(other);
            let other_line = shape_line(model, &shape, &vs);
            // Only when another variant reads that line too is "not this one" a choice.
            let sibling = sibling_reads(model, u, &other_line);
            (Some(n), sibling.then_some(other_line))
        }
        None => (None, None),
    };
    Some(Case {
        name: format!(
            "urc_{}_is_chosen_by_{}",
            u.name,
            settings
                .iter()
                .map(|s| s.method.as_str())
                .collect::<Vec<_>>()
                .join("_and_")
        ),
        kind: Kind::Choice,
        check: Check::Chosen {
            variant: format!("quectel_qi::Urc::{}", naming::type_name(&u.name)),
            line,
            payload: 0,
            instance,
            other_line,
            settings,
        },
        documented: true,
    })
}

/// Whether another URC with the same prefix and keyword accepts every field of `line`.
fn sibling_reads(model: &Model, u: &Urc, line: &str) -> bool {
    let text = line
        .strip_prefix(&u.prefix)
        .and_then(|r| r.strip_prefix(": "))
        .unwrap_or_default();
    let mut fields = crate::check::values::split_fields(text);
    if u.keyword.is_some() && !fields.is_empty() {
        fields.remove(0);
    }
    model.spec.urcs.value.urcs.iter().any(|w| {
        w.name != u.name
            && w.prefix == u.prefix
            && w.keyword == u.keyword
            && w.data.is_none()
            && w.fields.len() == fields.len()
            && w.fields.iter().zip(&fields).all(|(f, raw)| {
                f.repeat.is_none()
                    && f.length.is_none()
                    && crate::check::values::check_wire(model.param(&f.param), raw).is_ok()
            })
    })
}
