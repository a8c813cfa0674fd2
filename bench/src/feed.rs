//! Feeds a recorded stream through a digester in chunks, the way atat's `Ingress` does (append,
//! digest until nothing more is complete, shift the rest down), and decodes every frame into
//! typed values.

use crate::stream::{Answer, Recorded};
use atat::{AtatCmd, AtatUrc, DigestResult, Digester, InternalError};
use std::hint::black_box;

/// Turns framed bytes into typed values.
pub trait Decode {
    /// A URC as the digester framed it; whether it decoded.
    fn urc(&mut self, urc: &[u8]) -> bool;
    /// A response and the command it answers; whether it decoded to what the stream holds.
    fn response(&mut self, answer: Answer, resp: Result<&[u8], InternalError>) -> bool;
}

/// What came out of a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// URCs that decoded.
    pub urcs: usize,
    /// Responses that decoded to what the stream holds.
    pub responses: usize,
    /// Frames that did not decode, responses without a pending command, and bytes dropped
    /// because the buffer filled without a frame.
    pub failures: usize,
    /// Prompts seen (none belong in these streams).
    pub prompts: usize,
}

/// Feeds `stream` in pieces of `chunk` bytes into `buf` (the ingress buffer) and digests.
pub fn feed<D: Digester, X: Decode>(
    digester: &mut D,
    decoder: &mut X,
    stream: &Recorded,
    chunk: usize,
    buf: &mut [u8],
) -> Tally {
    let mut tally = Tally::default();
    let mut answers = stream.answers.iter().copied();
    let mut pos = 0;
    for piece in stream.bytes.chunks(chunk.max(1)) {
        let mut piece = piece;
        while !piece.is_empty() {
            let n = piece.len().min(buf.len() - pos);
            buf[pos..pos + n].copy_from_slice(&piece[..n]);
            pos += n;
            piece = &piece[n..];
            while pos > 0 {
                let (result, swallowed) = digester.digest(&buf[..pos]);
                match result {
                    DigestResult::Urc(u) => match decoder.urc(u) {
                        true => tally.urcs += 1,
                        false => tally.failures += 1,
                    },
                    DigestResult::Response(r) => match answers.next() {
                        Some(a) if decoder.response(a, r) => tally.responses += 1,
                        _ => tally.failures += 1,
                    },
                    DigestResult::Prompt(_) => tally.prompts += 1,
                    DigestResult::None => {}
                }
                if swallowed == 0 {
                    break;
                }
                buf.copy_within(swallowed..pos, 0);
                pos -= swallowed;
            }
            if pos == buf.len() {
                // Full and nothing complete: the stream is lost here, as in atat's ingress.
                tally.failures += 1;
                pos = 0;
            }
        }
    }
    tally
}

/// Decoding with the generated API: `Urc` through `Urc::from_frame`, responses through each
/// command's `AtatCmd::parse`.
pub struct Generated {
    read: quectel_qi::qird::Read,
    state: quectel_qi::qistate::Read,
    ack: quectel_qi::qisend::AckQuery,
    close: quectel_qi::qiclose::Close,
}

impl Default for Generated {
    fn default() -> Self {
        let id = quectel_qi::ConnectId::new_const(0);
        Generated {
            read: quectel_qi::qird::Read {
                connect_id: id,
                read_length: Some(quectel_qi::ReadLength::MAX),
            },
            state: quectel_qi::qistate::Read,
            ack: quectel_qi::qisend::AckQuery { connect_id: id },
            close: quectel_qi::qiclose::Close {
                connect_id: id,
                timeout: None,
            },
        }
    }
}

impl Decode for Generated {
    fn urc(&mut self, urc: &[u8]) -> bool {
        black_box(quectel_qi::Urc::from_frame(urc)).is_some()
    }

    fn response(&mut self, answer: Answer, resp: Result<&[u8], InternalError>) -> bool {
        match answer {
            Answer::Read { len } => {
                // The payload stays in the response (the client copies it to the reader's
                // buffer from there); the reply carries its length.
                matches!(black_box(self.read.parse(resp)), Ok(l) if usize::from(l.read_actual_length.get()) == len)
            }
            Answer::StateTable { lines } => {
                matches!(black_box(self.state.parse(resp)), Ok(t) if t.len() == lines)
            }
            Answer::AckCounters => black_box(self.ack.parse(resp)).is_ok(),
            Answer::Ok => black_box(self.close.parse(resp)).is_ok(),
            Answer::Error => matches!(self.close.parse(resp), Err(atat::Error::Error)),
        }
    }
}

/// Decoding with the atat-derive baseline.
pub struct Baseline {
    read: crate::baseline::Read,
    state: crate::baseline::StateQuery,
    ack: crate::baseline::AckQuery,
    close: crate::baseline::Close,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            read: crate::baseline::Read {
                connect_id: 0,
                read_length: quectel_qi::ReadLength::MAX.get(),
            },
            state: crate::baseline::StateQuery,
            ack: crate::baseline::AckQuery {
                connect_id: 0,
                zero: 0,
            },
            close: crate::baseline::Close { connect_id: 0 },
        }
    }
}

impl Decode for Baseline {
    fn urc(&mut self, urc: &[u8]) -> bool {
        black_box(<crate::baseline::Urc as AtatUrc>::parse(urc)).is_some()
    }

    fn response(&mut self, answer: Answer, resp: Result<&[u8], InternalError>) -> bool {
        match answer {
            Answer::Read { len } => {
                black_box(crate::baseline::read_payload(&self.read, resp)) == Some(len)
            }
            Answer::StateTable { lines } => {
                matches!(black_box(self.state.parse(resp)), Ok(t) if t.len() == lines)
            }
            Answer::AckCounters => black_box(self.ack.parse(resp)).is_ok(),
            Answer::Ok => black_box(self.close.parse(resp)).is_ok(),
            Answer::Error => matches!(self.close.parse(resp), Err(atat::Error::Error)),
        }
    }
}
