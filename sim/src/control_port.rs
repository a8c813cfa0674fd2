//! The fault port of `qi sim --control ADDR`: a TCP port taking one fault per text line, so
//! that another project's test suite can change the SIM, the registration or the network
//! while its driver talks to the module. Each line is answered `ok` or `error: <why>`.
//!
//! ```text
//! sim ready | sim absent | sim pin <PIN>
//! registration home | roaming | searching | denied | unknown | none
//! signal <rssi> <ber>
//! deactivate <contextID>        the network deactivates a PDP context
//! drop <connectID>              the peer of a socket goes away
//! delay <ms>                    wait this long before each answer
//! restart                       the module restarts on its own (pdpdeact, silence, RDY)
//! occupy <connectID> [<ctx>]    a socket left open by an earlier life of the host
//! flood <connectID> <count>     that many `+QIURC: "recv",<id>` at once
//! garbage <n> [<seed>]          a line of n noise bytes
//! overflow <n>                  n noise bytes without a line end
//! echo on|off                   command echo, as if ATE1/ATE0 had come
//! glue-send-ok on|off           SEND OK shares its line ending with the next line
//! push-without-length on|off    direct push announces data as `+QIURC: "recv",<id>`
//! read-extra <n>                +QIRD answers n bytes more than asked
//! hold-closed on|off            `closed` waits until the socket's buffer is read
//! ```

use crate::config::SimCard;
use crate::module::Control;
use quectel_qi::{ConnectId, ContextId, RegistrationStatus};
use std::fmt;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// One line of the fault port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    Sim(SimCard),
    Registration(RegistrationStatus),
    Signal { rssi: u8, ber: u8 },
    Deactivate(ContextId),
    Drop(ConnectId),
    Delay(Duration),
    Restart,
    Occupy(ConnectId, ContextId),
    Flood(ConnectId, usize),
    Garbage { n: usize, seed: u64 },
    Overflow(usize),
    Echo(bool),
    GlueSendOk(bool),
    PushWithoutLength(bool),
    ReadExtra(usize),
    HoldClosed(bool),
}

/// `on` or `off`.
fn switch(args: &[&str], usage: &'static str) -> Result<bool, FaultError> {
    match args {
        ["on"] => Ok(true),
        ["off"] => Ok(false),
        _ => Err(FaultError::Arguments(usage)),
    }
}

/// One number and nothing else.
fn only_number<T: std::str::FromStr>(args: &[&str], usage: &'static str) -> Result<T, FaultError> {
    match args {
        [n] => number(Some(n), usage),
        _ => Err(FaultError::Arguments(usage)),
    }
}

/// Why a line is not a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultError {
    /// The first word names no fault.
    Unknown(String),
    /// The fault's arguments are missing, extra or out of range; says what it takes.
    Arguments(&'static str),
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultError::Unknown(w) => write!(
                f,
                "unknown fault `{w}` (sim, registration, signal, deactivate, drop, delay, restart, \
                 occupy, flood, garbage, overflow, echo, glue-send-ok, push-without-length, \
                 read-extra, hold-closed)"
            ),
            FaultError::Arguments(usage) => write!(f, "usage: {usage}"),
        }
    }
}

impl std::error::Error for FaultError {}

fn number<T: std::str::FromStr>(w: Option<&str>, usage: &'static str) -> Result<T, FaultError> {
    w.and_then(|w| w.parse().ok())
        .ok_or(FaultError::Arguments(usage))
}

impl std::str::FromStr for Fault {
    type Err = FaultError;

