//! How a field's accepted values and a rule's constraint are put in words, for tools that read
//! a spec at run time (`qi decode --spec`); the generated `describe` tables and validation
//! errors word them through these too (`emit::fields`, `emit::requests`).

use crate::check::values::{bytes, describe_ranges};
use crate::ir::Model;
use crate::spec::{Constraint, ParamType, ParamUse, Scalar};

/// What a field accepts, in words: `0..=11`, `0 (buffer_access), 1 (direct_push)`,
/// `"TCP", "UDP"`, `text of at most 20 bytes`, `exactly 0` for a constant.
pub fn allowed(model: &Model, u: &ParamUse) -> String {
    if let Some(v) = &u.value {
        return format!("exactly {v}");
    }
    let def = model.param(&u.param);
    match def.ty {
        ParamType::Int if def.range.is_some() => {
            describe_ranges(def.range.as_deref().unwrap_or_default())
        }
        ParamType::Int | ParamType::Bytes => "a whole number".to_string(),
        ParamType::Enum => def
            .values
            .iter()
            .flatten()
            .map(|e| match &e.value {
                Scalar::Int(i) => format!("{i} ({})", e.name),
                Scalar::Str(s) => format!("\"{s}\""),
            })
            .collect::<Vec<_>>()
            .join(", "),
        ParamType::String => match def.max_len {
            Some(n) => format!("text of at most {}", bytes(n.into())),
            None => "text".to_string(),
        },
        ParamType::Hex => match def.max_len {
            Some(n) => format!("at most {n} hexadecimal digits"),
            None => "hexadecimal digits".to_string(),
        },
    }
}

/// What a rule's constraint asks, in words: `given`, `one of tcp, udp`, `0`, `at least 1 byte`.
pub fn constraint(c: &Constraint) -> String {
    if let Some(p) = c.present {
        return if p { "given".into() } else { "left out".into() };
    }
    if let Some(v) = &c.one_of {
        return format!("one of {}", v.join(", "));
    }
    if let Some(r) = &c.range {
        return describe_ranges(r);
    }
    if let Some(m) = c.min_len {
        return format!("at least {}", bytes(m.into()));
    }
    String::new()
}
