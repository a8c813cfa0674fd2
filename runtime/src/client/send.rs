//! Sending: the two-step `AT+QISEND` (prompt, then payload) in chunks of the spec's limit, the
//! UDP service form, `AT+QISENDEX` and the acknowledgement counters.

use super::{Client, Error, Link, PAYLOAD_MAX};
use crate::response::qisend::AckQueryLine;
use crate::{qisend, qisendex, ConnectId, Port, SendLength};

/// The longest hex string one `AT+QISENDEX` carries, read off the generated encoder: the
/// command's longest encoding minus the encoding without digits.
fn hex_digits_max() -> usize {
    let mut buf = [0u8; qisendex::SendHex::MAX_LEN];
    let empty = qisendex::SendHex {
        connect_id: ConnectId::MAX,
        hex_string: "",
    };
    let frame = empty.encode(&mut buf).unwrap_or(qisendex::SendHex::MAX_LEN);
    qisendex::SendHex::MAX_LEN - frame
}

/// Bytes of a hex payload encoded and written at once: the client keeps two digits per
/// byte of one piece on its stack, not of the whole payload.
pub const HEX_PIECE: usize = 32;

/// ASCII Ctrl+Z, which ends the payload of the open-length form.
const CTRL_Z: u8 = 0x1A;
/// ASCII Esc, which cancels it.
const ESC: u8 = 0x1B;

/// The most one `AT+QISEND=<id>,<len>` carries: the prompt's limit, within `<send_length>`'s
/// range.
pub const SEND_CHUNK: usize = {
    let range = SendLength::MAX.get() as usize;
    if PAYLOAD_MAX < range {
        PAYLOAD_MAX
    } else {
        range
    }
};

