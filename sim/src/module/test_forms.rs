//! Answers to the test forms (`AT+<cmd>=?`): the supported values of each parameter, rendered
//! from the generated types (`RANGES` of integer types, the codes an enumeration accepts).
//!
//! Ranges print as `(lo-hi)` (intervals joined by commas: `(0,20-86400)`), enumerations as
//! their codes (`(0,1)`, a run of three or more `(0-2)`), as real modules print them; the generated test-line
//! decoders take a parenthesised list as one field. Parameters shown by name print as
//! `<name>` (quoted for strings), as the document writes them.

use quectel_qi::response as r;
use quectel_qi::{
    Accept, AcceptMode, AccessMode, Authentication, AutoDataFormat, AutoSendConnectId, Autosettime,
    CloseMode, CloseTimeout, ConnectId, ContextId, ContextType, DelayAck, DnsCache, Echo, IdleTime,
    IntervalTime, KeepaliveEnable, MaxBackoffs, MaxRto, NtpPort, PassiveClosed, Period,
    PingTimeout, Pingnum, ProbeCnt, PromptFormat, QisendTimeout, ReadLength, RecvDataFormat,
    Recvind, Request, ResponseLine, RetryAck, RetryTimeout, SendBuffersize, SendDataFormat,
    SendLength, ServiceType, TimewaitTimeout, Transpktsize, Transwaittm, TryTimes, UdpReadMode,
    UdpSendMode, ViewMode, WindowScaleEnable,
};

type Field = heapless::String<64>;

fn text(s: &str) -> Field {
    super::net::hstring(s)
}

