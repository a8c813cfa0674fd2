//! The digester fed in chunks, with its shared state changed between chunks as a client
//! would, directly and through atat's ingress (where a frame that does not fit panics).

use atat::digest::{DigestResult, Digester};
use atat::{AtatIngress, Ingress, InternalError, ResponseSlot, UrcChannel};
use quectel_qi::digest::{DigestState, QiDigester, SOCKETS};
use quectel_qi::{sizes, AccessMode, ConnectId, QueuedUrc, Recvind};

/// A small response slot, so that oversized frames are easy to reach.
pub const SMALL_SLOT: usize = 64;

/// One control byte: the next chunk's length (low 5 bits, plus one) and what to change in the
/// state before it (high 3 bits).
fn apply(state: &DigestState, control: u8, forms: usize) -> usize {
    let n = usize::from(control & 0x1f) + 1;
    match control >> 5 {
        4 => {
            let id = ConnectId::new(i64::try_from(n % SOCKETS).unwrap_or(0)).expect("a socket id");
            let mode = AccessMode::try_from(i64::try_from(n % 3).unwrap_or(0)).expect("a mode");
            state.set_access_mode(id, mode);
        }
        5 => state.set_recvind(if n % 2 == 0 {
            Recvind::Enable
        } else {
            Recvind::Disable
        }),
        6 => {
            if forms > 0 {
                state.command_sent(u16::try_from(n * 7 % forms).unwrap_or(0));
            }
        }
        7 => {
            state.set_transparent(false);
            if n % 4 == 0 {
                state.expect_payload_echo(n / 4);
            }
        }
        _ => {}
    }
    n
}

/// The chunks of `stream` and the state change before each, as the control bytes say.
fn chunks<'a>(control: &'a [u8], stream: &'a [u8]) -> impl Iterator<Item = (u8, &'a [u8])> + 'a {
    let mut pos = 0;
    let mut i = 0;
    core::iter::from_fn(move || {
        if pos >= stream.len() {
            return None;
        }
        let c = if control.is_empty() {
            0x1f
        } else {
            control[i % control.len()]
        };
        i += 1;
        let n = usize::from(c & 0x1f) + 1;
        let chunk = &stream[pos..(pos + n).min(stream.len())];
        pos += chunk.len();
        Some((c, chunk))
    })
}

/// Feeds the digester as atat's ingress does and checks what it hands over.
pub fn run_direct(control: &[u8], stream: &[u8], max_response: usize) {
    let state = DigestState::new();
    let mut d = QiDigester::new(&state).with_max_response(max_response);
    let mut buf: Vec<u8> = Vec::new();
    for (c, chunk) in chunks(control, stream) {
        apply(&state, c, crate::FORMS);
        buf.extend_from_slice(chunk);
        // Each round consumes at least a byte, so the buffer's length bounds the rounds.
        for _ in 0..=buf.len() {
            let (r, used) = d.digest(&buf);
            assert!(used <= buf.len(), "consumed {used} of {}", buf.len());
            match r {
                DigestResult::Response(Ok(x)) => assert!(x.len() <= max_response),
                DigestResult::Response(Err(InternalError::Custom(x))) => {
                    assert!(x.len() <= max_response)
                }
                _ => {}
            }
            buf.drain(..used);
            if used == 0 || buf.is_empty() {
                break;
            }
        }
    }
}

/// The same through atat's ingress with a response slot of `N` bytes.
pub fn run_ingress<const N: usize>(control: &[u8], stream: &[u8]) {
    let state = DigestState::new();
    let slot = ResponseSlot::<N>::new();
    let urcs = UrcChannel::<QueuedUrc, { sizes::URC_CAPACITY }, 1>::new();
    let mut sub = urcs.subscribe().expect("one subscriber");
    let mut buf = vec![0u8; sizes::INGRESS_BUF_SIZE];
    let digester = QiDigester::new(&state).with_max_response(N);
    let mut ingress = Ingress::new(digester, &mut buf, &slot, &urcs);
    for (c, chunk) in chunks(control, stream) {
        apply(&state, c, crate::FORMS);
        match ingress.try_write(chunk) {
            // A full buffer: atat's client clears it.
            Ok(n) if n < chunk.len() => ingress.clear(),
            Ok(_) => {}
            // The URC channel is full: the application reads it.
            Err(_) => {}
        }
        while sub.try_next_message_pure().is_some() {}
        if let Some(r) = slot.try_get() {
            drop(r);
            slot.reset();
        }
    }
}
