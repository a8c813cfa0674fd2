//! Response lines and URCs: the selected type tolerantly and strictly, `Urc`, atat's
//! `AtatUrc` (`QueuedUrc`) and `Parser` on the same bytes, and how the line fits the form it
//! answers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (index, body) = qi_fuzz::selected(data);
    let (line, payload) = qi_fuzz::line_and_payload(body);
    qi_fuzz::module_line(index, line, payload);
    qi_fuzz::check_urc(line, payload);
    let _ = quectel_qi::Urc::fit(line, payload);
    let _ = quectel_qi::Urc::diagnose(line, payload);
    let _ = <quectel_qi::QueuedUrc as atat::AtatUrc>::parse(body);
    let _ = quectel_qi::Urc::from_frame(body);
    let _ = <quectel_qi::Urc as atat::Parser>::parse(body);
    let _ = quectel_qi::limits::response_data_len(line, payload);
    if let Some(Some(form)) = qi_fuzz::FORM_INDEXES.get(index % qi_fuzz::SHAPES.max(1)) {
        let _ = quectel_qi::Request::response_fit(*form, line, payload);
    }
});
