//! The digester's cost is linear in the bytes fed, however they are chunked: counted with
//! [`QiDigester::bytes_examined`] (bytes searched for a line end or read as a line), not timed.
//! An input four times as long costs at most about four times as much, fed whole, in small
//! chunks or one byte at a time; a digester that rescanned its buffer on every chunk would
//! cost sixteen times as much one byte at a time.

use atat::digest::{DigestResult, Digester};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::{AccessMode, ConnectId};

/// Feeds `input` in chunks of `chunk` bytes into a buffer that loses what was consumed, as
/// atat's ingress does, digesting after each; returns the frames handed over and the bytes
/// examined.
fn digest_in_chunks(state: &DigestState, input: &[u8], chunk: usize) -> (usize, usize) {
    digest_in_chunks_calling(state, input, chunk, &|| {})
}

/// [`digest_in_chunks`], calling `before` before each chunk.
fn digest_in_chunks_calling(
    state: &DigestState,
    input: &[u8],
    chunk: usize,
    before: &dyn Fn(),
) -> (usize, usize) {
    let mut d = QiDigester::new(state).with_max_response(1 << 20);
    let mut buf = Vec::new();
    let mut frames = 0;
    for piece in input.chunks(chunk) {
        before();
        buf.extend_from_slice(piece);
        // Every round but the last consumes a byte or more.
        for _ in 0..=buf.len() {
            let (r, used) = d.digest(&buf);
            if !matches!(r, DigestResult::None) {
                frames += 1;
            }
            buf.drain(..used);
            if used == 0 || buf.is_empty() {
                break;
            }
        }
    }
    assert!(
        buf.iter().all(|b| b" \r\n".contains(b)),
        "left undigested: {:?}",
        String::from_utf8_lossy(&buf)
    );
    (frames, d.bytes_examined())
}

/// The inputs, each of size about proportional to `n`.
fn inputs(n: usize) -> Vec<(&'static str, Vec<u8>)> {
    let payload: Vec<u8> = (0..n).map(|i| b"ab\r\ncd+QIURC: \"\r\n"[i % 17]).collect();
    let mut qird = format!("\r\n+QIRD: {n}\r\n").into_bytes();
    qird.extend_from_slice(&payload);
    qird.extend_from_slice(b"\r\n\r\nOK\r\n");
    let mut push = format!("\r\n+QIURC: \"recv\",0,{n}\r\n").into_bytes();
    push.extend_from_slice(&payload);
    let mut long_line = b"\r\n+QIGETERROR: 0,".to_vec();
    long_line.extend(std::iter::repeat_n(b'x', n));
    long_line.extend_from_slice(b"\r\n\r\nOK\r\n");
    let lines = n / 32;
    let mut list = b"\r\n".to_vec();
    for i in 0..lines {
        list.extend_from_slice(
            format!(
                "+QISTATE: {},\"TCP\",\"10.0.0.1\",80,0,2,1,1,0,\"usbmodem\"\r\n",
                i % 12
            )
            .as_bytes(),
        );
    }
    list.extend_from_slice(b"\r\nOK\r\n");
    let mut many = Vec::new();
    for i in 0..lines {
        many.extend_from_slice(if i % 2 == 0 {
            b"\r\nOK\r\n".as_slice()
        } else {
            b"\r\n+QIURC: \"closed\",3\r\n".as_slice()
        });
    }
    vec![
        ("a +QIRD response with its payload", qird),
        ("a recv URC pushing its payload", push),
        ("one long line", long_line),
        ("a response of many lines", list),
        ("many short frames", many),
    ]
}

#[test]
fn cost_is_linear_in_the_bytes_fed_whatever_the_chunking() {
    let state = DigestState::new();
    state.set_access_mode(ConnectId::new_const(0), AccessMode::DirectPush);
    let small = inputs(350);
    let large = inputs(1400);
    for ((name, s), (_, l)) in small.iter().zip(&large) {
        for chunk in [1, 3, 64, usize::MAX] {
            let (fs, ws) = digest_in_chunks(&state, s, chunk);
            let (fl, wl) = digest_in_chunks(&state, l, chunk);
            assert!(fs > 0 && fl >= fs, "{name}: {fs} and {fl} frames");
            // Per byte fed: a line end is searched for once; a line is read again on each
            // call while its payload is incomplete (fed a byte at a time, the header is reread
            // per byte: a constant, the header's length). Rescanning the buffer on every call
            // would make the work grow with the square of the length: 16 times, not 4.
            let per_byte_small = ws as f64 / s.len() as f64;
            let per_byte_large = wl as f64 / l.len() as f64;
            assert!(
                per_byte_large <= per_byte_small * 1.3 + 0.5,
                "{name}, chunks of {chunk}: {ws} bytes examined for {} fed, {wl} for {}",
                s.len(),
                l.len()
            );
            assert!(
                per_byte_large <= 64.0,
                "{name}, chunks of {chunk}: {wl} bytes examined for {} fed",
                l.len()
            );
        }
    }
}

