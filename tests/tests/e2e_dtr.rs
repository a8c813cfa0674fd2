//! Leaving transparent mode by DTR and returning with ATO (section 1.2), end to end: the client drives a DTR pin
//! (`embedded_hal::digital::OutputPin`) wired to the virtual module's control, with the
//! blocking and the async client.

mod e2e_support;

use core::convert::Infallible;

use e2e_support::*;
use qi_tests::e2e::Wire;
use qi_tests::peers::EchoServer;
use quectel_qi::client::{Client, Error, Link};
use quectel_qi::embedded_hal::digital::{ErrorType, OutputPin};
use quectel_qi::*;

/// The host's DTR line wired to the virtual module: a rise from low is
/// [`qi_sim::Control::raise_dtr`]; the edges it made are counted.
struct SimDtr {
    control: qi_sim::Control,
    high: bool,
    edges: usize,
}

impl SimDtr {
    fn new(control: &qi_sim::Control) -> Self {
        SimDtr {
            control: control.clone(),
            high: true,
            edges: 0,
        }
    }
}

impl ErrorType for SimDtr {
    type Error = Infallible;
}

impl OutputPin for SimDtr {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.high = false;
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        if !self.high {
            assert!(self.control.raise_dtr(), "the module takes the edge");
            self.edges += 1;
        }
        self.high = true;
        Ok(())
    }
}

/// A pin that cannot be driven.
struct BrokenPin;

impl ErrorType for BrokenPin {
    type Error = quectel_qi::embedded_hal::digital::ErrorKind;
}

impl OutputPin for BrokenPin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        Err(quectel_qi::embedded_hal::digital::ErrorKind::Other)
    }

    fn set_high(&mut self) -> Result<(), Self::Error> {
        Err(quectel_qi::embedded_hal::digital::ErrorKind::Other)
    }
}

/// `AT&D1`, a transparent TCP client, DTR low then high: the module is in command mode
/// again, the socket open in buffer access mode; without `AT&D1` (or with `AT&D2`) the
/// client refuses before it touches the pin.
async fn dtr_leaves_transparent<L: Link>(
    c: &mut Client<'_, L>,
    w: &Wire,
    control: &qi_sim::Control,
) {
    let echo = EchoServer::start().unwrap();
    let mut dtr = SimDtr::new(control);
    ready(c).await;
    // No socket left transparent mode yet: ATO has nothing to return to.
    assert_eq!(c.resume_transparent().await, Err(Error::WrongState));
    // Not armed: nothing is done, the pin is untouched.
    assert_eq!(
        c.leave_transparent_by_dtr(&mut dtr, 1).await,
        Err(Error::DtrNotArmed)
    );
    assert!(dtr.high);
    c.set_dtr_behaviour(DtrBehaviour::CommandMode)
        .await
        .unwrap();
    // Armed, but not in transparent mode.
    assert_eq!(
        c.leave_transparent_by_dtr(&mut dtr, 1).await,
        Err(Error::WrongState)
    );
    let s = c
        .open(&tcp(id(3), echo.port(), AccessMode::Transparent))
        .await
        .unwrap();
    assert!(w.digest.is_transparent());
    c.write_transparent(b"through DTR").await.unwrap();
    assert_eq!(tapped(w, 11).await, b"through DTR");
    c.leave_transparent_by_dtr(&mut dtr, 1).await.unwrap();
    assert_eq!(dtr.edges, 1);
    assert!(!w.digest.is_transparent());
    assert_eq!(c.socket(s).mode, Some(AccessMode::BufferAccess));
    let state = c.socket_state(s).await.unwrap().unwrap();
    assert_eq!(state.access_mode, AccessMode::BufferAccess);
    assert_eq!(state.socket_state, SocketState::Connected);
    c.send(s, b"after DTR").await.unwrap();
    assert_eq!(read_exactly(c, s, 9).await, b"after DTR");
    // ATO: back to transparent mode on that socket (CONNECT), and out again by DTR.
    assert_eq!(c.resume_transparent().await, Ok(s));
    assert!(w.digest.is_transparent());
    assert_eq!(c.socket(s).mode, Some(AccessMode::Transparent));
    c.write_transparent(b"resumed").await.unwrap();
    assert_eq!(tapped(w, 7).await, b"resumed");
    c.leave_transparent_by_dtr(&mut dtr, 1).await.unwrap();
    assert_eq!(dtr.edges, 2);
    // A pin that fails: a typed error, and the module stays in transparent mode.
    c.switch_mode(s, AccessMode::Transparent).await.unwrap();
    assert_eq!(
        c.leave_transparent_by_dtr(&mut BrokenPin, 1).await,
        Err(Error::Pin)
    );
    assert!(w.digest.is_transparent());
    c.leave_transparent(guard_ms()).await.unwrap();
    // AT&D2 sent through `exec` is recorded too: DTR would hang up, so the client refuses.
    c.exec(&dtr_behaviour::Set {
        dtr_behaviour: Some(DtrBehaviour::HangUp),
    })
    .await
    .unwrap();
    c.switch_mode(s, AccessMode::Transparent).await.unwrap();
    assert_eq!(
        c.leave_transparent_by_dtr(&mut dtr, 1).await,
        Err(Error::DtrNotArmed)
    );
    assert_eq!(dtr.edges, 2);
    c.leave_transparent(guard_ms()).await.unwrap();
    c.close(s).await.unwrap();
}
both_flavours!(dtr_leaves_transparent, config(), with control);
