//! The document's recovery steps (1.1 Figure 1, 2.3.5 note 3, 2.3.8) as a policy an
//! application opts into: [`Recovery`] wraps [`Client::open`] and [`Client::send`] and keeps
//! the count of failures in a row.
//!
//! - Open: [`Client::open`] already waits the spec's time for `+QIOPEN: <id>,<err>` (150 s,
//!   2.3.5 note 3); without it in time the socket is closed with `AT+QICLOSE`, as the note
//!   says. After [`Policy::failed_opens_before_reactivation`] failed opens in a row the
//!   context is deactivated and activated again and the open is tried once more.
//! - Send: after `ERROR` the document asks to wait before sending again, and after
//!   `SEND FAIL` (a full buffer) allows sending again; each chunk is tried up to
//!   [`Policy::send_attempts`] times, [`Policy::send_error_pause_ms`] apart.

use super::{Client, Error, Link, SEND_CHUNK};
use crate::{qiopen, ConnectId};

/// The numbers of the recovery steps. `Default` gives the document's where it states one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failed opens in a row after which the context is deactivated and activated again
    /// (the spec's [`qiopen::FAILED_OPENS_BEFORE_REACTIVATION`], 5).
    pub failed_opens_before_reactivation: u32,
    /// Tries of one chunk of a send (ours: 2; the document gives no number).
    pub send_attempts: u32,
    /// Pause before a chunk is sent again after `ERROR` or `SEND FAIL`, in ms (ours: 1000;
    /// the document says "wait for some time").
    pub send_error_pause_ms: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            failed_opens_before_reactivation: qiopen::FAILED_OPENS_BEFORE_REACTIVATION,
            send_attempts: 2,
            send_error_pause_ms: 1000,
        }
    }
}

/// Applies a [`Policy`] around a client's opens and sends; keeps the failures in a row.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    policy: Policy,
    failed_opens: u32,
}

impl Recovery {
    /// No failures yet.
    pub fn new(policy: Policy) -> Self {
        Recovery {
            policy,
            failed_opens: 0,
        }
    }

    /// The policy in use.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Failed opens in a row so far.
    pub fn failed_opens(&self) -> u32 {
        self.failed_opens
    }

    /// [`Client::open`] with the document's recovery: a socket whose outcome did not come in
    /// time is closed; the open that makes [`Policy::failed_opens_before_reactivation`]
    /// failures in a row deactivates and activates the context and opens once more, and
    /// that open's result is returned.
    pub async fn open<L: Link, const PUSH: usize>(
        &mut self,
        client: &mut Client<'_, L, PUSH>,
        open: &qiopen::Open<'_>,
    ) -> Result<ConnectId, Error> {
        match self.open_once(client, open).await {
            Ok(id) => Ok(id),
            Err(e) if self.failed_opens < self.policy.failed_opens_before_reactivation.max(1) => {
                Err(e)
            }
            Err(_) => {
                self.failed_opens = 0;
                client.deactivate(open.context_id).await?;
                client.activate(open.context_id).await?;
                self.open_once(client, open).await
            }
        }
    }

    async fn open_once<L: Link, const PUSH: usize>(
        &mut self,
        client: &mut Client<'_, L, PUSH>,
        open: &qiopen::Open<'_>,
    ) -> Result<ConnectId, Error> {
        match client.open(open).await {
            Ok(id) => {
                self.failed_opens = 0;
                Ok(id)
            }
            Err(e) => {
                if e == Error::Timeout {
                    // 2.3.5 note 3: no outcome in time, close the socket.
                    let _ = client.close(open.connect_id).await;
                }
                self.failed_opens += 1;
                Err(e)
            }
        }
    }

    /// [`Client::send`] chunk by chunk, each chunk tried again after `ERROR` or `SEND FAIL`
    /// (at most [`Policy::send_attempts`] times, [`Policy::send_error_pause_ms`] apart).
    /// Validation errors and transport failures are not retried.
    pub async fn send<L: Link, const PUSH: usize>(
        &mut self,
        client: &mut Client<'_, L, PUSH>,
        connect_id: ConnectId,
        data: &[u8],
    ) -> Result<(), Error> {
        if data.is_empty() {
            return client.send(connect_id, data).await;
        }
        for chunk in data.chunks(SEND_CHUNK) {
            let mut attempt = 1;
            loop {
                match client.send(connect_id, chunk).await {
                    Ok(()) => break,
                    Err(Error::Module(_) | Error::SendFailed)
                        if attempt < self.policy.send_attempts =>
                    {
                        client.pause(self.policy.send_error_pause_ms).await;
                        attempt += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
