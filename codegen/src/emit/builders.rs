//! Constructors for request forms with optional parameters: `new` takes the required ones,
//! and one `with_<param>` per optional parameter sets it. Only trailing parameters can be
//! left out, so setting one also gives every optional parameter before it its default:
//! a builder cannot produce the "later given, earlier left out" request that `validate`
//! would refuse. A parameter after one without a default gets no setter (the struct literal
//! stays, and `validate` checks it).

use super::dispatch::request_path;
use super::requests::{field_kind, has_lifetime, rust_type, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, Form, ParamDef, ParamUse, Scalar};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub fn emit(model: &Model) -> TokenStream {
    let items = model.spec.commands.iter().flat_map(|c| {
        let cmd = &c.value;
        cmd.forms.iter().map(move |f| form(model, cmd, f))
    });
    quote! { #(#items)* }
}

/// The value of a default, as an expression of the field's type.
fn value(key: &str, def: &ParamDef, v: &Scalar) -> Option<TokenStream> {
    let ty = naming::type_name(key);
    Some(match (field_kind(def), v) {
        (FieldKind::Newtype, Scalar::Int(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            quote!(crate::#ty::new_const(#i))
        }
        (FieldKind::Enum { .. }, v) => {
            let var = def.values.iter().flatten().find(|x| &x.value == v)?;
            let var = naming::variant(&var.name);
            quote!(crate::#ty::#var)
        }
        (FieldKind::Int, Scalar::Int(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            quote!(#i)
        }
        (FieldKind::Str | FieldKind::Hex, Scalar::Str(s)) => quote!(#s),
        _ => return None,
    })
}

fn default_of(model: &Model, u: &ParamUse) -> Option<TokenStream> {
    let def = model.param(&u.param);
    let d = u.default.as_ref().or(def.default.as_ref())?;
    value(&u.param, def, d)
}

fn form(model: &Model, cmd: &Command, form: &Form) -> TokenStream {
    let fields: Vec<&ParamUse> = form.params.iter().filter(|u| u.value.is_none()).collect();
    if !fields.iter().any(|u| u.optional) {
        return TokenStream::new();
    }
    let path = request_path(cmd, form);
    let lt = if has_lifetime(model, form) {
        quote!(<'a>)
    } else {
        TokenStream::new()
    };
    let required: Vec<&ParamUse> = fields.iter().copied().filter(|u| !u.optional).collect();
    let args = required.iter().map(|u| {
        let f = naming::field(u.field_name());
        let ty = rust_type(&u.param, model.param(&u.param));
        quote!(#f: #ty)
    });
    let inits = fields.iter().map(|u| {
        let f = naming::field(u.field_name());
        if u.optional {
            quote!(#f: None)
        } else {
            quote!(#f)
        }
    });
    let doc_new = format!(
        "`{}` with its required parameters; the optional ones are left out (set them with \
         the `with_` methods).",
        cmd.at_name()
    );
    let mut setters = Vec::new();
    let mut earlier: Vec<(&ParamUse, TokenStream)> = Vec::new();
    let mut blocked = false;
    for u in fields.iter().filter(|u| u.optional) {
        let f = naming::field(u.field_name());
        let def = model.param(&u.param);
        let ty = rust_type(&u.param, def);
        let setter = format_ident!("with_{}", f.to_string().trim_start_matches("r#"));
        let name = u.doc.clone().unwrap_or_else(|| def.doc.clone());
        if !blocked {
            let fills = earlier.iter().map(|(e, d)| {
                let ef = naming::field(e.field_name());
                quote! { if self.#ef.is_none() { self.#ef = Some(#d); } }
            });
            let filled: Vec<String> = earlier
                .iter()
                .map(|(e, _)| {
                    let d = model.param(&e.param);
                    format!("`<{}>`", e.doc.clone().unwrap_or_else(|| d.doc.clone()))
                })
                .collect();
            let doc = if filled.is_empty() {
                format!("Sets `<{name}>`.")
            } else {
                format!(
                    "Sets `<{name}>`. Only trailing parameters can be left out, so earlier ones \
                     still left out ({}) get their defaults.",
                    filled.join(", ")
                )
            };
            setters.push(quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, v: #ty) -> Self {
                    #(#fills)*
                    self.#f = Some(v);
                    self
                }
            });
        }
        match default_of(model, u) {
            Some(d) => earlier.push((u, d)),
            None => blocked = true,
        }
    }
    let allow = if required.len() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    };
    // Every parameter optional (`ATE`, `AT+CMEE=`): `new()` takes nothing, and is the default.
    let default = if required.is_empty() {
        quote! {
            impl #lt Default for crate::#path #lt {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        impl #lt crate::#path #lt {
            #[doc = #doc_new]
            #allow
            pub const fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
        #default
    }
}
