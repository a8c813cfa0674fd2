//! PDP contexts: configure, activate, deactivate, read their addresses.

use core::ops::ControlFlow;

use heapless::String;

use super::{Client, Error, Link};
use crate::response::qiact::ReadLine;
use crate::{qiact, qicsgp, qideact, ConnectId, ContextId, ContextState};

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// `AT+QICSGP=...`: sets the APN, credentials and authentication of a context.
    pub async fn configure_context(&mut self, cfg: &qicsgp::Configure<'_>) -> Result<(), Error> {
        self.exec(cfg).await.map(drop)
    }

    /// `AT+QICSGP=<id>`: reads a context's configuration.
    pub async fn context_config(
        &mut self,
        context_id: ContextId,
    ) -> Result<crate::response::qicsgp::QueryLine, Error> {
        self.exec(&qicsgp::Query { context_id }).await
    }

    /// `AT+QIACT=<id>`: activates a context (the spec allows up to 150 s).
    pub async fn activate(&mut self, context_id: ContextId) -> Result<(), Error> {
        self.exec(&qiact::Activate { context_id }).await?;
        self.router.context_reset(context_id);
        Ok(())
    }

    /// `AT+QIDEACT=<id>`: deactivates a context; the module closes its sockets, and the client
    /// forgets them.
    pub async fn deactivate(&mut self, context_id: ContextId) -> Result<(), Error> {
        self.exec(&qideact::Deactivate { context_id }).await?;
        self.router.context_reset(context_id);
        let mut gone = heapless::Vec::<ConnectId, { super::SOCKETS }>::new();
        gone.extend(self.router.sockets_on(context_id));
        for id in gone {
            self.router.closed(id);
            self.digest.forget_socket(id);
        }
        Ok(())
    }

    /// `AT+QIACT?`: every active context with its address, into `out` (the caller's storage:
    /// up to 15 lines of up to 255-byte addresses would be 4 KB as one value). More active
    /// contexts than `out` holds is [`Error::ResponseTooLong`]. To look at each line without
    /// keeping it, see [`exec_lines`](Self::exec_lines).
    pub async fn contexts<const N: usize>(
        &mut self,
        out: &mut heapless::Vec<ReadLine, N>,
    ) -> Result<(), Error> {
        out.clear();
        let full = self
            .exec_lines(&qiact::Read, |line| match out.push(line) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            })
            .await?;
        match full {
            Some(()) => Err(Error::ResponseTooLong),
            None => Ok(()),
        }
    }

    /// The address of an active context, `None` when it is not active. Reads `AT+QIACT?` one
    /// line at a time: only the line of this context is kept.
    pub async fn context_address(
        &mut self,
        context_id: ContextId,
    ) -> Result<Option<String<255>>, Error> {
        let found = self
            .exec_lines(&qiact::Read, |c| {
                if c.context_id == context_id && c.context_state == ContextState::Activated {
                    ControlFlow::Break(c.ip_address)
                } else {
                    ControlFlow::Continue(())
                }
            })
            .await?;
        Ok(found.flatten())
    }

    /// Whether the network deactivated the context (`+QIURC: "pdpdeact"`) since it was last
    /// activated or deactivated by the host.
    pub fn context_lost(&mut self, context_id: ContextId) -> bool {
        self.process_urcs();
        self.router.context_lost(context_id)
    }
}
