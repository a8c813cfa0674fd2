//! The digester's table interpreter (`DigestTables`: `wire::line_fit`, `wire::form_of`) and the
//! typed decoders (`Request::response_fit`, `Urc::fit`, `Request::decode`) agree: on every line
//! of the generated seed corpus (`qi_codegen::fuzzing::corpus`) and on mutations of them.

use proptest::prelude::*;
use quectel_qi::wire::{Fit, SpecTables};
use quectel_qi::{limits, DigestTables, Request, Urc};
use std::path::Path;
use std::sync::OnceLock;

/// The seed corpus' command lines (by form) and module lines (line and payload).
struct Seeds {
    commands: Vec<Vec<u8>>,
    lines: Vec<(Vec<u8>, Vec<u8>)>,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let model = qi_codegen::load_and_check(&dir).expect("the spec checks");
        let mut commands = Vec::new();
        let mut lines = Vec::new();
        for seed in qi_codegen::fuzzing::corpus(&model) {
            // Both targets' inputs start with a little-endian u16 selector.
            let body = seed.bytes.get(2..).unwrap_or_default().to_vec();
            match seed.target {
                "commands" => commands.push(body),
                "lines" => {
                    let (line, payload) = match body.windows(2).position(|w| w == b"\r\n") {
                        Some(i) => (body[..i].to_vec(), body[i + 2..].to_vec()),
                        None => (body, Vec::new()),
                    };
                    lines.push((line, payload));
                }
                _ => {}
            }
        }
        Seeds { commands, lines }
    })
}

fn forms() -> u16 {
    u16::try_from(DigestTables::FORMS.len()).expect("fewer than 65536 forms")
}

/// The tables read a data line's header before its payload is there as the typed decoders
/// read it with a payload of any length (the zeros `DigestTables::any_payload` held before
/// the tables did this): the payload length of a response line and of a URC, and the fields
/// `QiTables` judges a push or read by.
fn headers_agree(line: &[u8]) {
    use quectel_qi::response::qird::ReadFromLine;
    use quectel_qi::urc::{RecvPush, RecvPushUdpService, RecvWithLength};
    use quectel_qi::wire::header;
    let any = vec![0u8; limits::MAX_DATA_LEN];
    let text = String::from_utf8_lossy(line);
    assert_eq!(
        DigestTables::response_data_len(line),
        limits::response_data_len(line, &any).ok().flatten(),
        "response payload length of {text:?}"
    );
    let typed_urc = RecvPush::decode_strict(line, &any)
        .map(|u| u.data.len())
        .or_else(|_| RecvPushUdpService::decode_strict(line, &any).map(|u| u.data.len()))
        .ok()
        .filter(|&n| n > 0);
    assert_eq!(
        DigestTables::urc_data_len(line),
        typed_urc,
        "URC payload length of {text:?}"
    );
    let shape = |i: u16| &DigestTables::LINES[usize::from(i)];
    let udp = header(&DigestTables::LISTS, shape(RecvPushUdpService::SHAPE), line);
    let typed = RecvPushUdpService::decode_strict(line, &any).ok();
    assert_eq!(
        udp.map(|h| (h.int(RecvPushUdpService::AT_CONNECT_ID), h.data)),
        typed.map(|u| (i64::from(u.connect_id.get()), Some(u.data.len()))),
        "UDP service push header of {text:?}"
    );
    let recv = header(&DigestTables::LISTS, shape(RecvWithLength::SHAPE), line);
    let typed = RecvWithLength::decode_strict(line, b"").ok();
    assert_eq!(
        recv.map(|h| (
            h.int(RecvWithLength::AT_CONNECT_ID),
            h.int(RecvWithLength::AT_RECV_LENGTH)
        )),
        typed.map(|u| (
            i64::from(u.connect_id.get()),
            i64::from(u.recv_length.get())
        )),
        "recv notice header of {text:?}"
    );
    let read = header(&DigestTables::LISTS, shape(ReadFromLine::SHAPE), line);
    let typed = ReadFromLine::decode_strict(line, &any).ok();
    assert_eq!(
        read.map(|h| h.present > usize::from(ReadFromLine::AT_REMOTE_IP)),
        typed.map(|l| l.remote_ip.is_some()),
        "read-from header of {text:?}"
    );
}

/// The tables fit a module line, against every form and as a URC, as the typed decoders do.
fn lines_agree(line: &[u8], payload: &[u8]) {
    headers_agree(line);
    assert_eq!(
        DigestTables::urc_fit(line, payload),
        Urc::fit(line, payload),
        "URC fit of {:?}",
        String::from_utf8_lossy(line)
    );
    for form in 0..=forms() {
        assert_eq!(
            DigestTables::response_fit(form, line, payload),
            Request::response_fit(form, line, payload),
            "response fit of {:?} for form {form}",
            String::from_utf8_lossy(line)
        );
    }
}

