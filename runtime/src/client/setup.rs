//! Settings that change how the module frames its output: the client sends them and keeps the
//! digester informed.

use super::{Client, Error, Link};
use crate::{qicfg, qisde, AcceptMode, Echo, RecvDataFormat, Recvind, SendDataFormat, ViewMode};

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// Puts the module in the framing the digester and the decoders read: CR LF between a data
    /// line and its payload (`AT+QICFG="viewmode",0`) and raw data both ways
    /// (`AT+QICFG="dataformat",0,0`). Call it once after the module starts.
    pub async fn prepare(&mut self) -> Result<(), Error> {
        self.exec(&qicfg::viewmode::Set {
            view_mode: ViewMode::HeaderCrlfData,
        })
        .await?;
        self.exec(&qicfg::dataformat::Set {
            send_data_format: SendDataFormat::Text,
            recv_data_format: RecvDataFormat::Text,
        })
        .await?;
        Ok(())
    }

    /// `AT+QICFG="recvind",<enable>`: whether the buffer-access recv URC gives the length.
    pub async fn set_recv_indication(&mut self, recvind: Recvind) -> Result<(), Error> {
        self.exec(&qicfg::recvind::Set { recvind }).await?;
        self.digest.set_recvind(recvind);
        Ok(())
    }

    /// `AT+QICFG="tcp/accept",<mode>`: whether a TCP server accepts clients by itself
    /// (they come as [`Event::Incoming`](super::Event::Incoming), see
    /// [`Client::next_incoming`]) or waits for [`Client::accept`] / [`Client::refuse`].
    pub async fn set_accept_mode(&mut self, accept_mode: AcceptMode) -> Result<(), Error> {
        self.exec(&qicfg::tcp_accept::Set { accept_mode })
            .await
            .map(drop)
    }

    /// `AT+QISDE=<echo>`: whether the module echoes the payload of `AT+QISEND`; the client
    /// then tells the digester to drop the echo of each payload it writes.
    pub async fn set_send_echo(&mut self, echo: Echo) -> Result<(), Error> {
        self.exec(&qisde::Set { echo }).await?;
        self.payload_echo = echo == Echo::On;
        Ok(())
    }
}