fn send_length(n: usize) -> SendLength {
    // Callers chunk (or refuse) by SEND_CHUNK, so this always holds.
    SendLength::new(n as i64).unwrap_or(SendLength::MAX)
}

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// Sends bytes on a TCP, UDP or incoming socket: `AT+QISEND=<id>,<len>`, the `>` prompt,
    /// the payload, `SEND OK`; longer data goes in chunks of the spec's limit (1460 bytes).
    /// `SEND OK` means the data left the module; see [`Client::wait_acknowledged`]. On an
    /// error, the chunks before the failing one were sent.
    pub async fn send(&mut self, connect_id: ConnectId, data: &[u8]) -> Result<(), Error> {
        if data.is_empty() {
            // Let the spec's rule (a length of at least 1) speak.
            return Err(self.reject(&qisend::SendFixed {
                connect_id,
                send_length: SendLength::MIN,
            }));
        }
        for chunk in data.chunks(SEND_CHUNK) {
            let cmd = qisend::SendFixed {
                connect_id,
                send_length: send_length(chunk.len()),
            };
            self.exec(&cmd).await?;
            self.write_prompted::<{ qisend::SendFixed::TIMEOUT_MS }>(chunk, None)
                .await?;
        }
        Ok(())
    }

    /// Sends bytes with the open-length form: `AT+QISEND=<id>`, the prompt, the payload and
    /// Ctrl+Z. The payload may not hold Ctrl+Z or Esc (Esc cancels), and is at most the
    /// spec's limit: prefer [`Client::send`], which takes any bytes.
    pub async fn send_terminated(
        &mut self,
        connect_id: ConnectId,
        data: &[u8],
    ) -> Result<(), Error> {
        if data.len() > PAYLOAD_MAX {
            return Err(Error::TooLong { max: PAYLOAD_MAX });
        }
        // Hex digits never hold Ctrl+Z or Esc: in hex mode any bytes go.
        let hex = self.digest.framing().send_hex;
        if !hex && data.iter().any(|&b| b == CTRL_Z || b == ESC) {
            return Err(Error::ForbiddenByte);
        }
        self.exec(&qisend::SendValue { connect_id }).await?;
        self.write_prompted::<{ qisend::SendValue::TIMEOUT_MS }>(data, Some(CTRL_Z))
            .await
    }

    /// Sends one datagram from a UDP service to `remote_ip:remote_port`
    /// (`AT+QISEND=<id>,<len>,"<ip>",<port>`). A datagram is never split: longer data is
    /// refused with [`Error::TooLong`].
    pub async fn send_to(
        &mut self,
        connect_id: ConnectId,
        data: &[u8],
        remote_ip: &str,
        remote_port: Port,
    ) -> Result<(), Error> {
        if data.len() > SEND_CHUNK {
            return Err(Error::TooLong { max: SEND_CHUNK });
        }
        let cmd = qisend::SendTo {
            connect_id,
            send_length: send_length(data.len()),
            remote_ip,
            remote_port,
        };
        self.exec(&cmd).await?;
        self.write_prompted::<{ qisend::SendTo::TIMEOUT_MS }>(data, None)
            .await
    }

    /// Sends bytes with `AT+QISENDEX=<id>,"<hex>"` (no prompt), in chunks of the longest hex
    /// string the spec allows.
    pub async fn send_hex(&mut self, connect_id: ConnectId, data: &[u8]) -> Result<(), Error> {
        let mut digits = [0u8; qisendex::SendHex::MAX_LEN];
        let per_command = hex_digits_max() / 2;
        if data.is_empty() || per_command == 0 {
            return Err(Error::TooLong { max: per_command });
        }
        for chunk in data.chunks(per_command) {
            let mut w = crate::wire::Writer::new(&mut digits);
            w.hex(chunk).map_err(|_| Error::BufferTooSmall)?;
            let n = w.len();
            let hex_string = core::str::from_utf8(&digits[..n]).map_err(|_| Error::Parse)?;
            self.exec(&qisendex::SendHex {
                connect_id,
                hex_string,
            })
            .await?;
        }
        Ok(())
    }

    /// `AT+QISEND=<id>,0`: bytes sent, acknowledged by the peer, and not yet acknowledged.
    pub async fn ack_status(&mut self, connect_id: ConnectId) -> Result<AckQueryLine, Error> {
        self.exec(&qisend::AckQuery { connect_id }).await
    }

    /// Queries the acknowledgement counters until nothing is unacknowledged, at most
    /// [`Config::ack_polls`](super::Config::ack_polls) times,
    /// [`Config::ack_interval_ms`](super::Config::ack_interval_ms) apart; [`Error::Timeout`]
    /// if data stays unacknowledged.
    pub async fn wait_acknowledged(
        &mut self,
        connect_id: ConnectId,
    ) -> Result<AckQueryLine, Error> {
        for poll in 0..self.config.ack_polls.max(1) {
            if poll > 0 {
                self.pause(self.config.ack_interval_ms).await;
            }
            let status = self.ack_status(connect_id).await?;
            if status.unacked_bytes == 0 {
                return Ok(status);
            }
        }
        Err(Error::Timeout)
    }

    /// Writes a payload after its prompt in the live format (raw bytes, or two hex digits
    /// per byte with `AT+QICFG="dataformat",1,<r>`), then `end` (Ctrl+Z) if given, and waits
    /// for the final result. With `AT+QISDE=1` the digester is told to drop the echo of
    /// exactly what is written. Raw data goes in one write; hex digits in pieces of
    /// [`HEX_PIECE`] bytes, written back to back.
    async fn write_prompted<const TIMEOUT_MS: u32>(
        &mut self,
        data: &[u8],
        end: Option<u8>,
    ) -> Result<(), Error> {
        let framing = self.digest.framing();
        if framing.echo {
            // What ends the input is not echoed (erratum qisde-echo-shape).
            let wire = framing.send_wire_len(data.len());
            self.digest.expect_payload_echo(wire);
        }
        if !framing.send_hex || data.is_empty() {
            let Some(end) = end else {
                return self.write_payload::<TIMEOUT_MS, true>(data).await;
            };
            self.write_payload::<TIMEOUT_MS, false>(data).await?;
            return self.write_payload::<TIMEOUT_MS, true>(&[end]).await;
        }
        let mut digits = [0u8; 2 * HEX_PIECE + 1];
        let mut pieces = data.chunks(HEX_PIECE).peekable();
        while let Some(piece) = pieces.next() {
            let mut w = crate::wire::Writer::new(&mut digits);
            w.hex(piece).map_err(|_| Error::BufferTooSmall)?;
            let last = pieces.peek().is_none();
            if let (true, Some(end)) = (last, end) {
                w.bytes(&[end]).map_err(|_| Error::BufferTooSmall)?;
            }
            let n = w.len();
            if last {
                self.write_payload::<TIMEOUT_MS, true>(&digits[..n]).await?;
            } else {
                self.write_payload::<TIMEOUT_MS, false>(&digits[..n])
                    .await?;
            }
        }
        Ok(())
    }

    /// The validation error of a command that must not be sent.
    fn reject<C: super::Command>(&self, cmd: &C) -> Error {
        match cmd.check() {
            Err(e) => Error::Invalid(e),
            Ok(()) => Error::WrongState,
        }
    }
}
