//! `DigestTables`: what the runtime's length-aware digester reads of the spec (URC prefixes,
//! final result words, the prompt, fields framed by a length, and the field tables of every
//! form, response line and URC that the runtime's interpreter fits lines by), as constant
//! slices. Every spec gets one, so a crate generated from its own spec gets the digester
//! without glue.

use crate::ir::Model;
use crate::naming;
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

/// Where a typed line's shape and fields lie in the tables: `SHAPE` (its position in
/// `DigestTables::LINES`) and `AT_<FIELD>` (each field's position in the shape's field list,
/// as `wire::Header::int` takes it).
fn line_place(
    path: TokenStream,
    with_data: bool,
    shape: usize,
    fields: &[crate::spec::ParamUse],
) -> TokenStream {
    let shape = u16::try_from(shape).expect("fewer than 65536 lines");
    let at = fields.iter().enumerate().map(|(i, f)| {
        let name = quote::format_ident!("AT_{}", naming::constant(f.field_name()));
        let i = u8::try_from(i).expect("fewer than 256 fields");
        quote! {
            #[doc = " The field's position in the line's shape (`wire::Header::int`)."]
            pub const #name: u8 = #i;
        }
    });
    let (generics, ty) = if with_data {
        (quote!(<'a>), quote!(#path<'a>))
    } else {
        (TokenStream::new(), path)
    };
    quote! {
        impl #generics #ty {
            /// The line's shape in `DigestTables::LINES`.
            pub const SHAPE: u16 = #shape;
            #(#at)*
        }
    }
}

/// The shape tables: every response line then every URC, every form, each form's candidate
/// lines and the URCs' candidates; where each typed line lies in them; the lines that
/// announce a payload (responses, then URCs).
struct ShapeTables {
    lines: Vec<TokenStream>,
    forms: Vec<TokenStream>,
    responses: Vec<TokenStream>,
    urcs: Vec<TokenStream>,
    lists: TokenStream,
    places: Vec<TokenStream>,
    data_responses: Vec<u16>,
    data_urcs: Vec<u16>,
}

fn shape_tables(model: &Model) -> ShapeTables {
    let mut lists = super::shapes::Lists::default();
    let mut lines = Vec::new();
    let mut forms = Vec::new();
    let mut places = Vec::new();
    let (mut data_responses, mut data_urcs) = (Vec::new(), Vec::new());
    let index = |n: usize| u16::try_from(n).expect("fewer than 65536 lines");
    // Where each form's lines start in `lines`.
    let mut first_line = std::collections::HashMap::new();
    for c in &model.spec.commands {
        let cmd = &c.value;
        for f in &cmd.forms {
            first_line.insert(std::ptr::from_ref(f), lines.len());
            forms.push(super::shapes::form(model, &mut lists, cmd, f));
            let m = naming::command_module(cmd);
            for (i, l) in f.response.lines.iter().enumerate() {
                let lt = naming::line_type(f, i);
                places.push(line_place(
                    quote!(crate::response::#m::#lt),
                    l.data.is_some(),
                    lines.len(),
                    &l.fields,
                ));
                if l.data.is_some() {
                    data_responses.push(index(lines.len()));
                }
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
        let t = naming::type_name(&u.name);
        places.push(line_place(
            quote!(urc::#t),
            u.data.is_some(),
            lines.len(),
            &u.fields,
        ));
        if u.data.is_some() {
            data_urcs.push(index(lines.len()));
        }
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
    ShapeTables {
        lines,
        forms,
        responses,
        urcs,
        lists: lists.tokens(),
        places,
        data_responses,
        data_urcs,
    }
}

pub fn emit(model: &Model) -> TokenStream {
    let mut finals = BTreeSet::new();
    let mut prompt = false;
    let mut rows = Vec::new();
    let ShapeTables {
        lines,
        forms,
        responses,
        urcs,
        lists,
        places,
        data_responses,
        data_urcs,
    } = shape_tables(model);
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
                crate::wire::data_len(&DigestTables::LISTS, DigestTables::LINES, DigestTables::DATA_RESPONSES, header)
            }
            fn urc_data_len(header: &[u8]) -> Option<usize> {
                crate::wire::data_len(&DigestTables::LISTS, DigestTables::LINES, DigestTables::DATA_URCS, header)
                    .filter(|&n| n > 0)
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

            /// The shapes in `LINES` of the response lines that announce a payload, in spec
            /// order.
            pub const DATA_RESPONSES: &'static [u16] = &[#(#data_responses),*];
            /// The shapes in `LINES` of the URCs that announce a payload, in `Urc`'s order.
            pub const DATA_URCS: &'static [u16] = &[#(#data_urcs),*];
        }

        #(#places)*
    }
}
