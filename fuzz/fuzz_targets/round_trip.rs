//! decode -> encode -> decode, for the selected form (low bit 0) or line/URC type (1).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((kind, rest)) = data.split_first() else {
        return;
    };
    let (index, body) = qi_fuzz::selected(rest);
    if kind & 1 == 0 {
        qi_fuzz::command_form(index, body);
    } else {
        let (line, payload) = qi_fuzz::line_and_payload(body);
        qi_fuzz::module_line(index, line, payload);
    }
});
