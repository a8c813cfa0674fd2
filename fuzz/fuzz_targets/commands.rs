//! Host command lines: the selected form's decode/encode/atat write, and the dispatch over
//! all forms (`Request::decode`, `diagnose`, `rule_broken`, encode).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (form, line) = qi_fuzz::selected(data);
    qi_fuzz::command_form(form, line);
    qi_fuzz::check_request(line);
    let _ = quectel_qi::Request::diagnose(line);
    let _ = quectel_qi::Request::rule_broken(line);
});
