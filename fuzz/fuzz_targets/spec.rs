//! The generator: a structurally mutated spec loads and checks, or fails with located
//! messages; a spec that checks emits code that parses as Rust (emitting never fails).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = qi_fuzz::spec_mutation::mutate(data);
    match qi_codegen::load_and_check_in_memory(&files) {
        Ok(model) => {
            let tokens = qi_codegen::emit::generate(&model);
            if let Err(e) = syn::parse2::<syn::File>(tokens) {
                panic!("a spec that checks emits code that does not parse: {e}");
            }
            let _ = qi_codegen::fuzzing::dispatch(&model);
        }
        Err(errs) => {
            assert!(!errs.is_empty());
            for e in &errs {
                assert!(e.pos.line >= 1, "{e}");
            }
        }
    }
});
