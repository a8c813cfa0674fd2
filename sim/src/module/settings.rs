//! The AT+QICFG settings of the module and their query and set forms.
//!
//! Integer settings start at the spec's defaults (`Default` of the generated types). The
//! document gives no defaults for the enumerated ones; the module starts where the document's
//! examples show it: automatic accept (3.5 reports "incoming"), recvind off (3.2.3), CR LF view
//! mode and text data, and everything else off (DNS cache on).

use quectel_qi::response::qicfg as line;
use quectel_qi::{
    AcceptMode, AutoSendConnectId, CloseMode, DelayAck, DnsCache, ErrorCode, IdleTime,
    IntervalTime, KeepaliveEnable, MaxBackoffs, MaxRto, PassiveClosed, ProbeCnt, PromptFormat,
    QisendTimeout, RecvDataFormat, Recvind, Request, ResponseLine, RetryAck, RetryTimeout,
    SendBuffersize, SendDataFormat, TimewaitTimeout, Transpktsize, Transwaittm, UdpReadMode,
    UdpSendMode, ViewMode, WindowScaleEnable,
};

/// Every AT+QICFG setting.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub transpktsize: Transpktsize,
    pub transwaittm: Transwaittm,
    pub max_backoffs: MaxBackoffs,
    pub max_rto: MaxRto,
    pub accept_mode: AcceptMode,
    pub passive_closed: PassiveClosed,
    pub send_format: SendDataFormat,
    pub recv_format: RecvDataFormat,
    pub view_mode: ViewMode,
    pub qisend_timeout: QisendTimeout,
    /// The automatic-send configurations ("send/auto"), stored and reported, not acted on;
    /// indexed by `<connectID>` (slot 0 unused).
    pub auto_send: [Option<line::SendAutoQueryLine>; AutoSendConnectId::MAX.get() as usize + 1],
    pub recvind: Recvind,
    pub prompt_format: PromptFormat,
    pub close_mode: CloseMode,
    pub udp_send_mode: UdpSendMode,
    pub udp_read_mode: UdpReadMode,
    pub keepalive: KeepaliveEnable,
    pub idle_time: IdleTime,
    pub interval_time: IntervalTime,
    pub probe_cnt: ProbeCnt,
    pub delay_ack: DelayAck,
    pub dns_cache: DnsCache,
    pub timewait: TimewaitTimeout,
    pub retry_ack: RetryAck,
    pub retry_timeout: RetryTimeout,
    pub send_buffersize: SendBuffersize,
    pub window_scale: WindowScaleEnable,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            transpktsize: Transpktsize::default(),
            transwaittm: Transwaittm::default(),
            max_backoffs: MaxBackoffs::default(),
            max_rto: MaxRto::default(),
            accept_mode: AcceptMode::Automatic,
            passive_closed: PassiveClosed::Disable,
            send_format: SendDataFormat::Text,
            recv_format: RecvDataFormat::Text,
            view_mode: ViewMode::HeaderCrlfData,
            qisend_timeout: QisendTimeout::default(),
            auto_send: Default::default(),
            recvind: Recvind::Disable,
            prompt_format: PromptFormat::S3s4Prompt,
            close_mode: CloseMode::Disable,
            udp_send_mode: UdpSendMode::Block,
            udp_read_mode: UdpReadMode::Block,
            keepalive: KeepaliveEnable::Disable,
            idle_time: IdleTime::default(),
            interval_time: IntervalTime::default(),
            probe_cnt: ProbeCnt::default(),
            delay_ack: DelayAck::Disable,
            dns_cache: DnsCache::Enable,
            timewait: TimewaitTimeout::default(),
            retry_ack: RetryAck::default(),
            retry_timeout: RetryTimeout::default(),
            send_buffersize: SendBuffersize::default(),
            window_scale: WindowScaleEnable::Disable,
        }
    }
}

fn slot(id: AutoSendConnectId) -> usize {
    usize::from(id.get())
}

