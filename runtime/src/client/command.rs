//! The commands the client sends: atat commands whose spec rules can be checked before a byte
//! is written, and the one command type the client hands to its link per timing.

use core::cell::Cell;
use core::marker::PhantomData;

use atat::{AtatCmd, InternalError};
use embassy_sync::blocking_mutex::{raw::CriticalSectionRawMutex, Mutex};

use super::link::Answer;
use super::reply::Reply;

use crate::framing::Framing;
use crate::wire::ValidationError;
use crate::*;

/// An atat command with the spec's validation (the generated `validate`): every form of the
/// spec, so that [`Client::exec`](super::Client::exec) sends any of them.
pub trait Command: AtatCmd<Response: Send> + Sync {
    /// How long the command waits and whether it waits at all ([`Timed`] of its
    /// `MAX_TIMEOUT_MS` and `EXPECTS_RESPONSE_CODE`): commands of one timing share one
    /// exchange with the link (one state machine in a firmware, not one per command).
    type Timing: Timing;
    /// The command's name as the document writes it (`AT+QIOPEN`): what an error names.
    const NAME: &'static str;
    /// The form's position in the spec (`FORM_INDEX`): what the digester is told is in flight.
    const FORM_INDEX: u16;
    /// Checks every rule of the spec; the client writes nothing when this fails.
    fn check(&self) -> Result<(), ValidationError>;
    /// The data framing after this command succeeded with `response`: the forms that set or
    /// read a setting of [`framing`](crate::framing) change it, every other form keeps it.
    fn framing_after(&self, response: &Self::Response, framing: Framing) -> Framing {
        let _ = response;
        framing
    }
    /// What a DTR change does after this command succeeded: `Some` for `AT&D` only.
    fn dtr_after(&self) -> Option<DtrBehaviour> {
        None
    }
    /// The socket an `AT+QIRD` form reads (the digester frames its answer by the socket's
    /// service); `None` for every other form.
    fn reads_socket(&self) -> Option<ConnectId> {
        None
    }
}

macro_rules! commands {
    ($($t:ty),* $(,)?) => {
        $(impl Command for $t {
            type Timing = Timed<{ <$t>::MAX_TIMEOUT_MS }, { <$t>::EXPECTS_RESPONSE_CODE }>;
            const NAME: &'static str = <$t>::COMMAND;
            const FORM_INDEX: u16 = <$t>::FORM_INDEX;
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
        })*
    };
}

/// The forms that set or read a framing setting: what the framing is after each.
macro_rules! framing_commands {
    ($($t:ty => |$cmd:ident, $resp:ident, $f:ident| $after:expr;)*) => {
        $(impl Command for $t {
            type Timing = Timed<{ <$t>::MAX_TIMEOUT_MS }, { <$t>::EXPECTS_RESPONSE_CODE }>;
            const NAME: &'static str = <$t>::COMMAND;
            const FORM_INDEX: u16 = <$t>::FORM_INDEX;
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
            fn framing_after(&self, $resp: &Self::Response, $f: Framing) -> Framing {
                let $cmd = self;
                let _ = (&$cmd, &$resp);
                $after
            }
        })*
    };
}

/// The forms that read a socket's data.
macro_rules! read_commands {
    ($($t:ty),* $(,)?) => {
        $(impl Command for $t {
            type Timing = Timed<{ <$t>::MAX_TIMEOUT_MS }, { <$t>::EXPECTS_RESPONSE_CODE }>;
            const NAME: &'static str = <$t>::COMMAND;
            const FORM_INDEX: u16 = <$t>::FORM_INDEX;
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
            fn reads_socket(&self) -> Option<ConnectId> {
                Some(self.connect_id)
            }
        })*
    };
}

read_commands!(qird::Read, qird::ReadFrom);

impl Command for dtr_behaviour::Set {
    type Timing = Timed<
        { <dtr_behaviour::Set>::MAX_TIMEOUT_MS },
        { <dtr_behaviour::Set>::EXPECTS_RESPONSE_CODE },
    >;
    const NAME: &'static str = <dtr_behaviour::Set>::COMMAND;
    const FORM_INDEX: u16 = <dtr_behaviour::Set>::FORM_INDEX;
    fn check(&self) -> Result<(), ValidationError> {
        self.validate()
    }
    fn dtr_after(&self) -> Option<DtrBehaviour> {
        Some(self.dtr_behaviour.unwrap_or_default())
    }
}

framing_commands!(
    qicfg::dataformat::Set => |c, _r, f| f.with_data_format(c.send_data_format, c.recv_data_format);
    qicfg::dataformat::Query => |_c, r, f| f.with_data_format(r.send_data_format, r.recv_data_format);
    qicfg::viewmode::Set => |c, _r, f| f.with_view_mode(c.view_mode);
    qicfg::viewmode::Query => |_c, r, f| f.with_view_mode(r.view_mode);
    qicfg::formatcfg::Set => |c, _r, f| f.with_prompt_format(c.prompt_format);
    qicfg::formatcfg::Query => |_c, r, f| f.with_prompt_format(r.prompt_format);
    qicfg::close_mode::Set => |c, _r, f| f.with_close_mode(c.close_mode);
    qicfg::close_mode::Query => |_c, r, f| f.with_close_mode(r.close_mode);
    qisde::Set => |c, _r, f| Framing { echo: c.echo == Echo::On, ..f };
    qisde::Read => |_c, r, f| Framing { echo: r.echo == Echo::On, ..f };
);

