//! The digester's table interpreter (`DigestTables`: `wire::line_fit`, `wire::form_of`) and the
//! typed decoders (`Request::response_fit`, `Urc::fit`, `Request::decode`) agree: on every line
//! of the generated seed corpus (`qi_codegen::fuzzing::corpus`) and on mutations of them.

use proptest::prelude::*;
use quectel_qi::wire::{Fit, SpecTables};
use quectel_qi::{DigestTables, Request, Urc};
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

/// The tables fit a module line, against every form and as a URC, as the typed decoders do.
fn lines_agree(line: &[u8], payload: &[u8]) {
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
