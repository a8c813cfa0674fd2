//! `DigestTables`: what the runtime's length-aware digester reads of the spec (URC prefixes,
//! final result words, the prompt, fields framed by a length), as constant slices, and a few
//! functions that delegate to the generated decoders. Every spec gets one, so a crate
//! generated from its own spec gets the digester without glue.

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

pub fn emit(model: &Model) -> TokenStream {
    let mut finals = BTreeSet::new();
    let mut prompt = false;
    let mut rows = Vec::new();
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
                Urc::fit(line, payload)
            }
            fn response_fit(form: u16, line: &[u8], rest: &[u8]) -> crate::wire::Fit {
                Request::response_fit(form, line, rest)
            }
            fn form_of(command: &[u8]) -> Option<u16> {
                Request::decode(command).ok().map(|r| r.form_index())
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
            /// Payload bytes enough for any data line, for judging a header before its payload
            /// is there (constant zeros, in flash).
            pub fn any_payload() -> &'static [u8] {
                static ANY_PAYLOAD: [u8; limits::MAX_DATA_LEN] = [0; limits::MAX_DATA_LEN];
                &ANY_PAYLOAD
            }
        }
    }
}
