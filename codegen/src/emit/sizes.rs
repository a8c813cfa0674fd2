//! Limits a client sizes its buffers by, worked out from the spec's maximum lengths, and the
//! table of response lines that carry a payload (for a length-aware digester).

use super::dispatch::request_path;
use super::lines::data_capacity;
use super::requests::max_text_len;
use crate::ir::Model;
use crate::naming;
use crate::spec::{DataBlock, ParamUse};
use proc_macro2::TokenStream;
use quote::quote;

/// The bound of a field that a test response shows as text (see `lines.rs`, `String<64>`).
const SHOWN_MAX: usize = 64;

/// Longest text of a line: prefix, `: `, keyword, fields with commas, and CR LF plus payload.
fn line_max(model: &Model, prefix: &str, kw: Option<&str>, fields: &[ParamUse]) -> usize {
    let mut parts: Vec<usize> = kw.iter().map(|k| k.len() + 2).collect();
    for u in fields {
        let one = match (u.shown, &u.length) {
            (Some(_), _) => SHOWN_MAX,
            // Read by its length field: that many bytes and the quotes.
            (None, Some(len)) => super::lines::length_capacity(model, fields, len) + 2,
            (None, None) => max_text_len(model, model.param(&u.param)),
        };
        // A repeated field: each of its values, as a field of its own.
        let times = u.repeat.map_or(1, |r| r.max as usize);
        parts.extend(std::iter::repeat_n(one, times));
    }
    prefix.len() + 2 + parts.iter().sum::<usize>() + parts.len().saturating_sub(1)
}

fn with_data(model: &Model, fields: &[ParamUse], data: Option<&DataBlock>) -> usize {
    data.map_or(0, |d| 2 + data_capacity(model, fields, d))
}

pub fn emit(model: &Model) -> TokenStream {
    let mut commands = Vec::new();
    let mut prompt_max = 0usize;
    let mut response_max = 0usize;
    let mut data_lines = Vec::new();
    let mut data_max = 0usize;
    for c in &model.spec.commands {
        let cmd = &c.value;
        let m = naming::command_module(cmd);
        for form in &cmd.forms {
            let p = request_path(cmd, form);
            commands.push(quote!(crate::#p::MAX_LEN));
            if let Some(p) = &form.response.prompt {
                prompt_max = prompt_max.max(p.max_len as usize);
            }
            // Every line at its longest, each repeated as often as it may, CR LF between them.
            let mut total = 0usize;
            for (i, l) in form.response.lines.iter().enumerate() {
                let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name));
                let one = line_max(model, &prefix, l.selector.as_deref(), &l.fields)
                    + with_data(model, &l.fields, l.data.as_ref());
                total += (one + 2) * l.repeat.unwrap_or(1) as usize;
                if let Some(d) = &l.data {
                    data_max = data_max.max(data_capacity(model, &l.fields, d));
                    let lt = naming::line_type(form, i);
                    data_lines.push(quote! {
                        match crate::response::#m::#lt::decode_strict(line, rest) {
                            Ok(x) => return Ok(Some(x.data.len())),
                            Err(crate::wire::DecodeError::Truncated) => return Err(crate::wire::DecodeError::Truncated),
                            Err(_) => {}
                        }
                    });
                }
            }
            response_max = response_max.max(total);
        }
    }
    let mut urc_max = 0usize;
    for u in &model.spec.urcs.value.urcs {
        urc_max = urc_max.max(
            line_max(model, &u.prefix, u.keyword.as_deref(), &u.fields)
                + with_data(model, &u.fields, u.data.as_ref()),
        );
        if let Some(d) = &u.data {
            data_max = data_max.max(data_capacity(model, &u.fields, d));
        }
    }
    quote! {
        /// Lengths worked out from the spec: every field at its longest (the top of its range,
        /// its `max_len`, or the document-level bound for strings), every repeated line as
        /// often as it may come, every payload at the top of its length field's range.
        pub mod limits {
            /// The longest command line of any form (`\r` included): the largest `MAX_LEN`.
            pub const MAX_COMMAND_LEN: usize = {
                const ALL: &[usize] = &[#(#commands),*];
                let (mut n, mut i) = (0, 0);
                while i < ALL.len() {
                    if ALL[i] > n {
                        n = ALL[i];
                    }
                    i += 1;
                }
                n
            };
            /// The longest payload written after a `>` prompt.
            pub const MAX_PROMPT_DATA_LEN: usize = #prompt_max;
            /// The longest information part of any response (its lines and payloads, CR LF
            /// between and after them; echo and final result not included).
            pub const MAX_RESPONSE_LEN: usize = #response_max;
            /// The longest URC: its line, CR LF and payload.
            pub const MAX_URC_LEN: usize = #urc_max;
            /// The largest payload a response line or URC can announce.
            pub const MAX_DATA_LEN: usize = #data_max;

            /// For a response line (without CR LF) and the bytes after its CR LF: the length
            /// of the payload it announces (`Ok(Some(n))`, all `n` bytes present), no payload
            /// (`Ok(None)`), or `Err(Truncated)` when fewer bytes than announced are there yet.
            /// Lines are matched strictly (exact field count), so that a line of another shape
            /// with the same prefix never takes a payload.
            pub fn response_data_len(line: &[u8], rest: &[u8]) -> Result<Option<usize>, crate::wire::DecodeError> {
                #(#data_lines)*
                let _ = (line, rest);
                Ok(None)
            }
        }
    }
}
