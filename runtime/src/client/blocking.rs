//! The blocking shell: the same calls as [`Client`], run to completion. Over a
//! [`BlockingLink`] no call ever suspends, so each future completes in its first poll.

use core::ops::ControlFlow;

use embassy_futures::block_on;
use heapless::String;

#[cfg(feature = "ping")]
use super::PingOutcome;
use super::{
    BlockingLink, Client, Command, Config, DnsAnswer, Error, Event, Link, Sender, SocketInfo,
};
use crate::digest::DigestState;
#[cfg(feature = "ntp")]
use crate::qntp;
#[cfg(feature = "ping")]
use crate::qping;
use crate::response::{
    qiact::ReadLine as ContextLine, qicsgp as qicsgp_line, qird::CountersLine,
    qisend::AckQueryLine, qistate::BySocketLine,
};
use crate::wire::LineList;
use crate::{
    qicsgp, qiopen, urc, AcceptMode, AccessMode, ConnectId, ContextId, DtrBehaviour, Echo, Port,
    PromptFormat, QisendTimeout, RecvDataFormat, Recvind, SendDataFormat, ViewMode,
};

/// The blocking client over an `atat::blocking` client.
pub struct BlockingClient<'a, L, const PUSH: usize = 0>(Client<'a, L, PUSH>);

impl<'a, A, const CAP: usize, const SUBS: usize> BlockingClient<'a, BlockingLink<'a, A, CAP, SUBS>>
where
    A: atat::blocking::AtatClient,
{
    /// A blocking client over an `atat::blocking` client whose ingress is a
    /// [`PushIngress`](super::PushIngress) over `digest`, `urcs` and `ring`; subscribes to
    /// `urcs` (one of its subscriber slots) to route URCs, and takes their payloads from
    /// `ring`.
    pub fn new<const N: usize, const E: usize>(
        at: A,
        urcs: &'a atat::UrcChannel<super::UrcMeta, CAP, SUBS>,
        ring: &'a super::PushRing<N, E>,
        digest: &'a DigestState,
        config: Config,
    ) -> Result<Self, atat::urc_channel::Error> {
        const {
            assert!(
                E > CAP,
                "the push ring keeps fewer frames than the URC channel"
            )
        };
        Ok(BlockingClient(Client::with_ring_link(
            BlockingLink::new(at, urcs.subscribe()?, ring),
            digest,
            config,
        )))
    }
}

impl<'a, A, const CAP: usize, const SUBS: usize>
    BlockingClient<'a, BlockingLink<'a, A, CAP, SUBS, super::QueuedUrc>, { super::PUSH_CAPACITY }>
where
    A: atat::blocking::AtatClient,
{
    /// A blocking client whose ingress is atat's plain `Ingress` with a
    /// [`QiDigester`](crate::digest::QiDigester), queueing whole frames
    /// ([`QueuedUrc`](super::QueuedUrc)).
    pub fn new_queued(
        at: A,
        urcs: &'a atat::UrcChannel<super::QueuedUrc, CAP, SUBS>,
        digest: &'a DigestState,
        config: Config,
    ) -> Result<Self, atat::urc_channel::Error> {
        Ok(BlockingClient(Client::with_link(
            BlockingLink::new(at, urcs.subscribe()?, ()),
            digest,
            config,
        )))
    }
}

