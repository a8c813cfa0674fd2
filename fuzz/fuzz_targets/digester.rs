//! The digester: the module's output in chunks, the digest state changed between them, on
//! its own and through atat's ingress with a full-size and a small response slot.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qi_fuzz::digester::{run_direct, run_ingress, SMALL_SLOT};
use quectel_qi::sizes::RESPONSE_SLOT_SIZE;

fuzz_target!(|data: &[u8]| {
    let n = data.len().min(qi_codegen::fuzzing::DIGEST_CONTROL);
    let (control, stream) = data.split_at(n);
    run_direct(control, stream, RESPONSE_SLOT_SIZE);
    run_direct(control, stream, SMALL_SLOT);
    run_ingress::<RESPONSE_SLOT_SIZE>(control, stream);
    run_ingress::<SMALL_SLOT>(control, stream);
});
