//! Command lines: decoded with the generated codec, executed against the module's state, and
//! answered with the generated encoders.

use super::input::Until;
use super::net::{err_value, hstring, port};
use super::output::{frame, frame_data};
use super::services;
use super::sockets::Socket;
use super::Sim;
use quectel_qi::response::{qiact, qicsgp, qidnscfg, qigeterror, qird, qisde, qisend, qistate};
use quectel_qi::{
    AccessMode, AtPort, CloseMode, ConnectId, ContextId, ContextState, ErrorCode, NtpPort,
    ReadActualLength, ReadLength, Request, ResponseLine, SendLength, SocketServiceType,
    SocketState, Urc,
};
use std::net::SocketAddr;
use std::time::Duration;

/// How a command ended, when it did not fail.
pub(crate) enum Done {
    /// Information lines (already framed), then OK.
    Lines(Vec<Vec<u8>>),
    /// OK, then URCs (already framed); the error code the URCs report becomes the last error.
    OkThen(Vec<Vec<u8>>, ErrorCode),
    /// The handler answered on its own (prompt, CONNECT, SEND OK).
    Answered,
}

pub(crate) fn ok() -> Result<Done, ErrorCode> {
    Ok(Done::Lines(Vec::new()))
}

fn line(l: ResponseLine) -> Vec<u8> {
    frame(|w| l.encode(w))
}

pub(crate) fn urc_bytes(u: Urc) -> Vec<u8> {
    frame(|w| u.encode(w))
}

/// The description AT+QIGETERROR prints: the document's example shows chapter 4's text in
/// lower case ("552, invalid parameters").
fn describe(e: ErrorCode) -> String {
    e.text().to_lowercase()
}

impl Sim {
    /// Executes one command line (without its CR).
    pub(crate) fn execute(&mut self, line: &[u8]) {
        if !self.response_delay.is_zero() {
            std::thread::sleep(self.response_delay);
        }
        // Only the TCP/IP commands of the application note touch the last error.
        let keeps_error;
        // URCs the command causes (a registration change) come after its final result.
        self.executing = true;
        let result = match Request::decode(line) {
            Ok(req) => {
                // Reading the last error does not change it.
                keeps_error =
                    !req.shape().in_application_note || matches!(req, Request::QigeterrorQuery(_));
                self.request(&req)
            }
            Err(_) => match known_command(line) {
                Some(shape) => {
                    keeps_error = !shape.in_application_note;
                    Err(if shape.in_application_note {
                        ErrorCode::InvalidParameters
                    } else {
                        ErrorCode::IncorrectParameters
                    })
                }
                // Not a command of the module (V.250 5.6: ERROR, whatever AT+CMEE says).
                None => {
                    self.executing = false;
                    self.result("ERROR");
                    return;
                }
            },
        };
        self.executing = false;
        match result {
            Ok(Done::Lines(lines)) => {
                if !keeps_error {
                    self.last_error = ErrorCode::OperateSuccess;
                }
                for l in lines {
                    self.information(&l);
                }
                self.result("OK");
            }
            Ok(Done::OkThen(urcs, err)) => {
                self.last_error = err;
                self.result("OK");
                for u in urcs {
                    self.urc(u);
                }
            }
            Ok(Done::Answered) => {}
            Err(e) => {
                if !keeps_error {
                    self.last_error = e;
                }
                self.fail(e);
            }
        }
        for u in std::mem::take(&mut self.after_result) {
            self.urc(u);
        }
    }

    /// ATO: back to the socket that left transparent mode, or NO CARRIER (section 1.2).
    pub(crate) fn resume_online(&mut self) {
        let id = self.last_transparent.filter(|id| {
            self.sockets[usize::from(id.get())]
                .as_ref()
                .is_some_and(|s| s.state == SocketState::Connected)
        });
        match id {
            Some(id) => self.enter_transparent(id),
            None => self.result("NO CARRIER"),
        }
    }

