//! Settings that change how the module frames its output: the client sends them and keeps the
//! digester informed.
//!
//! Every form that sets or reads a setting of [`framing`](crate::framing) (the data formats,
//! the view mode, the prompt shape, the payload echo) updates the digester's
//! [`Framing`](crate::framing::Framing) when it succeeds, also when sent with
//! [`Client::exec`]: the helpers here are shorthands.

use super::{Client, Error, Link};
use crate::{
    qicfg, qisde, AcceptMode, Echo, PromptFormat, QisendTimeout, RecvDataFormat, Recvind,
    SendDataFormat, ViewMode,
};

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// Reads back every setting that shapes payloads (`AT+QICFG="dataformat"`, `"viewmode"`,
    /// `"formatcfg"`, `AT+QISDE?`) and records them, so that the client works with whatever
    /// the module is set to. Call it once after the module starts (or after another program
    /// used it); [`reset_framing`](Self::reset_framing) puts the start-up values instead.
    pub async fn prepare(&mut self) -> Result<(), Error> {
        self.exec(&qicfg::dataformat::Query).await?;
        self.exec(&qicfg::viewmode::Query).await?;
        self.exec(&qicfg::formatcfg::Query).await?;
        self.exec(&qisde::Read).await?;
        Ok(())
    }

    /// Puts the module in the framing of its start-up state, the one the document's
    /// examples show: raw data both ways (`AT+QICFG="dataformat",0,0`), CR LF between a data
    /// line and its payload (`"viewmode",0`), the prompt without CR LF after it
    /// (`"formatcfg",0`) and no payload echo (`AT+QISDE=0`).
    pub async fn reset_framing(&mut self) -> Result<(), Error> {
        self.set_data_format(SendDataFormat::Text, RecvDataFormat::Text)
            .await?;
        self.set_view_mode(ViewMode::HeaderCrlfData).await?;
        self.set_prompt_format(PromptFormat::S3s4Prompt).await?;
        self.set_send_echo(Echo::Off).await
    }

    /// `AT+QICFG="dataformat",<send>,<recv>`: with `Hex` the client writes payloads as two
    /// hex digits per byte after the prompt (`<send_length>` still counts bytes), and reads
    /// received payloads back from their digits; the application always sees bytes.
    pub async fn set_data_format(
        &mut self,
        send: SendDataFormat,
        recv: RecvDataFormat,
    ) -> Result<(), Error> {
        self.exec(&qicfg::dataformat::Set {
            send_data_format: send,
            recv_data_format: recv,
        })
        .await
        .map(drop)
    }

    /// `AT+QICFG="viewmode",<mode>`: whether received data follows its header line after
    /// CR LF or after a comma; the digester frames either.
    pub async fn set_view_mode(&mut self, view_mode: ViewMode) -> Result<(), Error> {
        self.exec(&qicfg::viewmode::Set { view_mode })
            .await
            .map(drop)
    }

    /// `AT+QICFG="formatcfg",<format>`: whether the `>` prompt ends with CR LF; the digester
    /// takes the prompt whole either way.
    pub async fn set_prompt_format(&mut self, prompt_format: PromptFormat) -> Result<(), Error> {
        self.exec(&qicfg::formatcfg::Set { prompt_format })
            .await
            .map(drop)
    }

    /// `AT+QICFG="qisend/timeout",<ms>`: after the prompt, how long the module waits for
    /// input before it sends what came (0: for ever). The client writes each payload right
    /// after its prompt, so any value works with it.
    pub async fn set_send_timeout(&mut self, time: QisendTimeout) -> Result<(), Error> {
        self.exec(&qicfg::qisend_timeout::Set {
            qisend_timeout: time,
        })
        .await
        .map(drop)
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
        self.exec(&qisde::Set { echo }).await.map(drop)
    }
}
