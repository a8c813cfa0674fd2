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

// A payload echo (AT+QISDE=1) is consumed whole, so it must fit as well.
const _: () = assert!(INGRESS_BUF_SIZE > limits::MAX_PROMPT_DATA_LEN + 2);