    fn request(&mut self, req: &Request<'_>) -> Result<Done, ErrorCode> {
        if let Some(r) = self.modem_request(req) {
            return r;
        }
        if let Some(r) = self.settings.apply(req) {
            return r.map(|l| Done::Lines(l.map(line).into_iter().collect()));
        }
        if let Some(lines) = super::test_forms::answer(req) {
            return Ok(Done::Lines(lines.into_iter().map(line).collect()));
        }
        use Request as R;
        match req {
            R::QiactRead(_) => {
                let lines = (ContextId::MIN.get()..=ContextId::MAX.get())
                    .filter_map(|i| ContextId::new(i64::from(i)))
                    .filter_map(|id| {
                        let c = &self.contexts[usize::from(id.get())];
                        c.active.then(|| {
                            line(ResponseLine::QiactReadLine(qiact::ReadLine {
                                context_id: id,
                                context_state: ContextState::Activated,
                                context_type: c.context_type,
                                ip_address: Some(hstring(&self.cfg.address.to_string())),
                            }))
                        })
                    })
                    .collect();
                Ok(Done::Lines(lines))
            }
            R::QiactActivate(a) => {
                // No bearer without the packet domain (Figure 1 waits for registration first).
                if !self.modem.attached() {
                    return Err(ErrorCode::ActivatePdpContextFailed);
                }
                let c = self.context(a.context_id);
                if c.active {
                    return Err(ErrorCode::ActivatePdpContextFailed);
                }
                c.active = true;
                ok()
            }
            R::QideactDeactivate(d) => {
                for slot in self.sockets.iter_mut() {
                    if slot.as_ref().is_some_and(|s| s.context == d.context_id) {
                        if let Some(mut s) = slot.take() {
                            s.shut();
                        }
                    }
                }
                self.context(d.context_id).active = false;
                ok()
            }
            R::QicsgpQuery(q) => {
                let c = &self.contexts[usize::from(q.context_id.get())];
                Ok(Done::Lines(vec![line(ResponseLine::QicsgpQueryLine(
                    qicsgp::QueryLine {
                        context_type: c.context_type,
                        apn: hstring(&c.apn),
                        username: hstring(&c.username),
                        password: hstring(&c.password),
                        authentication: c.authentication,
                    },
                ))]))
            }
            R::QicsgpConfigure(q) => {
                let c = self.context(q.context_id);
                c.context_type = q.context_type;
                c.apn = q.apn.into();
                if let Some(u) = q.username {
                    c.username = u.into();
                }
                if let Some(p) = q.password {
                    c.password = p.into();
                }
                if let Some(a) = q.authentication {
                    c.authentication = a;
                }
                ok()
            }
            R::QiopenOpen(o) => self.open(o),
            R::QicloseClose(c) => {
                if let Some(mut s) = self.sockets[usize::from(c.connect_id.get())].take() {
                    s.shut();
                }
                if self.last_transparent == Some(c.connect_id) {
                    self.last_transparent = None;
                }
                if self.settings.close_mode == CloseMode::Enable {
                    // The outcome as a URC after OK (erratum qiclose-close-mode-urc).
                    let done = urc_bytes(Urc::CloseResult(quectel_qi::urc::CloseResult {
                        connect_id: c.connect_id,
                        err: err_value(ErrorCode::OperateSuccess),
                    }));
                    return Ok(Done::OkThen(vec![done], ErrorCode::OperateSuccess));
                }
                ok()
            }
            R::QistateRead(_)
            | R::QistateExecute(_)
            | R::QistateByContext(_)
            | R::QistateBySocket(_) => Ok(Done::Lines(self.state_lines(req))),
            R::QisendSend(s) => {
                self.sendable(s.connect_id, false)?;
                self.start_prompt(s.connect_id, Until::CtrlZ(max_send()), None);
                Ok(Done::Answered)
            }
            R::QisendSendFixed(s) => {
                self.sendable(s.connect_id, false)?;
                let n = usize::from(s.send_length.get());
                self.start_prompt(s.connect_id, Until::Length(n), None);
                Ok(Done::Answered)
            }
            R::QisendSendTo(s) => {
                self.sendable(s.connect_id, true)?;
                let ip: std::net::Ipv4Addr = s
                    .remote_ip
                    .parse()
                    .map_err(|_| ErrorCode::InvalidParameters)?;
                let to = SocketAddr::from((ip, s.remote_port.get()));
                let n = usize::from(s.send_length.get());
                self.start_prompt(s.connect_id, Until::Length(n), Some(to));
                Ok(Done::Answered)
            }
            R::QisendAckQuery(q) => {
                let s = self.socket(q.connect_id).ok_or(ErrorCode::SocketClosed)?;
                // Loopback acknowledges what it took at once.
                let sent = s.sent as u32;
                Ok(Done::Lines(vec![line(ResponseLine::QisendAckQueryLine(
                    qisend::AckQueryLine {
                        total_send_length: sent,
                        acked_bytes: sent,
                        unacked_bytes: 0,
                    },
                ))]))
            }
            R::QisendexSendHex(x) => {
                self.sendable(x.connect_id, false)?;
                let mut data = vec![0u8; x.hex_string.len() / 2];
                let n = quectel_qi::wire::hex_decode(x.hex_string.as_bytes(), &mut data)
                    .map_err(|_| ErrorCode::InvalidParameters)?;
                data.truncate(n);
                self.send_payload(x.connect_id, &data, None);
                Ok(Done::Answered)
            }
            R::QirdRead(r) => self.read(r.connect_id, r.read_length),
            R::QirdReadFrom(r) => self.read(r.connect_id, r.read_length),
            R::QirdCounters(c) => {
                let s = self.socket(c.connect_id).ok_or(ErrorCode::SocketClosed)?;
                let unread = s.unread() as u32;
                Ok(Done::Lines(vec![line(ResponseLine::QirdCountersLine(
                    qird::CountersLine {
                        total_receive_length: s.received as u32,
                        have_read_length: s.read as u32,
                        unread_length: unread,
                    },
                ))]))
            }
            R::QiacceptAccept(a) => self.accept(a.listener_id, a.accept, a.incoming_id),
            R::QiswtmdSwitch(s) => {
                let id = s.connect_id;
                let sock = self.socket(id).ok_or(ErrorCode::SocketClosed)?;
                if s.access_mode == AccessMode::Transparent {
                    let stream = matches!(
                        sock.kind,
                        SocketServiceType::Tcp
                            | SocketServiceType::Udp
                            | SocketServiceType::TcpIncoming
                    );
                    if !stream || sock.state != SocketState::Connected {
                        return Err(ErrorCode::OperationNotAllowed);
                    }
                    self.enter_transparent(id);
                    return Ok(Done::Answered);
                }
                sock.access = s.access_mode;
                if s.access_mode == AccessMode::DirectPush && sock.unread() > 0 {
                    // Buffered data is pushed at once.
                    let kind = sock.kind;
                    let mut parts: Vec<(Vec<u8>, Option<SocketAddr>)> =
                        vec![(sock.rx.drain(..).collect(), None)];
                    parts.extend(sock.datagrams.drain(..).map(|(a, d)| (d, Some(a))));
                    sock.notified = false;
                    self.result("OK");
                    for (d, from) in parts.into_iter().filter(|p| !p.0.is_empty()) {
                        if let Some(s) = self.socket(id) {
                            s.read += d.len() as u64;
                        }
                        self.push(id, kind, &d, from);
                    }
                    self.last_error = ErrorCode::OperateSuccess;
                    return Ok(Done::Answered);
                }
                ok()
            }
            R::QpingPing(p) => {
                if !self.contexts[usize::from(p.context_id.get())].active {
                    return Err(ErrorCode::OperationNotAllowed);
                }
                let timeout = p.timeout.unwrap_or_default().get();
                let count = p.pingnum.unwrap_or_default().get();
                services::ping(
                    self.cfg.network.clone(),
                    p.host.into(),
                    Duration::from_secs(u64::from(timeout)),
                    u32::from(count),
                    self.tx.clone(),
                )
                .map_err(|_| ErrorCode::OperationBusy)?;
                ok()
            }
            R::QntpSync(n) => {
                if !self.contexts[usize::from(n.context_id.get())].active {
                    return Err(ErrorCode::OperationNotAllowed);
                }
                if self.ntp_busy.is_some() {
                    return Err(ErrorCode::OperationBusy);
                }
                let port = n.ntp_port.map_or(services::NTP_PORT, |p| p.get());
                services::ntp(
                    self.cfg.network.clone(),
                    n.server.into(),
                    port,
                    self.cfg.ntp_timeout,
                    self.tx.clone(),
                )
                .map_err(|_| ErrorCode::OperationBusy)?;
                self.ntp_busy = Some((n.server.into(), port));
                ok()
            }
            R::QntpRead(_) => {
                let lines = match &self.ntp_busy {
                    Some((server, p)) => {
                        let ntp_port = NtpPort::new(i64::from(*p)).unwrap_or(NtpPort::MIN);
                        vec![line(ResponseLine::QntpReadLine(
                            quectel_qi::response::qntp::ReadLine {
                                server: hstring(server),
                                ntp_port,
                            },
                        ))]
                    }
                    None => Vec::new(),
                };
                Ok(Done::Lines(lines))
            }
            R::QidnscfgQuery(q) => {
                let c = &self.contexts[usize::from(q.context_id.get())];
                Ok(Done::Lines(vec![line(ResponseLine::QidnscfgQueryLine(
                    qidnscfg::QueryLine {
                        context_id: q.context_id,
                        primary: hstring(&c.dns.0),
                        secondary: hstring(&c.dns.1),
                    },
                ))]))
            }
            R::QidnscfgConfigure(q) => {
                let c = self.context(q.context_id);
                if !c.active {
                    return Err(ErrorCode::OperationNotAllowed);
                }
                c.dns.0 = q.primary.into();
                if let Some(s) = q.secondary {
                    c.dns.1 = s.into();
                }
                ok()
            }
            R::QidnsgipResolve(r) => {
                if !self.contexts[usize::from(r.context_id.get())].active {
                    return Err(ErrorCode::OperationNotAllowed);
                }
                services::dns(self.cfg.network.clone(), r.hostname.into(), self.tx.clone())
                    .map_err(|_| ErrorCode::DnsBusy)?;
                ok()
            }
            R::QisdeSet(s) => {
                self.data_echo = s.echo;
                ok()
            }
            R::QisdeRead(_) => Ok(Done::Lines(vec![line(ResponseLine::QisdeReadLine(
                qisde::ReadLine {
                    echo: self.data_echo,
                },
            ))])),
            R::QigeterrorQuery(_) => {
                let e = self.last_error;
                let description = describe(e);
                Ok(Done::Lines(vec![line(ResponseLine::QigeterrorQueryLine(
                    qigeterror::QueryLine {
                        err: err_value(e),
                        err_code_description: hstring(&description),
                    },
                ))]))
            }
            _ => Err(ErrorCode::OperationNotSupported),
        }
    }

