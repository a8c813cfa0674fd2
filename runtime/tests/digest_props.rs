//! Property: random sequences of frames, encoded to bytes and fed in random chunks, come out
//! of the digester exactly as written, in order.

mod digest_harness;

use atat::digest::{DigestResult, Digester};
use atat::InternalError;
use digest_harness::{err, Out};
use proptest::prelude::*;
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::{AccessMode, ConnectId, Recvind};

/// Sockets 0..=5 push their data; 6..=11 are in buffer access mode with `recvind` on.
const PUSH_SOCKETS: u8 = 6;

fn state() -> DigestState {
    let s = DigestState::new();
    s.set_recvind(Recvind::Enable);
    for id in 0..quectel_qi::digest::SOCKETS as i64 {
        let mode = if id < i64::from(PUSH_SOCKETS) {
            AccessMode::DirectPush
        } else {
            AccessMode::BufferAccess
        };
        s.set_access_mode(ConnectId::new(id).unwrap(), mode);
    }
    s
}

#[derive(Debug, Clone, Copy)]
enum Final {
    Ok,
    SendOk,
    Error,
    Cme(u16),
    SendFail,
    NoCarrier,
}

impl Final {
    fn text(self) -> Vec<u8> {
        match self {
            Final::Ok => b"OK".to_vec(),
            Final::SendOk => b"SEND OK".to_vec(),
            Final::Error => b"ERROR".to_vec(),
            Final::Cme(n) => format!("+CME ERROR: {n}").into_bytes(),
            Final::SendFail => b"SEND FAIL".to_vec(),
            Final::NoCarrier => b"NO CARRIER".to_vec(),
        }
    }

    fn out(self, info: Vec<u8>) -> Out {
        match self {
            Final::Ok | Final::SendOk => Out::Ok(info),
            Final::Error => err(InternalError::Error),
            Final::Cme(_) | Final::SendFail => err(InternalError::Custom(&self.text())),
            Final::NoCarrier => err(InternalError::ConnectionError(
                atat::ConnectionError::NoCarrier,
            )),
        }
    }
}

const INFO_LINES: &[&str] = &[
    "+QIACT: 1,1,1,\"10.7.157.1\"",
    "+QISTATE: 0,\"TCP\",\"192.0.2.2\",8009,65344,2,1,0,1,\"usbmodem\"",
    "+QISEND: 10,10,0",
    "+QIRD: 10,5,5",
    "+QIGETERROR: 0,operation successful",
    "+QIOPEN: (1-15),(0-11)",
];

const URC_LINES: &[&str] = &[
    "+QIURC: \"closed\",0",
    "+QIURC: \"recv\",7",
    "+QIURC: \"incoming full\"",
    "+QIURC: \"incoming\",11,1,\"172.31.242.222\",54091",
    "+QIURC: \"accept\",1",
    "+QIURC: \"pdpdeact\",1",
    "+QIURC: \"dnsgip\",0,2,600",
    "+QIURC: \"dnsgip\",\"10.7.76.34\"",
    "+QIOPEN: 0,0",
    "+QPING: 0,\"192.0.2.2\",32,192,255",
    "+QPING: 0,4,4,0,192,479,288",
    "+QNTP: 0,\"2019/07/21,06:10:59+00\"",
    "+QIACCEPT: 2,\"10.7.76.34\",7687",
];

#[derive(Debug, Clone)]
enum Frame {
    /// Information lines (maybe none) and a final result.
    Response(Vec<usize>, Final),
    /// `+QIRD: <n>`, the payload, OK.
    Read(Vec<u8>),
    /// Direct push on socket `id`.
    Push(u8, Vec<u8>),
    /// Direct push of a UDP service datagram.
    PushFrom(u8, Vec<u8>),
    /// Buffer access notice with a length (no payload follows).
    Notice(u8, u16),
    /// Any other URC.
    Urc(usize),
    Prompt,
    /// A command's echo (no output).
    Echo,
    /// A line of junk (no output).
    Garbage,
    /// An information line, a URC, then the final result (the response's outcome).
    Interrupted(usize, usize, Final),
}