/// `(lo-hi)` for each interval, intervals joined by commas.
fn ranges(rs: &[(i64, i64)]) -> Field {
    let parts: Vec<String> = rs
        .iter()
        .map(|(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    text(&format!("({})", parts.join(",")))
}

/// The codes an enumeration accepts: a run of three or more as a range (`(0-2)`), others one
/// by one (`(0,1)`), as real modules print them.
fn codes<T: TryFrom<i64>>() -> Field {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for v in (0..=255).filter(|v| T::try_from(*v).is_ok()) {
        match runs.last_mut() {
            Some(last) if last.1 + 1 == v => last.1 = v,
            _ => runs.push((v, v)),
        }
    }
    let split: Vec<(i64, i64)> = runs
        .into_iter()
        .flat_map(|(lo, hi)| match hi - lo {
            1 => vec![(lo, lo), (hi, hi)],
            _ => vec![(lo, hi)],
        })
        .collect();
    ranges(&split)
}

fn name(n: &str) -> Field {
    text(&format!("<{n}>"))
}

fn quoted_name(n: &str) -> Field {
    text(&format!("\"<{n}>\""))
}

/// Every service type, in one quoted field as the document shows them.
fn service_types() -> Field {
    let all = [
        ServiceType::Tcp,
        ServiceType::Udp,
        ServiceType::TcpListener,
        ServiceType::UdpService,
    ];
    // The enum is open (`#[non_exhaustive]`): a service type a newer spec adds is not
    // offered until it is listed above, and AT+QIOPEN refuses it with ERROR.
    let names: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
    text(&format!("\"{}\"", names.join("/")))
}

/// The lines of a test form's answer; `None` for other forms.
pub(crate) fn answer(req: &Request<'_>) -> Option<Vec<ResponseLine<'static>>> {
    use Request as R;
    use ResponseLine as L;
    let lines = match req {
        R::QiacceptTest(_) => vec![L::QiacceptTestLine(r::qiaccept::TestLine {
            listener_id: ranges(ConnectId::RANGES),
            accept: codes::<Accept>(),
            incoming_id: ranges(ConnectId::RANGES),
        })],
        R::QiactTest(_) => vec![L::QiactTestLine(r::qiact::TestLine {
            context_id: ranges(ContextId::RANGES),
        })],
        R::QideactTest(_) => vec![L::QideactTestLine(r::qideact::TestLine {
            context_id: ranges(ContextId::RANGES),
        })],
        R::QicloseTest(_) => vec![L::QicloseTestLine(r::qiclose::TestLine {
            connect_id: ranges(ConnectId::RANGES),
            timeout: ranges(CloseTimeout::RANGES),
        })],
        R::QicsgpTest(_) => vec![L::QicsgpTestLine(r::qicsgp::TestLine {
            context_id: ranges(ContextId::RANGES),
            context_type: codes::<ContextType>(),
            apn: quoted_name("APN"),
            username: quoted_name("username"),
            password: quoted_name("password"),
            authentication: codes::<Authentication>(),
        })],
        R::QidnscfgTest(_) => vec![L::QidnscfgTestLine(r::qidnscfg::TestLine {
            context_id: ranges(ContextId::RANGES),
            primary: quoted_name("pridnsaddr"),
            secondary: quoted_name("secdnsaddr"),
        })],
        R::QidnsgipTest(_) => vec![L::QidnsgipTestLine(r::qidnsgip::TestLine {
            context_id: ranges(ContextId::RANGES),
            hostname: quoted_name("hostname"),
        })],
        R::QiopenTest(_) => vec![L::QiopenTestLine(r::qiopen::TestLine {
            context_id: ranges(ContextId::RANGES),
            connect_id: ranges(ConnectId::RANGES),
            service_type: service_types(),
            host: text("\"<IP_address>/<domain_name>\""),
            remote_port: name("remote_port"),
            local_port: name("local_port"),
            access_mode: codes::<AccessMode>(),
        })],
        R::QirdTest(_) => vec![L::QirdTestLine(r::qird::TestLine {
            connect_id: ranges(ConnectId::RANGES),
            read_length: ranges(ReadLength::RANGES),
        })],
        R::QisdeTest(_) => vec![L::QisdeTestLine(r::qisde::TestLine {
            echo: codes::<Echo>(),
        })],
        R::QisendTest(_) => vec![L::QisendTestLine(r::qisend::TestLine {
            connect_id: ranges(ConnectId::RANGES),
            send_length: ranges(SendLength::RANGES),
        })],
        R::QisendexTest(_) => vec![L::QisendexTestLine(r::qisendex::TestLine {
            connect_id: ranges(ConnectId::RANGES),
            hex_string: quoted_name("hex_string"),
        })],
        R::QiswtmdTest(_) => vec![L::QiswtmdTestLine(r::qiswtmd::TestLine {
            connect_id: ranges(ConnectId::RANGES),
            access_mode: codes::<AccessMode>(),
        })],
        R::QntpTest(_) => vec![L::QntpTestLine(r::qntp::TestLine {
            context_id: ranges(ContextId::RANGES),
            server: quoted_name("server"),
            ntp_port: ranges(NtpPort::RANGES),
            autosettime: codes::<Autosettime>(),
        })],
        R::QpingTest(_) => vec![L::QpingTestLine(r::qping::TestLine {
            context_id: ranges(ContextId::RANGES),
            host: quoted_name("host"),
            timeout: ranges(PingTimeout::RANGES),
            pingnum: ranges(Pingnum::RANGES),
        })],
        R::QicfgTest(_) => qicfg(),
        R::QigeterrorTest(_) | R::QistateTest(_) => Vec::new(),
        _ => return None,
    };
    Some(lines)
}

fn qicfg() -> Vec<ResponseLine<'static>> {
    use r::qicfg::*;
    use ResponseLine as L;
    vec![
        L::QicfgTestTranspktsizeLine(TestTranspktsizeLine {
            transpktsize: ranges(Transpktsize::RANGES),
        }),
        L::QicfgTestTranswaittmLine(TestTranswaittmLine {
            transwaittm: ranges(Transwaittm::RANGES),
        }),
        L::QicfgTestTcpRetranscfgLine(TestTcpRetranscfgLine {
            max_backoffs: ranges(MaxBackoffs::RANGES),
            max_rto: ranges(MaxRto::RANGES),
        }),
        L::QicfgTestTcpAcceptLine(TestTcpAcceptLine {
            accept_mode: codes::<AcceptMode>(),
        }),
        L::QicfgTestPassiveclosedLine(TestPassiveclosedLine {
            passive_closed: codes::<PassiveClosed>(),
        }),
        L::QicfgTestDataformatLine(TestDataformatLine {
            send_data_format: codes::<SendDataFormat>(),
            recv_data_format: codes::<RecvDataFormat>(),
        }),
        L::QicfgTestViewmodeLine(TestViewmodeLine {
            view_mode: codes::<ViewMode>(),
        }),
        L::QicfgTestQisendTimeoutLine(TestQisendTimeoutLine {
            qisend_timeout: ranges(QisendTimeout::RANGES),
        }),
        L::QicfgTestSendAutoLine(TestSendAutoLine {
            auto_send_connect_id: ranges(AutoSendConnectId::RANGES),
            period: ranges(Period::RANGES),
            msg_auto: quoted_name("msg_auto"),
            auto_data_format: codes::<AutoDataFormat>(),
            try_times: ranges(TryTimes::RANGES),
        }),
        L::QicfgTestRecvindLine(TestRecvindLine {
            recvind: codes::<Recvind>(),
        }),
        L::QicfgTestFormatcfgLine(TestFormatcfgLine {
            prompt_format: codes::<PromptFormat>(),
        }),
        L::QicfgTestCloseModeLine(TestCloseModeLine {
            close_mode: codes::<CloseMode>(),
        }),
        L::QicfgTestUdpSendmodeLine(TestUdpSendmodeLine {
            udp_send_mode: codes::<UdpSendMode>(),
        }),
        L::QicfgTestUdpReadmodeLine(TestUdpReadmodeLine {
            udp_read_mode: codes::<UdpReadMode>(),
        }),
        L::QicfgTestTcpKeepaliveLine(TestTcpKeepaliveLine {
            keepalive_enable: codes::<KeepaliveEnable>(),
            idle_time: ranges(IdleTime::RANGES),
            interval_time: ranges(IntervalTime::RANGES),
            probe_cnt: ranges(ProbeCnt::RANGES),
        }),
        L::QicfgTestTcpDelayAckLine(TestTcpDelayAckLine {
            delay_ack: codes::<DelayAck>(),
        }),
        L::QicfgTestDnsCacheLine(TestDnsCacheLine {
            dns_cache: codes::<DnsCache>(),
        }),
        L::QicfgTestTcpTwrecycleLine(TestTcpTwrecycleLine {
            timewait_timeout: ranges(TimewaitTimeout::RANGES),
        }),
        L::QicfgTestDnsRetryLine(TestDnsRetryLine {
            retry_ack: ranges(RetryAck::RANGES),
            retry_timeout: ranges(RetryTimeout::RANGES),
        }),
        L::QicfgTestSendBuffersizeLine(TestSendBuffersizeLine {
            send_buffersize: ranges(SendBuffersize::RANGES),
        }),
        L::QicfgTestWindowsScaleLine(TestWindowsScaleLine {
            window_scale_enable: codes::<WindowScaleEnable>(),
        }),
    ]
}

impl super::Sim {
    /// A test form's line, with the fields [`super::Control::set_test_reply`] changed.
    pub(crate) fn test_line(&self, l: ResponseLine<'static>) -> Vec<u8> {
        let shape = l.shape();
        let framed = super::output::frame(|w| l.encode(w));
        let changes: Vec<(usize, &str)> = self
            .test_replies
            .iter()
            .filter(|o| o.command == shape.name)
            .filter_map(|o| {
                let i = shape.fields.iter().position(|f| f.name == o.field)?;
                Some((i, o.shown.as_str()))
            })
            .collect();
        let text = String::from_utf8_lossy(&framed).into_owned();
        let Some(body) = text
            .trim_matches(|c| c == '\r' || c == '\n')
            .strip_prefix(shape.written)
            .and_then(|b| b.strip_prefix(':'))
        else {
            return framed;
        };
        if changes.is_empty() {
            return framed;
        }
        let mut fields = crate::decode::ranges::split_fields(body);
        for (i, shown) in changes {
            if let Some(f) = fields.get_mut(i) {
                *f = shown.to_owned();
            }
        }
        super::output::framed(format!("{}: {}", shape.written, fields.join(",")).as_bytes())
    }
}
