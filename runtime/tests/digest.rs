//! The length-aware digester: every frame kind, hostile payloads, URCs inside a command's
//! exchange, echo, garbage, and input split at every byte boundary.

mod digest_harness;

use atat::digest::{DigestResult, Digester};
use atat::{AtatCmd, InternalError};
use digest_harness::{err, feed, one_and_split, run, Out};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::{qird, qistate, sizes, AccessMode, ConnectId, QueuedUrc, Recvind, Urc};

fn ok(b: &[u8]) -> Out {
    Out::Ok(b.to_vec())
}

fn urc(b: &[u8]) -> Out {
    Out::Urc(b.to_vec())
}

fn none(_: &DigestState) {}

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

/// Payloads that would end or start a frame if read as text.
const HOSTILE: &[&[u8]] = &[
    b"\r\nOK\r\n",
    b"\r\n",
    b"\r",
    b"\n",
    b"\0\0\0",
    b">",
    b"> ",
    b"OK",
    b"ERROR\r\n",
    b"\r\nSEND OK\r\n",
    b"+QIURC: \"recv\",0,4\r\nabcd",
    b"\r\n+QIURC: \"closed\",0\r\n",
    b"AT+QIRD=0\r\r\n",
    b"\r\n+CME ERROR: 550\r\n",
    b"\xff\xfe\x00\x01",
];

#[test]
fn final_results() {
    let cases: Vec<(&[u8], Out)> = vec![
        (b"\r\nOK\r\n", ok(b"")),
        (b"\r\nSEND OK\r\n", ok(b"")),
        (b"\r\nERROR\r\n", err(InternalError::Error)),
        (
            b"\r\nSEND FAIL\r\n",
            err(InternalError::Custom(b"SEND FAIL")),
        ),
        (
            b"\r\n+CME ERROR: 552\r\n",
            err(InternalError::Custom(b"+CME ERROR: 552")),
        ),
        (
            b"\r\nNO CARRIER\r\n",
            err(InternalError::ConnectionError(
                atat::ConnectionError::NoCarrier,
            )),
        ),
    ];
    for (input, want) in cases {
        assert_eq!(one_and_split(input, none), vec![want], "{input:?}");
    }
}

#[test]
fn connect_turns_transparent_mode_on_and_drops_raw_data() {
    let state = DigestState::new();
    let out = run(&state, &[b"\r\nCONNECT\r\nraw \r\nOK\r\n data"]);
    assert_eq!(out, vec![ok(b"")]);
    assert!(state.is_transparent());
    assert_eq!(state.dropped_bytes(), 15);
    state.set_transparent(false);
    assert_eq!(run(&state, &[b"\r\nOK\r\n"]), vec![ok(b"")]);
}

#[test]
fn prompt_with_and_without_its_space() {
    assert_eq!(one_and_split(b"\r\n> ", none), vec![Out::Prompt]);
    assert_eq!(
        one_and_split(b"AT+QISEND=0,5\r\r\n> \r\nSEND OK\r\n", none),
        vec![Out::Prompt, ok(b"")]
    );
    assert_eq!(one_and_split(b">", none), vec![Out::Prompt]);
    // A prompt right after the echo's CR.
    assert_eq!(
        one_and_split(b"AT+QISEND=0,5\r> \r\nSEND OK\r\n", none),
        vec![Out::Prompt, ok(b"")]
    );
}

#[test]
fn payload_echo_is_dropped_by_length() {
    for payload in HOSTILE {
        let state = DigestState::new();
        let mut d = QiDigester::new(&state);
        let (out, _) = feed(&mut d, &[b"AT+QISEND=0,5\r\r\n> "]);
        assert_eq!(out, vec![Out::Prompt]);
        state.expect_payload_echo(payload.len());
        let mut rest = payload.to_vec();
        rest.extend_from_slice(b"\r\nSEND OK\r\n");
        for i in 0..=rest.len() {
            let state2 = DigestState::new();
            state2.expect_payload_echo(payload.len());
            let mut d2 = QiDigester::new(&state2);
            let (out, left) = feed(&mut d2, &[&rest[..i], &rest[i..]]);
            assert_eq!(out, vec![ok(b"")], "echo {payload:?} split at {i}");
            assert!(left.is_empty());
        }
        let (out, _) = feed(&mut d, &[&rest]);
        assert_eq!(out, vec![ok(b"")]);
    }
}

