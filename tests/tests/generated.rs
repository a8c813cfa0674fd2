//! Tests generated from the spec by the build script (see `qi_codegen::testgen`): one named test
//! per range boundary, enumeration value, length limit, form, response line, URC and example
//! session; and the conformance script checked against the codec.

include!(concat!(env!("OUT_DIR"), "/qi_tests_cases.rs"));

/// The conformance script written by `qi-codegen conformance`, for the same spec.
const CONFORMANCE: &str = include_str!(concat!(env!("OUT_DIR"), "/conformance.at"));

#[test]
fn generated_cases_cover_every_kind() {
    // Constructs the QI spec does not use (tests/own-spec covers them).
    let unused = [
        "repeat count",
        "length framing",
        "setting-chosen variant",
        "removed by a revision",
    ];
    let mut total = 0;
    for (kind, n) in CASE_COUNTS {
        println!("{kind}: {n}");
        assert_eq!(*n > 0, !unused.contains(kind), "{n} {kind} cases");
        total += n;
    }
    println!("total: {total}");
    for (kind, side, n) in CASE_COUNTS_BY_SIDE {
        println!("  {kind}, {side}: {n}");
    }
    assert_eq!(
        CASE_COUNTS_BY_SIDE.iter().map(|c| c.2).sum::<usize>(),
        total
    );
}

#[test]
fn conformance_script_agrees_with_the_codec() {
    let n = qi_tests::conformance_agrees(CONFORMANCE);
    assert!(n > 100, "only {n} cases in the conformance script");
}

#[test]
fn conformance_script_passes_against_the_virtual_module() {
    let cases = qi_sim::script::parse(CONFORMANCE).expect("the script follows the format");
    let (mut host, running) = qi_sim::transport::duplex(qi_sim::Config::default());
    // A cap on every wait, so that a silent module fails the test instead of hanging it.
    let cap = Some(std::time::Duration::from_secs(5));
    let outcomes = qi_sim::script::run(&mut host, &cases, cap).expect("the link works");
    drop(host);
    running.join();
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| format!("{} ({}): got {:?}", o.case.name, o.case.command, o.got))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert_eq!(outcomes.len(), cases.len());
    assert!(cases.len() > 100, "only {} cases", cases.len());
}
