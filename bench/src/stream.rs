//! A recorded module stream: what a host reads from the module during a buffer-access session
//! (recv notifications, `+QIRD` frames of up to 1500 bytes, `+QISTATE` tables, counters, final
//! results and the URCs of opening, closing, pinging and resolving), with the command each
//! response answers.

/// What kind of payload the `+QIRD` frames carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Printable text without CR, LF, quotes, spaces, `>` or `@`: what atat's default digester and
    /// serde_at frame correctly.
    Text,
    /// Arbitrary bytes, with `\r\nOK\r\n`, `\r\nERROR\r\n` and `+QIURC: ` planted inside.
    Binary,
}

/// The command a response answers (the host knows it: it sent the command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `AT+QIRD=0,1500`: `+QIRD: <n>` and n bytes, then OK.
    Read { len: usize },
    /// `AT+QISTATE?`: one line per open socket, then OK.
    StateTable { lines: usize },
    /// `AT+QISEND=0,0`: the acknowledgement counters, then OK.
    AckCounters,
    /// `AT+QICLOSE=1`: OK alone.
    Ok,
    /// `AT+QICLOSE=1`, refused: ERROR.
    Error,
}

/// The stream and what is in it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The bytes as the module sent them.
    pub bytes: Vec<u8>,
    /// The command each response answers, in order.
    pub answers: Vec<Answer>,
    /// How many URCs the stream holds.
    pub urcs: usize,
    /// Payload bytes in `+QIRD` frames.
    pub payload_bytes: usize,
}

impl Recorded {
    /// Responses and URCs.
    pub fn frames(&self) -> usize {
        self.answers.len() + self.urcs
    }
}

/// URC lines of one round, as the module prints them.
const URCS: &[&str] = &[
    "+QIOPEN: 1,0",
    "+QIURC: \"closed\",1",
    "+QIURC: \"pdpdeact\",1",
    "+QPING: 0,\"192.0.2.1\",32,87,255",
    "+QPING: 0,4,4,0,60,120,87",
    "+QIURC: \"dnsgip\",0,1,600",
];

/// Socket table lines (the first `n` are used).
const STATE_LINES: &[&str] = &[
    "+QISTATE: 0,\"TCP\",\"192.0.2.2\",8009,65514,2,1,0,0,\"usbmodem\"",
    "+QISTATE: 1,\"UDP\",\"192.0.2.3\",5000,65515,2,1,0,0,\"usbmodem\"",
    "+QISTATE: 2,\"TCP LISTENER\",\"127.0.0.1\",0,2020,3,1,2,0,\"usbmodem\"",
    "+QISTATE: 3,\"TCP INCOMING\",\"192.0.2.9\",4031,2020,2,1,2,0,\"usbmodem\"",
];

/// A deterministic pseudo-random sequence (xorshift), so that every run reads the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn payload(rng: &mut Rng, len: usize, kind: Payload) -> Vec<u8> {
    const TEXT: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789{}[]:,.-_/=;?!#%&*()";
    let mut out: Vec<u8> = (0..len)
        .map(|_| match kind {
            Payload::Text => TEXT[(rng.next() % TEXT.len() as u64) as usize],
            Payload::Binary => rng.next() as u8,
        })
        .collect();
    if kind == Payload::Binary {
        for (at, planted) in [
            (len / 5, &b"\r\nOK\r\n"[..]),
            (len / 2, b"\r\nERROR\r\n"),
            (4 * len / 5, b"\r\n+QIURC: \"closed\",0\r\n"),
        ] {
            if at + planted.len() <= len {
                out[at..at + planted.len()].copy_from_slice(planted);
            }
        }
    }
    out
}

/// `rounds` rounds of a buffer-access session; each round reads the most `AT+QIRD` allows
/// twice, then 700 and 0 bytes after a recv notification, lists the socket table, reads the
/// counters, gets OK and ERROR and six URCs.
pub fn session(rounds: usize, kind: Payload) -> Recorded {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut r = Recorded {
        bytes: Vec::new(),
        answers: Vec::new(),
        urcs: 0,
        payload_bytes: 0,
    };
    let line = |r: &mut Recorded, s: &[u8]| {
        r.bytes.extend_from_slice(b"\r\n");
        r.bytes.extend_from_slice(s);
        r.bytes.extend_from_slice(b"\r\n");
    };
    for round in 0..rounds {
        line(&mut r, b"+QIURC: \"recv\",0");
        r.urcs += 1;
        let most = usize::from(quectel_qi::ReadLength::MAX.get());
        for len in [most, most, 700, 0] {
            line(&mut r, format!("+QIRD: {len}").as_bytes());
            if len > 0 {
                let data = payload(&mut rng, len, kind);
                r.bytes.extend_from_slice(&data);
                r.bytes.extend_from_slice(b"\r\n");
                r.payload_bytes += len;
            }
            line(&mut r, b"OK");
            r.answers.push(Answer::Read { len });
        }
        let lines = 1 + round % STATE_LINES.len();
        for l in &STATE_LINES[..lines] {
            line(&mut r, l.as_bytes());
        }
        line(&mut r, b"OK");
        r.answers.push(Answer::StateTable { lines });
        line(&mut r, b"+QISEND: 9000,8000,1000");
        line(&mut r, b"OK");
        r.answers.push(Answer::AckCounters);
        line(&mut r, b"OK");
        r.answers.push(Answer::Ok);
        line(&mut r, b"ERROR");
        r.answers.push(Answer::Error);
        for u in URCS {
            line(&mut r, u.as_bytes());
            r.urcs += 1;
        }
    }
    r
}