#[test]
fn qird_takes_exactly_its_payload() {
    let read = qird::Read {
        connect_id: id(0),
        read_length: None,
    };
    for payload in HOSTILE {
        let mut input = format!("AT+QIRD=0\r\r\n+QIRD: {}\r\n", payload.len()).into_bytes();
        input.extend_from_slice(payload);
        input.extend_from_slice(b"\r\n\r\nOK\r\n");
        let out = one_and_split(&input, none);
        let mut want = format!("+QIRD: {}\r\n", payload.len()).into_bytes();
        want.extend_from_slice(payload);
        assert_eq!(out, vec![Out::Ok(want.clone())], "{payload:?}");
        // What atat's parse returns keeps the length and leaves the payload in the response.
        let parsed = read.parse(Ok(&want)).unwrap();
        assert_eq!(usize::from(parsed.read_actual_length.get()), payload.len());
        assert!(parsed.data.is_empty());
        assert_eq!(read_payload(&want), *payload);
    }
}

#[test]
fn qird_udp_service_form_and_empty_read() {
    let input =
        b"\r\n+QIRD: 6,\"10.7.76.34\",7687\r\n\r\nOK\r\n\r\n\r\nOK\r\n\r\n+QIRD: 0\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![
            ok(b"+QIRD: 6,\"10.7.76.34\",7687\r\n\r\nOK\r\n"),
            ok(b"+QIRD: 0")
        ]
    );
}

#[test]
fn qird_counters_take_no_payload() {
    let input = b"\r\n+QIRD: 10,5,5\r\n\r\nOK\r\n";
    assert_eq!(one_and_split(input, none), vec![ok(b"+QIRD: 10,5,5")]);
}

