//! URC variants chosen by settings the line does not show (`when:`), per instance where a URC
//! says whose settings they are (`per:`): a `UrcSettings` trait a caller implements with what it
//! knows, and `Urc::decode_with`, which skips the variants those settings rule out.
//!
//! Generated only for specs that use `per:`, so that a spec's API grows only by what it uses.

use super::requests::{field_kind, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Constraint, Urc};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The settings named by `when:` that are not fields of their URC, with a type a caller can
/// give (enumerations and integers), sorted, once each.
fn settings(model: &Model) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for u in &model.spec.urcs.value.urcs {
        for (k, _) in u.when.iter().flatten() {
            if u.fields.iter().any(|f| f.field_name() == k) {
                continue;
            }
            if let Some((_, def)) = model.params().find(|(key, _)| key == k) {
                if !matches!(field_kind(def), FieldKind::Str | FieldKind::Hex) {
                    out.insert(k.clone());
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Whether `v` (a setting's value) satisfies the constraint.
fn holds(model: &Model, key: &str, c: &Constraint) -> TokenStream {
    let def = model.param(key);
    if let Some(names) = &c.one_of {
        let ty = naming::type_name(key);
        let vs = names.iter().map(|n| naming::variant(n));
        return quote!(matches!(v, #(crate::#ty::#vs)|*));
    }
    if let Some(r) = &c.range {
        let get = match field_kind(def) {
            FieldKind::Newtype => quote!(i64::from(v.get())),
            _ => quote!(i64::from(v)),
        };
        let checks = r.iter().map(|[lo, hi]| {
            let (l, h) = (Literal::i64_unsuffixed(*lo), Literal::i64_unsuffixed(*hi));
            quote!((#l..=#h).contains(&x))
        });
        return quote!({ let x: i64 = #get; #(#checks)||* });
    }
    quote!({
        let _ = v;
        true
    })
}

/// `true` unless a known setting rules the variant out; `x` is the decoded variant.
fn allowed(model: &Model, u: &Urc, known: &[String]) -> TokenStream {
    let instance = match u.per.as_deref().and_then(|p| {
        u.fields
            .iter()
            .find(|f| f.field_name() == p)
            .map(|f| (p, f))
    }) {
        Some((p, f)) => {
            let fld = naming::field(p);
            match field_kind(model.param(&f.param)) {
                FieldKind::Newtype => quote!(Some(i64::from(x.#fld.get()))),
                _ => quote!(Some(i64::from(x.#fld))),
            }
        }
        None => quote!(None),
    };
    let checks: Vec<TokenStream> = u
        .when
        .iter()
        .flatten()
        .filter(|(k, _)| known.contains(k))
        .map(|(k, c)| {
            let m = naming::field(k);
            let test = holds(model, k, c);
            quote! { match s.#m(instance) { Some(v) => #test, None => true } }
        })
        .collect();
    if checks.is_empty() {
        return quote!(true);
    }
    quote! {{
        let instance: Option<i64> = #instance;
        #(#checks)&&*
    }}
}

pub fn emit(model: &Model) -> TokenStream {
    let urcs = &model.spec.urcs.value.urcs;
    if urcs.iter().all(|u| u.per.is_none()) {
        return TokenStream::new();
    }
    let known = settings(model);
    let methods = known.iter().map(|k| {
        let def = model.param(k);
        let m = naming::field(k);
        let ty = super::requests::rust_type(k, def);
        let doc = format!(
            "`<{}>` of the instance whose index is given (a URC's `per:` field), or of the \
             module when `None`; `None` when not known (it then rules out nothing).",
            def.doc
        );
        quote! {
            #[doc = #doc]
            fn #m(&self, instance: Option<i64>) -> Option<#ty> {
                let _ = instance;
                None
            }
        }
    });
    let known = &known;
    let tries = |strict: bool| {
        urcs.iter()
            .filter(move |u| strict || !u.exact)
            .map(move |u| {
                let v = naming::variant(&u.name);
                let t = naming::type_name(&u.name);
                let how = if strict {
                    quote!(decode_strict)
                } else {
                    quote!(decode)
                };
                let ok = allowed(model, u, known);
                quote! {
                    if let Ok(x) = urc::#t::#how(line, payload) {
                        let allowed: bool = #ok;
                        if allowed {
                            return Ok(Urc::#v(x));
                        }
                    }
                }
            })
            .collect::<Vec<_>>()
    };
    let (strict, tolerant) = (tries(true), tries(false));
    quote! {
        /// The settings that choose between URC variants the wire does not tell apart (the
        /// spec's `when:`), as the caller knows them: per instance where the URC names one
        /// (`per:`). Every method defaults to "not known".
        pub trait UrcSettings {
            #(#methods)*
        }

        impl Urc {
            /// Like [`Urc::decode`], but a variant that the known settings rule out is skipped
            /// (for the instance the line names, where its settings are per index). When the
            /// settings rule out every variant that decodes, the result is `decode`'s.
            pub fn decode_with(
                line: &[u8],
                payload: &[u8],
                s: &dyn UrcSettings,
            ) -> Result<Self, crate::wire::DecodeError> {
                let _ = s;
                #(#strict)*
                #(#tolerant)*
                Self::decode(line, payload)
            }
        }
    }
}
