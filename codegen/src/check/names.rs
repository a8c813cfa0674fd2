//! The Rust names the generator will give: two spec items that get the same name in one
//! namespace (`a1` and `a_1` are both `A1`), or an item named like a fixed part of the
//! generated API (`request` → `Request`), would not compile, so `check` reports them.

use super::Cx;
use crate::naming;
use crate::spec::{Diagnostic, ParamType, ParamUse};
use std::collections::BTreeMap;

/// Items at the crate root that every generated binding has.
const ROOT_TYPES: &[&str] = &[
    "NoResponse",
    "OutOfRange",
    "ErrorCode",
    "Request",
    "ResponseLine",
    "Urc",
];

/// Modules at the crate root, and crates the generated code names by path.
const ROOT_MODULES: &[&str] = &[
    "response", "urc", "limits", "describe", "wire", "core", "std", "alloc", "atat", "heapless",
];

/// One namespace: the first item that took each Rust name, as a description.
struct Names {
    /// Rust name → the item's own name in the spec, and how to describe it.
    taken: BTreeMap<String, (String, String)>,
}

impl Names {
    fn new(fixed: &[&str], what: &str) -> Self {
        let taken = fixed
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    (String::new(), format!("the generated {what} `{n}`")),
                )
            })
            .collect();
        Names { taken }
    }

    /// Claims `rust` for the item `name`, described as `item`; on a clash, the message. The
    /// same spec name twice is not reported here: the checks of each kind do that.
    fn claim(&mut self, rust: String, name: &str, item: String) -> Option<String> {
        match self.taken.get(&rust) {
            Some((first, _)) if first == name => None,
            Some((_, first)) => Some(format!(
                "{item} becomes the Rust name `{rust}`, as {first} does: rename one of them"
            )),
            None => {
                self.taken.insert(rust, (name.to_owned(), item));
                None
            }
        }
    }
}

pub(super) fn check(cx: &mut Cx) {
    let spec = cx.spec;
    let mut errs: Vec<Diagnostic> = Vec::new();
    let mut types = Names::new(ROOT_TYPES, "type");
    for file in &spec.params {
        for (key, def) in &file.value {
            let typed =
                def.ty == ParamType::Enum || (def.ty == ParamType::Int && def.range.is_some());
            if !typed {
                continue;
            }
            let rust = naming::type_name(key).to_string();
            if let Some(m) = types.claim(rust, key, format!("parameter type `{key}`")) {
                errs.push(file.at_key(key, m));
            }
            let mut variants = Names::new(&[], "variant");
            for (i, v) in def.values.iter().flatten().enumerate() {
                let rust = naming::variant(&v.name).to_string();
                if let Some(m) = variants.claim(rust, &v.name, format!("value `{}`", v.name)) {
                    errs.push(file.at(&format!("{key}.values[{i}].name"), m));
                }
            }
        }
    }
    let e = &spec.errors;
    let mut variants = Names::new(&[], "variant");
    for (i, x) in e.value.errors.iter().enumerate() {
        let rust = naming::variant(&x.name).to_string();
        if let Some(m) = variants.claim(rust, &x.name, format!("error `{}`", x.name)) {
            errs.push(e.at(&format!("errors[{i}].name"), m));
        }
    }
    let u = &spec.urcs;
    let mut variants = Names::new(&[], "variant");
    for (i, x) in u.value.urcs.iter().enumerate() {
        let rust = naming::type_name(&x.name).to_string();
        if let Some(m) = variants.claim(rust, &x.name, format!("URC `{}`", x.name)) {
            errs.push(u.at(&format!("urcs[{i}].name"), m));
        }
        let path = format!("urcs[{i}].fields");
        for (p, m) in struct_fields(&x.fields, x.data.is_some(), &path) {
            errs.push(u.at(&p, m));
        }
    }
    let mut modules = Names::new(ROOT_MODULES, "module");
    let mut requests = Names::new(&[], "variant");
    let mut line_variants = Names::new(&[], "variant");
    for c in &spec.commands {
        let cmd = &c.value;
        let rust = naming::command_module(cmd).to_string();
        let command = cmd.at_name();
        if let Some(m) = modules.claim(rust, &command, format!("command `{command}`")) {
            errs.push(c.at("name", m));
        }
        // Selector modules hold their forms' structs; line types share `response::<command>`.
        let mut items = Names::new(&[], "item");
        let mut lines = Names::new(&[], "type");
        for (i, f) in cmd.forms.iter().enumerate() {
            let at_name = format!("forms[{i}].name");
            let spec_name = format!("{}/{:?}/{}", command, f.selector, f.name);
            let (rust, item) = match &f.selector {
                Some(s) => (
                    format!("{}::{}", naming::module(s), naming::type_name(&f.name)),
                    format!("form `{}` of selector \"{s}\"", f.name),
                ),
                None => (
                    naming::type_name(&f.name).to_string(),
                    format!("form `{}`", f.name),
                ),
            };
            if let Some(m) = items.claim(rust, &spec_name, item) {
                errs.push(c.at(&at_name, m));
            }
            let rust = naming::request_variant(cmd, f).to_string();
            let item = format!("form `{}` of {}", f.name, command);
            if let Some(m) = requests.claim(rust, &spec_name, item) {
                errs.push(c.at(&at_name, m));
            }
            for (p, m) in struct_fields(&f.params, false, &format!("forms[{i}].params")) {
                errs.push(c.at(&p, m));
            }
            for (j, l) in f.response.lines.iter().enumerate() {
                let at_line = format!("forms[{i}].response.lines[{j}]");
                let item = format!("line {} of form `{}` of {}", j + 1, f.name, command);
                let t = naming::line_type(f, j).to_string();
                let line_name = format!("{spec_name}/{j}");
                let mut claims = vec![(t.clone(), item.clone())];
                if l.repeat.is_some() {
                    claims.push((format!("{t}List"), format!("the list of {item}")));
                }
                for (rust, item) in claims {
                    if let Some(m) = lines.claim(rust, &line_name, item) {
                        errs.push(c.at(&at_line, m));
                    }
                }
                let rust = naming::line_variant(cmd, f, j).to_string();
                if let Some(m) = line_variants.claim(rust, &line_name, item) {
                    errs.push(c.at(&at_line, m));
                }
                let path = format!("{at_line}.fields");
                for (p, m) in struct_fields(&l.fields, l.data.is_some(), &path) {
                    errs.push(c.at(&p, m));
                }
            }
        }
    }
    cx.errs.extend(errs);
}

/// Clashes among the fields of one struct (path and message): distinct Rust names, and none
/// named like the payload field of a line with data.
fn struct_fields(uses: &[ParamUse], data: bool, path: &str) -> Vec<(String, String)> {
    let fixed: &[&str] = if data { &["data"] } else { &[] };
    let mut names = Names::new(fixed, "payload field");
    let mut out = Vec::new();
    for (i, u) in uses.iter().enumerate() {
        if u.value.is_some() {
            continue;
        }
        let rust = naming::field(u.field_name()).to_string();
        if let Some(m) = names.claim(rust, u.field_name(), format!("field `{}`", u.field_name())) {
            out.push((format!("{path}[{i}]"), m));
        }
    }
    out
}
