//! The settings that shape data on the wire. The client writes payloads in the live format,
//! the digester frames by it, and the generated decoders read data frames in any framing
//! through [`wire::decode_data_frame`](crate::wire::decode_data_frame).
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
