//! Socket services: open, close, accept, switch the access mode, query the state.

use core::ops::ControlFlow;

use embassy_time::{Duration, Instant};

use super::{route, Client, Code, Error, Link, Queued};
use crate::response::qistate::BySocketLine;
use crate::{
    dtr_behaviour, online, qiaccept, qiclose, qiopen, qistate, qiswtmd, urc, Accept, AccessMode,
    ConnectId, DtrBehaviour, Urc,
};

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// `AT+QIOPEN=...`: opens a socket service and waits for its outcome: the
    /// `+QIOPEN: <id>,<err>` URC (buffer access, direct push), or `CONNECT` (transparent mode),
    /// within the spec's time for the command. Returns the socket.
    pub async fn open(&mut self, open: &qiopen::Open<'_>) -> Result<ConnectId, Error> {
        let start = Instant::now();
        let id = open.connect_id;
        // Left out, the module uses its default (buffer access); the digester copes with an
        // unknown mode.
        let mode = open.access_mode;
        open.validate()?;
        // Before the command: data may follow the outcome at once. On failure the ID keeps
        // what it had (the module refuses an ID in use).
        let before = self.digest.access_mode(id);
        self.record_mode(id, mode);
        self.digest
            .set_udp_service(id, open.service_type == crate::ServiceType::UdpService);
        if let Err(e) = self.open_and_wait(open, start, mode).await {
            self.record_mode(id, before);
            return Err(e);
        }
        self.router
            .opened(id, open.service_type, mode, open.context_id);
        Ok(id)
    }

    /// Tells the digester a socket's access mode (or that it is unknown).
    fn record_mode(&self, id: ConnectId, mode: Option<AccessMode>) {
        match mode {
            Some(m) => self.digest.set_access_mode(id, m),
            None => self.digest.forget_socket(id),
        }
    }

    async fn open_and_wait(
        &mut self,
        open: &qiopen::Open<'_>,
        start: Instant,
        mode: Option<AccessMode>,
    ) -> Result<(), Error> {
        let id = open.connect_id;
        self.exec(open).await?;
        if mode != Some(AccessMode::Transparent) {
            let deadline = self.deadline(start, qiopen::Open::TIMEOUT_MS);
            let err = self
                .wait_for(deadline, |u| match u {
                    Urc::OpenResult(r) if r.connect_id == id => Some(r.err),
                    _ => None,
                })
                .await?;
            if err.get() != 0 {
                return Err(Error::Rejected(Code::from_number(err.get())));
            }
        }
        Ok(())
    }

    /// `AT+QICLOSE=<id>`: closes a socket (the spec allows 10 s). With
    /// `AT+QICFG="close/mode",1` recorded (see [`framing`](crate::framing)) the module answers
    /// OK at once and the outcome comes as `+QICLOSE: <id>,<err>`, which this waits for
    /// (within the same 10 s); a non-zero `<err>` is [`Error::Rejected`].
    pub async fn close(&mut self, connect_id: ConnectId) -> Result<(), Error> {
        let start = Instant::now();
        let close = qiclose::Close {
            connect_id,
            timeout: None,
        };
        self.exec(&close).await?;
        if self.digest.framing().close_urc {
            let deadline = self.deadline(start, qiclose::Close::TIMEOUT_MS);
            let err = self
                .wait_for(deadline, |u| match u {
                    Urc::CloseResult(r) if r.connect_id == connect_id => Some(r.err),
                    _ => None,
                })
                .await?;
            if err.get() != 0 {
                return Err(Error::Rejected(Code::from_number(err.get())));
            }
        }
        self.router.closed(connect_id);
        self.digest.forget_socket(connect_id);
        Ok(())
    }

    /// `AT+QISTATE=1,<id>`: the module's view of one socket, `None` when it is not in use.
    pub async fn socket_state(
        &mut self,
        connect_id: ConnectId,
    ) -> Result<Option<BySocketLine>, Error> {
        self.exec_lines(&qistate::BySocket { connect_id }, ControlFlow::Break)
            .await
    }

    /// `AT+QIACCEPT=<listener>,1,<incoming>`: accepts the client waiting at a listener in
    /// manual mode; waits for its `+QIACCEPT:` result and returns it (the new socket is
    /// `incoming_id`, in the listener's access mode).
    pub async fn accept(
        &mut self,
        listener_id: ConnectId,
        incoming_id: ConnectId,
    ) -> Result<urc::AcceptResult, Error> {
        let start = Instant::now();
        let listener = self.router.socket(listener_id);
        let before = self.digest.access_mode(incoming_id);
        self.record_mode(incoming_id, listener.mode);
        let accepted = self
            .exec(&qiaccept::Accept {
                listener_id,
                accept: Accept::Accept,
                incoming_id: Some(incoming_id),
            })
            .await;
        if let Err(e) = accepted {
            self.record_mode(incoming_id, before);
            return Err(e);
        }
        self.took_request(listener_id);
        let deadline = self.deadline(start, qiaccept::Accept::TIMEOUT_MS);
        let result = self
            .wait_for(deadline, |u| match u {
                Urc::AcceptResult(r) if r.incoming_id == incoming_id => Some(r.clone()),
                _ => None,
            })
            .await?;
        *self.router.socket_mut(incoming_id) = super::SocketInfo {
            open: true,
            mode: listener.mode,
            context: listener.context,
            ..Default::default()
        };
        Ok(result)
    }

    /// `AT+QIACCEPT=<listener>,0`: refuses the client waiting at a listener in manual mode.
    pub async fn refuse(&mut self, listener_id: ConnectId) -> Result<(), Error> {
        self.exec(&qiaccept::Accept {
            listener_id,
            accept: Accept::Refuse,
            incoming_id: None,
        })
        .await?;
        self.took_request(listener_id);
        Ok(())
    }

    fn took_request(&mut self, listener_id: ConnectId) {
        let s = self.router.socket_mut(listener_id);
        s.accept_requests = s.accept_requests.saturating_sub(1);
    }

    /// Automatic acceptance: the next socket a server got on its own
    /// (`+QIURC: "incoming"`), waiting `timeout_ms` at most.
    pub async fn next_incoming(
        &mut self,
        server: ConnectId,
        timeout_ms: u32,
    ) -> Result<ConnectId, Error> {
        self.process_urcs();
        if let Some(id) = self.router.take_incoming(server) {
            return Ok(id);
        }
        let deadline = Instant::now() + Duration::from_millis(timeout_ms.into());
        loop {
            let Some(q) = self.link.urc(deadline).await else {
                return Err(Error::Timeout);
            };
            q.with_urc(|u| self.route(u));
            if let Some(id) = self.router.take_incoming(server) {
                return Ok(id);
            }
        }
    }

    /// `AT+QISWTMD=<id>,<mode>`: switches the access mode; to transparent mode the module
    /// answers `CONNECT` and the port carries raw data from then on.
    pub async fn switch_mode(
        &mut self,
        connect_id: ConnectId,
        access_mode: AccessMode,
    ) -> Result<(), Error> {
        let before = self.digest.access_mode(connect_id);
        // Before the command: pushed data may follow its result at once.
        self.digest.set_access_mode(connect_id, access_mode);
        let switched = self
            .exec(&qiswtmd::Switch {
                connect_id,
                access_mode,
            })
            .await;
        if let Err(e) = switched {
            self.record_mode(connect_id, before);
            return Err(e);
        }
        self.router.socket_mut(connect_id).mode = Some(access_mode);
        Ok(())
    }

    /// Transparent mode: writes raw bytes to the peer (nothing answers them).
    pub async fn write_transparent(&mut self, data: &[u8]) -> Result<(), Error> {
        for chunk in data.chunks(super::PAYLOAD_MAX) {
            let _unanswered = self
                .link
                .send_bytes::<0, false>(chunk, &mut |_| {})
                .await
                .map_err(super::reply::transport_error)?;
        }
        Ok(())
    }

    /// Leaves transparent mode: `guard_ms` of silence, `+++`, and the module's `OK` (it wants
    /// silence around the escape: the document asks for 1 s). The socket goes on in buffer
    /// access mode (document section 2.2), which is recorded for it.
    pub async fn leave_transparent(&mut self, guard_ms: u32) -> Result<(), Error> {
        self.pause(guard_ms).await;
        self.back_to_command_mode();
        self.write_payload::<{ qiswtmd::Switch::TIMEOUT_MS }, true>(b"+++")
            .await
    }

    /// `AT&D<behaviour>` (V.250 6.2.9): what a change of DTR does. The client remembers the
    /// value (also when the form is sent with [`exec`](Self::exec)):
    /// [`leave_transparent_by_dtr`](Self::leave_transparent_by_dtr) needs
    /// [`DtrBehaviour::CommandMode`] (`AT&D1`), set before transparent mode, where no command
    /// runs.
    pub async fn set_dtr_behaviour(&mut self, behaviour: DtrBehaviour) -> Result<(), Error> {
        self.exec(&dtr_behaviour::Set {
            dtr_behaviour: Some(behaviour),
        })
        .await
        .map(drop)
    }

    /// Leaves transparent mode by DTR (section 1.2): holds `dtr` low for `low_ms`, raises it,
    /// and waits for the module's `OK` (erratum `dtr-edge-answer`: the module answers the
    /// low-to-high edge as it answers `+++`). The socket goes on in buffer access mode, as
    /// after [`leave_transparent`](Self::leave_transparent), without the escape's guard
    /// times.
    ///
    /// The document names this way out only with `AT&D1` set: unless the client saw
    /// [`set_dtr_behaviour`](Self::set_dtr_behaviour)`(CommandMode)` succeed, this fails with
    /// [`Error::DtrNotArmed`] and touches nothing; outside transparent mode with
    /// [`Error::WrongState`]. A pin that cannot be set gives [`Error::Pin`].
    pub async fn leave_transparent_by_dtr<P>(
        &mut self,
        dtr: &mut P,
        low_ms: u32,
    ) -> Result<(), Error>
    where
        P: embedded_hal::digital::OutputPin + Send,
    {
        if self.dtr != Some(DtrBehaviour::CommandMode) {
            return Err(Error::DtrNotArmed);
        }
        if !self.digest.is_transparent() {
            return Err(Error::WrongState);
        }
        dtr.set_low().map_err(|_| Error::Pin)?;
        self.pause(low_ms).await;
        self.back_to_command_mode();
        let mut raised = true;
        let Client {
            link,
            router,
            digest,
            ..
        } = self;
        let answered = link
            .send_edge::<{ qiswtmd::Switch::TIMEOUT_MS }>(
                &mut || raised = dtr.set_high().is_ok(),
                &mut |u| {
                    route(router, digest, u);
                },
            )
            .await;
        if !raised {
            return Err(Error::Pin);
        }
        match answered {
            Ok(Ok(())) => Ok(()),
            Ok(Err(f)) => Err(self.enrich(f).await),
            Err(e) => Err(super::reply::transport_error(e)),
        }
    }

    /// The module is back in command mode once it took the escape (or the DTR edge): its
    /// answer must be framed, and the socket's data URCs as in buffer access mode.
    fn back_to_command_mode(&mut self) {
        let socket = self.router.transparent_socket();
        self.digest.set_transparent(false);
        if let Some(id) = socket {
            self.digest.set_access_mode(id, AccessMode::BufferAccess);
            self.router.socket_mut(id).mode = Some(AccessMode::BufferAccess);
            self.left_transparent = Some(id);
        }
    }

    /// `ATO` (section 1.2): back to transparent mode on the socket that left it through
    /// [`leave_transparent`](Self::leave_transparent) or
    /// [`leave_transparent_by_dtr`](Self::leave_transparent_by_dtr); the module answers
    /// `CONNECT`. Returns that socket. With no such socket known to the client
    /// [`Error::WrongState`], and nothing is sent; when the module has no connection to return
    /// to it answers `NO CARRIER` ([`ErrorResult::NoCarrier`](super::ErrorResult::NoCarrier)).
    pub async fn resume_transparent(&mut self) -> Result<ConnectId, Error> {
        let id = self.left_transparent.ok_or(Error::WrongState)?;
        let before = self.digest.access_mode(id);
        // Before the command: raw data may follow CONNECT at once.
        self.digest.set_access_mode(id, AccessMode::Transparent);
        if let Err(e) = self.exec(&online::Resume { online_mode: None }).await {
            self.record_mode(id, before);
            return Err(e);
        }
        self.router.socket_mut(id).mode = Some(AccessMode::Transparent);
        self.left_transparent = None;
        Ok(id)
    }
}
