//! The comparison point: the same commands written by hand with atat's derive macros
//! (`AtatCmd`, `AtatResp`, `AtatUrc`, serialised and parsed by `serde_at`), as an application
//! would write them without this crate.
//!
//! Hand-typed on purpose (names and field shapes come from reading the document, not from the
//! spec) and used only to be measured against: nothing in the product depends on it. It covers
//! the subset the derive macros can express: the socket life cycle, reads, the socket table and
//! the URCs whose fields keep one type. Lines whose fields change type with the variant
//! (`+QPING`, the address line of `"dnsgip"`) get a text field where the generated API has a
//! typed variant. No payload after a URC line: atat's default digester cannot frame it.
//!
//! `no_std`: the footprint firmware includes this file as it is.

use atat::atat_derive::{AtatCmd, AtatResp, AtatUrc};
use atat::heapless::{String, Vec};
use atat::serde_at::de::length_delimited::LengthDelimited;

/// Largest `AT+QIRD` payload the baseline can hold.
pub const READ_CAPACITY: usize = 1500;
/// Sockets in the `+QISTATE` table.
pub const SOCKETS: usize = 12;

/// A response without information lines.
#[derive(Debug, Clone, AtatResp)]
pub struct NoResponse;

/// `AT+QICSGP=<contextID>,<context_type>,"<APN>","<username>","<password>",<authentication>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QICSGP", NoResponse)]
pub struct Configure {
    #[at_arg(position = 0)]
    pub context_id: u8,
    #[at_arg(position = 1)]
    pub context_type: u8,
    #[at_arg(position = 2)]
    pub apn: String<64>,
    #[at_arg(position = 3)]
    pub username: String<64>,
    #[at_arg(position = 4)]
    pub password: String<64>,
    #[at_arg(position = 5)]
    pub authentication: u8,
}

/// `AT+QIACT=<contextID>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIACT", NoResponse)]
pub struct Activate {
    #[at_arg(position = 0)]
    pub context_id: u8,
}

/// `AT+QIACT?`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIACT?", Vec<ContextLine, 16>, value_sep = false)]
pub struct ContextsQuery;

/// `+QIACT: <contextID>,<context_state>,<context_type>,"<IP_address>"`
#[derive(Debug, Clone, AtatResp)]
pub struct ContextLine {
    #[at_arg(position = 0)]
    pub context_id: u8,
    #[at_arg(position = 1)]
    pub context_state: u8,
    #[at_arg(position = 2)]
    pub context_type: u8,
    #[at_arg(position = 3)]
    pub ip_address: String<64>,
}

/// `AT+QIDEACT=<contextID>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIDEACT", NoResponse)]
pub struct Deactivate {
    #[at_arg(position = 0)]
    pub context_id: u8,
}

/// `AT+QIOPEN=<contextID>,<connectID>,"<service_type>","<host>",<remote_port>,<local_port>,<access_mode>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIOPEN", NoResponse)]
pub struct Open {
    #[at_arg(position = 0)]
    pub context_id: u8,
    #[at_arg(position = 1)]
    pub connect_id: u8,
    #[at_arg(position = 2)]
    pub service_type: String<16>,
    #[at_arg(position = 3)]
    pub host: String<255>,
    #[at_arg(position = 4)]
    pub remote_port: u16,
    #[at_arg(position = 5)]
    pub local_port: Option<u16>,
    #[at_arg(position = 6)]
    pub access_mode: Option<u8>,
}

/// `AT+QICLOSE=<connectID>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QICLOSE", NoResponse)]
pub struct Close {
    #[at_arg(position = 0)]
    pub connect_id: u8,
}

/// `AT+QISTATE?`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QISTATE?", Vec<StateLine, SOCKETS>, value_sep = false)]
pub struct StateQuery;

/// `AT+QISTATE=1,<connectID>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QISTATE", Vec<StateLine, 1>)]
pub struct StateBySocket {
    #[at_arg(position = 0)]
    pub query_type: u8,
    #[at_arg(position = 1)]
    pub connect_id: u8,
}

/// `+QISTATE: <connectID>,"<service_type>","<IP_address>",<remote_port>,<local_port>,<socket_state>,<contextID>,<serverID>,<access_mode>,"<AT_port>"`
#[derive(Debug, Clone, AtatResp)]
pub struct StateLine {
    #[at_arg(position = 0)]
    pub connect_id: u8,
    #[at_arg(position = 1)]
    pub service_type: String<16>,
    #[at_arg(position = 2)]
    pub ip_address: String<64>,
    #[at_arg(position = 3)]
    pub remote_port: u16,
    #[at_arg(position = 4)]
    pub local_port: u16,
    #[at_arg(position = 5)]
    pub socket_state: u8,
    #[at_arg(position = 6)]
    pub context_id: u8,
    #[at_arg(position = 7)]
    pub server_id: u8,
    #[at_arg(position = 8)]
    pub access_mode: u8,
    #[at_arg(position = 9)]
    pub at_port: String<16>,
}

/// `AT+QISEND=<connectID>,<send_length>` (the payload follows the prompt)
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QISEND", NoResponse)]
pub struct Send {
    #[at_arg(position = 0)]
    pub connect_id: u8,
    #[at_arg(position = 1)]
    pub send_length: u16,
}

