//! The test suite qi-codegen generates from this crate's spec (`build.rs`): one test per range
//! boundary, enumeration value, form, response line, URC and example session, property tests,
//! and the conformance script checked against the codec; written for this crate, no glue.

include!(concat!(env!("OUT_DIR"), "/qi_tests_suite.rs"));

const CONFORMANCE: &str = include_str!(concat!(env!("OUT_DIR"), "/conformance.at"));

#[test]
fn generated_cases_cover_the_spec() {
    let total: usize = CASE_COUNTS.iter().map(|c| c.1).sum();
    assert!(total > 250, "only {total} cases");
    // Every construct of the schema has cases, what revision 3.0 removed included: its
    // execute form of AT+QPING, the +QXGW URC and QoS `at_once` (the cases
    // `qping_ping_gateway_was_removed`, `urc_gateway_lost_was_removed` and
    // `qxsub_subscribe_qos_rejects_removed_at_once` run in this suite).
    for (kind, n) in CASE_COUNTS {
        assert!(*n > 0, "{n} {kind} cases");
    }
    let removed = CASE_COUNTS.iter().find(|c| c.0 == "removed by a revision");
    assert_eq!(removed.map(|c| c.1), Some(3));
}

#[test]
fn conformance_script_agrees_with_the_codec() {
    assert!(conformance_agrees(CONFORMANCE) > 0);
}