#[test]
fn fed_whole_each_byte_is_examined_about_once() {
    let state = DigestState::new();
    state.set_access_mode(ConnectId::new_const(0), AccessMode::DirectPush);
    for (name, input) in inputs(1400) {
        let (_, work) = digest_in_chunks(&state, &input, usize::MAX);
        assert!(
            work <= 3 * input.len(),
            "{name}: {work} bytes examined for {} fed",
            input.len()
        );
    }
}

#[test]
fn announcing_the_form_in_flight_again_costs_no_rescan() {
    // Found by the `digester` fuzz target, whose inputs announced a command before each chunk:
    // every announcement made the digester read the response's lines again from its start
    // (work growing with lines times chunks). The same form again reads them as before.
    let state = DigestState::new();
    let form = quectel_qi::Request::decode(b"AT+QISTATE?")
        .expect("a form")
        .form_index();
    let (_, list) = inputs(1400)
        .into_iter()
        .find(|(name, _)| name.starts_with("a response of many"))
        .expect("the list");
    state.command_sent(form);
    let (frames_once, once) = digest_in_chunks(&state, &list, 9);
    state.command_sent(form);
    let (frames_each, each) =
        digest_in_chunks_calling(&state, &list, 9, &|| state.command_sent(form));
    assert_eq!(frames_once, frames_each);
    assert!(
        each <= once + once / 10,
        "{each} bytes examined announcing before each chunk, {once} announcing once"
    );
}

#[test]
fn state_changes_inside_a_response_cost_no_rescan() {
    // Found by the `digester` fuzz target, whose inputs converged on toggling `recvind` and
    // the access modes every few bytes: each change made the digester read the response in
    // progress again from its start (work of changes times the response's length). A line
    // is read once, in the state in force when it is first whole.
    let id = ConnectId::new_const(3);
    let state = DigestState::new();
    let quiet = DigestState::new();
    for s in [&state, &quiet] {
        // Socket 0 pushes (as in the other tests), so `recvind` does not change its lines.
        s.set_access_mode(ConnectId::new_const(0), AccessMode::DirectPush);
    }
    let toggled = std::cell::Cell::new(false);
    let toggle = || {
        toggled.set(!toggled.get());
        state_of_toggle(&state, id, toggled.get());
    };
    for (name, input) in inputs(1400) {
        for chunk in [1, 3, 9] {
            let (frames_quiet, quiet_work) = digest_in_chunks(&quiet, &input, chunk);
            let (frames, work) = digest_in_chunks_calling(&state, &input, chunk, &toggle);
            assert_eq!(frames, frames_quiet, "{name}, chunks of {chunk}");
            // The same work as without the changes (itself linear in the bytes fed, see
            // `cost_is_linear_in_the_bytes_fed_whatever_the_chunking`); a rescan on every
            // change costs hundreds of times the bytes fed here.
            assert!(
                work <= quiet_work + quiet_work / 10 && work <= 64 * input.len(),
                "{name}, chunks of {chunk}, a change before each: {work} bytes examined for {} \
                 fed, {quiet_work} without the changes",
                input.len()
            );
        }
    }
}

/// One of two states that read no line of [`inputs`] differently: `recvind` and the access
/// mode of a socket the inputs do not name (socket 0 being in direct push mode).
fn state_of_toggle(state: &DigestState, id: ConnectId, on: bool) {
    state.set_recvind(if on {
        quectel_qi::Recvind::Enable
    } else {
        quectel_qi::Recvind::Disable
    });
    state.set_access_mode(
        id,
        if on {
            AccessMode::BufferAccess
        } else {
            AccessMode::DirectPush
        },
    );
}
