//! The digester: the module's output in chunks, the digest state changed between them, on
//! its own and through atat's ingress, with a full-size response slot (inputs of even length)
//! or a small one (odd): one slot per input halves the cost of each, and the mutator reaches
//! both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qi_fuzz::digester::{run_direct, run_ingress, SMALL_SLOT};
use quectel_qi::sizes::RESPONSE_SLOT_SIZE;

fuzz_target!(|data: &[u8]| {
    let n = data.len().min(qi_codegen::fuzzing::DIGEST_CONTROL);
    let (control, stream) = data.split_at(n);
    if data.len() % 2 == 0 {
        run_direct(control, stream, RESPONSE_SLOT_SIZE);
        run_ingress::<RESPONSE_SLOT_SIZE>(control, stream);
    } else {
        run_direct(control, stream, SMALL_SLOT);
        run_ingress::<SMALL_SLOT>(control, stream);
    }
});