macro_rules! blocking {
    ($(
        $(#[$doc:meta])*
        fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty;
    )*) => {
        impl<'a, A, const CAP: usize, const SUBS: usize, U: super::ChannelUrc, const PUSH: usize> BlockingClient<'a, BlockingLink<'a, A, CAP, SUBS, U>, PUSH>
        where
            A: atat::blocking::AtatClient,
        {
            $(
                $(#[$doc])*
                pub fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                    block_on(self.0.$name($($arg),*))
                }
            )*
        }
    };
}

blocking! {
    /// See [`Client::configure_context`].
    fn configure_context(&mut self, cfg: &qicsgp::Configure<'_>) -> Result<(), Error>;
    /// See [`Client::context_config`].
    fn context_config(&mut self, context_id: ContextId) -> Result<qicsgp_line::QueryLine, Error>;
    /// See [`Client::activate`].
    fn activate(&mut self, context_id: ContextId) -> Result<(), Error>;
    /// See [`Client::deactivate`].
    fn deactivate(&mut self, context_id: ContextId) -> Result<(), Error>;
    /// See [`Client::context_address`].
    fn context_address(&mut self, context_id: ContextId) -> Result<Option<String<255>>, Error>;
    /// See [`Client::open`].
    fn open(&mut self, open: &qiopen::Open<'_>) -> Result<ConnectId, Error>;
    /// See [`Client::close`].
    fn close(&mut self, connect_id: ConnectId) -> Result<(), Error>;
    /// See [`Client::socket_state`].
    fn socket_state(&mut self, connect_id: ConnectId) -> Result<Option<BySocketLine>, Error>;
    /// See [`Client::accept`].
    fn accept(&mut self, listener_id: ConnectId, incoming_id: ConnectId) -> Result<urc::AcceptResult, Error>;
    /// See [`Client::refuse`].
    fn refuse(&mut self, listener_id: ConnectId) -> Result<(), Error>;
    /// See [`Client::next_incoming`].
    fn next_incoming(&mut self, server: ConnectId, timeout_ms: u32) -> Result<ConnectId, Error>;
    /// See [`Client::switch_mode`].
    fn switch_mode(&mut self, connect_id: ConnectId, access_mode: AccessMode) -> Result<(), Error>;
    /// See [`Client::write_transparent`].
    fn write_transparent(&mut self, data: &[u8]) -> Result<(), Error>;
    /// See [`Client::leave_transparent`].
    fn leave_transparent(&mut self, guard_ms: u32) -> Result<(), Error>;
    /// See [`Client::resume_transparent`].
    fn resume_transparent(&mut self) -> Result<ConnectId, Error>;
    /// See [`Client::set_dtr_behaviour`].
    fn set_dtr_behaviour(&mut self, behaviour: DtrBehaviour) -> Result<(), Error>;
    /// See [`Client::send`].
    fn send(&mut self, connect_id: ConnectId, data: &[u8]) -> Result<(), Error>;
    /// See [`Client::send_terminated`].
    fn send_terminated(&mut self, connect_id: ConnectId, data: &[u8]) -> Result<(), Error>;
    /// See [`Client::send_to`].
    fn send_to(&mut self, connect_id: ConnectId, data: &[u8], remote_ip: &str, remote_port: Port) -> Result<(), Error>;
    /// See [`Client::send_hex`].
    fn send_hex(&mut self, connect_id: ConnectId, data: &[u8]) -> Result<(), Error>;
    /// See [`Client::ack_status`].
    fn ack_status(&mut self, connect_id: ConnectId) -> Result<AckQueryLine, Error>;
    /// See [`Client::wait_acknowledged`].
    fn wait_acknowledged(&mut self, connect_id: ConnectId) -> Result<AckQueryLine, Error>;
    /// See [`Client::read`].
    fn read(&mut self, connect_id: ConnectId, buf: &mut [u8]) -> Result<usize, Error>;
    /// See [`Client::read_once`].
    fn read_once(&mut self, connect_id: ConnectId, buf: &mut [u8]) -> Result<usize, Error>;
    /// See [`Client::read_from`].
    fn read_from(&mut self, connect_id: ConnectId, buf: &mut [u8]) -> Result<Option<(usize, Sender)>, Error>;
    /// See [`Client::read_counters`].
    fn read_counters(&mut self, connect_id: ConnectId) -> Result<CountersLine, Error>;
    /// See [`Client::ping`].
    #[cfg(feature = "ping")]
    fn ping(&mut self, ping: &qping::Ping<'_>) -> Result<PingOutcome, Error>;
    /// See [`Client::sync_time`].
    #[cfg(feature = "ntp")]
    fn sync_time(&mut self, sync: &qntp::SyncValue<'_>) -> Result<String<32>, Error>;
    /// See [`Client::next_event`].
    fn next_event(&mut self, timeout_ms: u32) -> Option<Event>;
    /// See [`Client::prepare`].
    fn prepare(&mut self) -> Result<(), Error>;
    /// See [`Client::set_recv_indication`].
    fn set_recv_indication(&mut self, recvind: Recvind) -> Result<(), Error>;
    /// See [`Client::set_accept_mode`].
    fn set_accept_mode(&mut self, accept_mode: AcceptMode) -> Result<(), Error>;
    /// See [`Client::set_send_echo`].
    fn set_send_echo(&mut self, echo: Echo) -> Result<(), Error>;
    /// See [`Client::reset_framing`].
    fn reset_framing(&mut self) -> Result<(), Error>;
    /// See [`Client::set_data_format`].
    fn set_data_format(&mut self, send: SendDataFormat, recv: RecvDataFormat) -> Result<(), Error>;
    /// See [`Client::set_view_mode`].
    fn set_view_mode(&mut self, view_mode: ViewMode) -> Result<(), Error>;
    /// See [`Client::set_prompt_format`].
    fn set_prompt_format(&mut self, prompt_format: PromptFormat) -> Result<(), Error>;
    /// See [`Client::set_send_timeout`].
    fn set_send_timeout(&mut self, time: QisendTimeout) -> Result<(), Error>;
}

impl<'a, L: Link, const PUSH: usize> BlockingClient<'a, L, PUSH> {
    /// See [`Client::exec`].
    pub fn exec<C: Command>(&mut self, cmd: &C) -> Result<C::Response, Error> {
        block_on(self.0.exec(cmd))
    }

    /// See [`Client::leave_transparent_by_dtr`].
    pub fn leave_transparent_by_dtr<P>(&mut self, dtr: &mut P, low_ms: u32) -> Result<(), Error>
    where
        P: embedded_hal::digital::OutputPin + Send,
    {
        block_on(self.0.leave_transparent_by_dtr(dtr, low_ms))
    }

    /// See [`Client::contexts`].
    pub fn contexts<const N: usize>(
        &mut self,
        out: &mut heapless::Vec<ContextLine, N>,
    ) -> Result<(), Error> {
        block_on(self.0.contexts(out))
    }

    /// See [`Client::exec_lines`].
    pub fn exec_lines<C: Command + LineList, B: Send>(
        &mut self,
        cmd: &C,
        each: impl FnMut(C::Line) -> ControlFlow<B> + Send,
    ) -> Result<Option<B>, Error> {
        block_on(self.0.exec_lines(cmd, each))
    }

    /// See [`Client::ping_each`].
    #[cfg(feature = "ping")]
    pub fn ping_each(
        &mut self,
        ping: &qping::Ping<'_>,
        each: impl FnMut(urc::PingReply) + Send,
    ) -> Result<urc::PingSummary, Error> {
        block_on(self.0.ping_each(ping, each))
    }

    /// See [`Client::resolve`].
    pub fn resolve<const N: usize>(
        &mut self,
        context_id: ContextId,
        hostname: &str,
    ) -> Result<DnsAnswer<N>, Error> {
        block_on(self.0.resolve(context_id, hostname))
    }

    /// See [`Client::resolve_each`].
    pub fn resolve_each(
        &mut self,
        context_id: ContextId,
        hostname: &str,
        each: impl FnMut(&str) + Send,
    ) -> Result<urc::DnsgipResult, Error> {
        block_on(self.0.resolve_each(context_id, hostname, each))
    }

    /// See [`Client::process_urcs`].
    pub fn process_urcs(&mut self) -> usize {
        self.0.process_urcs()
    }

    /// See [`Client::socket`].
    pub fn socket(&mut self, id: ConnectId) -> SocketInfo {
        self.0.socket(id)
    }

    /// See [`Client::context_lost`].
    pub fn context_lost(&mut self, context_id: ContextId) -> bool {
        self.0.context_lost(context_id)
    }

    /// See [`Client::pushed_len`].
    pub fn pushed_len(&mut self, connect_id: ConnectId) -> usize {
        self.0.pushed_len(connect_id)
    }

    /// The client inside, for what the shell does not repeat.
    pub fn client(&mut self) -> &mut Client<'a, L, PUSH> {
        &mut self.0
    }
}