    fn from_str(line: &str) -> Result<Fault, FaultError> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (first, args) = match words.split_first() {
            Some((f, a)) => (*f, a),
            None => return Err(FaultError::Unknown(String::new())),
        };
        let arg = |i: usize| args.get(i).copied();
        let fault = match first {
            "sim" => {
                const USAGE: &str = "sim ready | sim absent | sim pin <PIN>";
                match (arg(0), args.len()) {
                    (Some("ready"), 1) => Fault::Sim(SimCard::Ready),
                    (Some("absent"), 1) => Fault::Sim(SimCard::NotInserted),
                    (Some("pin"), 2) => Fault::Sim(SimCard::PinRequired(args[1].to_string())),
                    _ => return Err(FaultError::Arguments(USAGE)),
                }
            }
            "registration" => {
                const USAGE: &str =
                    "registration home | roaming | searching | denied | unknown | none";
                let status = match (arg(0), args.len()) {
                    (Some(word), 1) => registration(word),
                    _ => None,
                };
                Fault::Registration(status.ok_or(FaultError::Arguments(USAGE))?)
            }
            "signal" => {
                const USAGE: &str = "signal <rssi 0-31 or 99> <ber 0-7 or 99>";
                if args.len() != 2 {
                    return Err(FaultError::Arguments(USAGE));
                }
                let rssi: u8 = number(arg(0), USAGE)?;
                let ber: u8 = number(arg(1), USAGE)?;
                if quectel_qi::Rssi::new(i64::from(rssi)).is_none()
                    || quectel_qi::Ber::new(i64::from(ber)).is_none()
                {
                    return Err(FaultError::Arguments(USAGE));
                }
                Fault::Signal { rssi, ber }
            }
            "deactivate" => {
                const USAGE: &str = "deactivate <contextID 1-15>";
                let id: i64 = number(arg(0), USAGE)?;
                match (ContextId::new(id), args.len()) {
                    (Some(id), 1) => Fault::Deactivate(id),
                    _ => return Err(FaultError::Arguments(USAGE)),
                }
            }
            "drop" => {
                const USAGE: &str = "drop <connectID 0-11>";
                let id: i64 = number(arg(0), USAGE)?;
                match (ConnectId::new(id), args.len()) {
                    (Some(id), 1) => Fault::Drop(id),
                    _ => return Err(FaultError::Arguments(USAGE)),
                }
            }
            "delay" => {
                const USAGE: &str = "delay <milliseconds>";
                let ms: u64 = number(arg(0), USAGE)?;
                if args.len() != 1 {
                    return Err(FaultError::Arguments(USAGE));
                }
                Fault::Delay(Duration::from_millis(ms))
            }
            "restart" if args.is_empty() => Fault::Restart,
            "restart" => return Err(FaultError::Arguments("restart")),
            "occupy" => {
                const USAGE: &str = "occupy <connectID 0-11> [<contextID 1-15>]";
                let id = ConnectId::new(number(arg(0), USAGE)?);
                let ctx = match arg(1) {
                    None => ContextId::new(1),
                    Some(c) => ContextId::new(number(Some(c), USAGE)?),
                };
                match (id, ctx, args.len() <= 2) {
                    (Some(id), Some(ctx), true) => Fault::Occupy(id, ctx),
                    _ => return Err(FaultError::Arguments(USAGE)),
                }
            }
            "flood" => {
                const USAGE: &str = "flood <connectID 0-11> <count>";
                let id = ConnectId::new(number(arg(0), USAGE)?);
                match (id, args.len()) {
                    (Some(id), 2) => Fault::Flood(id, number(arg(1), USAGE)?),
                    _ => return Err(FaultError::Arguments(USAGE)),
                }
            }
            "garbage" => {
                const USAGE: &str = "garbage <bytes> [<seed>]";
                let n = number(arg(0), USAGE)?;
                let seed = match arg(1) {
                    None => 1,
                    Some(s) => number(Some(s), USAGE)?,
                };
                if args.len() > 2 {
                    return Err(FaultError::Arguments(USAGE));
                }
                Fault::Garbage { n, seed }
            }
            "overflow" => Fault::Overflow(only_number(args, "overflow <bytes>")?),
            "echo" => Fault::Echo(switch(args, "echo on|off")?),
            "glue-send-ok" => Fault::GlueSendOk(switch(args, "glue-send-ok on|off")?),
            "push-without-length" => {
                Fault::PushWithoutLength(switch(args, "push-without-length on|off")?)
            }
            "read-extra" => Fault::ReadExtra(only_number(args, "read-extra <bytes>")?),
            "hold-closed" => Fault::HoldClosed(switch(args, "hold-closed on|off")?),
            other => return Err(FaultError::Unknown(other.to_string())),
        };
        Ok(fault)
    }
}

/// A registration state by the word the fault port and `qi sim --registration` take.
pub fn registration(word: &str) -> Option<RegistrationStatus> {
    Some(match word {
        "home" => RegistrationStatus::RegisteredHome,
        "roaming" => RegistrationStatus::RegisteredRoaming,
        "searching" => RegistrationStatus::Searching,
        "denied" => RegistrationStatus::Denied,
        "unknown" => RegistrationStatus::Unknown,
        "none" => RegistrationStatus::NotRegistered,
        _ => return None,
    })
}

