//! Naming policy, in one place: how spec names become Rust names.

use crate::spec::{Command, Form};
use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;

/// Names of the prelude that a generated type must not shadow (the generated code uses them
/// unqualified).
const PRELUDE: &[&str] = &[
    "Ok",
    "Err",
    "Some",
    "None",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Default",
    "Drop",
    "Fn",
    "Send",
    "Sync",
    "Copy",
    "Clone",
    "TryFrom",
    "From",
    "Into",
    "TryInto",
    "Iterator",
    "IntoIterator",
    "Sized",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
];

/// A type name: `connect_id` → `ConnectId`; a name of the prelude gets a `Value` suffix
/// (`err` → `ErrValue`) so that generated code never shadows `Result::Err`.
pub fn type_name(spec_name: &str) -> Ident {
    let s = words(spec_name).to_upper_camel_case();
    if PRELUDE.contains(&s.as_str()) {
        ident(&format!("{s}Value"))
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        ident(&format!("V{s}"))
    } else {
        ident(&s)
    }
}

/// An enum variant: `tcp_listener` → `TcpListener`; a leading digit gets a `V` prefix.
pub fn variant(spec_name: &str) -> Ident {
    let s = words(spec_name).to_upper_camel_case();
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

/// The local that holds a field's value while a decoder builds its struct: prefixed, so that
/// no field name (`fields`, `line`, `data`) shadows the decoder's own variables.
pub fn local(spec_name: &str) -> Ident {
    Ident::new(
        &format!("f_{}", spec_name.to_snake_case()),
        proc_macro2::Span::call_site(),
    )
}

/// A module name for a command: `QIOPEN` → `qiopen`; for a selector: `tcp/retranscfg` →
/// `tcp_retranscfg` (every character that is not a letter or digit separates words).
pub fn module(name: &str) -> Ident {
    ident(&words(name).to_snake_case())
}

/// The module of a command: `QIOPEN` → `qiopen`; a basic-syntax command by its `ident`
/// (`ATE` → `echo`).
pub fn command_module(cmd: &Command) -> Ident {
    module(cmd.key())
}

/// A constant: `connect_id` → `CONNECT_ID`.
pub fn constant(spec_name: &str) -> Ident {
    ident(&spec_name.to_shouty_snake_case())
}

/// The path of a form's request struct below the crate root: `qiopen::Open`,
/// `qicfg::tcp_retranscfg::Set`.
pub fn form_path(cmd: &Command, form: &Form) -> String {
    let t = type_name(&form.name);
    match &form.selector {
        Some(s) => format!("{}::{}::{t}", command_module(cmd), module(s)),
        None => format!("{}::{t}", command_module(cmd)),
    }
}

/// The `Request` variant of a form: command, form selector, form name
/// (`QicfgTcpRetranscfgWrite`, `QiopenWrite`).
pub fn request_variant(cmd: &Command, form: &Form) -> Ident {
    let sel = form
        .selector
        .as_deref()
        .map(|s| format!("_{}", words(s)))
        .unwrap_or_default();
    type_name(&format!(
        "{}{sel}_{}",
        cmd.key().to_ascii_lowercase(),
        form.name
    ))
}

/// The struct of line `i` of a form's response, in `response::<command>`.
///
/// - A form with one line: `{Form}Line` (`OpenLine`, `RecvindQueryLine` with the form's
///   selector first).
/// - A form with several lines names each line by its own selector, between the form and
///   `Line`: the `AT+QICFG=?` line `"tcp/retranscfg"` is `TestTcpRetranscfgLine`. The name
///   then stays put when lines are inserted or reordered.
/// - A line of such a form without a selector, or whose selector is not unique among the
///   form's lines, is numbered instead: `TestLine1` is the first of those lines (lines with a
///   distinct selector do not count, so adding one renames nothing).
pub fn line_type(form: &Form, i: usize) -> Ident {
    let base = line_base(form);
    let lines = &form.response.lines;
    if lines.len() == 1 {
        return type_name(&format!("{base}_line"));
    }
    match distinct_selector(form, i) {
        Some(sel) => type_name(&format!("{base}_{}_line", words(sel))),
        None => {
            let n = (0..i)
                .filter(|&j| distinct_selector(form, j).is_none())
                .count();
            type_name(&format!("{base}_line_{}", n + 1))
        }
    }
}

/// Any line of a form whose response has lines of several shapes (`TestAnyLine`): the
/// `Line` of its `wire::LineList`.
pub fn any_line_type(form: &Form) -> Ident {
    type_name(&format!("{}_any_line", line_base(form)))
}

/// What a form's line types start with: the selector's words, then the form's name.
fn line_base(form: &Form) -> String {
    match &form.selector {
        Some(s) => format!("{}_{}", words(s), form.name),
        None => form.name.clone(),
    }
}

/// The `ResponseLine` variant of line `i` of a form: the command, then [`line_type`]
/// (`QiopenOpenLine`, `QicfgTestTcpRetranscfgLine`).
pub fn line_variant(cmd: &Command, form: &Form, i: usize) -> Ident {
    let t = line_type(form, i);
    type_name(&format!("{}_{t}", cmd.key().to_ascii_lowercase()))
}

/// The selector of line `i`, if no other line of the form has one with the same Rust name.
fn distinct_selector(form: &Form, i: usize) -> Option<&str> {
    let lines = &form.response.lines;
    let sel = lines[i].selector.as_deref()?;
    let key = type_name(&words(sel));
    let same = lines
        .iter()
        .filter_map(|l| l.selector.as_deref())
        .filter(|s| type_name(&words(s)) == key)
        .count();
    (same == 1).then_some(sel)
}

/// A selector as snake-case words: `tcp/retranscfg` → `tcp_retranscfg`.
fn words(selector: &str) -> String {
    selector
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Rust's keywords (strict and reserved, edition 2021), which become raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Any name as an identifier: keywords become raw identifiers; the few that cannot be raw
/// (`self`, `super`, `crate`, `Self`) get a trailing `_`, and a leading digit a `v`, so that
/// emitting never fails.
fn ident(s: &str) -> Ident {
    let span = proc_macro2::Span::call_site();
    match s {
        "self" | "Self" | "super" | "crate" | "_" | "" => Ident::new(&format!("{s}_"), span),
        _ if s.starts_with(|c: char| c.is_ascii_digit()) => Ident::new(&format!("v{s}"), span),
        _ if KEYWORDS.contains(&s) => Ident::new_raw(s, span),
        _ => Ident::new(s, span),
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

#[cfg(test)]
mod tests {
    use super::line_type;
    use crate::spec::Form;

    fn form(lines: &str) -> Form {
        let yaml = format!(
            "{{ name: test, kind: test, about: lists, response: {{ lines: [{lines}], outcomes: [{{ final: [OK] }}] }} }}"
        );
        serde_yaml::from_str(&yaml).unwrap()
    }

    fn names(f: &Form) -> Vec<String> {
        (0..f.response.lines.len())
            .map(|i| line_type(f, i).to_string())
            .collect()
    }

    #[test]
    fn one_line_keeps_the_form_name() {
        assert_eq!(names(&form("{ selector: a, fields: [] }")), ["TestLine"]);
    }

    #[test]
    fn several_lines_are_named_by_selector_and_the_rest_numbered_among_themselves() {
        let f = form(
            "{ fields: [] }, { selector: tcp/retranscfg, fields: [] }, \
             { selector: dup, fields: [] }, { prefix: \"+X\", selector: dup, fields: [] }",
        );
        assert_eq!(
            names(&f),
            [
                "TestLine1",
                "TestTcpRetranscfgLine",
                "TestLine2",
                "TestLine3"
            ]
        );
    }
}