#[test]
fn pushed_data_takes_exactly_its_payload() {
    for payload in HOSTILE {
        let head = format!("+QIURC: \"recv\",3,{}\r\n", payload.len()).into_bytes();
        let mut frame = head.clone();
        frame.extend_from_slice(payload);
        let mut input = b"\r\n".to_vec();
        input.extend_from_slice(&frame);
        input.extend_from_slice(b"\r\n\r\n+QIURC: \"closed\",3\r\n");
        let out = one_and_split(&input, none);
        assert_eq!(
            out,
            vec![urc(&frame), urc(b"+QIURC: \"closed\",3")],
            "{payload:?}"
        );
        match Urc::from_frame(&frame) {
            Some(Urc::RecvPush(x)) => assert_eq!(x.data, *payload),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn pushed_datagram_of_a_udp_service() {
    let frame = b"+QIURC: \"recv\",2,6,\"10.7.76.34\",7687\r\n\r\nOK\r\n";
    let mut input = b"\r\n".to_vec();
    input.extend_from_slice(frame);
    // Whatever the socket's recorded mode: only the push form names the sender.
    let out = one_and_split(&input, |s| s.set_recvind(Recvind::Enable));
    assert_eq!(out, vec![urc(frame)]);
    match Urc::from_frame(frame) {
        Some(Urc::RecvPushUdpService(x)) => assert_eq!(x.data, b"\r\nOK\r\n"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn recv_with_length_in_buffer_access_mode_takes_no_payload() {
    let input = b"\r\n+QIURC: \"recv\",0,5\r\n\r\nOK\r\n";
    let setups: [fn(&DigestState); 2] = [
        |s| {
            s.set_recvind(Recvind::Enable);
            s.set_access_mode(ConnectId::new_const(0), AccessMode::BufferAccess);
        },
        // An unrecorded socket with recvind on: buffer access, the document's default.
        |s| s.set_recvind(Recvind::Enable),
    ];
    for setup in setups {
        let out = one_and_split(input, setup);
        assert_eq!(out, vec![urc(b"+QIURC: \"recv\",0,5"), ok(b"")]);
        assert!(matches!(
            Urc::from_frame(b"+QIURC: \"recv\",0,5"),
            Some(Urc::RecvWithLength(_))
        ));
    }
    // The same line on a push socket takes five bytes.
    let out = one_and_split(input, |s| {
        s.set_recvind(Recvind::Enable);
        s.set_access_mode(ConnectId::new_const(0), AccessMode::DirectPush);
    });
    assert_eq!(out, vec![urc(b"+QIURC: \"recv\",0,5\r\n\r\nOK\r")]);
}

#[test]
fn socket_modes_are_recorded_and_forgotten() {
    let state = DigestState::new();
    let s = id(11);
    assert_eq!(state.access_mode(s), None);
    assert!(state.recv_carries_payload(s));
    state.set_access_mode(s, AccessMode::BufferAccess);
    assert_eq!(state.access_mode(s), Some(AccessMode::BufferAccess));
    assert!(!state.recv_carries_payload(s));
    state.set_access_mode(s, AccessMode::DirectPush);
    state.set_recvind(Recvind::Enable);
    assert!(state.recv_carries_payload(s));
    state.forget_socket(s);
    assert!(!state.recv_carries_payload(s));
    assert_eq!(state.recvind(), Recvind::Enable);
    state.set_access_mode(id(3), AccessMode::DirectPush);
    state.set_transparent(true);
    state.expect_payload_echo(4);
    state.reset();
    assert_eq!(state.access_mode(id(3)), None);
    assert_eq!(state.recvind(), Recvind::Disable);
    assert!(!state.is_transparent());
    assert_eq!(run(&state, &[b"\r\nOK\r\n"]), vec![ok(b"")]);
}

#[test]
fn every_other_urc_of_the_spec() {
    let lines: &[&[u8]] = &[
        b"+QIURC: \"closed\",0",
        b"+QIURC: \"recv\",0",
        b"+QIURC: \"incoming full\"",
        b"+QIURC: \"incoming\",11,1,\"172.31.242.222\",54091",
        b"+QIURC: \"accept\",1",
        b"+QIURC: \"pdpdeact\",1",
        b"+QIURC: \"dnsgip\",0,2,600",
        b"+QIURC: \"dnsgip\",\"10.7.76.34\"",
        b"+QIOPEN: 0,0",
        b"+QIOPEN: 1,566",
        b"+QPING: 0,\"192.0.2.2\",32,192,255",
        b"+QPING: 0,4,4,0,192,479,288",
        b"+QNTP: 0,\"2019/07/21,06:10:59+00\"",
        b"+QIACCEPT: 2,\"10.7.76.34\",7687",
    ];
    for line in lines {
        assert!(Urc::from_frame(line).is_some(), "{line:?}");
        let mut input = b"\r\n".to_vec();
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n");
        assert_eq!(one_and_split(&input, none), vec![urc(line)]);
    }
}

#[test]
fn a_test_response_with_a_urc_prefix_is_a_response() {
    let line: &[u8] =
        b"+QIOPEN: (1-15),(0-11),\"TCP/UDP/TCP LISTENER/UDP SERVICE\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)";
    let mut input = b"AT+QIOPEN=?\r\r\n".to_vec();
    input.extend_from_slice(line);
    input.extend_from_slice(b"\r\n\r\nOK\r\n");
    assert_eq!(one_and_split(&input, none), vec![ok(line)]);
}

#[test]
fn urcs_between_a_command_and_its_ok() {
    // Before any information line.
    let input = b"AT+QICLOSE=0\r\r\n+QIURC: \"closed\",1\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![urc(b"+QIURC: \"closed\",1"), ok(b"")]
    );
    // Between the information line and OK: the line goes first (once its OK is in), the URC
    // next, and the OK that belonged to the line is not handed over twice.
    let input = b"AT+QIACT?\r\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\n+QIURC: \"recv\",0,4\r\nOK\r\n\r\n\r\nOK\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![
            ok(b"+QIACT: 1,1,1,\"10.7.157.1\""),
            urc(b"+QIURC: \"recv\",0,4\r\nOK\r\n"),
            ok(b""),
        ]
    );
    // Inside a QIRD response, after the payload.
    let input = b"\r\n+QIRD: 2\r\nOK\r\n\r\n+QIOPEN: 1,0\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![ok(b"+QIRD: 2\r\nOK"), urc(b"+QIOPEN: 1,0")]
    );
    // Lines no final result answered before an echo are dropped; the URC among them is not,
    // and the new command's OK is handed over.
    let state = DigestState::new();
    let out = run(
        &state,
        &[
            b"\r\n+QIACT: 1,1,1\r\n\r\n+QIURC: \"closed\",1\r\n",
            b"AT\r\r\nOK\r\n",
        ],
    );
    assert_eq!(out, vec![urc(b"+QIURC: \"closed\",1"), ok(b"")]);
    assert_eq!(state.garbage_lines(), 1);
}

