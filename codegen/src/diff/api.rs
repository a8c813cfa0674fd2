//! A safety net under the rules: the public items of the code generated from each spec, as
//! facts (`path` → signature), so that a change the rules call compatible is checked against
//! what the emitters really produce. A fact that disappears or changes is a break.

use crate::ir::Model;
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::{Fields, ImplItem, Item, Visibility};

/// Path → signature of every public item, field, variant, constant and method, and every
/// trait implementation, of the generated code.
pub fn facts(model: &Model) -> BTreeMap<String, String> {
    let file: syn::File =
        syn::parse2(crate::emit::generate(model)).expect("generated tokens form a valid file");
    let mut out = BTreeMap::new();
    items(&file.items, "", &mut out);
    out
}

fn text(t: impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

fn public(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

fn join(prefix: &str, name: impl std::fmt::Display) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}::{name}")
    }
}

fn items(list: &[Item], prefix: &str, out: &mut BTreeMap<String, String>) {
    for item in list {
        match item {
            Item::Mod(m) if public(&m.vis) => {
                if let Some((_, inner)) = &m.content {
                    items(inner, &join(prefix, &m.ident), out);
                }
            }
            Item::Struct(s) if public(&s.vis) => {
                let path = join(prefix, &s.ident);
                out.insert(path.clone(), format!("struct {}", text(&s.generics)));
                fields(&s.fields, &path, out);
            }
            Item::Enum(e) if public(&e.vis) => {
                let path = join(prefix, &e.ident);
                out.insert(path.clone(), format!("enum {}", text(&e.generics)));
                for v in &e.variants {
                    out.insert(format!("{path}::{}", v.ident), text(&v.fields));
                }
            }
            Item::Type(t) if public(&t.vis) => {
                out.insert(join(prefix, &t.ident), format!("type = {}", text(&t.ty)));
            }
            Item::Const(c) if public(&c.vis) => {
                out.insert(join(prefix, &c.ident), format!("const: {}", text(&c.ty)));
            }
            Item::Fn(f) if public(&f.vis) => {
                out.insert(format!("{}()", join(prefix, &f.sig.ident)), text(&f.sig));
            }
            Item::Impl(i) => {
                let Some(ty) = self_path(&i.self_ty, prefix) else {
                    continue;
                };
                if let Some((_, tr, _)) = &i.trait_ {
                    out.insert(format!("impl {} for {ty}", text(tr)), String::new());
                    continue;
                }
                for it in &i.items {
                    match it {
                        ImplItem::Fn(f) if public(&f.vis) => {
                            out.insert(format!("{ty}::{}()", f.sig.ident), text(&f.sig));
                        }
                        ImplItem::Const(c) if public(&c.vis) => {
                            out.insert(
                                format!("{ty}::{}", c.ident),
                                format!("const: {}", text(&c.ty)),
                            );
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// The full path of an impl's type: `impl crate::qicfg::recvind::Set` at the root and
/// `impl Set` inside `qicfg::recvind` are the same type, and other `Set`s are not.
fn self_path(ty: &syn::Type, prefix: &str) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match names.split_first() {
        Some((first, rest)) if first == "crate" => Some(rest.join("::")),
        Some(_) => Some(join(prefix, names.join("::"))),
        None => None,
    }
}

fn fields(f: &Fields, path: &str, out: &mut BTreeMap<String, String>) {
    for (i, field) in f.iter().enumerate() {
        if !public(&field.vis) {
            continue;
        }
        let name = field
            .ident
            .as_ref()
            .map_or_else(|| i.to_string(), |n| n.to_string());
        out.insert(format!("{path}.{name}"), text(&field.ty));
    }
}

/// Facts of `old` that `new` lacks or changes: (path, old signature, new signature or None).
pub fn lost(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<(String, String, Option<String>)> {
    old.iter()
        .filter_map(|(k, v)| match new.get(k) {
            None => Some((k.clone(), v.clone(), None)),
            Some(n) if n != v => Some((k.clone(), v.clone(), Some(n.clone()))),
            Some(_) => None,
        })
        .collect()
}