/// The tables recognise a command line as `Request::decode` does, except where a line has a
/// form's shape but breaks one of its rules between parameters (the tables do not check
/// those: the form is still the one the line names).
fn commands_agree(command: &[u8]) {
    let typed = Request::decode(command).ok().map(|r| r.form_index());
    let tables = DigestTables::form_of(command);
    if tables == typed {
        return;
    }
    let text = String::from_utf8_lossy(command);
    assert!(
        Request::rule_broken(command).is_some(),
        "{text:?}: tables say {tables:?}, Request::decode {typed:?}, and no rule is broken"
    );
    if let (Some(t), Some(d)) = (tables, typed) {
        assert!(t < d, "{text:?}: tables {t} after decode {d}");
    } else {
        assert!(typed.is_none(), "{text:?}: tables miss form {typed:?}");
    }
}

#[test]
fn every_seed_line_fits_alike() {
    let s = seeds();
    assert!(s.lines.len() > 50, "the corpus has the spec's lines");
    for (line, payload) in &s.lines {
        lines_agree(line, payload);
        // Before the payload is there, as the digester first asks.
        lines_agree(line, b"");
    }
}

#[test]
fn every_seed_command_is_its_form() {
    let s = seeds();
    assert!(s.commands.len() > 50, "the corpus has the spec's forms");
    for command in &s.commands {
        let typed = Request::decode(command).map(|r| r.form_index());
        assert_eq!(
            DigestTables::form_of(command),
            typed.ok(),
            "{:?}",
            String::from_utf8_lossy(command)
        );
    }
}

/// A change to a line: overwrite, insert or delete a byte, or cut the line there.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Cut(usize),
}

/// Bytes that matter to the field syntax, and a few that do not.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b','),
        Just(b'"'),
        Just(b' '),
        Just(b'('),
        Just(b')'),
        Just(b'-'),
        Just(b'\r'),
        b'0'..=b'9',
        b'a'..=b'z',
        any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Cut),
    ]
}

fn apply(mut v: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = v.len();
        match *e {
            Edit::Set(i, b) if n > 0 => v[i % n] = b,
            Edit::Insert(i, b) => v.insert(i % (n + 1), b),
            Edit::Delete(i) if n > 0 => {
                v.remove(i % n);
            }
            Edit::Cut(i) => v.truncate(i % (n + 1)),
            _ => {}
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_lines_fit_alike(
        pick in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
        payload_cut in any::<usize>(),
    ) {
        let s = seeds();
        let (line, payload) = &s.lines[pick % s.lines.len()];
        let line = apply(line.clone(), &edits);
        let payload = &payload[..payload_cut % (payload.len() + 1)];
        lines_agree(&line, payload);
    }

    #[test]
    fn mutated_commands_are_their_form_alike(
        pick in any::<usize>(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let s = seeds();
        let command = apply(s.commands[pick % s.commands.len()].clone(), &edits);
        commands_agree(&command);
    }
}

#[test]
fn the_tables_give_no_fit_for_an_unknown_form() {
    let (line, payload) = &seeds().lines[0];
    assert_eq!(DigestTables::response_fit(u16::MAX, line, payload), Fit::No);
    assert_eq!(Request::response_fit(u16::MAX, line, payload), Fit::No);
}

/// The data lines themselves, each way they come (the seed corpus has few of them), and
/// near misses: the tables read their headers as the typed decoders do.
#[test]
fn data_headers_read_alike() {
    let lines: &[&[u8]] = &[
        b"+QIRD: 5",
        b"+QIRD: 0",
        b"+QIRD: 1500",
        b"+QIRD: 1501",
        b"+QIRD: 5,\"10.0.0.1\",9000",
        b"+QIRD: 5,\"10.0.0.1\"",
        b"+QIRD: 5,,",
        b"+QIRD: x",
        b"+QIURC: \"recv\",1",
        b"+QIURC: \"recv\",1,5",
        b"+QIURC: \"recv\",1,0",
        b"+QIURC: \"recv\",11,1500",
        b"+QIURC: \"recv\",12,5",
        b"+QIURC: \"recv\",1,1501",
        b"+QIURC: \"recv\",1,5,\"10.0.0.1\",9000",
        b"+QIURC: \"recv\",1,5,\"10.0.0.1\",9000,7",
        b"+QIURC: \"closed\",1",
    ];
    for line in lines {
        headers_agree(line);
    }
    assert_eq!(
        DigestTables::response_data_len(b"+QIRD: 5,\"10.0.0.1\",9000"),
        Some(5)
    );
    assert_eq!(DigestTables::urc_data_len(b"+QIURC: \"recv\",1,5"), Some(5));
    assert_eq!(DigestTables::urc_data_len(b"+QIURC: \"recv\",1,0"), None);
}