#[test]
fn a_urc_inside_a_response_does_not_change_its_outcome() {
    let closed = b"+QIURC: \"closed\",1";
    // Lines, URC, ERROR: the command fails, the URC arrives.
    let input = b"AT+QIACT?\r\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\n+QIURC: \"closed\",1\r\n\r\nERROR\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![err(InternalError::Error), urc(closed), ok(b"")]
    );
    // A numbered error, and a pushed payload that looks like a final result.
    let input = b"\r\n+QIACT: 1,1,1\r\n\r\n+QIURC: \"recv\",0,4\r\nOK\r\n\r\n+CME ERROR: 552\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![
            err(InternalError::Custom(b"+CME ERROR: 552")),
            urc(b"+QIURC: \"recv\",0,4\r\nOK\r\n"),
        ]
    );
    // Two URCs, then OK: the lines whole, then both URCs.
    let input = b"\r\n+QIACT: 1,1,1\r\n+QIACT: 2,1,1\r\n\r\n+QIURC: \"closed\",1\r\n\r\n+QIURC: \"closed\",2\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![
            ok(b"+QIACT: 1,1,1\r\n+QIACT: 2,1,1"),
            urc(closed),
            urc(b"+QIURC: \"closed\",2"),
        ]
    );
    // Lines after the URC: the response cannot be handed over whole (it is refused, not
    // reported cut short); its other lines are dropped.
    let input =
        b"\r\n+QIACT: 1,1,1\r\n\r\n+QIURC: \"closed\",1\r\n+QIACT: 2,1,1\r\n\r\nOK\r\n\r\nOK\r\n";
    assert_eq!(
        one_and_split(input, none),
        vec![err(InternalError::InvalidResponse), urc(closed), ok(b"")]
    );
    // CONNECT after a URC: transparent mode starts after the URC, not before it.
    let state = DigestState::new();
    let input = b"\r\n+QIACT: 1,1,1\r\n\r\n+QIURC: \"closed\",1\r\n\r\nCONNECT\r\nraw";
    let out = run(&state, &[input]);
    assert_eq!(out, vec![ok(b"+QIACT: 1,1,1"), urc(closed)]);
    assert!(state.is_transparent());
    assert_eq!(state.dropped_bytes(), 3);
}