commands!(
    online::Resume,
    qiaccept::Test,
    qiaccept::Accept,
    qiact::Test,
    qiact::Read,
    qiact::Activate,
    qicfg::Test,
    qicfg::transpktsize::Query,
    qicfg::transpktsize::Set,
    qicfg::transwaittm::Query,
    qicfg::transwaittm::Set,
    qicfg::tcp_retranscfg::Query,
    qicfg::tcp_retranscfg::Set,
    qicfg::tcp_accept::Query,
    qicfg::tcp_accept::Set,
    qicfg::passiveclosed::Query,
    qicfg::passiveclosed::Set,
    qicfg::qisend_timeout::Query,
    qicfg::qisend_timeout::Set,
    qicfg::send_auto::Query,
    qicfg::send_auto::Set<'_>,
    qicfg::recvind::Query,
    qicfg::recvind::Set,
    qicfg::udp_sendmode::Query,
    qicfg::udp_sendmode::Set,
    qicfg::udp_readmode::Query,
    qicfg::udp_readmode::Set,
    qicfg::tcp_keepalive::Query,
    qicfg::tcp_keepalive::Set,
    qicfg::tcp_delay_ack::Query,
    qicfg::tcp_delay_ack::Set,
    qicfg::dns_cache::Query,
    qicfg::dns_cache::Set,
    qicfg::tcp_twrecycle::Query,
    qicfg::tcp_twrecycle::Set,
    qicfg::dns_retry::Query,
    qicfg::dns_retry::Set,
    qicfg::send_buffersize::Query,
    qicfg::send_buffersize::Set,
    qicfg::windows_scale::Query,
    qicfg::windows_scale::Set,
    qiclose::Test,
    qiclose::Close,
    qicsgp::Test,
    qicsgp::Query,
    qicsgp::Configure<'_>,
    qideact::Test,
    qideact::Deactivate,
    qidnscfg::Test,
    qidnscfg::Query,
    qidnscfg::Configure<'_>,
    qidnsgip::Test,
    qidnsgip::Resolve<'_>,
    qigeterror::Test,
    qigeterror::Query,
    qiopen::Test,
    qiopen::Open<'_>,
    qird::Test,
    qird::Counters,
    qisde::Test,
    qisend::Test,
    qisend::SendValue,
    qisend::SendFixed,
    qisend::SendTo<'_>,
    qisend::AckQuery,
    qisendex::Test,
    qisendex::SendHex<'_>,
    qistate::Test,
    qistate::Read,
    qistate::Execute,
    qistate::ByContext,
    qistate::BySocket,
    qiswtmd::Test,
    qiswtmd::Switch,
);

#[cfg(feature = "ntp")]
commands!(qntp::Test, qntp::Read, qntp::SyncValue<'_>);
#[cfg(feature = "ping")]
commands!(qping::Test, qping::Ping<'_>);

/// How long a command waits for its final result, and whether it waits at all: the two
/// constants of atat's [`AtatCmd`] that a link reads, as a type.
pub trait Timing {
    /// `AtatCmd::MAX_TIMEOUT_MS`.
    const TIMEOUT_MS: u32;
    /// `AtatCmd::EXPECTS_RESPONSE_CODE`.
    const ANSWERED: bool;
}

/// The [`Timing`] of `TIMEOUT_MS` and `ANSWERED`.
#[derive(Debug, Clone, Copy)]
pub struct Timed<const TIMEOUT_MS: u32, const ANSWERED: bool>;

impl<const TIMEOUT_MS: u32, const ANSWERED: bool> Timing for Timed<TIMEOUT_MS, ANSWERED> {
    const TIMEOUT_MS: u32 = TIMEOUT_MS;
    const ANSWERED: bool = ANSWERED;
}

/// A command as the link sees it: its line, written by `encode`, and its answer, handed to
/// `read` where it lies. Its type depends on the timing only, so every command of a timing
/// goes through the same instance of the link's `send`.
pub(super) struct Erased<'c, 'r, T> {
    encode: &'c (dyn Fn(&mut [u8]) -> usize + Sync),
    /// Taken by the first `parse` (atat parses through `&self`); the lock is held only to
    /// take it, never while it reads.
    read: Mutex<CriticalSectionRawMutex, Cell<Option<&'r mut Answer<'r>>>>,
    timing: PhantomData<T>,
}

impl<'c, 'r, T: Timing> Erased<'c, 'r, T> {
    pub(super) fn new(
        encode: &'c (dyn Fn(&mut [u8]) -> usize + Sync),
        read: &'r mut Answer<'r>,
    ) -> Self {
        Erased {
            encode,
            read: Mutex::new(Cell::new(Some(read))),
            timing: PhantomData,
        }
    }
}

impl<T: Timing> AtatCmd for Erased<'_, '_, T> {
    type Response = Reply<()>;
    const MAX_TIMEOUT_MS: u32 = T::TIMEOUT_MS;
    const EXPECTS_RESPONSE_CODE: bool = T::ANSWERED;

    fn write(&self, buf: &mut [u8]) -> usize {
        (self.encode)(buf)
    }

    fn parse(&self, resp: Result<&[u8], InternalError>) -> Result<Self::Response, atat::Error> {
        if let Some(read) = self.read.lock(Cell::take) {
            read(resp);
        }
        Ok(Reply::Done(()))
    }
}
