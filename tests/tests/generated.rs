//! Tests generated from the spec by the build script (see `qi_codegen::testgen`): one named test
//! per range boundary, enumeration value, length limit, form, response line, URC and example
//! session; and the conformance script checked against the codec.

include!(concat!(env!("OUT_DIR"), "/qi_tests_cases.rs"));

/// The conformance script written by `qi-codegen conformance`, for the same spec.
const CONFORMANCE: &str = include_str!(concat!(env!("OUT_DIR"), "/conformance.at"));

#[test]
fn generated_cases_cover_every_kind() {
    let mut total = 0;
    for (kind, n) in CASE_COUNTS {
        println!("{kind}: {n}");
        assert!(*n > 0, "no {kind} case was generated");
        total += n;
    }
    println!("total: {total}");
}

#[test]
fn conformance_script_agrees_with_the_codec() {
    let n = qi_tests::conformance_agrees(CONFORMANCE);
    assert!(n > 100, "only {n} cases in the conformance script");
}
