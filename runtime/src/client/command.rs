//! The commands the client sends: atat commands whose spec rules can be checked before a byte
//! is written.

use atat::AtatCmd;

use crate::wire::ValidationError;
use crate::*;

/// An atat command with the spec's validation (the generated `validate`).
pub trait Command: AtatCmd {
    /// Checks every rule of the spec; the client writes nothing when this fails.
    fn check(&self) -> Result<(), ValidationError>;
}

macro_rules! commands {
    ($($t:ty),* $(,)?) => {
        $(impl Command for $t {
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
        })*
    };
}

commands!(
    qiaccept::Accept,
    qiact::Activate,
    qiact::Read,
    qiclose::Close,
    qicsgp::Configure<'_>,
    qicsgp::Query,
    qideact::Deactivate,
    qidnscfg::Configure<'_>,
    qidnscfg::Query,
    qidnsgip::Resolve<'_>,
    qigeterror::Query,
    qiopen::Open<'_>,
    qird::Read,
    qird::ReadFrom,
    qird::Counters,
    qisde::Set,
    qisend::SendValue,
    qisend::SendFixed,
    qisend::SendTo<'_>,
    qisend::AckQuery,
    qisendex::SendHex<'_>,
    qistate::Read,
    qistate::BySocket,
    qistate::ByContext,
    qiswtmd::Switch,
    qntp::SyncValue<'_>,
    qping::Ping<'_>,
    qicfg::recvind::Set,
    qicfg::tcp_accept::Set,
    qicfg::dataformat::Set,
    qicfg::viewmode::Set,
);
