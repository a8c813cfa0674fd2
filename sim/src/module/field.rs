//! Field failures: what real modules have been seen to do wrong, as faults a test turns on
//! with [`Control`](super::Control) or the fault port. Each keeps the module's own state
//! consistent (a byte pushed or read is counted once), so a test can tell what the host lost.

use super::commands::urc_bytes;
use super::sockets::Socket;
use super::Sim;
use quectel_qi::{urc, AccessMode, ConnectId, ContextId, SocketServiceType, SocketState, Urc};

impl Sim {
    /// The module restarts on its own (a watchdog, a brown-out) in the middle of whatever runs:
    /// `+QIURC: "pdpdeact"` for each active context, then silence while it boots, then the
    /// start-up lines; every socket is gone and every setting back to its start.
    pub(crate) fn spontaneous_restart(&mut self) {
        self.executing = false;
        for u in std::mem::take(&mut self.after_result) {
            self.out.send(&u);
        }
        self.back_to_commands();
        self.lose_contexts();
        self.restart();
    }

    /// A socket left open by an earlier life of the host: the module keeps it connected (to
    /// nowhere) until the host closes it; an open of the same ID answers 563.
    pub(crate) fn occupy(&mut self, id: ConnectId, context: ContextId) {
        if self.socket(id).is_some() {
            return;
        }
        self.context(context).active = true;
        let gen = self.new_gen();
        let mut s = Socket::new(
            id,
            gen,
            SocketServiceType::Tcp,
            context,
            AccessMode::BufferAccess,
        );
        s.shown_ip = "127.0.0.1".into();
        s.remote_port = 9;
        s.state = SocketState::Connected;
        self.sockets[usize::from(id.get())] = Some(s);
    }

    /// `count` copies of the buffer-access notice for `id` (a module repeating itself): each
    /// is a URC the host's channel must take.
    pub(crate) fn urc_flood(&mut self, id: ConnectId, count: usize) {
        let u = urc_bytes(Urc::Recv(urc::Recv { connect_id: id }));
        for _ in 0..count {
            self.urc(u.clone());
        }
    }

    /// Bytes written as they are, between two frames of output.
    pub(crate) fn inject(&mut self, bytes: &[u8]) {
        self.out.send(bytes);
    }

    /// The `closed` URC of a socket held back by [`FieldFaults::hold_closed`], once its buffer
    /// is empty.
    pub(crate) fn release_held_closed(&mut self, id: ConnectId) {
        let due = self
            .socket(id)
            .is_some_and(|s| s.closed_held && s.unread() == 0);
        if due {
            if let Some(s) = self.socket(id) {
                s.closed_held = false;
            }
            self.urc(urc_bytes(Urc::Closed(urc::Closed { connect_id: id })));
        }
    }
}

/// Pseudo-random bytes for garbage bursts and overflows (xorshift64, deterministic for a seed), never CR or
/// LF inside so that a burst is one line of noise.
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            match (state % 256) as u8 {
                b'\r' | b'\n' => b'#',
                b => b,
            }
        })
        .collect()
}