fn push_line(id: u8, data: &[u8]) -> Vec<u8> {
    let mut v = format!("+QIURC: \"recv\",{id},{}\r\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v
}

impl Frame {
    /// The bytes on the wire, and what must come out.
    fn encode(&self, wire: &mut Vec<u8>, out: &mut Vec<Out>) {
        match self {
            Frame::Response(lines, fin) => {
                let info: Vec<&str> = lines.iter().map(|&i| INFO_LINES[i]).collect();
                let info = info.join("\r\n").into_bytes();
                if !info.is_empty() {
                    wire.extend_from_slice(b"\r\n");
                    wire.extend_from_slice(&info);
                    wire.extend_from_slice(b"\r\n");
                }
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&fin.text());
                wire.extend_from_slice(b"\r\n");
                out.push(fin.out(info));
            }
            Frame::Read(data) => {
                let mut resp = format!("+QIRD: {}", data.len()).into_bytes();
                if !data.is_empty() {
                    resp.extend_from_slice(b"\r\n");
                    resp.extend_from_slice(data);
                }
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&resp);
                if data.is_empty() {
                    wire.extend_from_slice(b"\r\n");
                }
                wire.extend_from_slice(b"\r\n\r\nOK\r\n");
                out.push(Out::Ok(resp));
            }
            Frame::Push(id, data) => {
                let frame = push_line(*id, data);
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&frame);
                if data.is_empty() {
                    wire.extend_from_slice(b"\r\n");
                    out.push(Out::Urc(frame[..frame.len() - 2].to_vec()));
                } else {
                    out.push(Out::Urc(frame));
                }
            }
            Frame::PushFrom(id, data) => {
                let mut frame = format!(
                    "+QIURC: \"recv\",{id},{},\"10.7.76.34\",7687\r\n",
                    data.len()
                )
                .into_bytes();
                frame.extend_from_slice(data);
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&frame);
                if data.is_empty() {
                    wire.extend_from_slice(b"\r\n");
                    frame.truncate(frame.len() - 2);
                }
                out.push(Out::Urc(frame));
            }
            Frame::Notice(id, len) => {
                let line = format!("+QIURC: \"recv\",{id},{len}").into_bytes();
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(&line);
                wire.extend_from_slice(b"\r\n");
                out.push(Out::Urc(line));
            }
            Frame::Urc(i) => {
                wire.extend_from_slice(b"\r\n");
                wire.extend_from_slice(URC_LINES[*i].as_bytes());
                wire.extend_from_slice(b"\r\n");
                out.push(Out::Urc(URC_LINES[*i].as_bytes().to_vec()));
            }
            Frame::Prompt => {
                wire.extend_from_slice(b"\r\n> ");
                out.push(Out::Prompt);
            }
            Frame::Echo => wire.extend_from_slice(b"AT+QIRD=0,1500\r"),
            Frame::Garbage => wire.extend_from_slice(b"\r\n\x01\x02junk\xff\r\n"),
            Frame::Interrupted(line, u, fin) => {
                let info = INFO_LINES[*line].as_bytes();
                let urc = URC_LINES[*u].as_bytes();
                for part in [info, urc, &fin.text()] {
                    wire.extend_from_slice(b"\r\n");
                    wire.extend_from_slice(part);
                    wire.extend_from_slice(b"\r\n");
                }
                out.push(fin.out(info.to_vec()));
                out.push(Out::Urc(urc.to_vec()));
            }
        }
    }
}

/// Payload bytes, rich in what would end or start a frame if read as text.
fn payload(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..8),
        Just(b"\r\nOK\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b">".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"ERROR".to_vec()),
        Just(b"+QIURC: \"recv\",0,4\r\n".to_vec()),
        Just(b"+QIRD: 3\r\n".to_vec()),
        Just(b"AT".to_vec()),
    ];
    prop::collection::vec(piece, 0..6).prop_map(move |parts| {
        let mut v = parts.concat();
        v.truncate(max);
        v
    })
}

