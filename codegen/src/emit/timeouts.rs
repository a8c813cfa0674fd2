//! A wait computed from settings (`max_response_time_by`, `later_within_by`: packet timeout ×
//! retries): its value at the settings' defaults, and a function of the settings' types for a
//! caller that knows them (per client or socket, where the setting is per index).

use super::requests::{field_kind, rust_type, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Scalar, Unit};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

fn unit_ms(u: Option<Unit>) -> i64 {
    match u {
        Some(Unit::Millisecond) => 1,
        Some(Unit::HundredMilliseconds) => 100,
        Some(Unit::Second) => 1000,
        Some(Unit::Minute) => 60_000,
        _ => 1,
    }
}

/// The wait at the settings' defaults, in ms, saturated to `u32`.
pub fn default_ms(model: &Model, by: &[String]) -> u32 {
    let product = by.iter().fold(1i64, |acc, key| {
        let def = model.param(key);
        let v = match def.default {
            Some(Scalar::Int(v)) => v,
            _ => 0,
        };
        acc.saturating_mul(v).saturating_mul(unit_ms(def.unit))
    });
    u32::try_from(product.max(0)).unwrap_or(u32::MAX)
}

/// `a × b`, by the document's names, for the docs.
pub fn describe(model: &Model, by: &[String]) -> String {
    by.iter()
        .map(|k| format!("<{}>", model.param(k).doc))
        .collect::<Vec<_>>()
        .join(" × ")
}

/// `pub fn <name>(settings...) -> u32`: the wait for these settings' values, in ms.
pub fn function(model: &Model, by: &[String], name: Ident, doc: &str) -> TokenStream {
    let args = by.iter().map(|k| {
        let a = naming::field(k);
        let t = rust_type(k, model.param(k));
        quote!(#a: #t)
    });
    let factors = by.iter().map(|k| {
        let def = model.param(k);
        let a = naming::field(k);
        let ms = unit_ms(def.unit);
        let v = match field_kind(def) {
            FieldKind::Newtype => quote!(i64::from(#a.get())),
            _ => quote!(i64::from(#a)),
        };
        quote! { .saturating_mul(#v).saturating_mul(#ms) }
    });
    quote! {
        #[doc = #doc]
        pub fn #name(#(#args),*) -> u32 {
            let ms: i64 = 1i64 #(#factors)*;
            u32::try_from(ms.max(0)).unwrap_or(u32::MAX)
        }
    }
}
