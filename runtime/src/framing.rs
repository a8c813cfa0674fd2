//! The settings that shape data on the wire, and the conversions between the module's framing
//! and the bytes an application sends and receives.
//!
//! Five settings decide how payloads look (section 2.3.1 and 2.3.17):
//!
//! | setting | what changes |
//! |---|---|
//! | `AT+QICFG="dataformat",1,<r>` | after the `>` prompt the host writes two hexadecimal digits per byte; `<send_length>` still counts bytes |
//! | `AT+QICFG="dataformat",<s>,1` | received data (`+QIRD`, direct push) comes as two hexadecimal digits per byte; the announced length counts bytes |
//! | `AT+QICFG="viewmode",1` | received data follows its header line after a comma instead of CR LF |
//! | `AT+QICFG="formatcfg",1` | the prompt is `<CR><LF>><CR><LF>` instead of `<CR><LF>>` |
//! | `AT+QISDE=1` | the module echoes what the host writes after the prompt (the digits, in hex mode) |
//! | `AT+QICFG="close/mode",1` | `AT+QICLOSE` answers OK and its outcome follows as `+QICLOSE: <connectID>,<err>` |
//!
//! [`Framing`] holds them (and the close mode, which shapes the `AT+QICLOSE` exchange); the [`DigestState`](crate::digest::DigestState) keeps the live
//! value, which the client records whenever one of these settings is set or read back through
//! [`Client::exec`](crate::client::Client::exec) (or its helpers), and which the
//! digester frames by. `AT+QICFG="qisend/timeout"` changes no framing: the client writes
//! each payload right after its prompt, so a timeout only matters to a host that pauses
//! inside a payload.

use crate::{CloseMode, PromptFormat, RecvDataFormat, SendDataFormat, ViewMode};

/// The live data framing of the module (see the module documentation). `Default` is the
/// module's start-up state as the document's examples show it: text both ways, data after
/// CR LF, the prompt without a trailing CR LF, no payload echo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Framing {
    /// `"dataformat"` `<send_data_format>` is hex: the host writes hex digits after the prompt.
    pub send_hex: bool,
    /// `"dataformat"` `<recv_data_format>` is hex: received payloads are hex digits.
    pub recv_hex: bool,
    /// `"viewmode"` is 1: a received payload follows its header after a comma.
    pub view_comma: bool,
    /// `"formatcfg"` is 1: the prompt ends with CR LF.
    pub prompt_crlf: bool,
    /// `AT+QISDE=1`: the module echoes the payload written after the prompt.
    pub echo: bool,
    /// `AT+QICFG="close/mode",1`: `AT+QICLOSE` answers OK and reports its outcome as
    /// `+QICLOSE: <connectID>,<err>` afterwards.
    pub close_urc: bool,
}

impl Framing {
    /// The start-up state (the same as `Default`).
    pub const fn new() -> Self {
        Framing {
            send_hex: false,
            recv_hex: false,
            view_comma: false,
            prompt_crlf: false,
            echo: false,
            close_urc: false,
        }
    }

    const SEND_HEX: u8 = 1;
    const RECV_HEX: u8 = 2;
    const VIEW_COMMA: u8 = 4;
    const PROMPT_CRLF: u8 = 8;
    const ECHO: u8 = 16;
    const CLOSE_URC: u8 = 32;

    /// Whether received data comes as the generated decoders read it (raw bytes after CR LF).
    pub fn receive_is_plain(&self) -> bool {
        !self.recv_hex && !self.view_comma
    }

    /// Records `AT+QICFG="dataformat"`.
    pub fn with_data_format(mut self, send: SendDataFormat, recv: RecvDataFormat) -> Self {
        self.send_hex = send == SendDataFormat::Hex;
        self.recv_hex = recv == RecvDataFormat::Hex;
        self
    }

    /// Records `AT+QICFG="viewmode"`.
    pub fn with_view_mode(mut self, view: ViewMode) -> Self {
        self.view_comma = view == ViewMode::HeaderCommaData;
        self
    }

    /// Records `AT+QICFG="close/mode"`.
    pub fn with_close_mode(mut self, mode: CloseMode) -> Self {
        self.close_urc = mode == CloseMode::Enable;
        self
    }

    /// Records `AT+QICFG="formatcfg"`.
    pub fn with_prompt_format(mut self, format: PromptFormat) -> Self {
        self.prompt_crlf = format == PromptFormat::S3s4PromptS3s4;
        self
    }

    /// The bytes a received payload of `n` bytes takes on the wire.
    pub fn recv_wire_len(&self, n: usize) -> usize {
        if self.recv_hex {
            n.saturating_mul(2)
        } else {
            n
        }
    }

    /// The bytes a payload of `n` bytes takes after the prompt.
    pub fn send_wire_len(&self, n: usize) -> usize {
        if self.send_hex {
            n.saturating_mul(2)
        } else {
            n
        }
    }

