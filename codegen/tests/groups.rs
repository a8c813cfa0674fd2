//! Groups (`groups:` of document.yaml, `group:` on a command, URC or example session): a build
//! that does not select a group generates none of its commands and URCs. On the real spec,
//! whose groups are `modem` (the modem's own commands: AT+CPIN, AT+CREG and its URCs, ...),
//! `ping` (AT+QPING) and `ntp` (AT+QNTP), which quectel-qi's default features select.

mod support;

use std::path::{Path, PathBuf};

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The code a builder generates, or its error.
fn build(builder: qi_codegen::Builder, name: &str) -> Result<String, String> {
    let out = std::env::temp_dir().join(format!("qi-groups-{name}-{}.rs", std::process::id()));
    let code = builder
        .rerun_if_changed(false)
        .format(false)
        .out_file(&out)
        .generate()
        .map(|_| std::fs::read_to_string(&out).unwrap())
        .map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&out);
    code
}

#[test]
fn a_group_not_selected_is_left_out() {
    let all = build(qi_codegen::Builder::new(spec_dir()), "all").unwrap();
    let every = build(
        qi_codegen::Builder::new(spec_dir()).groups(["modem", "ping", "ntp"]),
        "every",
    )
    .unwrap();
    let modem = build(
        qi_codegen::Builder::new(spec_dir()).groups(["modem"]),
        "modem",
    )
    .unwrap();
    let none = build(
        qi_codegen::Builder::new(spec_dir()).groups(Vec::<String>::new()),
        "none",
    )
    .unwrap();
    // Selecting every group is the spec as written; one group keeps its own items only.
    assert_eq!(every, all);
    assert!(modem.contains("pub mod cpin") && !modem.contains("pub mod qping"));
    for item in ["pub mod qping", "pub mod qntp", "PingSummary", "NtpResult"] {
        assert!(all.contains(item), "{item} in the whole spec");
        assert!(
            !none.contains(item),
            "{item} without the ping and ntp groups"
        );
    }
    for item in [
        "pub mod cpin",
        "pub mod creg",
        "pub mod csq",
        "CregLocation",
    ] {
        assert!(all.contains(item), "{item} in the whole spec");
        assert!(!none.contains(item), "{item} without the modem group");
    }
    // What no group names stays: the TCP/IP commands, the basic ones the stack sends, their
    // URCs.
    for item in [
        "pub mod qiopen",
        "pub mod cmee",
        "pub mod attention",
        "RecvPush",
    ] {
        assert!(none.contains(item), "{item} without the modem group");
    }
    assert!(
        none.len() < all.len() * 9 / 10,
        "the group is a tenth of the code or more"
    );
}

#[test]
fn an_unknown_group_is_refused() {
    let err = build(
        qi_codegen::Builder::new(spec_dir()).groups(["modme"]),
        "unknown",
    )
    .unwrap_err();
    assert!(
        err.contains("no group `modme` in document.yaml (known: modem, ntp, ping)"),
        "{err}"
    );
}

/// A `group:` that names no declared group, and a declared group of a bad name, are reported
/// where they are written, with every other problem.
#[test]
fn undeclared_and_misnamed_groups_are_located() {
    let dir = std::env::temp_dir().join(format!("qi-groups-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    support::copy_dir(&spec_dir(), &dir);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit("basic/cpin.yaml", "group: modem", "group: modme");
    edit("urcs.yaml", "    group: modem", "    group: sim");
    edit("document.yaml", "  - name: modem", "  - name: Modem");
    edit(
        "examples/ping_ntp_error.yaml",
        "    group: ping",
        "    group: pnig",
    );
    let errs: Vec<String> = qi_codegen::load_and_check(&dir)
        .err()
        .expect("invalid")
        .iter()
        .map(|d| d.to_string().replace(&dir.display().to_string(), "spec"))
        .filter(|e| e.contains("group"))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    let line_of = |rel: &str, text: &str| {
        let file = std::fs::read_to_string(spec_dir().join(rel)).unwrap();
        file.lines().position(|l| l.contains(text)).unwrap() + 1
    };
    let cpin = line_of("basic/cpin.yaml", "group: modem");
    let urc = line_of("urcs.yaml", "    group: modem");
    let doc = line_of("document.yaml", "  - name: modem");
    let session = line_of("examples/ping_ntp_error.yaml", "    group: ping");
    assert!(
        errs.contains(&format!(
            "spec/document.yaml:{doc}:11: group `Modem` must be snake_case"
        )),
        "{errs:#?}"
    );
    assert!(
        errs.contains(&format!(
            "spec/basic/cpin.yaml:{cpin}:8: `group: modme` names no entry of document.yaml's `groups:`"
        )),
        "{errs:#?}"
    );
    assert!(
        errs.contains(&format!(
            "spec/examples/ping_ntp_error.yaml:{session}:12: `group: pnig` names no entry of document.yaml's `groups:`"
        )),
        "{errs:#?}"
    );
    assert!(
        errs.contains(&format!(
            "spec/urcs.yaml:{urc}:12: `group: sim` names no entry of document.yaml's `groups:`"
        )),
        "{errs:#?}"
    );
}

/// Every group is optional, so the spec without them is checked with the spec: a session of
/// `examples/` that sends a command of a group is reported, naming that view.
#[test]
fn the_spec_without_its_groups_is_checked_too() {
    let dir = std::env::temp_dir().join(format!("qi-groups-view-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    support::copy_dir(&spec_dir(), &dir);
    let path = dir.join("examples/context.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "      - host: AT+QIDEACT=1\n",
        "      - host: AT+CSQ\n      - module: '+CSQ: 20,99'\n      - module: OK\n      - host: AT+QIDEACT=1\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let errs: Vec<String> = qi_codegen::load_and_check(&dir)
        .err()
        .expect("the view without the modem group fails")
        .iter()
        .map(|d| d.to_string().replace(&dir.display().to_string(), "spec"))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!errs.is_empty());
    for e in &errs {
        assert!(e.starts_with("spec/examples/context.yaml:"), "{e}");
        assert!(
            e.ends_with("(in the view without the groups modem, ping, ntp)"),
            "{e}"
        );
    }
}
