//! The test suite qi-codegen generates from this crate's spec (`build.rs`): one test per range
//! boundary, enumeration value, form, response line, URC and example session, property tests,
//! and the conformance script checked against the codec; written for this crate, no glue.

include!(concat!(env!("OUT_DIR"), "/qi_tests_suite.rs"));

const CONFORMANCE: &str = include_str!(concat!(env!("OUT_DIR"), "/conformance.at"));

#[test]
fn generated_cases_cover_the_spec() {
    let total: usize = CASE_COUNTS.iter().map(|c| c.1).sum();
    assert!(total > 250, "only {total} cases");
    // Every construct of the schema has cases; this spec as written removes nothing.
    for (kind, n) in CASE_COUNTS {
        assert_eq!(*n > 0, *kind != "removed by a revision", "{n} {kind} cases");
    }
}

#[test]
fn conformance_script_agrees_with_the_codec() {
    assert!(conformance_agrees(CONFORMANCE) > 0);
}