fn final_result() -> impl Strategy<Value = Final> {
    prop_oneof![
        4 => Just(Final::Ok),
        1 => Just(Final::SendOk),
        1 => Just(Final::Error),
        1 => (550u16..=574).prop_map(Final::Cme),
        1 => Just(Final::SendFail),
        1 => Just(Final::NoCarrier),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    let push_id = 0..PUSH_SOCKETS;
    let notice_id = PUSH_SOCKETS..=11;
    prop_oneof![
        (
            prop::collection::vec(0..INFO_LINES.len(), 0..3),
            final_result()
        )
            .prop_map(|(l, f)| Frame::Response(l, f)),
        payload(300).prop_map(Frame::Read),
        (push_id.clone(), payload(300)).prop_map(|(i, d)| Frame::Push(i, d)),
        (0u8..=11, payload(300)).prop_map(|(i, d)| Frame::PushFrom(i, d)),
        (notice_id, 0u16..=1500).prop_map(|(i, n)| Frame::Notice(i, n)),
        (0..URC_LINES.len()).prop_map(Frame::Urc),
        Just(Frame::Prompt),
        Just(Frame::Echo),
        Just(Frame::Garbage),
        (0..INFO_LINES.len(), 0..URC_LINES.len(), final_result())
            .prop_map(|(l, u, f)| Frame::Interrupted(l, u, f)),
    ]
}

/// Feeds `wire` in chunks of the given sizes (cycled), digesting like atat's ingress.
fn feed(wire: &[u8], sizes: &[usize]) -> (Vec<Out>, Vec<u8>, u32) {
    let state = state();
    let mut d = QiDigester::new(&state);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut k = 0;
    while at < wire.len() {
        let n = sizes[k % sizes.len()].min(wire.len() - at);
        k += 1;
        buf.extend_from_slice(&wire[at..at + n]);
        at += n;
        for _ in 0..100_000 {
            if buf.is_empty() {
                break;
            }
            let (r, used) = d.digest(&buf);
            assert!(used <= buf.len());
            match r {
                DigestResult::None => {}
                DigestResult::Prompt(_) => out.push(Out::Prompt),
                DigestResult::Urc(u) => out.push(Out::Urc(u.to_vec())),
                DigestResult::Response(Ok(r)) => out.push(Out::Ok(r.to_vec())),
                DigestResult::Response(Err(e)) => out.push(err(e)),
            }
            buf.drain(..used);
            if used == 0 {
                break;
            }
        }
    }
    (out, buf, state.garbage_lines())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn frames_come_out_as_written(
        frames in prop::collection::vec(frame(), 1..24),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        let mut wire = Vec::new();
        let mut want = Vec::new();
        // A last OK ends an echo that came last.
        for f in frames.iter().chain([&Frame::Response(vec![], Final::Ok)]) {
            f.encode(&mut wire, &mut want);
        }
        let (got, left, garbage) = feed(&wire, &sizes);
        prop_assert_eq!(got, want);
        prop_assert!(left.iter().all(|b| b" \r\n".contains(b)), "left: {:?}", left);
        let junk = frames.iter().filter(|f| matches!(f, Frame::Garbage)).count();
        prop_assert_eq!(garbage as usize, junk);
    }

    #[test]
    fn one_piece_and_random_pieces_agree(
        frames in prop::collection::vec(frame(), 1..12),
        sizes in prop::collection::vec(1usize..16, 1..8),
    ) {
        let mut wire = Vec::new();
        let mut want = Vec::new();
        // A last OK ends an echo that came last.
        for f in frames.iter().chain([&Frame::Response(vec![], Final::Ok)]) {
            f.encode(&mut wire, &mut want);
        }
        let whole = feed(&wire, &[wire.len().max(1)]);
        prop_assert_eq!(&whole.0, &want);
        prop_assert_eq!(feed(&wire, &sizes), whole);
    }
}
