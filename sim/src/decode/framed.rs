//! Where a data line's payload lies in the log, in the framing the host set
//! (`AT+QICFG="dataformat"` and `"viewmode"`, section 2.3.1): after the line's CR LF or
//! (view mode 1) after the comma that ends its header, as raw bytes or two hex digits per byte.

use quectel_qi::framing::Framing;
use quectel_qi::wire::{self, DecodeError};

/// A payload as long as any one line announces: what a header is decoded with before its
/// payload is known.
static ANY_PAYLOAD: [u8; 4096] = [0; 4096];

/// A data line cut into its header and its payload's place in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Where the header ends (exclusive), from the line's start.
    pub header_len: usize,
    /// Where the payload's wire form starts in the input.
    pub wire_start: usize,
    /// The payload's length in bytes, as the header announces it.
    pub n: usize,
    /// Its length on the wire (`2n` in hex).
    pub wire_len: usize,
}

/// Cuts the data line starting at `line_start` whose text (without its line end) is
/// `text_len` bytes and whose next line starts at `next`. `announced(header, payload)` is the
/// payload length a header announces (`None`: no data line). `None` when no header announces
/// data.
pub fn cut(
    input: &[u8],
    line_start: usize,
    text_len: usize,
    next: usize,
    framing: Framing,
    announced: impl Fn(&[u8], &'static [u8]) -> Option<usize>,
) -> Option<Cut> {
    let (header_len, wire_start, n) = if framing.view_comma {
        let from = &input[line_start..];
        let (c, n) = wire::comma_data_header(from, |h, _| Ok(announced(h, &ANY_PAYLOAD)))
            .ok()
            .flatten()?;
        (c, line_start + c + 1, n)
    } else {
        let n = announced(&input[line_start..line_start + text_len], &ANY_PAYLOAD)?;
        (text_len, next, n)
    };
    let wire_len = if framing.recv_hex { 2 * n } else { n };
    Some(Cut {
        header_len,
        wire_start,
        n,
        wire_len,
    })
}

/// The payload's bytes from its wire form (hex digits decoded); `Truncated` when the input
/// ends first, `NotHex` for digits that are not.
pub fn payload(input: &[u8], c: &Cut) -> Result<Vec<u8>, DecodeError> {
    let wire = input
        .get(c.wire_start..c.wire_start + c.wire_len)
        .ok_or(DecodeError::Truncated)?;
    let mut out = vec![0u8; c.n];
    wire::copy_payload(wire, c.n, 0, &mut out)?;
    Ok(out)
}

/// What the host writes after the prompt for `n` bytes: `2n` hex digits in hex sending.
pub fn sent_len(framing: Framing, n: usize) -> usize {
    if framing.send_hex {
        2 * n
    } else {
        n
    }
}