#[test]
fn multi_line_responses_parse() {
    let input = b"AT+QISTATE?\r\r\n+QISTATE: 0,\"TCP\",\"192.0.2.2\",8009,65344,2,1,0,1,\"usbmodem\"\r\n+QISTATE: 1,\"UDP\",\"192.0.2.3\",8010,65345,2,1,1,0,\"usbmodem\"\r\n\r\nOK\r\n";
    let out = one_and_split(input, none);
    let [Out::Ok(r)] = out.as_slice() else {
        panic!("{out:?}")
    };
    let list = qistate::Read.parse(Ok(r)).unwrap();
    assert_eq!(list.len(), 2);
}

#[test]
fn echo_is_dropped() {
    assert_eq!(
        one_and_split(
            b"AT+QIACT?\r\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n",
            none
        ),
        vec![ok(b"+QIACT: 1,1,1,\"10.7.157.1\"")]
    );
    assert_eq!(
        one_and_split(b"at+qiclose=0\r\r\nOK\r\n", none),
        vec![ok(b"")]
    );
}

#[test]
fn garbage_lines_are_skipped_and_counted() {
    let state = DigestState::new();
    let out = run(
        &state,
        &[b"\r\n\x01\x02junk\r\n\r\n\xff\xfe\r\n\r\n+QIURC: \"closed\",0\r\n\r\nOK\r\n"],
    );
    assert_eq!(out, vec![urc(b"+QIURC: \"closed\",0"), ok(b"")]);
    assert_eq!(state.garbage_lines(), 2);
    // Lines nothing answered are dropped when the next command's echo comes.
    let state = DigestState::new();
    let out = run(&state, &[b"\r\nRDY\r\n\r\n+CPIN: READY\r\nAT\r\r\nOK\r\n"]);
    // RDY is a URC of the spec whose prefix is a word: the whole line.
    assert_eq!(out, vec![urc(b"RDY"), ok(b"")]);
    assert_eq!(state.garbage_lines(), 1);
}

#[test]
fn a_word_prefix_is_a_urc_only_as_the_whole_line() {
    assert_eq!(one_and_split(b"\r\nRDY\r\n", none), vec![urc(b"RDY")]);
    // `RDYX` is no URC: an information line, answered by the OK.
    assert_eq!(
        one_and_split(b"\r\nRDYX\r\n\r\nOK\r\n", none),
        vec![ok(b"RDYX")]
    );
    // Amid a response, RDY interrupts it as any URC does.
    assert_eq!(
        one_and_split(b"AT+QIACT?\r\r\nRDY\r\n\r\nOK\r\n", none),
        vec![urc(b"RDY"), ok(b"")]
    );
}

/// The digester of a user that announces every command (the stack's).
fn run_announced(state: &DigestState, chunks: &[&[u8]]) -> Vec<Out> {
    let mut d = QiDigester::new(state).unsolicited_lines_are_noise();
    feed(&mut d, chunks).0
}

#[test]
fn unsolicited_lines_are_noise_while_no_command_is_in_flight() {
    let state = DigestState::new();
    // Printable noise, start-up lines, a stray OK: nothing asked for them.
    let out = run_announced(
        &state,
        &[b"\r\nA\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n\r\n+QIURC: \"closed\",1\r\n"],
    );
    assert_eq!(out, vec![urc(b"+QIURC: \"closed\",1")]);
    assert_eq!(state.garbage_lines(), 3);
    assert!(state.idle());
    // Once a command is announced, its lines are its response again; the final result ends
    // it, and the digester is idle once more.
    state.command_sent(quectel_qi::qiact::Read::FORM_INDEX);
    assert!(!state.idle());
    let out = run_announced(
        &state,
        &[b"\r\n+QIACT: 1,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n\r\nB\r\n"],
    );
    assert_eq!(out, vec![ok(b"+QIACT: 1,1,1,\"10.0.0.2\"")]);
    assert_eq!(state.garbage_lines(), 4);
    // A prompt nobody asked for is noise too; after a command, it reaches its command.
    assert!(run_announced(&state, &[b"\r\n> "]).is_empty());
    assert_eq!(state.garbage_lines(), 5);
    state.command_sent(quectel_qi::qisend::SendValue::FORM_INDEX);
    let out = run_announced(&state, &[b"\r\n> "]);
    assert_eq!(out, vec![Out::Prompt]);
}

