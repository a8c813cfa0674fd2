//! The commands the client sends: atat commands whose spec rules can be checked before a byte
//! is written.

use atat::AtatCmd;

use crate::wire::ValidationError;
use crate::*;

/// An atat command with the spec's validation (the generated `validate`): every form of the
/// spec, so that [`Client::exec`](super::Client::exec) sends any of them.
pub trait Command: AtatCmd {
    /// The command's name as the document writes it (`AT+QIOPEN`): what an error names.
    const NAME: &'static str;
    /// Checks every rule of the spec; the client writes nothing when this fails.
    fn check(&self) -> Result<(), ValidationError>;
}

macro_rules! commands {
    ($($t:ty),* $(,)?) => {
        $(impl Command for $t {
            const NAME: &'static str = <$t>::COMMAND;
            fn check(&self) -> Result<(), ValidationError> {
                self.validate()
            }
        })*
    };
}

commands!(
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
    qicfg::dataformat::Query,
    qicfg::dataformat::Set,
    qicfg::viewmode::Query,
    qicfg::viewmode::Set,
    qicfg::qisend_timeout::Query,
    qicfg::qisend_timeout::Set,
    qicfg::send_auto::Query,
    qicfg::send_auto::Set<'_>,
    qicfg::recvind::Query,
    qicfg::recvind::Set,
    qicfg::formatcfg::Query,
    qicfg::formatcfg::Set,
    qicfg::close_mode::Query,
    qicfg::close_mode::Set,
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
    qird::Read,
    qird::ReadFrom,
    qird::Counters,
    qisde::Test,
    qisde::Read,
    qisde::Set,
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
    qntp::Test,
    qntp::Read,
    qntp::SyncValue<'_>,
    qping::Test,
    qping::Ping<'_>,
);