impl Settings {
    /// Applies a set form or answers a query form of AT+QICFG. `None` when the request is
    /// not an AT+QICFG sub-configuration; `Some(Ok(line))` with the query's line (`None` for a
    /// set).
    pub(crate) fn apply(
        &mut self,
        req: &Request<'_>,
    ) -> Option<Result<Option<ResponseLine<'static>>, ErrorCode>> {
        use Request as R;
        use ResponseLine as L;
        let line = match req {
            R::QicfgTranspktsizeQuery(_) => {
                L::QicfgTranspktsizeQueryLine(line::TranspktsizeQueryLine {
                    transpktsize: self.transpktsize,
                })
            }
            R::QicfgTranspktsizeSet(s) => return set(|| self.transpktsize = s.transpktsize),
            R::QicfgTranswaittmQuery(_) => {
                L::QicfgTranswaittmQueryLine(line::TranswaittmQueryLine {
                    transwaittm: self.transwaittm,
                })
            }
            R::QicfgTranswaittmSet(s) => return set(|| self.transwaittm = s.transwaittm),
            R::QicfgTcpRetranscfgQuery(_) => {
                L::QicfgTcpRetranscfgQueryLine(line::TcpRetranscfgQueryLine {
                    max_backoffs: self.max_backoffs,
                    max_rto: self.max_rto,
                })
            }
            R::QicfgTcpRetranscfgSet(s) => {
                return set(|| {
                    self.max_backoffs = s.max_backoffs;
                    self.max_rto = s.max_rto;
                })
            }
            R::QicfgTcpAcceptQuery(_) => L::QicfgTcpAcceptQueryLine(line::TcpAcceptQueryLine {
                accept_mode: self.accept_mode,
            }),
            R::QicfgTcpAcceptSet(s) => return set(|| self.accept_mode = s.accept_mode),
            R::QicfgPassiveclosedQuery(_) => {
                L::QicfgPassiveclosedQueryLine(line::PassiveclosedQueryLine {
                    passive_closed: self.passive_closed,
                })
            }
            R::QicfgPassiveclosedSet(s) => return set(|| self.passive_closed = s.passive_closed),
            R::QicfgDataformatQuery(_) => L::QicfgDataformatQueryLine(line::DataformatQueryLine {
                send_data_format: self.send_format,
                recv_data_format: self.recv_format,
            }),
            R::QicfgDataformatSet(s) => {
                return set(|| {
                    self.send_format = s.send_data_format;
                    self.recv_format = s.recv_data_format;
                })
            }
            R::QicfgViewmodeQuery(_) => L::QicfgViewmodeQueryLine(line::ViewmodeQueryLine {
                view_mode: self.view_mode,
            }),
            R::QicfgViewmodeSet(s) => return set(|| self.view_mode = s.view_mode),
            R::QicfgQisendTimeoutQuery(_) => {
                L::QicfgQisendTimeoutQueryLine(line::QisendTimeoutQueryLine {
                    qisend_timeout: self.qisend_timeout,
                })
            }
            R::QicfgQisendTimeoutSet(s) => return set(|| self.qisend_timeout = s.qisend_timeout),
            R::QicfgSendAutoQuery(q) => {
                let Some(a) = &self.auto_send[slot(q.auto_send_connect_id)] else {
                    return Some(Err(ErrorCode::InvalidParameters));
                };
                L::QicfgSendAutoQueryLine(a.clone())
            }
            R::QicfgSendAutoSet(s) => {
                let old = self.auto_send[slot(s.auto_send_connect_id)].clone();
                let msg = match s.msg_auto {
                    Some(m) => heapless::String::try_from(m).ok(),
                    None => old.as_ref().map(|a| a.msg_auto.clone()),
                };
                let format = s
                    .auto_data_format
                    .or(old.as_ref().map(|a| a.auto_data_format));
                let try_times = s.try_times.or(old.as_ref().map(|a| a.try_times));
                let (Some(msg), Some(format), Some(try_times)) = (msg, format, try_times) else {
                    // A first configuration needs every value: the document gives no defaults.
                    return Some(Err(ErrorCode::InvalidParameters));
                };
                self.auto_send[slot(s.auto_send_connect_id)] = Some(line::SendAutoQueryLine {
                    auto_send_connect_id: s.auto_send_connect_id,
                    period: s.period,
                    msg_auto: msg,
                    auto_data_format: format,
                    try_times,
                });
                return Some(Ok(None));
            }
            R::QicfgRecvindQuery(_) => L::QicfgRecvindQueryLine(line::RecvindQueryLine {
                recvind: self.recvind,
            }),
            R::QicfgRecvindSet(s) => return set(|| self.recvind = s.recvind),
            R::QicfgFormatcfgQuery(_) => L::QicfgFormatcfgQueryLine(line::FormatcfgQueryLine {
                prompt_format: self.prompt_format,
            }),
            R::QicfgFormatcfgSet(s) => return set(|| self.prompt_format = s.prompt_format),
            R::QicfgCloseModeQuery(_) => L::QicfgCloseModeQueryLine(line::CloseModeQueryLine {
                close_mode: self.close_mode,
            }),
            R::QicfgCloseModeSet(s) => return set(|| self.close_mode = s.close_mode),
            R::QicfgUdpSendmodeQuery(_) => {
                L::QicfgUdpSendmodeQueryLine(line::UdpSendmodeQueryLine {
                    udp_send_mode: self.udp_send_mode,
                })
            }
            R::QicfgUdpSendmodeSet(s) => return set(|| self.udp_send_mode = s.udp_send_mode),
            R::QicfgUdpReadmodeQuery(_) => {
                L::QicfgUdpReadmodeQueryLine(line::UdpReadmodeQueryLine {
                    udp_read_mode: self.udp_read_mode,
                })
            }
            R::QicfgUdpReadmodeSet(s) => return set(|| self.udp_read_mode = s.udp_read_mode),
            R::QicfgTcpKeepaliveQuery(_) => {
                L::QicfgTcpKeepaliveQueryLine(line::TcpKeepaliveQueryLine {
                    keepalive_enable: self.keepalive,
                    idle_time: self.idle_time,
                    interval_time: self.interval_time,
                    probe_cnt: self.probe_cnt,
                })
            }
            R::QicfgTcpKeepaliveSet(s) => {
                return set(|| {
                    self.keepalive = s.keepalive_enable;
                    self.idle_time = s.idle_time.unwrap_or(self.idle_time);
                    self.interval_time = s.interval_time.unwrap_or(self.interval_time);
                    self.probe_cnt = s.probe_cnt.unwrap_or(self.probe_cnt);
                })
            }
            R::QicfgTcpDelayAckQuery(_) => {
                L::QicfgTcpDelayAckQueryLine(line::TcpDelayAckQueryLine {
                    delay_ack: self.delay_ack,
                })
            }
            R::QicfgTcpDelayAckSet(s) => return set(|| self.delay_ack = s.delay_ack),
            R::QicfgDnsCacheQuery(_) => L::QicfgDnsCacheQueryLine(line::DnsCacheQueryLine {
                dns_cache: self.dns_cache,
            }),
            R::QicfgDnsCacheSet(s) => return set(|| self.dns_cache = s.dns_cache),
            R::QicfgTcpTwrecycleQuery(_) => {
                L::QicfgTcpTwrecycleQueryLine(line::TcpTwrecycleQueryLine {
                    timewait_timeout: self.timewait,
                })
            }
            R::QicfgTcpTwrecycleSet(s) => return set(|| self.timewait = s.timewait_timeout),
            R::QicfgDnsRetryQuery(_) => L::QicfgDnsRetryQueryLine(line::DnsRetryQueryLine {
                retry_ack: self.retry_ack,
                retry_timeout: self.retry_timeout,
            }),
            R::QicfgDnsRetrySet(s) => {
                return set(|| {
                    self.retry_ack = s.retry_ack;
                    self.retry_timeout = s.retry_timeout.unwrap_or(self.retry_timeout);
                })
            }
            R::QicfgSendBuffersizeQuery(_) => {
                L::QicfgSendBuffersizeQueryLine(line::SendBuffersizeQueryLine {
                    send_buffersize: self.send_buffersize,
                })
            }
            R::QicfgSendBuffersizeSet(s) => {
                return set(|| self.send_buffersize = s.send_buffersize)
            }
            R::QicfgWindowsScaleQuery(_) => {
                L::QicfgWindowsScaleQueryLine(line::WindowsScaleQueryLine {
                    window_scale_enable: self.window_scale,
                })
            }
            R::QicfgWindowsScaleSet(s) => return set(|| self.window_scale = s.window_scale_enable),
            _ => return None,
        };
        Some(Ok(Some(line)))
    }
}

fn set(f: impl FnOnce()) -> Option<Result<Option<ResponseLine<'static>>, ErrorCode>> {
    f();
    Some(Ok(None))
}
