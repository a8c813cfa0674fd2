//! What tools that report on lines need beyond decoding (the `qi` log decoder): for every request
//! form, response line and URC, the document's name and the allowed values of each field by its
//! position on the wire; the payload a form reads after its prompt; and, for a line that fails to
//! decode, the form or line it came closest to and why it failed.

use super::dispatch::request_path;
use super::requests::{field_kind, has_lifetime, FieldKind};
use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, Form, FormKind, ParamUse};
use crate::wording::allowed;
use proc_macro2::TokenStream;
use quote::quote;

/// The `describe::Field` list of a line: the selector or keyword first, then each parameter.
fn field_list(model: &Model, selector: Option<&str>, fields: &[ParamUse]) -> TokenStream {
    let sel = selector.map(|s| {
        let a = format!("\"{s}\"");
        quote! { crate::describe::Field { name: "selector", doc: "selector", allowed: #a, ints: &[], keywords: &[] }, }
    });
    let each = fields.iter().map(|u| {
        let name = u.field_name();
        let doc = u
            .doc
            .clone()
            .unwrap_or_else(|| model.param(&u.param).doc.clone());
        let a = allowed(model, u);
        let def = model.param(&u.param);
        // The values the parameter's type takes (a form's own rules may narrow them).
        let values = def.values.as_deref().unwrap_or_default();
        let ints = match &def.range {
            Some(r) => r.clone(),
            None => super::params::enum_ints(values),
        };
        let ints = ints.iter().map(|[lo, hi]| quote! { (#lo, #hi), });
        let keywords = values.iter().filter_map(|v| match &v.value {
            crate::spec::Scalar::Str(s) => Some(quote! { #s, }),
            crate::spec::Scalar::Int(_) => None,
        });
        quote! { crate::describe::Field { name: #name, doc: #doc, allowed: #a, ints: &[#(#ints)*], keywords: &[#(#keywords)*] }, }
    });
    quote! { &[#sel #(#each)*] }
}

/// `rule_broken(line)` for a write form with parameters: the fields decoded as `decode` does,
/// then `validate`'s verdict, which `decode` reduces to `DecodeError::Invalid`.
fn rule_broken(model: &Model, cmd: &Command, form: &Form) -> Option<TokenStream> {
    if form.kind != FormKind::Write || form.params.is_empty() {
        return None;
    }
    let head = cmd.head(form);
    let strip_comma = form.selector.as_ref().map(|_| {
        quote! {
            let rest = match rest {
                [b',', tail @ ..] => tail,
                _ => rest,
            };
        }
    });
    let mut lets = Vec::new();
    let mut inits = Vec::new();
    for (i, u) in form.params.iter().enumerate() {
        let index = (i + usize::from(form.selector.is_some())) as u8;
        if u.value.is_some() {
            lets.push(quote! { fields.next(); });
            continue;
        }
        let def = model.param(&u.param);
        let value = match field_kind(def) {
            FieldKind::Str | FieldKind::Hex if crate::check::values::is_quoted(def) => {
                quote!(crate::wire::quoted(x, #index)?)
            }
            FieldKind::Str | FieldKind::Hex => quote!(crate::wire::bare(x, #index)?),
            _ => super::lines::decode_value(model, &u.param, def, quote!(x), index),
        };
        let f = naming::field(u.field_name());
        let l = naming::local(u.field_name());
        lets.push(if u.keeps_place() {
            quote! { let #l = match fields.next() { Some([]) | None => None, Some(x) => Some(#value) }; }
        } else if u.optional {
            quote! { let #l = match fields.next() { Some(x) => Some(#value), None => None }; }
        } else {
            {
                let value = super::lines::decode_required(model, &u.param, def, index, value);
                quote! { let #l = #value; }
            }
        });
        inits.push(quote!(#f: #l,));
    }
    if let Some(g) = &form.repeat {
        let first = (form.params.len() + usize::from(form.selector.is_some())) as u8;
        let (l, init) = super::groups::decode(model, cmd, form, g, first);
        lets.push(l);
        inits.push(init);
    }
    let p = request_path(cmd, form);
    let (lt, lt_use) = if has_lifetime(model, form) {
        (quote!(<'a>), quote!(<'a>))
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let line_lt = if has_lifetime(model, form) {
        quote!('a)
    } else {
        quote!('_)
    };
    Some(quote! {
        impl #lt crate::#p #lt_use {
            /// For a line whose fields decode but break a rule of the spec: the rule, as
            /// `validate` reports it (`decode` only says `DecodeError::Invalid`).
            pub fn rule_broken(line: &#line_lt [u8]) -> Option<crate::wire::ValidationError> {
                let parse = || -> Result<Self, crate::wire::DecodeError> {
                    let rest = crate::wire::after_head(line, #head)?;
                    #strip_comma
                    #[allow(unused_mut)]
                    let mut fields = crate::wire::Fields::new(rest);
                    #(#lets)*
                    Ok(Self { #(#inits)* })
                };
                parse().ok()?.validate().err()
            }
        }
    })
}

pub fn emit(model: &Model) -> TokenStream {
    let (req_lt, _) = super::dispatch::request_lifetime(model);
    let all: Vec<(&Command, &Form)> = model
        .spec
        .commands
        .iter()
        .flat_map(|c| c.value.forms.iter().map(move |f| (&c.value, f)))
        .collect();
    let urcs = &model.spec.urcs.value.urcs;
    let finals = crate::spec::FinalResult::ALL.map(|f| f.as_str());

    let mut req_shapes = Vec::new();
    let mut req_shape_arms = Vec::new();
    let mut req_visit_arms = Vec::new();
    let mut line_visit_arms = Vec::new();
    let mut prompt_arms = Vec::new();
    let mut diagnose_tries = Vec::new();
    let mut line_shapes = Vec::new();
    let mut line_shape_arms = Vec::new();
    let mut response_arms = Vec::new();
    let mut rule_impls = Vec::new();
    let mut rule_tries = Vec::new();
    for (i, (c, f)) in all.iter().enumerate() {
        if let Some(t) = rule_broken(model, c, f) {
            rule_impls.push(t);
            let p = request_path(c, f);
            rule_tries.push(quote! {
                if let Some(e) = crate::#p::rule_broken(line) {
                    return Some(e);
                }
            });
        }
        let (name, form, kind) = (&c.name, &f.name, f.kind.as_str());
        let written = c.head(f);
        let noted = c.standard.is_none();
        // A group's parameters are described once, at the place of its first entry.
        let described: Vec<ParamUse> = f
            .params
            .iter()
            .chain(f.repeat.iter().flat_map(|g| &g.params))
            .cloned()
            .collect();
        let fields = field_list(model, f.selector.as_deref(), &described);
        let p = request_path(c, f);
        req_shapes.push(
            quote! { crate::describe::Shape { name: #name, written: #written, in_application_note: #noted, form: #form, kind: #kind, fields: #fields, timeout_ms: crate::#p::TIMEOUT_MS }, },
        );
        let v = naming::request_variant(c, f);
        req_shape_arms.push(quote! { Request::#v(_) => &describe::REQUESTS[#i], });
        req_visit_arms.push(quote! { Request::#v(x) => x.visit(vis), });
        diagnose_tries.push(quote! {
            match #p::decode(line) {
                Ok(_) => return None,
                Err(e) => describe::closer(&mut best, &describe::REQUESTS[#i], e),
            }
        });
        if let Some(pr) = &f.response.prompt {
            let max = pr.max_len as usize;
            let value = match &pr.length {
                Some(len) => {
                    let u = f
                        .params
                        .iter()
                        .find(|u| u.field_name() == len)
                        .expect("checked");
                    let fld = naming::field(len);
                    if u.optional {
                        quote! { describe::Prompt::Length(r.#fld.map_or(0, |x| usize::try_from(i64::from(x.get())).unwrap_or(0))) }
                    } else {
                        quote! { describe::Prompt::Length(usize::try_from(i64::from(r.#fld.get())).unwrap_or(0)) }
                    }
                }
                None => quote! { describe::Prompt::CtrlZ { max_len: #max } },
            };
            let bind = if pr.length.is_some() {
                quote!(r)
            } else {
                quote!(_)
            };
            prompt_arms.push(quote! { Request::#v(#bind) => Some(#value), });
        }
        // Lines of this form and of its siblings of the same kind, as `decode_response` tries.
        let m = naming::command_module(c);
        let mut tries = Vec::new();
        let siblings = std::iter::once(*f).chain(
            c.forms
                .iter()
                .filter(|g| g.kind == f.kind && g.selector == f.selector && g.name != f.name),
        );
        for g in siblings {
            for li in 0..g.response.lines.len() {
                let t = naming::line_type(g, li);
                let idx = line_index(&all, c, g, li);
                tries.push(quote! {
                    if let Err(e) = response::#m::#t::decode(line, payload) {
                        describe::closer(&mut best, &describe::LINES[#idx], e);
                    }
                });
            }
        }
        if !tries.is_empty() {
            response_arms.push(quote! { Request::#v(_) => { #(#tries)* } });
        }
        for (li, l) in f.response.lines.iter().enumerate() {
            let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", c.name));
            let name = prefix.trim_start_matches('+');
            let fields = field_list(model, l.selector.as_deref(), &l.fields);
            let noted = c.standard.is_none();
            line_shapes.push(quote! { crate::describe::Shape { name: #name, written: #prefix, in_application_note: #noted, form: #form, kind: "response", fields: #fields, timeout_ms: 0 }, });
            let lv = naming::line_variant(c, f, li);
            let idx = line_shapes.len() - 1;
            line_shape_arms.push(quote! { ResponseLine::#lv(_) => &describe::LINES[#idx], });
            line_visit_arms.push(quote! { ResponseLine::#lv(x) => x.visit(vis), });
        }
    }

    let urc_shapes = urcs.iter().map(|u| {
        let name = u.prefix.trim_start_matches('+');
        let written = &u.prefix;
        let noted = u.standard.is_none();
        let form = &u.name;
        let fields = field_list(model, u.keyword.as_deref(), &u.fields);
        quote! { crate::describe::Shape { name: #name, written: #written, in_application_note: #noted, form: #form, kind: "urc", fields: #fields, timeout_ms: 0 }, }
    });
    let urc_shape_arms: Vec<TokenStream> = urcs
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let v = naming::variant(&u.name);
            quote! { Urc::#v(_) => &describe::URCS[#i], }
        })
        .collect();
    let urc_tries: Vec<TokenStream> = urcs
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let t = naming::type_name(&u.name);
            quote! {
                match urc::#t::decode(line, payload) {
                    Ok(_) => return None,
                    Err(e) => describe::closer(&mut best, &describe::URCS[#i], e),
                }
            }
        })
        .collect();
    let urc_visit_arms: Vec<TokenStream> = urcs
        .iter()
        .map(|u| {
            let v = naming::variant(&u.name);
            quote! { Urc::#v(x) => x.visit(vis), }
        })
        .collect();
    // What a small spec leaves empty must still compile without warnings.
    let urc_visit_body = super::match_self(&urc_visit_arms);
    let urc_visit_body = quote! { let _ = &vis; #urc_visit_body };
    let line_visit_body = super::match_self(&line_visit_arms);
    let line_visit_body = quote! { let _ = &vis; #line_visit_body };
    let urc_shape_body = super::match_self(&urc_shape_arms);
    let line_shape_body = super::match_self(&line_shape_arms);
    let urc_diagnose_body = if urc_tries.is_empty() {
        quote! { let _ = (line, payload); None }
    } else {
        quote! { let mut best = None; #(#urc_tries)* best }
    };
    let response_body = if response_arms.is_empty() {
        quote! { let _ = (line, payload); None }
    } else {
        quote! {
            let mut best = None;
            #[allow(unreachable_patterns)]
            match self {
                #(#response_arms)*
                _ => {}
            }
            best
        }
    };
    let rules_unused = super::unused(rule_tries.is_empty(), &["line"]);

    // The enums that borrow a payload take a lifetime (see `lines`).
    let borrows = |yes: bool| {
        if yes {
            quote!(<'_>)
        } else {
            TokenStream::new()
        }
    };
    let line_lt = borrows(
        all.iter()
            .any(|(_, f)| f.response.lines.iter().any(|l| l.data.is_some())),
    );
    let urc_lt = borrows(model.spec.urcs.value.urcs.iter().any(|u| u.data.is_some()));
    quote! {
        /// What the spec says about each line, for tools that report on lines (a log decoder):
        /// names and allowed values of fields by position, and the final results.
        pub mod describe {
            /// One value as the wire carries it: a number or a keyword.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum Wire<'a> {
                /// A number (`0` for buffer access).
                Int(i64),
                /// A keyword, without its quotes (`TCP LISTENER`).
                Keyword(&'a str),
            }

            /// Receives the fields of a decoded request, response line or URC (`visit`), in
            /// wire order, each by its name in the generated types: a typed view for tools
            /// (a log decoder printing JSON) without parsing `Debug` output.
            pub trait Visitor {
                /// An integer field.
                fn int(&mut self, name: &'static str, value: i64);
                /// An enumeration: its wire value and its name in the spec.
                fn enumeration(&mut self, name: &'static str, wire: Wire<'_>, spec_name: &'static str);
                /// A string field (or a test response's range text).
                fn text(&mut self, name: &'static str, value: &str);
                /// Raw bytes: a payload (`data`) or a length-framed string.
                fn bytes(&mut self, name: &'static str, value: &[u8]);
                /// An optional field that was left out.
                fn absent(&mut self, name: &'static str);
            }

            /// One field position of a line.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Field {
                /// The field's name in the generated types (`connect_id`).
                pub name: &'static str,
                /// The document's name (`connectID`).
                pub doc: &'static str,
                /// What is allowed, in words.
                pub allowed: &'static str,
                /// The integers its type takes, as inclusive intervals (an enumeration's codes
                /// one by one); empty for strings and keywords.
                pub ints: &'static [(i64, i64)],
                /// The keywords an enumeration of keywords takes.
                pub keywords: &'static [&'static str],
            }

            /// A request form, a response line or a URC.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Shape {
                /// The command's name in the spec (`QIOPEN`, `E` for `ATE`), or the line's prefix
                /// without `+`.
                pub name: &'static str,
                /// What the line starts with on the wire: the form's head before its parameters
                /// (`AT+QIOPEN=`, `ATE`), or the line's prefix (`+QIRD`; empty for a line of
                /// text alone).
                pub written: &'static str,
                /// Whether the application note defines it; `false` for the basic family
                /// (`spec/basic/`, from ITU-T V.250 and 3GPP TS 27.007) and its URCs.
                pub in_application_note: bool,
                /// The form's name in the spec (for URCs, the URC's name).
                pub form: &'static str,
                /// `test`, `read`, `write`, `execute`, `response` or `urc`.
                pub kind: &'static str,
                /// Every field by its index on the wire (a selector or keyword counts).
                pub fields: &'static [Field],
                /// For request forms, how long to wait for the final result (`TIMEOUT_MS`); 0
                /// for lines.
                pub timeout_ms: u32,
            }

            impl Shape {
                /// The field at a wire index, as `DecodeError` reports it.
                pub fn field(&self, index: u8) -> Option<&'static Field> {
                    self.fields.get(usize::from(index))
                }
            }

            /// What the host sends after the `>` prompt of a form.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum Prompt {
                /// Exactly this many bytes.
                Length(usize),
                /// Bytes up to Ctrl+Z (Esc cancels), at most `max_len`.
                CtrlZ { max_len: usize },
            }

            /// The final results of the spec (`+CME ERROR: <err>` aside).
            pub const FINAL_RESULTS: &[&str] = &[#(#finals),*];

            /// Every request form, in spec order.
            pub const REQUESTS: &[Shape] = &[#(#req_shapes)*];
            /// Every response line, in spec order.
            pub const LINES: &[Shape] = &[#(#line_shapes)*];
            /// Every URC, in spec order.
            pub const URCS: &[Shape] = &[#(#urc_shapes)*];

            /// Keeps the candidate whose head matched most of the line (`AT+CFUN=` before `AT`),
            /// then the one that got furthest (the first on a tie).
            pub(crate) fn closer(
                best: &mut Option<(&'static Shape, crate::wire::DecodeError)>,
                shape: &'static Shape,
                e: crate::wire::DecodeError,
            ) {
                let Some(p) = e.progress(shape.fields.len()) else { return };
                let better = match best {
                    Some((s, b)) => b
                        .progress(s.fields.len())
                        .is_none_or(|q| (shape.written.len(), p) > (s.written.len(), q)),
                    None => true,
                };
                if better {
                    *best = Some((shape, e));
                }
            }
        }

        impl #req_lt Request #req_lt {
            /// The description of this request's form.
            pub fn shape(&self) -> &'static describe::Shape {
                match self {
                    #(#req_shape_arms)*
                }
            }

            /// Hands the request's parameters to `vis` (see [`describe::Visitor`]).
            pub fn visit(&self, vis: &mut dyn describe::Visitor) {
                match self {
                    #(#req_visit_arms)*
                }
            }

            /// What the host sends after the `>` prompt, for forms that prompt.
            pub fn prompt(&self) -> Option<describe::Prompt> {
                #[allow(unreachable_patterns)]
                match self {
                    #(#prompt_arms)*
                    _ => None,
                }
            }

            /// For a command line that `decode` rejects: the form it came closest to and why
            /// it failed; `None` when it decodes or names no form of the spec.
            pub fn diagnose(line: &[u8]) -> Option<(&'static describe::Shape, crate::wire::DecodeError)> {
                let mut best = None;
                #(#diagnose_tries)*
                best
            }

            /// For a command line whose fields decode but break a rule of the spec: the rule,
            /// as `validate` words it (`decode` reports only `DecodeError::Invalid`).
            pub fn rule_broken(line: &[u8]) -> Option<crate::wire::ValidationError> {
                #rules_unused
                #(#rule_tries)*
                None
            }

            /// For an information line that `decode_response` rejects: the response line it
            /// came closest to and why it failed.
            pub fn diagnose_response(
                &self,
                line: &[u8],
                payload: &[u8],
            ) -> Option<(&'static describe::Shape, crate::wire::DecodeError)> {
                #response_body
            }
        }

        #(#rule_impls)*

        impl ResponseLine #line_lt {
            /// The description of this line.
            pub fn shape(&self) -> &'static describe::Shape {
                #line_shape_body
            }

            /// Hands the line's fields to `vis` (see [`describe::Visitor`]).
            pub fn visit(&self, vis: &mut dyn describe::Visitor) {
                #line_visit_body
            }
        }

        impl Urc #urc_lt {
            /// The description of this URC.
            pub fn shape(&self) -> &'static describe::Shape {
                #urc_shape_body
            }

            /// Hands the URC's fields to `vis` (see [`describe::Visitor`]).
            pub fn visit(&self, vis: &mut dyn describe::Visitor) {
                #urc_visit_body
            }

            /// For a line that `decode` rejects: the URC it came closest to and why it failed;
            /// `None` when it decodes or has no URC's prefix.
            pub fn diagnose(
                line: &[u8],
                payload: &[u8],
            ) -> Option<(&'static describe::Shape, crate::wire::DecodeError)> {
                #urc_diagnose_body
            }
        }
    }
}

/// The index in `describe::LINES` of line `li` of form `g` of command `c`.
fn line_index(all: &[(&Command, &Form)], c: &Command, g: &Form, li: usize) -> usize {
    let mut n = 0;
    for (cc, f) in all {
        if cc.name == c.name && f.name == g.name && f.selector == g.selector {
            return n + li;
        }
        n += f.response.lines.len();
    }
    unreachable!("the form is in the list")
}
