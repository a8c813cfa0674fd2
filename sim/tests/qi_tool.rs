//! The `qi` tool's commands and options that the other tests do not run: `decode` of a file,
//! `probe` against the in-process module, and `qi sim`'s options up to where it would start
//! serving (an address it cannot bind ends it with status 2, after every option was read).

use std::process::{Command, Output};

fn qi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn decode_reads_a_file_and_says_when_it_cannot() {
    let dir = std::env::temp_dir().join(format!("qi-tool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("session.log");
    std::fs::write(&log, b"AT+QIACT?\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\nOK\r\n").unwrap();
    let out = qi(&["decode", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("QIACT"), "{}", text(&out.stdout));
    let json = qi(&["decode", "--json", log.to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(0));
    assert_eq!(text(&json.stdout).lines().count(), 3, "a record per line");

    let missing = dir.join("no-such.log");
    let out = qi(&["decode", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(&format!("qi decode: {}: ", missing.display())),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn probe_of_the_virtual_module_finds_no_difference() {
    let out = qi(&["probe", "--sim", "--profile", "virtual"]);
    let draft = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{draft}{}", text(&out.stderr));
    assert!(draft.contains("virtual"), "{draft}");
    assert!(draft.contains("differences: []"), "{draft}");
}

#[test]
fn sim_reads_every_option_and_an_address_it_cannot_bind_is_status_2() {
    let out = qi(&[
        "sim",
        "--tcp",
        "256.0.0.1:0",
        "--baud",
        "9600",
        "--echo",
        "--guard-ms",
        "5",
        "--rdy",
        "--sim-pin",
        "1234",
        "--registration",
        "roaming",
        "--rssi",
        "10",
        "--ber",
        "2",
        "--iccid",
        "8901",
        "--imei",
        "3566",
        "--restart-ms",
        "5",
        "--response-delay-ms",
        "1",
        "--name",
        "example.com=192.0.2.1",
        "--allow",
        "192.0.2.1",
        "--allow",
        "any",
        "--host-resolver",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("qi sim: 256.0.0.1:0: "),
        "{}",
        text(&out.stderr)
    );
    let out = qi(&["sim", "--tcp", "256.0.0.1:0", "--no-sim", "--real-network"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sim_with_a_control_address_it_cannot_bind_is_status_2() {
    let out = qi(&["sim", "--tcp", "127.0.0.1:0", "--control", "256.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).starts_with("tcp: 127.0.0.1:"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).starts_with("qi sim: --control 256.0.0.1:0: "),
        "{}",
        text(&out.stderr)
    );
    let out = qi(&["sim", "--pty", "--control", "256.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).starts_with("pty: /dev/"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn sim_refuses_bad_option_values() {
    for args in [
        ["sim", "--name", "no-address"],
        ["sim", "--allow", "somewhere"],
        ["sim", "--registration", "maybe"],
    ] {
        let out = qi(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}
