//! Module profiles, on a fixture: the application note states no difference between EG800Q,
//! EG915Q and EG916Q-GL (so the real spec has none, and its profiles generate the same code:
//! see `diff.rs`), so `tests/fixtures/profiles` invents some to show how a maintainer writes
//! them (`modules:` on a command or form, `by_module:` on a parameter type) and what the
//! generated API of each profile looks like.

mod support;

use qi_codegen::diff::{diff, Class, Kind};
use std::path::{Path, PathBuf};

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/profiles")
        .display()
        .to_string()
}

fn load(view: &str) -> qi_codegen::ir::Model {
    let arg = format!("{}{view}", fixture());
    qi_codegen::load_arg(&arg).unwrap_or_else(|d| panic!("{arg}: {d:?}"))
}

fn expand(view: &str) -> String {
    qi_codegen::expand(&load(view))
}

/// The `RANGES` constant of a generated newtype.
fn ranges_of(code: &str, ty: &str) -> String {
    let start = code
        .find(&format!("pub struct {ty}("))
        .unwrap_or_else(|| panic!("no {ty}"));
    let rest = &code[start..];
    let at = rest.find("pub const RANGES").expect("RANGES");
    rest[at..].lines().next().unwrap().to_owned()
}

#[test]
fn every_view_checks() {
    for view in [
        "",
        "@1.0",
        "+eg800q",
        "+eg915q",
        "+eg916q_gl",
        "@1.0+eg916q_gl",
    ] {
        load(view);
    }
}

#[test]
fn a_range_differs_for_one_module() {
    let general = expand("");
    let eg800q = expand("+eg800q");
    assert!(ranges_of(&general, "ConnectId").ends_with("&[(0, 11)];"));
    assert!(ranges_of(&eg800q, "ConnectId").ends_with("&[(0, 5)];"));
    assert_eq!(
        expand("+eg915q"),
        general,
        "EG915Q is the general case here"
    );
}

#[test]
fn a_command_is_missing_on_one_module() {
    assert!(expand("").contains("pub mod qxping {"));
    assert!(!expand("+eg800q").contains("pub mod qxping {"));
    // Its parameter type goes with it: nothing else uses `count`.
    assert!(!expand("+eg800q").contains("pub struct Count("));
    assert!(expand("+eg916q_gl").contains("pub mod qxping {"));
}

#[test]
fn an_enum_value_and_a_string_bound_differ_for_another() {
    let code = expand("+eg916q_gl");
    assert!(expand("").contains("Udp,"));
    assert!(!code.contains("Udp,"), "EG916Q-GL has no UDP here");
    let general = load("");
    let eg916 = load("+eg916q_gl");
    assert_eq!(general.param("host").max_len, Some(64));
    assert_eq!(eg916.param("host").max_len, Some(32));
}

/// `diff` between two profiles tells a maintainer what code written for one module would
/// meet on another.
#[test]
fn diff_between_profiles_lists_the_differences() {
    let report = diff(&load("+eg915q"), &load("+eg800q"));
    let got: Vec<(Class, Kind, &str)> = report
        .changes
        .iter()
        .map(|c| (c.class, c.kind, c.rust.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Class::Breaking, Kind::Changed, "ConnectId"),
            (Class::Breaking, Kind::Removed, "Count"),
            (Class::Breaking, Kind::Removed, "qxping"),
        ],
        "{}",
        report.to_text()
    );
}

/// The builder of a build script selects a profile the same way.
#[test]
fn the_builder_generates_a_profile() {
    let out: PathBuf = std::env::temp_dir().join(format!("qi-profile-{}.rs", std::process::id()));
    qi_codegen::Builder::new(fixture())
        .profile("eg800q")
        .rerun_if_changed(false)
        .out_file(&out)
        .generate()
        .unwrap();
    let code = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert_eq!(code, expand("+eg800q"));

    let err = qi_codegen::Builder::new(fixture())
        .profile("eg999")
        .rerun_if_changed(false)
        .out_file(&out)
        .generate()
        .unwrap_err()
        .to_string();
    assert!(err.contains("no module with `profile: eg999`"), "{err}");
}

/// Markers that name no module or revision are reported where they are written.
#[test]
fn unknown_profiles_and_revisions_are_reported() {
    let dir = std::env::temp_dir().join(format!("qi-profile-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    support::copy_dir(Path::new(&fixture()), &dir);
    let cmd = dir.join("commands/qxping.yaml");
    let text = std::fs::read_to_string(&cmd)
        .unwrap()
        .replace("modules: [eg915q, eg916q_gl]", "modules: [eg915q, eg917]")
        .replace("since: \"1.1\"", "since: \"1.5\"");
    std::fs::write(&cmd, text).unwrap();
    let errs: Vec<String> = qi_codegen::load_and_check(&dir)
        .err()
        .expect("invalid")
        .iter()
        .map(|d| d.to_string().replace(&dir.display().to_string(), "spec"))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        errs,
        [
            "spec/commands/qxping.yaml:5:8: `since: 1.5` names no revision of document.yaml",
            "spec/commands/qxping.yaml:6:19: `eg917` is no module profile of document.yaml",
        ]
    );
}

/// The builder takes a revision too, and refuses two profiles at once (two cargo features).
#[test]
fn the_builder_generates_a_revision_and_refuses_two_profiles() {
    let out = std::env::temp_dir().join(format!("qi-revision-{}.rs", std::process::id()));
    let build = |b: qi_codegen::Builder| {
        b.rerun_if_changed(false)
            .out_file(&out)
            .generate()
            .map(|_| std::fs::read_to_string(&out).unwrap())
            .map_err(|e| e.to_string())
    };
    let code = build(qi_codegen::Builder::new(fixture()).revision("1.0")).unwrap();
    assert_eq!(code, expand("@1.0"));
    assert!(!code.contains("pub mod qxping {"), "QXPING came with 1.1");
    let err = build(qi_codegen::Builder::new(fixture()).profile("eg800q+eg915q")).unwrap_err();
    assert!(
        err.contains("several profiles selected (eg800q, eg915q)"),
        "{err}"
    );
    let _ = std::fs::remove_file(&out);
}

/// A view is checked as a spec of its own: the minimal fixture's example uses a form that 1.1
/// added, so its 1.0 view is invalid, and the message says which view.
#[test]
fn a_view_reports_its_own_problems() {
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let errs = qi_codegen::load_arg(&format!("{}@1.0", minimal.display()))
        .err()
        .expect("the 1.0 view uses a 1.1 form");
    assert_eq!(errs.len(), 1, "{errs:?}");
    let msg = &errs[0].message;
    assert!(
        msg.starts_with("no form of QTEST matches `AT+QTEST=\"mode\"`"),
        "{msg}"
    );
    assert!(msg.ends_with("(in the view of revision 1.0)"), "{msg}");
}
