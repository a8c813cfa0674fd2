//! The QI command set's refinements of its generated tables: which data lines carry a
//! payload depends on settings the line does not show (a socket's access mode, `recvind`,
//! whether it is a UDP service), which [`DigestState`] tracks.

use super::DigestState;
use crate::framing::Framing;
use crate::tables::{announced, header, Header, SpecTables};
use crate::wire::{Fit, Incomplete};
use crate::{qird, response, urc, ConnectId, DigestTables};

/// quectel-qi's spec for [`QiDigester`](super::QiDigester): the generated [`DigestTables`],
/// with payloads judged by the socket settings in [`DigestState`].
#[derive(Debug, Clone, Copy)]
pub struct QiTables;

impl SpecTables for QiTables {
    const URC_PREFIXES: &'static [&'static str] = DigestTables::URC_PREFIXES;
    const FINAL_RESULTS: &'static [&'static str] = DigestTables::FINAL_RESULTS;
    const PROMPT: bool = DigestTables::PROMPT;
    const FRAMED_FIELDS: &'static [crate::tables::FramedField] = DigestTables::FRAMED_FIELDS;

    fn urc_fit(line: &[u8], payload: &[u8]) -> Fit {
        DigestTables::urc_fit(line, payload)
    }
    fn response_fit(form: u16, line: &[u8], rest: &[u8]) -> Fit {
        DigestTables::response_fit(form, line, rest)
    }
    fn form_of(command: &[u8]) -> Option<u16> {
        DigestTables::form_of(command)
    }
    fn response_data_len(header: &[u8]) -> Option<usize> {
        DigestTables::response_data_len(header)
    }
    fn urc_data_len(header: &[u8]) -> Option<usize> {
        DigestTables::urc_data_len(header)
    }

    /// Also records the socket an `AT+QIRD` reads (only those forms are decoded typed: the
    /// form itself comes from the tables).
    fn echoed(state: &DigestState, command: &[u8]) -> Option<u16> {
        let form = DigestTables::form_of(command)?;
        state.reading_socket(match form {
            qird::Read::FORM_INDEX => qird::Read::decode(command).ok().map(|q| q.connect_id),
            qird::ReadFrom::FORM_INDEX => {
                qird::ReadFrom::decode(command).ok().map(|q| q.connect_id)
            }
            _ => None,
        });
        Some(form)
    }

    /// Per the socket's recorded mode and service. The header alone decides, read by the
    /// tables (the payload is read in its own format below).
    fn urc_announced(
        state: &DigestState,
        header: &[u8],
        rest: &[u8],
        f: Framing,
    ) -> Result<Option<usize>, Incomplete> {
        use urc::{RecvPushUdpService as UdpPush, RecvWithLength as Recv};
        let id = |h: &Header, at| ConnectId::new(h.int(at));
        let n = match line_header(UdpPush::SHAPE, header) {
            // Only a UDP service's push names the sender (which matters where a comma, not
            // CR LF, ends the header).
            Some(h)
                if !f.view_comma
                    || id(&h, UdpPush::AT_CONNECT_ID).is_some_and(|i| state.may_name_sender(i)) =>
            {
                h.data
            }
            // The short form is pushed data or the buffer-access notice with a length.
            _ => match line_header(Recv::SHAPE, header) {
                Some(h)
                    if id(&h, Recv::AT_CONNECT_ID)
                        .is_some_and(|i| state.recv_carries_payload(i)) =>
                {
                    usize::try_from(h.int(Recv::AT_RECV_LENGTH)).ok()
                }
                _ => None,
            },
        };
        announced(n, rest, f)
    }

    /// With a comma, fields after the length are the payload's bytes unless the socket read
    /// is a UDP service.
    fn response_announced(
        state: &DigestState,
        header: &[u8],
        rest: &[u8],
        f: Framing,
    ) -> Result<Option<usize>, Incomplete> {
        use response::qird::ReadFromLine;
        let Some(n) = DigestTables::response_data_len(header) else {
            return Ok(None);
        };
        let names_sender = line_header(ReadFromLine::SHAPE, header)
            .is_some_and(|h| h.present > usize::from(ReadFromLine::AT_REMOTE_IP));
        if f.view_comma && names_sender && !state.read_may_name_sender() {
            return Ok(None);
        }
        announced(Some(n), rest, f)
    }
}

/// The header of a line of the shape at `shape` in the tables.
fn line_header(shape: u16, line: &[u8]) -> Option<Header> {
    let shape = DigestTables::LINES.get(usize::from(shape))?;
    header(&DigestTables::LISTS, shape, line)
}