/// `AT+QISEND=<connectID>,0`: the acknowledgement counters.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QISEND", AckLine)]
pub struct AckQuery {
    #[at_arg(position = 0)]
    pub connect_id: u8,
    #[at_arg(position = 1)]
    pub zero: u8,
}

/// `+QISEND: <total_send_length>,<ackedbytes>,<unackedbytes>`
#[derive(Debug, Clone, AtatResp)]
pub struct AckLine {
    #[at_arg(position = 0)]
    pub total_send_length: u64,
    #[at_arg(position = 1)]
    pub acked_bytes: u64,
    #[at_arg(position = 2)]
    pub unacked_bytes: u64,
}

/// `AT+QIRD=<connectID>,<read_length>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIRD", ReadLine)]
pub struct Read {
    #[at_arg(position = 0)]
    pub connect_id: u8,
    #[at_arg(position = 1)]
    pub read_length: u16,
}

/// `+QIRD: <read_actual_length>` CR LF `<data>`: serde_at's length-delimited payload with a
/// two-byte separator.
#[derive(Debug, Clone, AtatResp)]
pub struct ReadLine {
    #[at_arg(position = 0)]
    pub data: LengthDelimited<READ_CAPACITY, 2>,
}

/// `+QIRD: 0`: the drained read, which [`ReadLine`] cannot parse (no separator, no payload).
#[derive(Debug, Clone, AtatResp)]
pub struct ReadCount {
    #[at_arg(position = 0)]
    pub read_actual_length: u16,
}

/// The payload of a `+QIRD` response: the derived [`ReadLine`], or [`ReadCount`] for an
/// empty read, as an application has to combine them by hand.
pub fn read_payload(read: &Read, resp: Result<&[u8], atat::InternalError>) -> Option<usize> {
    use atat::AtatCmd;
    let bytes = resp.as_ref().ok().copied();
    match read.parse(resp) {
        Ok(l) => (l.data.len == l.data.bytes.len()).then_some(l.data.len),
        Err(_) => {
            let count: ReadCount = atat::serde_at::from_slice(bytes?).ok()?;
            (count.read_actual_length == 0).then_some(0)
        }
    }
}

/// `AT+QIGETERROR`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIGETERROR", ErrorLine, value_sep = false)]
pub struct GetError;

/// `+QIGETERROR: <err>,<errcode_description>`
#[derive(Debug, Clone, AtatResp)]
pub struct ErrorLine {
    #[at_arg(position = 0)]
    pub err: u16,
    #[at_arg(position = 1)]
    pub description: String<64>,
}

/// `AT+QPING=<contextID>,"<host>",<timeout>,<pingnum>`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QPING", NoResponse)]
pub struct Ping {
    #[at_arg(position = 0)]
    pub context_id: u8,
    #[at_arg(position = 1)]
    pub host: String<255>,
    #[at_arg(position = 2)]
    pub timeout: Option<u8>,
    #[at_arg(position = 3)]
    pub pingnum: Option<u8>,
}

/// `AT+QIDNSGIP=<contextID>,"<hostname>"`
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+QIDNSGIP", NoResponse)]
pub struct Resolve {
    #[at_arg(position = 0)]
    pub context_id: u8,
    #[at_arg(position = 1)]
    pub hostname: String<255>,
}

/// `+QIURC: "<kind>",<id>[,<n>[,<m>]]`: recv, closed, pdpdeact, incoming full and the
/// outcome line of dnsgip; the kind stays text.
#[derive(Debug, Clone, AtatResp)]
pub struct QiUrc {
    #[at_arg(position = 0)]
    pub kind: String<16>,
    #[at_arg(position = 1)]
    pub id: Option<u16>,
    #[at_arg(position = 2)]
    pub n: Option<u32>,
    #[at_arg(position = 3)]
    pub m: Option<u32>,
}

/// `+QIOPEN: <connectID>,<err>`
#[derive(Debug, Clone, AtatResp)]
pub struct OpenUrc {
    #[at_arg(position = 0)]
    pub connect_id: u8,
    #[at_arg(position = 1)]
    pub err: u16,
}

/// `+QPING: <result>,...`: a reply (`"<IP>",<bytes>,<time>,<ttl>`) and the summary
/// (`<sent>,<rcvd>,<lost>,<min>,<max>,<avg>`) share the prefix; the second field stays text.
#[derive(Debug, Clone, AtatResp)]
pub struct PingUrc {
    #[at_arg(position = 0)]
    pub result: u16,
    #[at_arg(position = 1)]
    pub second: Option<String<64>>,
    #[at_arg(position = 2)]
    pub a: Option<u32>,
    #[at_arg(position = 3)]
    pub b: Option<u32>,
    #[at_arg(position = 4)]
    pub c: Option<u32>,
    #[at_arg(position = 5)]
    pub d: Option<u32>,
    #[at_arg(position = 6)]
    pub e: Option<u32>,
}

/// The URCs of the subset.
#[derive(Debug, Clone, AtatUrc)]
pub enum Urc {
    #[at_urc("+QIURC")]
    QiUrc(QiUrc),
    #[at_urc("+QIOPEN")]
    Open(OpenUrc),
    #[at_urc("+QPING")]
    Ping(PingUrc),
}
