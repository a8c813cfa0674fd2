//! The test form (`=?`) of every command of the spec: lines the generated decoders read back,
//! then OK.

mod module_support;

use module_support::Host;
use qi_sim::Config;
use quectel_qi::Request;
use std::path::Path;

#[test]
fn every_test_form_answers_decodable_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let mut h = Host::start(Config::for_tests());
    let mut lines_seen = 0;
    // The basic family gives no test forms.
    let with_test_form = model.spec.commands.iter().filter(|c| {
        c.value
            .forms
            .iter()
            .any(|f| f.kind == qi_codegen::spec::FormKind::Test)
    });
    for c in with_test_form {
        let cmd = format!("{}=?", c.value.at_name());
        let req = Request::decode(cmd.as_bytes()).expect("a test form");
        let got = h.cmd(&cmd);
        assert_eq!(got.last().map(String::as_str), Some("OK"), "{cmd}: {got:?}");
        for l in &got[..got.len() - 1] {
            req.decode_response(l.as_bytes(), b"")
                .unwrap_or_else(|e| panic!("{cmd}: `{l}` does not decode: {e}"));
            lines_seen += 1;
        }
    }
    // 16 commands with one line, AT+QICFG with 21.
    assert!(lines_seen >= 36, "{lines_seen}");
    h.finish();
}

#[test]
fn test_forms_show_the_spec_ranges() {
    let mut h = Host::start(Config::for_tests());
    assert_eq!(
        h.cmd("AT+QIOPEN=?"),
        [
            "+QIOPEN: (1-15),(0-11),\"TCP/UDP/TCP LISTENER/UDP SERVICE\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)",
            "OK"
        ]
    );
    assert_eq!(h.cmd("AT+QISEND=?"), ["+QISEND: (0-11),(0-1460)", "OK"]);
    let cfg = h.cmd("AT+QICFG=?");
    assert_eq!(cfg.len(), 22);
    assert_eq!(cfg[0], "+QICFG: \"transpktsize\",(1-1460)");
    // Two codes are a list, whose comma the generated decoder keeps inside the field.
    assert_eq!(cfg[4], "+QICFG: \"passiveclosed\",(0,1)");
    assert_eq!(cfg[5], "+QICFG: \"dataformat\",(0,1),(0,1)");
    assert!(
        cfg.contains(
            &"+QICFG: \"send/auto\",(1-11),(0,20-86400),\"<msg_auto>\",(0-2),(0-10)".to_owned()
        ),
        "{cfg:?}"
    );
    h.finish();
}
