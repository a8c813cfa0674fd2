//! Request types: one struct per form of every command, with `validate`, `encode` and the
//! maximum encoded length, grouped in a module per command (and per `AT+QICFG` selector).

use super::params::param_doc;
use crate::ir::Model;
use crate::naming;
use crate::spec::{
    Command, Constraint, Form, FormKind, ParamDef, ParamType, ParamUse, Scalar, Syntax,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn emit(model: &Model) -> TokenStream {
    let mods = model.spec.commands.iter().map(|c| command(model, &c.value));
    quote! { #(#mods)* }
}

fn command(model: &Model, cmd: &Command) -> TokenStream {
    let m = naming::command_module(cmd);
    let mut doc = format!(
        "`{}`: {} ({}).\n\n{}",
        cmd.at_name(),
        cmd.title,
        cmd.source(),
        cmd.about
    );
    if let Some(g) = &cmd.group {
        doc.push_str(&format!(
            "\n\nIn the spec's `{g}` group, which a build may leave out (the package's \
             `{}` cargo feature, where its build script selects groups by feature).",
            g.replace('_', "-")
        ));
    }
    if !cmd.behaviour.is_empty() {
        doc.push_str("\n\n# Behaviour\n");
        for b in &cmd.behaviour {
            doc.push_str(&format!("\n- {} ({})", b.fact.trim(), b.section));
        }
    }
    let counts = cmd.behaviour.iter().filter_map(|b| {
        let c = b.count.as_ref()?;
        let name = proc_macro2::Ident::new(&c.name.to_uppercase(), proc_macro2::Span::call_site());
        let doc = format!("{} ({}).", b.fact.trim(), b.section);
        let value = c.value;
        Some(quote! { #[doc = #doc] pub const #name: u32 = #value; })
    });
    let alias = cmd.at_name();
    let plain = cmd
        .forms
        .iter()
        .filter(|f| f.selector.is_none())
        .map(|f| form(model, cmd, f));
    let mut selectors: Vec<&str> = Vec::new();
    for f in &cmd.forms {
        if let Some(s) = &f.selector {
            if !selectors.contains(&s.as_str()) {
                selectors.push(s);
            }
        }
    }
    let nested = selectors.iter().map(|s| {
        let sm = naming::module(s);
        let sdoc = format!("`{}=\"{s}\"`", cmd.at_name());
        let forms = cmd
            .forms
            .iter()
            .filter(|f| f.selector.as_deref() == Some(*s))
            .map(|f| form(model, cmd, f));
        quote! {
            #[doc = #sdoc]
            pub mod #sm {
                #[allow(unused_imports)]
                use super::super::*;
                #(#forms)*
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[doc(alias = #alias)]
        pub mod #m {
            #[allow(unused_imports)]
            use super::*;
            #(#counts)*
            #(#plain)*
            #(#nested)*
        }
    }
}

/// How a field is typed and written.
pub(crate) enum FieldKind {
    /// A range-checked newtype.
    Newtype,
    /// A plain unsigned integer (no range in the document).
    Int,
    Enum {
        keyword: bool,
    },
    Str,
    Hex,
}

pub(crate) fn field_kind(def: &ParamDef) -> FieldKind {
    match def.ty {
        ParamType::Int if def.range.is_some() => FieldKind::Newtype,
        ParamType::Int | ParamType::Bytes => FieldKind::Int,
        ParamType::Enum => FieldKind::Enum {
            keyword: def
                .values
                .iter()
                .flatten()
                .any(|v| matches!(v.value, Scalar::Str(_))),
        },
        ParamType::String => FieldKind::Str,
        ParamType::Hex => FieldKind::Hex,
    }
}

/// Longest text of a value on the wire, quotes included.
pub(crate) fn max_text_len(model: &Model, def: &ParamDef) -> usize {
    let digits = |v: i64| v.unsigned_abs().to_string().len() + usize::from(v < 0);
    let strlen = def
        .max_len
        .unwrap_or(model.spec.document.value.unspecified_string_len) as usize;
    match field_kind(def) {
        FieldKind::Newtype => def
            .range
            .iter()
            .flatten()
            .flat_map(|r| [digits(r[0]), digits(r[1])])
            .max()
            .unwrap_or(1),
        FieldKind::Int => u32::MAX.to_string().len(),
        // A keyword's `Display` includes its quotes.
        FieldKind::Enum { .. } => def
            .values
            .iter()
            .flatten()
            .map(|v| v.value.to_string().len())
            .max()
            .unwrap_or(1),
        FieldKind::Str | FieldKind::Hex => strlen + 2,
    }
}

pub(crate) fn rust_type(key: &str, def: &ParamDef) -> TokenStream {
    match field_kind(def) {
        FieldKind::Newtype | FieldKind::Enum { .. } => {
            let t = naming::type_name(key);
            quote!(crate::#t)
        }
        FieldKind::Int => quote!(u32),
        FieldKind::Str | FieldKind::Hex => quote!(&'a str),
    }
}

pub(crate) fn has_lifetime(model: &Model, form: &Form) -> bool {
    fields(form).any(|u| {
        matches!(
            field_kind(model.param(&u.param)),
            FieldKind::Str | FieldKind::Hex
        )
    }) || form
        .repeat
        .as_ref()
        .is_some_and(|g| super::groups::has_lifetime(model, g))
}

fn fields(form: &Form) -> impl Iterator<Item = &ParamUse> {
    form.params.iter().filter(|u| u.value.is_none())
}

pub(crate) fn struct_name(form: &Form) -> proc_macro2::Ident {
    naming::type_name(&form.name)
}

fn syntax(cmd: &Command, form: &Form, model: &Model) -> String {
    match form.kind {
        FormKind::Test | FormKind::Read | FormKind::Execute => cmd.head(form),
        FormKind::Write if cmd.syntax == Syntax::Basic => {
            let text = form.params.iter().map(|u| {
                let name = u
                    .doc
                    .clone()
                    .unwrap_or_else(|| model.param(&u.param).doc.clone());
                match (&u.value, u.optional) {
                    (Some(v), _) => v.to_string(),
                    (None, true) => format!("[<{name}>]"),
                    (None, false) => format!("<{name}>"),
                }
            });
            format!("{}{}", cmd.head(form), text.collect::<String>())
        }
        FormKind::Write => {
            let base = cmd.at_name();
            let mut parts: Vec<String> = form.selector.iter().map(|s| format!("\"{s}\"")).collect();
            let mut optional = 0;
            for u in &form.params {
                let name = u
                    .doc
                    .clone()
                    .unwrap_or_else(|| model.param(&u.param).doc.clone());
                let text = match &u.value {
                    Some(v) => v.to_string(),
                    None => format!("<{name}>"),
                };
                if u.optional {
                    optional += 1;
                    parts.push(format!("[{text}"));
                } else {
                    parts.push(text);
                }
            }
            parts.extend(crate::doc::group_syntax(model, form));
            format!(
                "{base}={}{}",
                parts.join(",").replace(",[", "[,"),
                "]".repeat(optional)
            )
        }
    }
}

fn timeout_ms(model: &Model, form: &Form) -> (u32, String) {
    if let Some(t) = form.max_response_time {
        (
            t.millis as u32,
            format!("{} ms, the document's maximum response time", t.millis),
        )
    } else if let Some(by) = &form.max_response_time_by {
        let ms = super::timeouts::default_ms(model, by);
        (
            ms,
            format!(
                "{} ({ms} ms at their defaults; `timeout_ms_for` computes it from the settings)",
                super::timeouts::describe(model, by)
            ),
        )
    } else if let Some(p) = &form.max_response_time_param {
        // The parameter (seconds) sets it; its default is the wait when it is left out.
        let u = form
            .params
            .iter()
            .find(|u| u.field_name() == p)
            .expect("checked");
        let def = model.param(&u.param);
        match u.default.as_ref().or(def.default.as_ref()) {
            Some(Scalar::Int(secs)) => (
                (secs * 1000) as u32,
                format!("{secs} s by default: the `{p}` parameter sets it"),
            ),
            // Without a default, the parameter's value decides; the client should use it.
            _ => {
                let ms = model.spec.document.value.unspecified_response_time.millis as u32;
                (
                    ms,
                    format!("set by the `{p}` parameter; {ms} ms when it is left out"),
                )
            }
        }
    } else {
        let ms = model.spec.document.value.unspecified_response_time.millis as u32;
        (
            ms,
            format!("{ms} ms; the document gives none (see document.yaml)"),
        )
    }
}

fn form(model: &Model, cmd: &Command, form: &Form) -> TokenStream {
    let name = struct_name(form);
    let syn = syntax(cmd, form, model);
    let (timeout, timeout_doc) = timeout_ms(model, form);
    let since = form
        .since
        .as_ref()
        .map(|v| format!(" Added in revision {v} of the document."))
        .unwrap_or_default();
    let doc = format!(
        "`{syn}`: {}.{since}\n\n{}. Timeout: {timeout_doc}.",
        form.about,
        upper_first(&cmd.source())
    );
    let alias = cmd.at_name();
    let lt = if has_lifetime(model, form) {
        quote!(<'a>)
    } else {
        TokenStream::new()
    };
    let field_defs = fields(form).map(|u| {
        let def = model.param(&u.param);
        let f = naming::field(u.field_name());
        let ty = rust_type(&u.param, def);
        let ty = if u.optional { quote!(Option<#ty>) } else { ty };
        let mut fdoc = param_doc(def);
        if let Some(d) = &u.default {
            fdoc.push_str(&format!(" Default here: {d}."));
        }
        if u.keeps_place() {
            fdoc.push_str(" `None` sends an empty field in its place.");
        } else if u.optional {
            fdoc.push_str(" `None` leaves it out (only trailing parameters can be left out).");
        }
        let a = naming::doc_alias(
            &u.doc.clone().unwrap_or_else(|| def.doc.clone()),
            u.field_name(),
        );
        quote! { #[doc = #fdoc] #a pub #f: #ty, }
    });
    let group = form.repeat.as_ref();
    let group_def = group.map(|g| super::groups::field_def(model, form, g));
    let group_entry = group.map(|g| super::groups::entry_struct(model, form, g));
    let max_len = max_len(model, cmd, form);
    let head = cmd.head(form);
    let mut first = form.selector.is_none();
    let writes = form.params.iter().map(|u| {
        let comma = if first {
            TokenStream::new()
        } else {
            quote!(w.comma()?;)
        };
        first = false;
        let def = model.param(&u.param);
        if let Some(v) = &u.value {
            let text = match v {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) => format!("\"{s}\""),
            };
            return quote! { #comma w.bytes(#text.as_bytes())?; };
        }
        let f = naming::field(u.field_name());
        let write_one = super::lines::encode_value(def, quote!(v));
        if u.keeps_place() {
            quote! { #comma if let Some(v) = &self.#f { #write_one } }
        } else if u.optional {
            quote! {
                if let Some(v) = &self.#f {
                    #comma
                    #write_one
                }
            }
        } else {
            quote! { { let v = &self.#f; #comma #write_one } }
        }
    });
    // Nothing before the group on the line: its first entry takes no comma.
    let group_first = form.selector.is_none() && form.params.is_empty();
    let group_write = group.map(|g| super::groups::write(model, g, group_first));
    let validate = validate(model, cmd, form);
    let decode = decode(model, cmd, form, &head);
    let (resp_ty, resp_parse) = response_type(cmd, form);
    let line_list = line_list(cmd, form, &name, &lt);
    let form_name = &form.name;
    let form_index = super::dispatch::form_index(model, form);
    // Only where the spec gives one: the later result's own time.
    let later_by = form
        .response
        .outcomes
        .iter()
        .find_map(|o| o.later_within_by.as_deref());
    let later_timeout = form
        .response
        .outcomes
        .iter()
        .filter_map(|o| o.later_within)
        .map(|d| u32::try_from(d.millis).unwrap_or(u32::MAX))
        .chain(later_by.map(|by| super::timeouts::default_ms(model, by)))
        .max()
        .map(|ms| {
            quote! {
                /// How long after the final result to wait for the later result (its URC), in
                /// milliseconds.
                pub const LATER_TIMEOUT_MS: u32 = #ms;
            }
        });
    let computed = [
        form.max_response_time_by.as_deref().map(|by| {
            let doc = format!(
                "The maximum response time for these settings' values: {}, in milliseconds \
                 (`TIMEOUT_MS` is it at their defaults).",
                super::timeouts::describe(model, by)
            );
            super::timeouts::function(model, by, quote::format_ident!("timeout_ms_for"), &doc)
        }),
        later_by.map(|by| {
            let doc = format!(
                "How long after the final result the later result may take for these settings' \
                 values: {}, in milliseconds (`LATER_TIMEOUT_MS` is it at their defaults).",
                super::timeouts::describe(model, by)
            );
            super::timeouts::function(
                model,
                by,
                quote::format_ident!("later_timeout_ms_for"),
                &doc,
            )
        }),
    ];
    let computed = computed.iter().flatten();
    let errors = cmd.errors.as_ref().map(|codes| {
        let vs = model
            .spec
            .errors
            .value
            .errors
            .iter()
            .filter(|e| codes.contains(&e.code))
            .map(|e| naming::variant(&e.name));
        quote! {
            /// The error codes this command reports (they differ by command).
            pub const ERRORS: &'static [crate::ErrorCode] = &[#(crate::ErrorCode::#vs),*];
        }
    });
    let visits: Vec<TokenStream> = fields(form)
        .map(|u| {
            let def = model.param(&u.param);
            let f = naming::field(u.field_name());
            let fname = u.field_name();
            let one = super::lines::visit_value(def, quote!(v), fname);
            if u.optional {
                quote! { match &self.#f { Some(v) => { #one } None => vis.absent(#fname), } }
            } else {
                quote! { { let v = &self.#f; #one } }
            }
        })
        .collect();
    let mut visits = visits;
    visits.extend(group.map(|g| super::groups::visit(model, g)));
    let visit = if visits.is_empty() {
        quote! { let _ = vis; }
    } else {
        quote! { #(#visits)* }
    };
    let body = if fields(form).next().is_none() && group.is_none() {
        quote!(;)
    } else {
        quote!({ #(#field_defs)* #group_def })
    };
    quote! {
        #[doc = #doc]
        #[doc(alias = #alias)]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #name #lt #body

        #group_entry

        impl #lt atat::AtatCmd for #name #lt {
            type Response = #resp_ty;
            const MAX_TIMEOUT_MS: u32 = #timeout;

            /// Writes the command if it is valid; an invalid command writes nothing (0 bytes):
            /// call `validate` first, as the client does.
            fn write(&self, buf: &mut [u8]) -> usize {
                self.encode(buf).unwrap_or(0)
            }

            fn parse(&self, resp: Result<&[u8], atat::InternalError>) -> Result<Self::Response, atat::Error> {
                let resp = resp.map_err(atat::Error::from)?;
                #resp_parse
            }
        }

        #line_list

        impl #lt #name #lt {
            /// The command as written before its parameters (`AT+QIOPEN`, `ATE`).
            pub const COMMAND: &'static str = #alias;
            /// The form's name in the spec.
            pub const FORM: &'static str = #form_name;
            /// The form's position among every form of the spec (`Request::form_index`).
            pub const FORM_INDEX: u16 = #form_index;
            /// The longest encoding of this form, `\r` included.
            pub const MAX_LEN: usize = #max_len;
            /// How long to wait for the final result, in milliseconds.
            pub const TIMEOUT_MS: u32 = #timeout;
            #later_timeout
            #errors
            #(#computed)*

            /// Hands every parameter to `vis`, in wire order (constants left out).
            pub fn visit(&self, vis: &mut dyn crate::describe::Visitor) {
                #visit
            }

            /// Checks every rule of the spec; nothing should be sent when this fails.
            pub fn validate(&self) -> Result<(), crate::wire::ValidationError> {
                #validate
                Ok(())
            }

            /// Validates, then writes the command line (ending in `\r`) into `buf`.
            pub fn encode(&self, buf: &mut [u8]) -> Result<usize, crate::wire::EncodeError> {
                self.validate().map_err(crate::wire::EncodeError::Invalid)?;
                let mut w = crate::wire::Writer::new(buf);
                self.write_to(&mut w).map_err(|_| crate::wire::EncodeError::Overflow)?;
                Ok(w.len())
            }

            #decode

            fn write_to(&self, w: &mut crate::wire::Writer<'_>) -> Result<(), crate::wire::Overflow> {
                w.bytes(#head.as_bytes())?;
                #(#writes)*
                #group_write
                w.bytes(b"\r")
            }
        }
    }
}

fn max_len(model: &Model, cmd: &Command, form: &Form) -> usize {
    let mut n = cmd.at_name().len() + 1; // "AT+NAME" "\r"
    match form.kind {
        FormKind::Test => n += 2,
        FormKind::Read => n += 1,
        FormKind::Execute => {}
        FormKind::Write if cmd.syntax == Syntax::Basic => {
            // `ATE1`: the value follows the name, without `=` or comma.
            for u in &form.params {
                n += match &u.value {
                    Some(v) => v.to_string().len(),
                    None => max_text_len(model, model.param(&u.param)),
                };
            }
        }
        FormKind::Write => {
            n += 1;
            if let Some(s) = &form.selector {
                n += s.len() + 3;
            }
            for u in &form.params {
                n += 1 + match &u.value {
                    Some(v) => v.to_string().len(),
                    None => max_text_len(model, model.param(&u.param)),
                };
            }
            n += form
                .repeat
                .as_ref()
                .map_or(0, |g| super::groups::max_len(model, g));
        }
    }
    n
}

fn validate(model: &Model, cmd: &Command, form: &Form) -> TokenStream {
    let command = cmd.at_name();
    let form_name = &form.name;
    let err = |param: &str, value: TokenStream, allowed: &str| {
        quote! {
            return Err(crate::wire::ValidationError { command: #command, form: #form_name, param: #param, value: #value, allowed: #allowed })
        }
    };
    let mut out = Vec::new();
    // Strings: length, quotes, line ends and hex digits.
    let strings = |u: &ParamUse| -> Option<TokenStream> {
        let def = model.param(&u.param);
        let pname = u.doc.clone().unwrap_or_else(|| def.doc.clone());
        let max = def
            .max_len
            .unwrap_or(model.spec.document.value.unspecified_string_len) as usize;
        let check = match field_kind(def) {
            FieldKind::Str | FieldKind::Hex => {
                let too_long = err(
                    &pname,
                    quote!(crate::wire::Value::Len(v.len())),
                    &format!("at most {}", crate::check::values::bytes(max as u64)),
                );
                let quote_in = if crate::check::values::is_quoted(def) {
                    let e = err(
                        &pname,
                        quote!(crate::wire::Value::Present),
                        "text without double quotes",
                    );
                    quote! { if v.contains('"') { #e } }
                } else {
                    TokenStream::new()
                };
                // Hex digits cannot hold a line end; text can, and a command line cannot.
                let line_end = if matches!(field_kind(def), FieldKind::Str) {
                    let e = err(
                        &pname,
                        quote!(crate::wire::Value::Present),
                        "text without CR or LF",
                    );
                    quote! { if crate::wire::breaks_line(v) { #e } }
                } else {
                    TokenStream::new()
                };
                let hex = if matches!(field_kind(def), FieldKind::Hex) {
                    let e = err(
                        &pname,
                        quote!(crate::wire::Value::Len(v.len())),
                        "hexadecimal digits, two per byte",
                    );
                    quote! { if !v.len().is_multiple_of(2) || !v.bytes().all(|b| b.is_ascii_hexdigit()) { #e } }
                } else {
                    TokenStream::new()
                };
                quote! { if v.len() > #max { #too_long } #quote_in #line_end #hex }
            }
            _ => return None,
        };
        Some(check)
    };
    for u in fields(form) {
        let f = naming::field(u.field_name());
        let Some(check) = strings(u) else { continue };
        out.push(if u.optional {
            quote! { if let Some(v) = self.#f { #check } }
        } else {
            quote! { { let v = self.#f; #check } }
        });
    }
    if let Some(g) = &form.repeat {
        let gf = naming::field(&g.name);
        let too_few = err(
            &g.name,
            quote!(crate::wire::Value::Len(self.#gf.len())),
            &format!("at least {} entries", g.min),
        );
        out.push(super::groups::validate(g, too_few, strings));
    }
    // Only trailing parameters may be left out.
    let opts: Vec<&ParamUse> = fields(form)
        .filter(|u| u.optional && !u.keeps_place())
        .collect();
    for (i, u) in opts.iter().enumerate() {
        for later in &opts[i + 1..] {
            let (f, g) = (
                naming::field(u.field_name()),
                naming::field(later.field_name()),
            );
            let pname = later
                .doc
                .clone()
                .unwrap_or_else(|| model.param(&later.param).doc.clone());
            let allowed = format!(
                "left out, because <{}> is left out",
                u.doc
                    .clone()
                    .unwrap_or_else(|| model.param(&u.param).doc.clone())
            );
            let e = err(&pname, quote!(crate::wire::Value::Present), &allowed);
            out.push(quote! { if self.#f.is_none() && self.#g.is_some() { #e } });
        }
    }
    for r in &form.rules {
        if let Some(group) = &r.together {
            // The message names the first parameter left out, by the document's name.
            let fs: Vec<_> = group.iter().map(|n| naming::field(n)).collect();
            let docs: Vec<String> = group
                .iter()
                .map(|n| {
                    let u = fields(form).find(|u| u.field_name() == n).expect("checked");
                    u.doc
                        .clone()
                        .unwrap_or_else(|| model.param(&u.param).doc.clone())
                })
                .collect();
            let allowed = format!(
                "given together with {}: {}",
                docs.iter()
                    .map(|d| format!("<{d}>"))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.why
            );
            let each = fs.iter().zip(&docs).map(|(f, d)| {
                let e = err(d, quote!(crate::wire::Value::Missing), &allowed);
                quote! { if self.#f.is_none() { #e } }
            });
            out.push(quote! {
                if [#(self.#fs.is_some()),*].iter().any(|g| *g) { #(#each)* }
            });
        }
        if let Some(then) = &r.then {
            let cond = match &r.when {
                Some(w) => {
                    let cs = w.iter().map(|(n, c)| condition(model, form, n, c, false));
                    quote!(#(#cs)&&* &&)
                }
                None => TokenStream::new(),
            };
            for (n, c) in then {
                let holds = condition(model, form, n, c, true);
                let u = form
                    .params
                    .iter()
                    .find(|u| u.field_name() == n)
                    .expect("checked");
                let def = model.param(&u.param);
                let pname = u.doc.clone().unwrap_or_else(|| def.doc.clone());
                let allowed = format!("{}: {}", crate::wording::constraint(c), r.why);
                let value = value_of(model, u);
                let e = err(&pname, value, &allowed);
                out.push(quote! { { let holds: bool = #holds; if #cond !holds { #e } } });
            }
        }
    }
    quote! { #(#out)* }
}

/// A `crate::wire::Value` describing the field's current value, for error messages.
fn value_of(model: &Model, u: &ParamUse) -> TokenStream {
    let f = naming::field(u.field_name());
    let def = model.param(&u.param);
    let one = |v: TokenStream| match field_kind(def) {
        FieldKind::Newtype => quote!(crate::wire::Value::Int(i64::from(#v.get()))),
        FieldKind::Int => quote!(crate::wire::Value::Int(i64::from(#v))),
        FieldKind::Enum { keyword: false } => quote!(crate::wire::Value::Int(i64::from(#v.code()))),
        FieldKind::Enum { keyword: true } => quote!(crate::wire::Value::Present),
        FieldKind::Str | FieldKind::Hex => quote!(crate::wire::Value::Len(#v.len())),
    };
    if u.optional {
        let inner = one(quote!(v));
        // A keyword's value is not shown, so `v` would go unused.
        let bind = if matches!(field_kind(def), FieldKind::Enum { keyword: true }) {
            quote!(_)
        } else {
            quote!(v)
        };
        quote!(match self.#f { Some(#bind) => #inner, None => crate::wire::Value::Missing })
    } else {
        one(quote!(self.#f))
    }
}

/// A boolean expression: whether the constraint holds for the field, defaults filling gaps.
/// `missing_holds`: whether an absent value without default satisfies the constraint (true for
/// requirements, false for conditions).
fn condition(
    model: &Model,
    form: &Form,
    name: &str,
    c: &Constraint,
    missing_holds: bool,
) -> TokenStream {
    let u = form
        .params
        .iter()
        .find(|u| u.field_name() == name)
        .expect("checked");
    let def = model.param(&u.param);
    let f = naming::field(name);
    if let Some(p) = c.present {
        return if u.optional {
            if p {
                quote!(self.#f.is_some())
            } else {
                quote!(self.#f.is_none())
            }
        } else {
            quote!(#p)
        };
    }
    // The value, with the default standing in for a missing optional parameter.
    let default = u.default.as_ref().or(def.default.as_ref());
    let test = |v: TokenStream| -> TokenStream {
        if let Some(names) = &c.one_of {
            let ty = naming::type_name(&u.param);
            let vs = names.iter().map(|n| naming::variant(n));
            return quote!(matches!(#v, #(crate::#ty::#vs)|*));
        }
        if let Some(r) = &c.range {
            let checks = r.iter().map(|[lo, hi]| {
                let (l, h) = (Literal::i64_unsuffixed(*lo), Literal::i64_unsuffixed(*hi));
                if lo == hi {
                    quote!(x == #l)
                } else {
                    quote!((#l..=#h).contains(&x))
                }
            });
            let get = match field_kind(def) {
                FieldKind::Newtype => quote!(i64::from(#v.get())),
                _ => quote!(i64::from(#v)),
            };
            return quote!({ let x: i64 = #get; #(#checks)||* });
        }
        if let Some(m) = c.min_len {
            if m == 1 {
                return quote!(!#v.is_empty());
            }
            let m = m as usize;
            return quote!(#v.len() >= #m);
        }
        quote!(true)
    };
    if u.optional {
        let some = test(quote!(v));
        let none = match default {
            Some(d) => {
                // Evaluate the constraint on the default at generation time.
                let holds = match (c, d) {
                    (
                        Constraint {
                            one_of: Some(names),
                            ..
                        },
                        d,
                    ) => def
                        .values
                        .iter()
                        .flatten()
                        .any(|e| &e.value == d && names.contains(&e.name)),
                    (Constraint { range: Some(r), .. }, Scalar::Int(i)) => {
                        crate::check::values::in_ranges(r, *i)
                    }
                    _ => false,
                };
                quote!(#holds)
            }
            None => quote!(#missing_holds),
        };
        quote!(match self.#f { Some(v) => #some, None => #none })
    } else {
        test(quote!(self.#f))
    }
}

/// `decode(line)`: the inverse of `encode`, for the virtual module and the log decoder.
fn decode(model: &Model, cmd: &Command, form: &Form, head: &str) -> TokenStream {
    let lt = if has_lifetime(model, form) {
        quote!('a)
    } else {
        quote!('_)
    };
    let params_follow =
        form.kind == FormKind::Write && (!form.params.is_empty() || form.repeat.is_some());
    let after_head = if !params_follow {
        quote! { if !rest.is_empty() { return Err(crate::wire::DecodeError::TrailingData); } }
    } else if form.selector.is_some() {
        quote! {
            let rest = match rest {
                [] => rest,
                [b',', tail @ ..] => tail,
                _ => return Err(crate::wire::DecodeError::Keyword),
            };
        }
    } else {
        TokenStream::new()
    };
    let mut lets = Vec::new();
    let mut inits = Vec::new();
    for (i, u) in form.params.iter().enumerate() {
        let index = (i + usize::from(form.selector.is_some())) as u8;
        let def = model.param(&u.param);
        if let Some(v) = &u.value {
            let text = match v {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) => format!("\"{s}\""),
            };
            lets.push(quote! {
                if fields.required(#index)? != #text.as_bytes() {
                    return Err(crate::wire::DecodeError::UnknownValue { index: #index });
                }
            });
            continue;
        }
        let f = naming::field(u.field_name());
        let l = naming::local(u.field_name());
        let value = borrowed_value(model, def, &u.param, index);
        if u.keeps_place() {
            lets.push(quote! {
                let #l = match fields.next() {
                    Some([]) | None => None,
                    Some(x) => Some(#value),
                };
            });
        } else if u.optional {
            lets.push(
                quote! { let #l = match fields.next() { Some(x) => Some(#value), None => None }; },
            );
        } else {
            let value = super::lines::decode_required(model, &u.param, def, index, value);
            lets.push(quote! { let #l = #value; });
        }
        inits.push(quote!(#f: #l,));
    }
    if let Some(g) = &form.repeat {
        let first = (form.params.len() + usize::from(form.selector.is_some())) as u8;
        let (l, init) = super::groups::decode(model, cmd, form, g, first);
        lets.push(l);
        inits.push(init);
    }
    let split = if params_follow {
        quote! {
            #[allow(unused_mut)]
            let mut fields = crate::wire::Fields::new(rest);
            #(#lets)*
            fields.end()?;
        }
    } else {
        TokenStream::new()
    };
    quote! {
        /// Decodes a command line of this form (the trailing `\r` is optional) and checks it
        /// like `validate`: the inverse of `encode`.
        #[inline(never)]
        pub fn decode(line: &#lt [u8]) -> Result<Self, crate::wire::DecodeError> {
            let rest = crate::wire::after_head(line, #head)?;
            #after_head
            #split
            let v = Self { #(#inits)* };
            v.validate().map_err(|_| crate::wire::DecodeError::Invalid)?;
            Ok(v)
        }
    }
}

/// Decodes a field into the request's field type: like a response field, except that strings
/// borrow from the line.
pub(crate) fn borrowed_value(
    model: &Model,
    def: &ParamDef,
    key: &str,
    index: impl quote::ToTokens,
) -> TokenStream {
    match field_kind(def) {
        FieldKind::Str | FieldKind::Hex => {
            if crate::check::values::is_quoted(def) {
                quote!(crate::wire::quoted(x, #index)?)
            } else {
                quote!(crate::wire::bare(x, #index)?)
            }
        }
        _ => super::lines::decode_value(model, key, def, quote!(x), index),
    }
}

/// The `AtatCmd::Response` of a form and how `parse` builds it from the response bytes.
fn response_type(cmd: &Command, form: &Form) -> (TokenStream, TokenStream) {
    let lines = &form.response.lines;
    let m = naming::command_module(cmd);
    match lines.as_slice() {
        [] => (
            quote!(crate::NoResponse),
            quote! { let _ = resp; Ok(crate::NoResponse) },
        ),
        [l] => {
            let t = naming::line_type(form, 0);
            let path = quote!(crate::response::#m::#t);
            if l.repeat.is_some() || l.optional {
                let n = l.repeat.unwrap_or(1) as usize;
                // Decoded without a payload, a data line borrows nothing.
                let item = if l.data.is_some() {
                    quote!(#path<'static>)
                } else {
                    path.clone()
                };
                (
                    quote!(heapless::Vec<#item, #n>),
                    quote! {
                        let mut out = heapless::Vec::new();
                        for line in crate::wire::response_lines(resp) {
                            let v = #path::decode(line, b"").map_err(|_| atat::Error::Parse)?;
                            out.push(v).map_err(|_| atat::Error::Parse)?;
                        }
                        Ok(out)
                    },
                )
            } else if l.data.is_some() {
                // A reply outlives the response buffer: its payload is left there (a caller
                // that wants it reads the buffer, as the client's reads do). The frame comes
                // in the module's live framing (`quectel_qi::framing`).
                (
                    quote!(#path<'static>),
                    quote! {
                        crate::wire::decode_data_frame(resp, #path::decode, |x| x.data.len(), |_, _| {})
                            .map(|l| l.detach())
                            .map_err(|_| atat::Error::Parse)
                    },
                )
            } else if l.fields.iter().any(|u| u.length.is_some()) {
                // A field framed by its length may hold CR LF: the response is the line.
                (
                    path.clone(),
                    quote! { #path::decode(resp, b"").map_err(|_| atat::Error::Parse) },
                )
            } else {
                (
                    path.clone(),
                    quote! {
                        let (line, payload) = crate::wire::split_line(resp);
                        #path::decode(line, payload).map_err(|_| atat::Error::Parse)
                    },
                )
            }
        }
        _ => (
            quote!(heapless::String<2048>),
            quote! {
                let text = core::str::from_utf8(resp).map_err(|_| atat::Error::Parse)?;
                heapless::String::try_from(text).map_err(|_| atat::Error::Parse)
            },
        ),
    }
}

/// `wire::LineList` for a form whose response is a list: repeated (or optional) lines of one
/// shape, or lines of several shapes (their enum); nothing for other forms.
fn line_list(
    cmd: &Command,
    form: &Form,
    name: &proc_macro2::Ident,
    lt: &TokenStream,
) -> TokenStream {
    let m = naming::command_module(cmd);
    let lines = &form.response.lines;
    let (line, decode) = match lines.as_slice() {
        [l] if l.repeat.is_some() || l.optional => {
            let t = naming::line_type(form, 0);
            let lt = if l.data.is_some() {
                quote!(<'static>)
            } else {
                TokenStream::new()
            };
            (
                quote!(crate::response::#m::#t #lt),
                quote!(decode(line, b"")),
            )
        }
        _ if super::responses::has_any_line(form) => {
            let t = naming::any_line_type(form);
            (quote!(crate::response::#m::#t), quote!(decode(line)))
        }
        _ => return TokenStream::new(),
    };
    quote! {
        impl #lt crate::wire::LineList for #name #lt {
            type Line = #line;
            fn decode_line(line: &[u8]) -> Result<Self::Line, crate::wire::DecodeError> {
                <#line>::#decode
            }
        }
    }
}

/// `section 2.3.5` → `Section 2.3.5`, for the start of a sentence.
fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
