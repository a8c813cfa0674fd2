//! The runner: owns the serial input, feeds the digester, and records every URC in the stack's
//! state as it arrives.

use atat::urc_channel::UrcSubscription;
use atat::{AtatIngress, Ingress};
use embassy_futures::select::{select, Either};
use embassy_time::Duration;
use embedded_io::Error as _;
use embedded_io_async::Read;

use super::shared::Shared;
use super::Stopped;
use crate::digest::QiDigester;
use crate::sizes::{RESPONSE_SLOT_SIZE, URC_CAPACITY};
use crate::Urc;

type StackIngress<'d> = Ingress<'d, QiDigester<'d>, Urc, RESPONSE_SLOT_SIZE, URC_CAPACITY, 1>;

/// Owns the serial input of a [`Stack`](super::Stack): run [`run`](Self::run) beside the
/// application (embassy: a task of its own; std: a thread, see `host`).
pub struct Runner<'d, R> {
    rx: R,
    ingress: StackIngress<'d>,
    urcs: UrcSubscription<'d, Urc, URC_CAPACITY, 1>,
    shared: &'d Shared,
    push_wait: Duration,
}

impl<'d, R: Read> Runner<'d, R> {
    pub(super) fn new(
        rx: R,
        ingress: StackIngress<'d>,
        urcs: &'d atat::UrcChannel<Urc, URC_CAPACITY, 1>,
        shared: &'d Shared,
        push_wait_ms: u32,
    ) -> Self {
        Runner {
            rx,
            ingress,
            // The channel's only subscriber: the resources were borrowed mutably for this
            // stack, so no earlier runner still holds it.
            urcs: match urcs.subscribe() {
                Ok(s) => s,
                Err(_) => unreachable!("the stack's URC channel has one subscriber, this runner"),
            },
            shared,
            push_wait: Duration::from_millis(push_wait_ms.into()),
        }
    }

    /// Reads the serial input until it ends or fails, and returns why; the stack's calls fail
    /// with [`Error::ReaderStopped`](super::Error::ReaderStopped) from then on.
    pub async fn run(self) -> Stopped {
        let Runner {
            mut rx,
            mut ingress,
            mut urcs,
            shared,
            push_wait,
        } = self;
        let read = async {
            loop {
                let buf = ingress.write_buf();
                if buf.is_empty() {
                    // A frame larger than the buffer (sized from the spec, so not the module's
                    // own): atat's recovery, clear and go on.
                    warn_!("ingress buffer full: cleared");
                    ingress.clear();
                    shared.with(|s| s.ingress_cleared());
                    continue;
                }
                match rx.read(buf).await {
                    Ok(0) => return Stopped::EndOfStream,
                    Ok(n) => ingress.advance(n).await,
                    Err(e) => return Stopped::Io(e.kind()),
                }
            }
        };
        let route = async {
            loop {
                let u = urcs.next_message_pure().await;
                shared.route(u, push_wait).await;
            }
        };
        let why = match select(read, route).await {
            Either::First(why) => why,
            Either::Second(never) => never,
        };
        shared.stop(why);
        why
    }
}
