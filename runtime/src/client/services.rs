//! Ping, NTP and DNS: one command, then URC results collected into one value. Ping and NTP
//! are the spec's `ping` and `ntp` groups (cargo features of those names, on by default).

use embassy_time::Instant;
use heapless::{String, Vec};

use super::{Client, Code, Error, Link};
#[cfg(feature = "ntp")]
use crate::qntp;
use crate::{qidnsgip, urc, ContextId, ErrValue, Urc};
#[cfg(feature = "ping")]
use crate::{qping, ErrorCode, Pingnum};

/// The replies and the summary of `AT+QPING`.
#[cfg(feature = "ping")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingOutcome {
    /// Every `+QPING: <result>,...` reply, in order.
    pub replies: Vec<urc::PingReply, { Pingnum::MAX.get() as usize }>,
    /// The final `+QPING: <finresult>,<sent>,<rcvd>,<lost>,<min>,<max>,<avg>`.
    pub summary: urc::PingSummary,
}

/// The addresses `AT+QIDNSGIP` resolved a name to (up to `N` kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer<const N: usize> {
    /// The addresses, in the module's order.
    pub addresses: Vec<String<255>, N>,
    /// How many addresses the module announced (more than `N` when some were not kept).
    pub count: u32,
    /// The time to live of the answer, in seconds.
    pub ttl: Option<u32>,
}

// Short-lived, on the stack of one call: boxing is not an option without alloc.
#[cfg(feature = "ping")]
#[allow(clippy::large_enum_variant)]
enum PingStep {
    Reply(urc::PingReply),
    Summary(urc::PingSummary),
}

fn failed(err: ErrValue) -> Option<Error> {
    (err.get() != 0).then(|| Error::Rejected(Code::from_number(err.get())))
}

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// `AT+QPING=...`: pings a host and collects every reply and the summary; the wait is the
    /// ping's own budget (timeout × count, from the request or the spec's defaults) plus the
    /// command's time. The outcome keeps every reply with its address; to look at
    /// each reply as it comes instead, see [`ping_each`](Self::ping_each).
    #[cfg(feature = "ping")]
    pub async fn ping(&mut self, ping: &qping::Ping<'_>) -> Result<PingOutcome, Error> {
        let mut replies = Vec::new();
        let summary = self
            .ping_each(ping, |r| {
                // More replies than the spec's count cannot come; extra ones are dropped.
                let _ = replies.push(r);
            })
            .await?;
        Ok(PingOutcome { replies, summary })
    }

    /// [`ping`](Self::ping), handing each reply to `each` as it comes (none is kept) and
    /// returning the summary.
    #[cfg(feature = "ping")]
    pub async fn ping_each(
        &mut self,
        ping: &qping::Ping<'_>,
        mut each: impl FnMut(urc::PingReply) + Send,
    ) -> Result<urc::PingSummary, Error> {
        let start = Instant::now();
        self.exec(ping).await?;
        let per_ping_s = u32::from(ping.timeout.unwrap_or_default().get());
        let count = u32::from(ping.pingnum.unwrap_or_default().get());
        let budget = per_ping_s
            .saturating_mul(count)
            .saturating_mul(1000)
            .saturating_add(qping::Ping::TIMEOUT_MS);
        let deadline = self.deadline(start, budget);
        let mut replies = 0u32;
        // `+QPING: <code>` alone is either a failed request (more lines follow, each within
        // the per-ping timeout) or a failed command (nothing follows): the wire does not say.
        let mut bare_failure: Option<ErrValue> = None;
        loop {
            let until = match bare_failure {
                Some(_) => {
                    let one_more = per_ping_s
                        .saturating_mul(1000)
                        .saturating_add(qping::Ping::TIMEOUT_MS);
                    deadline.min(self.deadline(Instant::now(), one_more))
                }
                None => deadline,
            };
            let step = self
                .wait_for(until, |u| match u {
                    Urc::PingReply(r) => Some(PingStep::Reply(r.clone())),
                    Urc::PingSummary(s) => Some(PingStep::Summary(s.clone())),
                    _ => None,
                })
                .await;
            match step {
                Ok(PingStep::Reply(r)) => {
                    bare_failure =
                        (r.ip_address.is_none() && r.result.get() != 0).then_some(r.result);
                    // The spec's erratum qping-ambiguous-code: a bare code before any reply
                    // that is not a request's timeout is the whole command failing.
                    if let Some(code) = bare_failure {
                        let timeout = ErrorCode::OperationTimeout.code();
                        if replies == 0 && code.get() != timeout {
                            return Err(failed(code).unwrap_or(Error::Timeout));
                        }
                    }
                    replies += 1;
                    each(r);
                }
                Ok(PingStep::Summary(summary)) => {
                    if let Some(e) = failed(summary.result) {
                        return Err(e);
                    }
                    return Ok(summary);
                }
                Err(Error::Timeout) => {
                    return Err(bare_failure.and_then(failed).unwrap_or(Error::Timeout));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `AT+QNTP=...`: synchronises with an NTP server; returns the time it got.
    #[cfg(feature = "ntp")]
    pub async fn sync_time(&mut self, sync: &qntp::SyncValue<'_>) -> Result<String<32>, Error> {
        let start = Instant::now();
        self.exec(sync).await?;
        let deadline = self.deadline(start, qntp::SyncValue::TIMEOUT_MS);
        let result = self
            .wait_for(deadline, |u| match u {
                Urc::NtpResult(r) => Some(r.clone()),
                _ => None,
            })
            .await?;
        if let Some(e) = failed(result.err) {
            return Err(e);
        }
        result.time.ok_or(Error::Parse)
    }

    /// `AT+QIDNSGIP=<ctx>,"<name>"`: resolves a name; collects the header and every address
    /// (the first `N`). To look at each address as it comes instead, see
    /// [`resolve_each`](Self::resolve_each).
    pub async fn resolve<const N: usize>(
        &mut self,
        context_id: ContextId,
        hostname: &str,
    ) -> Result<DnsAnswer<N>, Error> {
        let mut addresses = Vec::new();
        let header = self
            .resolve_each(context_id, hostname, |a| {
                // Past `N`: counted in the header, not kept.
                let _ = addresses.push(String::try_from(a).unwrap_or_default());
            })
            .await?;
        Ok(DnsAnswer {
            addresses,
            count: header.ip_count.unwrap_or(0),
            ttl: header.dns_ttl,
        })
    }

    /// [`resolve`](Self::resolve), handing each address to `each` as it comes, where it lies
    /// in its URC (none is kept), and returning the header (`<IP_count>`, `<DNS_ttl>`).
    pub async fn resolve_each(
        &mut self,
        context_id: ContextId,
        hostname: &str,
        mut each: impl FnMut(&str) + Send,
    ) -> Result<urc::DnsgipResult, Error> {
        let start = Instant::now();
        self.exec(&qidnsgip::Resolve {
            context_id,
            hostname,
        })
        .await?;
        let deadline = self.deadline(start, qidnsgip::Resolve::TIMEOUT_MS);
        let header = self
            .wait_for(deadline, |u| match u {
                Urc::DnsgipResult(r) => Some(r.clone()),
                _ => None,
            })
            .await?;
        if let Some(e) = failed(header.err) {
            return Err(e);
        }
        for _ in 0..header.ip_count.unwrap_or(0) {
            self.wait_for(deadline, |u| match u {
                Urc::DnsgipAddress(a) => {
                    each(&a.host_ip_addr);
                    Some(())
                }
                _ => None,
            })
            .await?;
        }
        Ok(header)
    }
}
