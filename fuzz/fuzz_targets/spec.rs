//! The generator: a structurally mutated spec loads and checks, or fails with located
//! messages; a spec that checks emits code that parses as Rust (emitting never fails).
//!
//! For speed (tens of times the rate of a plain load and parse): the files a mutant leaves as
//! they were are taken parsed from a cache, and only the items of the emitted code not seen
//! before are parsed (`qi_fuzz::emitted`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use qi_codegen::spec::ParsedFiles;
use std::cell::RefCell;

thread_local! {
    /// The bases' files, and the first mutants'; bounded.
    static PARSED: ParsedFiles = ParsedFiles::new(64);
    static EMITTED: RefCell<qi_fuzz::emitted::Memo> = RefCell::default();
}

fuzz_target!(|data: &[u8]| {
    let files = qi_fuzz::spec_mutation::mutate(data);
    match PARSED.with(|p| qi_codegen::load_and_check_in_memory_cached(&files, p)) {
        Ok(model) => EMITTED.with(|m| {
            let mut memo = m.borrow_mut();
            let (seen, key) = memo.seen_spec(&files);
            if seen {
                return;
            }
            let tokens = qi_codegen::emit::generate(&model);
            if let Err(e) = memo.parses(tokens) {
                panic!("a spec that checks emits code that does not parse: {e}");
            }
            let _ = qi_codegen::fuzzing::dispatch(&model);
            memo.spec_parsed(key);
        }),
        Err(errs) => {
            assert!(!errs.is_empty());
            for e in &errs {
                assert!(e.pos.line >= 1, "{e}");
            }
        }
    }
});