    /// Checks that a socket can take AT+QISEND (`to`: the UDP SERVICE form).
    fn sendable(&mut self, id: ConnectId, to: bool) -> Result<(), ErrorCode> {
        let s = self.socket(id).ok_or(ErrorCode::SocketClosed)?;
        let kind_ok = match s.kind {
            SocketServiceType::UdpService => to,
            SocketServiceType::Tcp | SocketServiceType::Udp | SocketServiceType::TcpIncoming => !to,
            _ => false,
        };
        if !kind_ok {
            return Err(ErrorCode::OperationNotAllowed);
        }
        if s.state != SocketState::Connected {
            return Err(ErrorCode::SocketClosed);
        }
        Ok(())
    }

    fn read(&mut self, id: ConnectId, len: Option<ReadLength>) -> Result<Done, ErrorCode> {
        let (view, format) = (self.settings.view_mode, self.settings.recv_format);
        let s = self.socket(id).ok_or(ErrorCode::SocketClosed)?;
        if s.kind == SocketServiceType::TcpListener {
            return Err(ErrorCode::OperationNotAllowed);
        }
        let max = usize::from(len.unwrap_or(ReadLength::MAX).get());
        // A field fault: more bytes than asked, when there are more.
        let max = if len.is_some() {
            max + self.field.read_extra
        } else {
            max
        };
        let s = self.socket(id).ok_or(ErrorCode::SocketClosed)?;
        let (data, from) = if s.is_udp() {
            match s.datagrams.pop_front() {
                Some((from, mut d)) => {
                    d.truncate(max);
                    (d, Some(from))
                }
                None => (Vec::new(), None),
            }
        } else {
            let n = max.min(s.rx.len());
            (s.rx.drain(..n).collect::<Vec<u8>>(), None)
        };
        s.read += data.len() as u64;
        if s.unread() == 0 {
            s.notified = false;
        }
        let read_actual_length =
            ReadActualLength::new(data.len() as i64).unwrap_or(ReadActualLength::MAX);
        let bytes = match (s.kind, from) {
            (SocketServiceType::UdpService, Some(from)) => {
                let (ip, p) = Sim::addr_parts(&from);
                let l = ResponseLine::QirdReadFromLine(qird::ReadFromLine {
                    read_actual_length,
                    remote_ip: Some(hstring(&ip)),
                    remote_port: Some(port(p)),
                    data: &[],
                });
                frame_data(|w| l.encode(w), &data, view, format)
            }
            _ => {
                let l = ResponseLine::QirdReadLine(qird::ReadLine {
                    read_actual_length,
                    data: &[],
                });
                frame_data(|w| l.encode(w), &data, view, format)
            }
        };
        self.release_held_closed(id);
        Ok(Done::Lines(vec![bytes]))
    }

