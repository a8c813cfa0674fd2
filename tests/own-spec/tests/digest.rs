//! The length-aware digester, built from this crate's generated `DigestTables` with no glue:
//! a session of this spec's commands, responses, URCs and payloads comes out the same however
//! the input is chunked.

use digest_harness::{alike_in_any_chunking, Out};
use own_spec_example::{DigestTables, Urc};
use quectel_qi::digest::{DigestState, SpecDigester};

/// The bytes through a fresh digester of this spec's tables, as atat's ingress feeds them.
fn run(chunks: &[&[u8]]) -> Vec<Out> {
    let state = DigestState::new();
    digest_harness::run(SpecDigester::<DigestTables>::new(&state), chunks)
}

/// Bytes that would end or start frames if the digester did not count them.
const HOSTILE: &[u8] = b"a\"\r\nOK\r\n,\"+QXHB: 1,2\r\n>";

/// The session and what atat must receive from it.
fn session() -> (Vec<u8>, Vec<Out>) {
    let mut wire = Vec::new();
    let mut want = Vec::new();
    let n = HOSTILE.len();
    // A response line that shares a URC's prefix (`+QXHB`), with more fields: the response.
    wire.extend_from_slice(b"AT+QXHB?\r\r\n+QXHB: 3,1,120\r\n\r\nOK\r\n");
    want.push(Out::Ok(b"+QXHB: 3,1,120".to_vec()));
    // URCs while nothing is in flight, one framed by its length field inside its quotes.
    let msg = [format!("+QXMSG: 2,{n},\"").as_bytes(), HOSTILE, b"\""].concat();
    wire.extend_from_slice(&[b"\r\n+QXHB: 3,2\r\n\r\n", &msg[..], b"\r\n"].concat());
    want.push(Out::Urc(b"+QXHB: 3,2".to_vec()));
    want.push(Out::Urc(msg.clone()));
    // Raw bytes inside the line, read by the length field before them.
    let peek = [format!("+QXPEEK: 2,{n},").as_bytes(), HOSTILE].concat();
    wire.extend_from_slice(&[b"\r\n", &peek[..], b"\r\n"].concat());
    want.push(Out::Urc(peek));
    wire.extend_from_slice(b"\r\n+QXHBSTOP: 3,,4\r\n\r\n+QXSUB: 0,7,0,1,128\r\n");
    want.push(Out::Urc(b"+QXHBSTOP: 3,,4".to_vec()));
    want.push(Out::Urc(b"+QXSUB: 0,7,0,1,128".to_vec()));
    // A raw payload after its line, counted by the line's field.
    let read = [format!("+QXRD: {n}\r\n").as_bytes(), HOSTILE].concat();
    wire.extend_from_slice(&[b"AT+QXRD=2,100\r\r\n", &read[..], b"\r\n\r\nOK\r\n"].concat());
    want.push(Out::Ok(read));
    // A response line with a length-framed quoted field.
    let note = [format!("+QXNOTE: 2,{n},\"").as_bytes(), HOSTILE, b"\""].concat();
    wire.extend_from_slice(&[b"AT+QXNOTE=2\r\r\n", &note[..], b"\r\n\r\nOK\r\n"].concat());
    want.push(Out::Ok(note));
    // A numbered error as the final result, and a URC after a command's OK.
    wire.extend_from_slice(b"AT+QXHB=4,1\r\r\n+CME ERROR: 4\r\n");
    want.push(Out::Err(
        "Custom([43, 67, 77, 69, 32, 69, 82, 82, 79, 82, 58, 32, 52])".into(),
    ));
    wire.extend_from_slice(
        b"AT+QPING=1,\"example.com\",4,20\r\r\nOK\r\n\r\n+QPING: 0,\"192.0.2.7\",32\r\n",
    );
    want.push(Out::Ok(Vec::new()));
    want.push(Out::Urc(b"+QPING: 0,\"192.0.2.7\",32".to_vec()));
    // This spec has no prompt: a line starting with `>` is a response line, not a prompt.
    (wire, want)
}

#[test]
fn a_session_digests_whole() {
    let (wire, want) = session();
    assert_eq!(run(&[&wire]), want);
}

#[test]
fn a_session_digests_alike_in_any_chunking() {
    let (wire, want) = session();
    // Split at every byte, and in 300 pseudo-random chunkings.
    assert_eq!(alike_in_any_chunking(&wire, 1..=300, run), want);
}

#[test]
fn framed_urcs_decode_from_their_frames() {
    let (wire, want) = session();
    let _ = wire;
    let frames: Vec<_> = want
        .iter()
        .filter_map(|o| match o {
            Out::Urc(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    let msg = frames.iter().find(|f| f.starts_with(b"+QXMSG")).unwrap();
    match Urc::from_frame(msg) {
        Some(Urc::Message(m)) => assert_eq!(&m.msg[..], HOSTILE),
        other => panic!("{other:?}"),
    }
    let peek = frames.iter().find(|f| f.starts_with(b"+QXPEEK")).unwrap();
    let Some(Urc::Peeked(p)) = Urc::from_frame(peek) else {
        panic!("{:?}", String::from_utf8_lossy(peek));
    };
    assert_eq!(&p.peeked_bytes[..], HOSTILE);
    // And back, byte for byte.
    let mut buf = [0u8; 256];
    let mut w = own_spec_example::wire::Writer::new(&mut buf);
    p.encode(&mut w).unwrap();
    let n = w.len();
    assert_eq!(&buf[..n], &peek[..]);
    for f in &frames {
        assert!(
            Urc::from_frame(f).is_some(),
            "{:?}",
            String::from_utf8_lossy(f)
        );
    }
}

#[test]
fn a_raw_framed_field_too_short_is_an_error_not_a_shorter_value() {
    use own_spec_example::urc;
    assert!(urc::Peeked::decode(b"+QXPEEK: 2,5,abc", b"").is_err());
    assert!(urc::Peeked::decode(b"+QXPEEK: 2,2,abc", b"").is_err());
    let p = urc::Peeked::decode(b"+QXPEEK: 2,3,a,\"", b"").unwrap();
    assert_eq!(&p.peeked_bytes[..], b"a,\"");
}

#[test]
fn without_a_prompt_in_the_spec_a_gt_line_is_no_prompt() {
    let out = run(&[b"AT+QXADDR=1\r\r\n> x\r\n\r\nERROR\r\n"]);
    assert_eq!(out, vec![Out::Err("Error".into())]);
}

#[test]
fn framed_and_data_responses_parse_as_atat_hands_them_over() {
    use atat::AtatCmd;
    use own_spec_example::{qxnote, qxrd, ConnectId, ReadLen};
    let (_, want) = session();
    let oks: Vec<_> = want
        .iter()
        .filter_map(|o| match o {
            Out::Ok(b) => Some(b.clone()),
            _ => None,
        })
        .collect();
    let id = ConnectId::new(2).unwrap();
    let read = qxrd::Read {
        connect_id: id,
        max_len: ReadLen::new(100).unwrap(),
    };
    let data = oks.iter().find(|b| b.starts_with(b"+QXRD")).unwrap();
    let line = read.parse(Ok(data)).unwrap();
    assert_eq!(usize::from(line.read_len.get()), HOSTILE.len());
    let note = oks.iter().find(|b| b.starts_with(b"+QXNOTE")).unwrap();
    let line = qxnote::Read { connect_id: id }.parse(Ok(note)).unwrap();
    assert_eq!(&line.msg[..], HOSTILE);
}