#[test]
fn a_line_that_cannot_start_the_response_in_flight_is_noise() {
    let state = DigestState::new();
    state.command_sent(qird::Read::FORM_INDEX);
    let out = run_announced(&state, &[b"\r\nA\r\n\r\n+QIRD: 2\r\nab\r\n\r\nOK\r\n"]);
    assert_eq!(out, vec![ok(b"+QIRD: 2\r\nab")]);
    assert_eq!(state.garbage_lines(), 1);
    // Its payload split over two reads: not judged before it is whole.
    state.command_sent(qird::Read::FORM_INDEX);
    let out = run_announced(&state, &[b"\r\n+QIRD: 4\r\nab", b"cd\r\n\r\nOK\r\n"]);
    assert_eq!(out, vec![ok(b"+QIRD: 4\r\nabcd")]);
    // Without the setting, the line starts the response (and the response fails to decode).
    let state = DigestState::new();
    state.command_sent(qird::Read::FORM_INDEX);
    let out = run(&state, &[b"\r\nA\r\n\r\n+QIRD: 2\r\nab\r\n\r\nOK\r\n"]);
    assert_eq!(out, vec![ok(b"A\r\n\r\n+QIRD: 2\r\nab")]);
}

#[test]
fn an_echo_outside_the_spec_is_a_command_in_flight() {
    let state = DigestState::new();
    let out = run_announced(&state, &[b"AT+XYZ\r\r\nsome text\r\n\r\nOK\r\n"]);
    assert_eq!(out, vec![ok(b"some text")]);
    assert_eq!(state.in_flight(), None);
    assert!(state.idle());
}

#[test]
fn incomplete_input_consumes_nothing() {
    let frames: &[&[u8]] = &[
        b"+QIRD: 6\r\n\r\nOK\r\n\r\n\r\nOK\r\n",
        b"+QIURC: \"recv\",0,4\r\nab\r\n",
        b"+QIURC: \"closed\",0\r\n",
        b"+QISTATE: 0,\"TCP\",\"192.0.2.2\",8009,65344,2,1,0,1,\"usbmodem\"\r\n\r\nOK\r\n",
        b"+CME ERROR: 550\r\n",
        b"AT+QIRD=0\r",
    ];
    for frame in frames {
        for i in 1..frame.len() {
            let state = DigestState::new();
            let mut d = QiDigester::new(&state);
            assert_eq!(
                d.digest(&frame[..i]),
                (DigestResult::None, 0),
                "{:?}",
                String::from_utf8_lossy(&frame[..i])
            );
        }
    }
}

#[test]
fn oversized_response_is_refused_not_passed_on() {
    let state = DigestState::new();
    let mut d = QiDigester::new(&state).with_max_response(8);
    let (out, _) = feed(&mut d, &[b"\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\n\r\nOK\r\n"]);
    assert_eq!(out, vec![err(InternalError::Capacity)]);
}

/// The payload of an `AT+QIRD` answer, where it lies in the response.
fn read_payload(response: &[u8]) -> &[u8] {
    let (line, payload) = quectel_qi::wire::split_line(response);
    quectel_qi::response::qird::ReadLine::decode(line, payload)
        .unwrap()
        .data
}

