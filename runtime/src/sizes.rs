//! Buffer sizes for atat, worked out from the spec's maximum lengths (see [`crate::limits`]),
//! so that nothing the module can send according to the document overflows them.
//!
//! ```
//! use quectel_qi::sizes;
//! // atat::asynch::Client::new(tx, &RES_SLOT, &mut [0; sizes::COMMAND_BUF_SIZE], config)
//! // atat::Ingress::new(digester, &mut [0; sizes::INGRESS_BUF_SIZE], &RES_SLOT, &URC_CHANNEL)
//! // static RES_SLOT: atat::ResponseSlot<{ sizes::RESPONSE_SLOT_SIZE }> = ...;
//! // static URC_CHANNEL: atat::UrcChannel<quectel_qi::client::QueuedUrc, { sizes::URC_CAPACITY }, N> = ...;
//! assert!(sizes::INGRESS_BUF_SIZE >= sizes::RESPONSE_SLOT_SIZE);
//! ```

use crate::digest::MAX_FINAL_LEN;
use crate::limits;

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Number of socket IDs: one more than the largest `<connectID>`.
pub const SOCKETS: usize = crate::digest::SOCKETS;

/// The client's command buffer (`atat` `Client`): the longest command line of any form
/// ([`limits::MAX_COMMAND_LEN`]), or the longest payload written after the `>` prompt
/// ([`limits::MAX_PROMPT_DATA_LEN`]) plus the Ctrl+Z that ends the open-length form.
pub const COMMAND_BUF_SIZE: usize = max(limits::MAX_COMMAND_LEN, limits::MAX_PROMPT_DATA_LEN + 1);

/// The response slot (`atat::ResponseSlot<N>`): the longest information part of any
/// response ([`limits::MAX_RESPONSE_LEN`]), which is what the digester hands over. The
/// digester refuses longer responses rather than overflow it (see
/// [`QiDigester::with_max_response`](crate::digest::QiDigester::with_max_response)).
pub const RESPONSE_SLOT_SIZE: usize = limits::MAX_RESPONSE_LEN;

/// The longest URC frame (line, CR LF, payload): [`limits::MAX_URC_LEN`].
pub const URC_SIZE: usize = limits::MAX_URC_LEN;

/// URCs the channel should hold (`atat::UrcChannel<QueuedUrc, N, _>`): one per socket, since a
/// socket in buffer access mode is notified once until drained and a closed socket once. An
/// application that lets several direct-push URCs per socket queue up needs more.
pub const URC_CAPACITY: usize = SOCKETS;

/// The ingress buffer (`atat::Ingress`): the longest thing the digester must see whole
/// before it can hand anything over: an echoed command, a complete response, a URC that
/// arrived between its lines and its final result, and the final result, with CR LF around
/// each. A response is handed over as soon as its final result is in, so this also leaves
/// room for the start of what follows.
pub const INGRESS_BUF_SIZE: usize = (limits::MAX_COMMAND_LEN + 2)
    + (limits::MAX_RESPONSE_LEN + 4)
    + (limits::MAX_URC_LEN + 4)
    + (MAX_FINAL_LEN + 4);

/// The longest line a payload follows: the payload's frame less the payload. A push's
/// `+QIURC: "recv",...` line is the longest such line, longer than any `+QIRD:` line.
pub const DATA_LINE_LEN: usize = limits::MAX_URC_LEN - limits::MAX_DATA_LEN;

/// The bytes a frame carrying a payload of `wire` bytes (as it lies on the wire) takes in
/// the input at most: its line and the payload, then a final result (an `AT+QIRD` answer),
/// CR LF around each.
pub const fn data_frame_size(wire: usize) -> usize {
    2 + DATA_LINE_LEN + 2 + wire + 2 + (MAX_FINAL_LEN + 4)
}

/// The largest payload whose frame fits an input buffer of `capacity` bytes, where
/// `bytes_per_byte` wire bytes carry one payload byte (1 in text, 2 in hex framing); 0 when
/// not even one byte fits.
pub const fn payload_room(capacity: usize, bytes_per_byte: usize) -> usize {
    let frame = data_frame_size(0);
    if capacity <= frame {
        return 0;
    }
    (capacity - frame) / bytes_per_byte
}

/// One frame with the largest payload ([`limits::MAX_DATA_LEN`], a 1,500-byte push or
/// `AT+QIRD` answer) in text framing: the least input buffer of a stack that reads and is
/// pushed 1,500 bytes at a time.
pub const DATA_FRAME_SIZE: usize = data_frame_size(limits::MAX_DATA_LEN);

/// [`DATA_FRAME_SIZE`] in hex framing (`AT+QICFG="dataformat",<s>,1`): the payload comes as
/// two hexadecimal digits per byte.
pub const HEX_DATA_FRAME_SIZE: usize = data_frame_size(2 * limits::MAX_DATA_LEN);

const _: () = assert!(payload_room(DATA_FRAME_SIZE, 1) == limits::MAX_DATA_LEN);
const _: () = assert!(payload_room(HEX_DATA_FRAME_SIZE, 2) == limits::MAX_DATA_LEN);
const _: () = assert!(INGRESS_BUF_SIZE >= HEX_DATA_FRAME_SIZE);

// A payload echo (AT+QISDE=1) is consumed whole, so it must fit as well.
const _: () = assert!(INGRESS_BUF_SIZE > limits::MAX_PROMPT_DATA_LEN + 2);