    pub(crate) fn bits(&self) -> u8 {
        let mut b = 0;
        for (on, bit) in [
            (self.send_hex, Self::SEND_HEX),
            (self.recv_hex, Self::RECV_HEX),
            (self.view_comma, Self::VIEW_COMMA),
            (self.prompt_crlf, Self::PROMPT_CRLF),
            (self.echo, Self::ECHO),
            (self.close_urc, Self::CLOSE_URC),
        ] {
            if on {
                b |= bit;
            }
        }
        b
    }

    pub(crate) fn from_bits(b: u8) -> Self {
        Framing {
            send_hex: b & Self::SEND_HEX != 0,
            recv_hex: b & Self::RECV_HEX != 0,
            view_comma: b & Self::VIEW_COMMA != 0,
            prompt_crlf: b & Self::PROMPT_CRLF != 0,
            echo: b & Self::ECHO != 0,
            close_urc: b & Self::CLOSE_URC != 0,
        }
    }
}

/// The most fields a data line's header has (`+QIURC: "recv",<id>,<len>,"<ip>",<port>`).
const HEADER_FIELDS_MAX: usize = 5;

/// Where the commas that may end a data header lie in `line`: the first few outside quotes,
/// after the line's `: ` (the header comes first, so quotes in the data do not matter).
fn header_commas(line: &[u8]) -> heapless::Vec<usize, HEADER_FIELDS_MAX> {
    let mut out = heapless::Vec::new();
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                if out.push(i).is_err() {
                    break;
                }
            }
            b'\r' | b'\n' if !quoted => break,
            _ => {}
        }
    }
    out
}

/// A data line in view mode 1 (`<header>,<data>`): for the bytes from the line's start, the
/// header's end (the comma before the data) and the payload length `n` the header announces,
/// as `announced(header, data)` reads it: `Ok(Some(n))`, `Ok(None)` for no data header,
/// `Err(())` while more bytes are needed. The longest header that announces a payload wins (a
/// sender's address and port are fields, not data), also while its payload is incomplete.
pub(crate) fn comma_data_header(
    buf: &[u8],
    mut announced: impl FnMut(&[u8], &[u8]) -> Result<Option<usize>, ()>,
) -> Result<Option<(usize, usize)>, ()> {
    for &c in header_commas(buf).iter().rev() {
        if let Some(n) = announced(&buf[..c], &buf[c + 1..])? {
            return Ok(Some((c, n)));
        }
    }
    Ok(None)
}

/// Decodes a data frame exactly as the digester cut it out (a URC, or a `+QIRD` line with its
/// payload), in whichever framing the module used: the line, then the payload after CR LF
/// or (view mode 1) after a comma, as raw bytes or hex digits. The frame's length tells the
/// framing apart: a payload of `n` announced bytes takes `n` bytes raw and `2n` as digits, and
/// with a comma the header is the longest one that announces a payload.
///
/// `decode` is a generated `decode(line, payload)`; `payload_len` the payload length of what
/// it decoded (0 without one).
pub fn decode_data_frame<T>(
    frame: &[u8],
    decode: impl Fn(&[u8], &[u8]) -> Result<T, crate::wire::DecodeError>,
    payload_len: impl Fn(&T) -> usize,
) -> Result<T, crate::wire::DecodeError> {
    // Whether `wire` is a payload of `n` bytes, raw or as digits.
    let fits = |wire: &[u8], n: usize| {
        wire.len() == n || wire.len() == 2 * n && wire.iter().all(u8::is_ascii_hexdigit)
    };
    let mut comma = None;
    let _ = comma_data_header(frame, |h, rest| match decode(h, rest) {
        Ok(x) if payload_len(&x) > 0 && fits(rest, payload_len(&x)) => {
            comma = Some((h.len(), payload_len(&x)));
            Ok(Some(0))
        }
        _ => Ok(None),
    });
    let (head, wire, n) = match comma {
        Some((c, n)) => (&frame[..c], &frame[c + 1..], n),
        None => {
            let (line, payload) = crate::wire::split_line(frame);
            let x = decode(line, payload)?;
            let n = payload_len(&x);
            if payload.len() == n || !fits(payload, n) {
                return Ok(x);
            }
            (line, payload, n)
        }
    };
    if wire.len() == n {
        return decode(head, wire);
    }
    decode_hex(head, wire, &decode)
}

/// The hex branch of [`decode_data_frame`], apart so that its buffer is on the stack only
/// while hex data is decoded.
#[inline(never)]
fn decode_hex<T>(
    head: &[u8],
    digits: &[u8],
    decode: &impl Fn(&[u8], &[u8]) -> Result<T, crate::wire::DecodeError>,
) -> Result<T, crate::wire::DecodeError> {
    let mut raw = [0u8; crate::limits::MAX_DATA_LEN];
    let n = crate::wire::hex_decode(digits, &mut raw)?;
    decode(head, &raw[..n])
}