/// Feeds `wire` through atat's ingress with a response slot of `N` bytes: the outcome atat
/// stores there (atat panics when a line handed over does not fit the slot).
fn through_ingress<const N: usize>(wire: &[u8]) -> atat::Response<N> {
    use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
    let slot = ResponseSlot::<N>::new();
    let urcs = UrcChannel::<QueuedUrc, { sizes::URC_CAPACITY }, 1>::new();
    let state = DigestState::new();
    let mut buf = vec![0u8; sizes::INGRESS_BUF_SIZE];
    let digester = QiDigester::new(&state).with_max_response(N);
    let mut ingress = Ingress::new(digester, &mut buf, &slot, &urcs);
    ingress.try_write(wire).unwrap();
    let guard = slot.try_get().expect("a response");
    guard.clone()
}

#[test]
fn an_error_line_longer_than_the_slot_is_refused_not_passed_on() {
    // Found by fuzzing: atat's `Response::from` unwraps the copy of an error line into the slot.
    let mut wire = b"\r\n+CME ERROR: ".to_vec();
    wire.extend(std::iter::repeat_n(b'5', 4_100));
    wire.extend_from_slice(b"\r\n");
    let r = through_ingress::<{ sizes::RESPONSE_SLOT_SIZE }>(&wire);
    assert_eq!(r, atat::Response::InvalidResponseError);
    // With a small slot, `SEND FAIL` alone is too long.
    let r = through_ingress::<8>(b"\r\nSEND FAIL\r\n");
    assert_eq!(r, atat::Response::InvalidResponseError);
    // One that fits still arrives whole.
    let r = through_ingress::<9>(b"\r\nSEND FAIL\r\n");
    assert_eq!(
        r,
        atat::Response::CustomError(b"SEND FAIL".as_slice().try_into().unwrap())
    );
}

#[test]
fn sizes_hold_the_largest_frames() {
    // A QIRD of the largest payload, echo and final result included, fits the ingress buffer.
    let payload = vec![b'\n'; quectel_qi::limits::MAX_DATA_LEN];
    let mut input = b"AT+QIRD=11,1500\r\r\n+QIRD: 1500\r\n".to_vec();
    input.extend_from_slice(&payload);
    input.extend_from_slice(b"\r\n\r\nOK\r\n");
    assert!(input.len() <= sizes::INGRESS_BUF_SIZE);
    let state = DigestState::new();
    let out = run(&state, &[&input]);
    let [Out::Ok(r)] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert!(r.len() <= sizes::RESPONSE_SLOT_SIZE);
    const {
        assert!(sizes::COMMAND_BUF_SIZE > quectel_qi::limits::MAX_PROMPT_DATA_LEN);
        assert!(sizes::COMMAND_BUF_SIZE >= quectel_qi::qiopen::Open::MAX_LEN);
        assert!(sizes::URC_SIZE >= quectel_qi::urc::RecvPush::DATA_CAPACITY);
    }
}

