//! `qi decode`: any log decodes to records, renders and converts to JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let records = qi_sim::decode::decode_log(data);
    let _ = qi_sim::decode::listing::render(&records);
    for r in &records {
        let _ = r.to_json();
    }
    let _ = qi_sim::decode::all_valid(&records);
});