    /// The AT+QISTATE lines the request asks for.
    fn state_lines(&self, req: &Request<'_>) -> Vec<Vec<u8>> {
        let pick = |s: &&Socket| match req {
            Request::QistateByContext(q) => s.context == q.context_id,
            Request::QistateBySocket(q) => s.id == q.connect_id,
            _ => true,
        };
        self.sockets
            .iter()
            .flatten()
            .filter(pick)
            .map(|s| {
                macro_rules! state_line {
                    ($variant:ident, $ty:ident) => {
                        ResponseLine::$variant(qistate::$ty {
                            connect_id: s.id,
                            socket_service_type: s.kind,
                            ip_address: hstring(&s.shown_ip),
                            remote_port: port(s.remote_port),
                            local_port: port(s.local_port),
                            socket_state: s.state,
                            context_id: s.context,
                            server_id: s.server_id,
                            access_mode: s.access,
                            at_port: AtPort::Usbmodem,
                        })
                    };
                }
                let l = match req {
                    Request::QistateByContext(_) => {
                        state_line!(QistateByContextLine, ByContextLine)
                    }
                    Request::QistateBySocket(_) => state_line!(QistateBySocketLine, BySocketLine),
                    Request::QistateRead(_) => state_line!(QistateReadLine, ReadLine),
                    _ => state_line!(QistateExecuteLine, ExecuteLine),
                };
                line(l)
            })
            .collect()
    }
}

