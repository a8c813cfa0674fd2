//! Naming policy, in one place: how spec names become Rust names.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;

/// Names of the prelude that a generated type must not shadow.
const PRELUDE: &[&str] = &[
    "Ok", "Err", "Some", "None", "Option", "Result", "String", "Vec", "Box", "Default", "Drop",
    "Fn", "Send", "Sync", "Copy", "Clone",
];

/// A type name: `connect_id` → `ConnectId`; a name of the prelude gets a `Value` suffix
/// (`err` → `ErrValue`) so that generated code never shadows `Result::Err`.
pub fn type_name(spec_name: &str) -> Ident {
    let s = spec_name.to_upper_camel_case();
    if PRELUDE.contains(&s.as_str()) {
        ident(&format!("{s}Value"))
    } else {
        ident(&s)
    }
}

/// An enum variant: `tcp_listener` → `TcpListener`; a leading digit gets a `V` prefix.
pub fn variant(spec_name: &str) -> Ident {
    let s = spec_name.to_upper_camel_case();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        ident(&format!("V{s}"))
    } else {
        ident(&s)
    }
}

/// A field or module name: already snake_case in the spec; keywords get a raw identifier.
pub fn field(spec_name: &str) -> Ident {
    ident(&spec_name.to_snake_case())
}

/// A module name for a command: `QIOPEN` → `qiopen`; for a selector: `tcp/retranscfg` →
/// `tcp_retranscfg`.
pub fn module(name: &str) -> Ident {
    ident(&name.replace(['/', '-'], "_").to_snake_case())
}

/// A constant: `connect_id` → `CONNECT_ID`.
pub fn constant(spec_name: &str) -> Ident {
    ident(&spec_name.to_shouty_snake_case())
}

fn ident(s: &str) -> Ident {
    match s {
        "type" | "match" | "move" | "ref" | "loop" | "fn" | "mod" | "use" | "as" | "in"
        | "impl" | "self" | "Self" | "crate" | "super" => {
            Ident::new_raw(s, proc_macro2::Span::call_site())
        }
        _ => Ident::new(s, proc_macro2::Span::call_site()),
    }
}

/// `#[doc(alias = "...")]` with the document's name, unless it equals the Rust name (rustdoc
/// rejects an alias that repeats the item's name).
pub fn doc_alias(doc_name: &str, rust_name: &str) -> proc_macro2::TokenStream {
    if doc_name == rust_name {
        proc_macro2::TokenStream::new()
    } else {
        quote::quote!(#[doc(alias = #doc_name)])
    }
}