#[test]
fn through_atat_ingress_into_typed_values() {
    use atat::{AtatIngress, Ingress, Response, ResponseSlot, UrcChannel};
    let slot = ResponseSlot::<{ sizes::RESPONSE_SLOT_SIZE }>::new();
    let urcs = UrcChannel::<QueuedUrc, { sizes::URC_CAPACITY }, 1>::new();
    let mut sub = urcs.subscribe().unwrap();
    let state = DigestState::new();
    let mut buf = vec![0u8; sizes::INGRESS_BUF_SIZE];
    let mut ingress = Ingress::new(QiDigester::new(&state), &mut buf, &slot, &urcs);

    let payload: &[u8] = b"\r\nOK\r\n+QIURC: \"recv\",0,4\r\n\0>";
    let mut wire = b"\r\n+QIURC: \"recv\",1,3\r\n> \r\n\r\n+QIURC: \"closed\",2\r\n".to_vec();
    wire.extend_from_slice(format!("AT+QIRD=0\r\r\n+QIRD: {}\r\n", payload.len()).as_bytes());
    wire.extend_from_slice(payload);
    wire.extend_from_slice(b"\r\n\r\nOK\r\n");
    // Byte by byte, the hardest chunking for an ingress.
    for b in &wire {
        ingress.try_write(core::slice::from_ref(b)).unwrap();
    }

    let queued = sub.try_next_message_pure().expect("a push");
    match queued.urc() {
        Some(Urc::RecvPush(x)) => assert_eq!(x.data, b"> \r"),
        other => panic!("{other:?}"),
    }
    let queued = sub.try_next_message_pure().expect("a close");
    assert!(matches!(queued.urc(), Some(Urc::Closed(_))));
    assert!(sub.try_next_message_pure().is_none());
    let guard = slot.try_get().expect("a response");
    let response: &Response<{ sizes::RESPONSE_SLOT_SIZE }> = &guard;
    let read = qird::Read {
        connect_id: id(0),
        read_length: None,
    };
    let line = read.parse(response.into()).unwrap();
    assert_eq!(usize::from(line.read_actual_length.get()), payload.len());
    let Response::Ok(bytes) = response else {
        panic!("{response:?}")
    };
    assert_eq!(read_payload(bytes), payload);
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A deterministic pseudo-random stream, rich in CR, LF and frame starts.
    let alphabet: &[&[u8]] = &[
        b"\r\n",
        b"\r",
        b"\n",
        b"OK",
        b"+QIRD: 3",
        b"+QIURC: \"recv\",0,2",
        b">",
        b"AT",
        b"\0",
        b"+QIURC: \"recv\",1,4,\"1.2.3.4\",5",
        b"ERROR",
        b"+CME ERROR: 550",
        b",",
        b"\"",
        b"\xff",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let state = DigestState::new();
        state.set_recvind(Recvind::Enable);
        let mut d = QiDigester::new(&state);
        let mut input = Vec::new();
        for _ in 0..64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            input.extend_from_slice(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let (_, left) = feed(
            &mut d,
            &[&input[..input.len() / 2], &input[input.len() / 2..]],
        );
        assert!(left.len() <= input.len());
    }
}

#[test]
fn the_echo_tells_the_digester_which_form_is_in_flight_until_its_final_result() {
    let state = DigestState::new();
    let mut d = QiDigester::new(&state);
    let (out, _) = feed(&mut d, &[b"AT+QIOPEN=?\r\r\n"]);
    assert!(out.is_empty());
    assert_eq!(
        state.in_flight(),
        Some(quectel_qi::qiopen::Test::FORM_INDEX)
    );
    // A line of the test response, then the open result of an earlier AT+QIOPEN with the same
    // prefix: it fits no line of the test form, so it stays a URC.
    let (out, _) = feed(
        &mut d,
        &[b"\r\n+QIOPEN: (1-15),(0-11),\"TCP/UDP/TCP LISTENER/UDP SERVICE\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)\r\n\r\n+QIOPEN: 0,0\r\n\r\nOK\r\n"],
    );
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(
        matches!(&out[0], Out::Ok(r) if r.starts_with(b"+QIOPEN: (1-15)")),
        "{out:?}"
    );
    assert_eq!(out[1], Out::Urc(b"+QIOPEN: 0,0".to_vec()));
    assert_eq!(state.in_flight(), None, "the final result ends the command");
    // A basic command of the spec is in flight like any other ...
    let _ = feed(&mut d, &[b"ATE0\r"]);
    assert_eq!(
        state.in_flight(),
        Some(quectel_qi::Request::decode(b"ATE0").unwrap().form_index())
    );
    // ... a command outside the spec leaves nothing of the spec in flight.
    let _ = feed(&mut d, &[b"AT+CCLK?\r"]);
    assert_eq!(state.in_flight(), None);
    // Set by the client (no echo), forgotten by a restart.
    state.command_sent(quectel_qi::qiact::Read::FORM_INDEX);
    assert_eq!(state.in_flight(), Some(quectel_qi::qiact::Read::FORM_INDEX));
    state.reset();
    assert_eq!(state.in_flight(), None);
}