/// The command a line that decodes as none of its forms names: the longest command name the
/// line starts with (`AT+QIACT=x`, `ATE7`), `None` for a line no command of the spec starts.
fn known_command(line: &[u8]) -> Option<&'static quectel_qi::describe::Shape> {
    command_names()
        .iter()
        .filter(|(name, _)| {
            let Some(head) = line.get(..name.len()) else {
                return false;
            };
            let next = line.get(name.len()).copied();
            let basic = !name.starts_with(b"AT+");
            head.eq_ignore_ascii_case(name)
                && match next {
                    None => true,
                    Some(b) if basic => b.is_ascii_digit(),
                    Some(b) => !b.is_ascii_alphanumeric(),
                }
        })
        .max_by_key(|(_, shape)| shape.written.len())
        .map(|(_, shape)| *shape)
}

/// Each form's command name (before `=`, `?` or a basic command's value), found once: every
/// line that decodes as no form is matched against all of them.
fn command_names() -> &'static [(&'static [u8], &'static quectel_qi::describe::Shape)] {
    static NAMES: std::sync::OnceLock<Vec<(&[u8], &quectel_qi::describe::Shape)>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        quectel_qi::describe::REQUESTS
            .iter()
            .map(|shape| {
                let w = shape.written.as_bytes();
                let end = w.iter().position(|b| *b == b'=' || *b == b'?');
                (&w[..end.unwrap_or(w.len())], shape)
            })
            .collect()
    })
}

/// The most bytes one AT+QISEND carries.
fn max_send() -> usize {
    usize::from(SendLength::MAX.get())
}
