//! `DigestTables`: what the runtime's length-aware digester reads of the spec (URC prefixes,
//! final result words, the prompt, fields framed by a length, and the field tables of every
//! form, response line and URC that the runtime's interpreter fits lines by), as constant
//! slices. Every spec gets one, so a crate generated from its own spec gets the digester
//! without glue.

use crate::ir::Model;
use crate::spec::{FinalResult, ParamType, ParamUse};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;

/// The fields of a line that an earlier field's length frames, as table rows.
fn framed(model: &Model, prefix: &str, shift: usize, fields: &[ParamUse]) -> Vec<TokenStream> {
    let mut rows = Vec::new();
    for (i, u) in fields.iter().enumerate() {
        let Some(len) = &u.length else { continue };
        let Some(at) = fields.iter().position(|f| f.field_name() == len) else {
            continue;
        };
        let def = model.param(&u.param);
        let quoted = def.ty == ParamType::String && def.quoted != Some(false);
        let (length_field, field) = ((at + shift) as u8, (i + shift) as u8);
        let max = super::lines::length_capacity(model, fields, len) as u32;
        rows.push(quote! {
            crate::wire::FramedField { prefix: #prefix, length_field: #length_field, field: #field, quoted: #quoted, max: #max },
        });
    }
    rows
}

/// The shape tables: every response line then every URC, every form, each form's candidate
/// lines and the URCs' candidates.
fn shape_tables(
    model: &Model,
) -> (
    Vec<TokenStream>,
    Vec<TokenStream>,
    Vec<TokenStream>,
    Vec<TokenStream>,
    TokenStream,
) {
    let mut lists = super::shapes::Lists::default();
    let mut lines = Vec::new();
    let mut forms = Vec::new();
    // Where each form's lines start in `lines`.
    let mut first_line = std::collections::HashMap::new();
    for c in &model.spec.commands {
        let cmd = &c.value;
        for f in &cmd.forms {
            first_line.insert(std::ptr::from_ref(f), lines.len());
            forms.push(super::shapes::form(model, &mut lists, cmd, f));
            for l in &f.response.lines {
                let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name));
                lines.push(super::shapes::line(
                    model,
                    &mut lists,
                    &prefix,
                    l.selector.as_deref(),
                    &l.selector_also,
                    &l.fields,
                    l.data.as_ref(),
                ));
            }
        }
    }
    let candidate = |shape: usize, exact_only: bool| {
        let shape = u16::try_from(shape).expect("fewer than 65536 lines");
        quote! { crate::wire::Candidate { shape: #shape, exact_only: #exact_only }, }
    };
    let mut responses = Vec::new();
    for c in &model.spec.commands {
        let cmd = &c.value;
        for f in &cmd.forms {
            let each = cmd
                .forms
                .iter()
                .filter(|g| g.kind == f.kind && g.selector == f.selector)
                .flat_map(|g| {
                    let first = first_line[&std::ptr::from_ref(g)];
                    let own = std::ptr::eq(g, f);
                    (0..g.response.lines.len()).map(move |i| (first + i, !own))
                })
                .map(|(shape, exact_only)| candidate(shape, exact_only));
            responses.push(quote! { &[#(#each)*], });
        }
    }
    let mut urcs = Vec::new();
    for u in &model.spec.urcs.value.urcs {
        urcs.push(candidate(lines.len(), u.exact));
        lines.push(super::shapes::line(
            model,
            &mut lists,
            &u.prefix,
            u.keyword.as_deref(),
            &[],
            &u.fields,
            u.data.as_ref(),
        ));
    }
    (lines, forms, responses, urcs, lists.tokens())
}

pub fn emit(model: &Model) -> TokenStream {
    let mut finals = BTreeSet::new();
    let mut prompt = false;
    let mut rows = Vec::new();
    let (lines, forms, responses, urcs, lists) = shape_tables(model);
    for c in &model.spec.commands {
        let cmd = &c.value;
        for form in &cmd.forms {
            prompt |= form.response.prompt.is_some();
            for o in &form.response.outcomes {
                finals.extend(
                    o.finals
                        .iter()
                        .filter(|f| **f != FinalResult::CmeError)
                        .copied(),
                );
            }
            for l in &form.response.lines {
                let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name));
                rows.extend(framed(
                    model,
                    &prefix,
                    usize::from(l.selector.is_some()),
                    &l.fields,
                ));
            }
        }
    }
    for u in &model.spec.urcs.value.urcs {
        rows.extend(framed(
            model,
            &u.prefix,
            usize::from(u.keyword.is_some()),
            &u.fields,
        ));
    }
    let finals = finals.into_iter().map(FinalResult::as_str);
    quote! {
        /// The spec as the length-aware digester reads the module's output by it
        /// (`quectel_qi::digest::SpecDigester<DigestTables>`).
        #[derive(Debug, Clone, Copy)]
        pub struct DigestTables;

        impl crate::wire::SpecTables for DigestTables {
            const URC_PREFIXES: &'static [&'static str] = Urc::PREFIXES;
            const FINAL_RESULTS: &'static [&'static str] = &[#(#finals),*];
            const PROMPT: bool = #prompt;
            const FRAMED_FIELDS: &'static [crate::wire::FramedField] = &[#(#rows)*];

            fn urc_fit(line: &[u8], payload: &[u8]) -> crate::wire::Fit {
                crate::wire::best_fit(&DigestTables::LISTS, DigestTables::LINES, DigestTables::URCS, line, payload)
            }
            fn response_fit(form: u16, line: &[u8], rest: &[u8]) -> crate::wire::Fit {
                match DigestTables::RESPONSES.get(usize::from(form)) {
                    Some(candidates) => crate::wire::best_fit(&DigestTables::LISTS, DigestTables::LINES, candidates, line, rest),
                    None => crate::wire::Fit::No,
                }
            }
            fn form_of(command: &[u8]) -> Option<u16> {
                crate::wire::form_of(&DigestTables::LISTS, DigestTables::FORMS, command)
            }
            fn response_data_len(header: &[u8]) -> Option<usize> {
                limits::response_data_len(header, DigestTables::any_payload()).ok().flatten()
            }
            fn urc_data_len(header: &[u8]) -> Option<usize> {
                match Urc::decode_framing(header, DigestTables::any_payload()) {
                    Ok(u) if u.payload_len() > 0 => Some(u.payload_len()),
                    _ => None,
                }
            }
        }

        impl DigestTables {
            /// The shape of every response line (forms in `FORM_INDEX` order, each form's lines
            /// in order), then of every URC (in `Urc`'s order).
            pub const LINES: &'static [crate::wire::LineShape] = &[#(#lines)*];
            /// The shape of every command form, by `FORM_INDEX`: what `Request::decode` takes,
            /// but for the rules between parameters.
            pub const FORMS: &'static [crate::wire::FormShape] = &[#(#forms)*];
            /// By `FORM_INDEX`, the lines that may answer the form, as `Request::response_fit`
            /// weighs them: its own lines, and its siblings' (same kind and selector) exactly.
            pub const RESPONSES: &'static [&'static [crate::wire::Candidate]] = &[#(#responses)*];
            /// The number ranges, keywords, fixed values and repeat counts the field rules of
            /// `LINES` and `FORMS` index, each once.
            pub const LISTS: crate::wire::ValueLists = #lists;
            /// The URCs' lines, as `Urc::fit` weighs them (those marked `exact` only exactly).
            pub const URCS: &'static [crate::wire::Candidate] = &[#(#urcs)*];

            /// Payload bytes enough for any data line, for judging a header before its payload
            /// is there (constant zeros, in flash).
            pub fn any_payload() -> &'static [u8] {
                static ANY_PAYLOAD: [u8; limits::MAX_DATA_LEN] = [0; limits::MAX_DATA_LEN];
                &ANY_PAYLOAD
            }
        }
    }
}