impl Fault {
    /// Applies the fault to a running module; false when it has stopped.
    pub fn apply(&self, c: &Control) -> bool {
        match self {
            Fault::Sim(s) => c.set_sim(s.clone()),
            Fault::Registration(r) => c.set_registration(*r),
            Fault::Signal { rssi, ber } => c.set_signal(*rssi, *ber),
            Fault::Deactivate(id) => c.deactivate_context(*id),
            Fault::Drop(id) => c.drop_peer(*id),
            Fault::Delay(d) => c.set_response_delay(*d),
            Fault::Restart => c.restart(),
            Fault::Occupy(id, ctx) => c.occupy_socket(*id, *ctx),
            Fault::Flood(id, n) => c.flood_urcs(*id, *n),
            Fault::Garbage { n, seed } => c.inject_garbage(*seed, *n),
            Fault::Overflow(n) => c.inject(crate::module::noise(0x5eed, *n)),
            Fault::Echo(on) => c.set_echo(*on),
            &Fault::GlueSendOk(on) => c.update_field_faults(move |f| f.glue_send_ok = on),
            &Fault::PushWithoutLength(on) => {
                c.update_field_faults(move |f| f.push_without_length = on)
            }
            &Fault::ReadExtra(n) => c.update_field_faults(move |f| f.read_extra = n),
            &Fault::HoldClosed(on) => c.update_field_faults(move |f| f.hold_closed = on),
        }
    }
}

/// Listens on `addr` and applies each line's fault to the modules `modules` returns at that
/// moment (one for a pty, every session for a TCP port). Returns the bound address; the port
/// serves until the process ends.
pub fn serve_control<F>(addr: impl ToSocketAddrs, modules: F) -> io::Result<SocketAddr>
where
    F: Fn() -> Vec<Control> + Send + Sync + 'static,
{
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    let modules = std::sync::Arc::new(modules);
    std::thread::Builder::new()
        .name("qi-sim control".into())
        .spawn(move || {
            for conn in listener.incoming().flatten() {
                let modules = modules.clone();
                let _ = std::thread::Builder::new()
                    .name("qi-sim control session".into())
                    .spawn(move || serve_one(conn, &*modules));
            }
        })?;
    Ok(local)
}

fn serve_one(conn: TcpStream, modules: &dyn Fn() -> Vec<Control>) {
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    for line in BufReader::new(conn).lines() {
        let Ok(line) = line else { return };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match line.parse::<Fault>() {
            Ok(f) => {
                let live = modules();
                let applied = live.iter().filter(|c| f.apply(c)).count();
                if applied > 0 || live.is_empty() {
                    "ok".to_string()
                } else {
                    "error: the module has stopped".to_string()
                }
            }
            Err(e) => format!("error: {e}"),
        };
        if writeln!(out, "{answer}").is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_into_faults() {
        assert_eq!("sim absent".parse(), Ok(Fault::Sim(SimCard::NotInserted)));
        assert_eq!(
            "sim pin 1234".parse(),
            Ok(Fault::Sim(SimCard::PinRequired("1234".into())))
        );
        assert_eq!(
            " registration  none ".parse(),
            Ok(Fault::Registration(RegistrationStatus::NotRegistered))
        );
        assert_eq!(
            "signal 99 99".parse(),
            Ok(Fault::Signal { rssi: 99, ber: 99 })
        );
        assert_eq!(
            "delay 250".parse(),
            Ok(Fault::Delay(Duration::from_millis(250)))
        );
        assert_eq!("restart".parse(), Ok(Fault::Restart));
        assert_eq!(
            "occupy 3".parse(),
            Ok(Fault::Occupy(
                ConnectId::new_const(3),
                ContextId::new_const(1)
            ))
        );
        assert_eq!(
            "flood 0 100".parse(),
            Ok(Fault::Flood(ConnectId::new_const(0), 100))
        );
        assert_eq!(
            "garbage 40 9".parse(),
            Ok(Fault::Garbage { n: 40, seed: 9 })
        );
        assert_eq!("overflow 5000".parse(), Ok(Fault::Overflow(5000)));
        assert_eq!("echo on".parse(), Ok(Fault::Echo(true)));
        assert_eq!("glue-send-ok off".parse(), Ok(Fault::GlueSendOk(false)));
        assert_eq!(
            "push-without-length on".parse(),
            Ok(Fault::PushWithoutLength(true))
        );
        assert_eq!("read-extra 7".parse(), Ok(Fault::ReadExtra(7)));
        assert_eq!("hold-closed on".parse(), Ok(Fault::HoldClosed(true)));
    }

    #[test]
    fn bad_lines_are_typed_errors() {
        assert_eq!(
            "reboot".parse::<Fault>(),
            Err(FaultError::Unknown("reboot".into()))
        );
        for bad in [
            "sim",
            "sim pin",
            "sim ready now",
            "registration maybe",
            "signal 32 0",
            "signal 10",
            "deactivate 16",
            "drop -1",
            "drop 0 1",
            "delay soon",
            "restart now",
            "occupy 12",
            "occupy 0 16",
            "flood 0",
            "garbage",
            "overflow",
            "echo maybe",
            "read-extra -1",
            "hold-closed",
        ] {
            assert!(
                matches!(bad.parse::<Fault>(), Err(FaultError::Arguments(_))),
                "{bad}"
            );
        }
    }
}
