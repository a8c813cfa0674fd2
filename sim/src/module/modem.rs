//! The basic command family (`spec/basic/`): the state a driver's start-up and recovery paths
//! read and change (echo, result format, error reporting, functionality level, SIM, network
//! registration and attachment), answered with the generated codec.
//!
//! Where the standards leave the module's behaviour open, it does what Quectel modules do:
//! - the module registers once its radio is on (AT+CFUN=1) and the SIM is ready, with the
//!   registration the configuration (or a fault) grants; AT+CREG, AT+CGREG and AT+CEREG all
//!   report that one registration;
//! - a registered module is attached to the packet domain unless the host detached it
//!   (AT+CGATT=0); AT+QIACT needs the attachment (561 otherwise);
//! - losing registration (AT+CFUN=0 or 4, a fault) leaves the PDP contexts to the host, as the
//!   network's deactivation is a fault of its own ([`crate::Control::deactivate_context`]);
//! - AT+CFUN=1,1 answers OK, then the module is silent for [`crate::Modem::restart_time`]
//!   (input is lost), then prints RDY, `+CFUN: 1` and `+CPIN: <code>` (when a SIM is present)
//!   with every setting back to its start-up value;
//! - AT+QCFG and AT+QURCCFG accept any item and answer OK.

use super::commands::{ok, urc_bytes, Done};
use super::net::hstring;
use super::output::frame;
use super::Sim;
use crate::config::SimCard;
use quectel_qi::response::{cereg, cfun, cgatt, cgpaddr, cmee, cops, cpin, creg, csq, ctzr, ctzu};
use quectel_qi::response::{cgmi, cgmm, cgmr, cgsn, gsn, identification, qccid};
use quectel_qi::{
    urc, AttachState, Ber, CmeMode, CommandEcho, ContextId, CopsMode, DtrBehaviour, ErrorCode,
    Functionality, OperatorFormat, PinStatus, RegistrationReport, RegistrationStatus, Request,
    Reset, ResponseLine, ResultCodeFormat, Rssi, TimeZoneReporting, TimeZoneUpdate, Urc,
};
use std::time::Instant;

/// The three registration URC settings, one per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registry {
    Creg,
    Cgreg,
    Cereg,
}

/// What the basic commands set and report.
#[derive(Debug, Clone)]
pub(crate) struct Modem {
    pub cme: CmeMode,
    pub result_format: ResultCodeFormat,
    pub dtr: DtrBehaviour,
    pub functionality: Functionality,
    pub sim: SimCard,
    /// What the network grants (configuration or fault), whatever the radio and SIM say.
    pub network: RegistrationStatus,
    /// The status last reported, to tell when a URC is due.
    pub reported: RegistrationStatus,
    pub reports: [RegistrationReport; 3],
    /// The host detached with AT+CGATT=0.
    pub detached: bool,
    /// The host left the network with AT+COPS=2 (until AT+COPS=0 or 1 or 4).
    pub deregistered: bool,
    pub time_zone_reporting: TimeZoneReporting,
    pub time_zone_update: TimeZoneUpdate,
    pub rssi: u8,
    pub ber: u8,
    /// A restart (AT+CFUN=1,1) ends here; until then the module is silent.
    pub restarting_until: Option<Instant>,
}

impl Modem {
    pub(crate) fn new(cfg: &crate::config::Modem) -> Self {
        let mut m = Modem {
            cme: CmeMode::Disable,
            result_format: ResultCodeFormat::Verbose,
            dtr: DtrBehaviour::CommandMode,
            functionality: Functionality::Full,
            sim: cfg.sim.clone(),
            network: cfg.registration,
            reported: RegistrationStatus::NotRegistered,
            reports: [RegistrationReport::Disable; 3],
            detached: false,
            deregistered: false,
            time_zone_reporting: TimeZoneReporting::Disable,
            time_zone_update: TimeZoneUpdate::Disable,
            rssi: cfg.rssi,
            ber: cfg.ber,
            restarting_until: None,
        };
        m.reported = m.registration();
        m
    }

    /// The registration the module has: the network's, once the radio is on and the SIM ready.
    pub(crate) fn registration(&self) -> RegistrationStatus {
        if self.functionality == Functionality::Full
            && self.sim == SimCard::Ready
            && !self.deregistered
        {
            self.network
        } else {
            RegistrationStatus::NotRegistered
        }
    }

    pub(crate) fn registered(&self) -> bool {
        matches!(
            self.registration(),
            RegistrationStatus::RegisteredHome | RegistrationStatus::RegisteredRoaming
        )
    }

    /// Attached to the packet domain: registered, and not detached by the host.
    pub(crate) fn attached(&self) -> bool {
        self.registered() && !self.detached
    }

    fn report(&self, r: Registry) -> RegistrationReport {
        self.reports[r as usize]
    }
}

/// Modes 2 to 5 report the location; the cause and power-saving fields of 3 to 5 stay out, as
/// the virtual module has no reject cause and no power saving.
fn reports_location(n: RegistrationReport) -> bool {
    !matches!(n, RegistrationReport::Disable | RegistrationReport::Enable)
}

fn line(l: ResponseLine) -> Vec<u8> {
    frame(|w| l.encode(w))
}

fn lines(l: ResponseLine) -> Result<Done, ErrorCode> {
    Ok(Done::Lines(vec![line(l)]))
}

impl Sim {
    /// Answers a request of the basic family; `None` for other requests.
    pub(crate) fn modem_request(&mut self, req: &Request<'_>) -> Option<Result<Done, ErrorCode>> {
        use Request as R;
        let m = &self.cfg.modem;
        Some(match req {
            R::AttentionCheck(_) => ok(),
            R::CommandEchoSet(e) => {
                self.echo = e.command_echo.unwrap_or_default() == CommandEcho::On;
                ok()
            }
            R::ResultFormatSet(v) => {
                // The OK of ATV0 is already numeric (V.250 6.2.6).
                self.modem.result_format = v.result_code_format.unwrap_or_default();
                ok()
            }
            R::DtrBehaviourSet(d) => {
                self.modem.dtr = d.dtr_behaviour.unwrap_or_default();
                ok()
            }
            R::OnlineResume(_) => {
                self.resume_online();
                Ok(Done::Answered)
            }
            R::IdentificationQuery(_) => Ok(Done::Lines(vec![
                line(ResponseLine::IdentificationQueryLine1(
                    identification::QueryLine1 {
                        manufacturer: hstring(&m.manufacturer),
                    },
                )),
                line(ResponseLine::IdentificationQueryLine2(
                    identification::QueryLine2 {
                        model: hstring(&m.model),
                    },
                )),
                line(ResponseLine::IdentificationQueryLine3(
                    identification::QueryLine3 {
                        revision: hstring(&m.revision),
                    },
                )),
            ])),
            R::CgmiQuery(_) => lines(ResponseLine::CgmiQueryLine(cgmi::QueryLine {
                manufacturer: hstring(&m.manufacturer),
            })),
            R::CgmmQuery(_) => lines(ResponseLine::CgmmQueryLine(cgmm::QueryLine {
                model: hstring(&m.model),
            })),
            R::CgmrQuery(_) => lines(ResponseLine::CgmrQueryLine(cgmr::QueryLine {
                revision: hstring(&m.revision),
            })),
            R::CgsnQuery(_) => lines(ResponseLine::CgsnQueryLine(cgsn::QueryLine {
                serial_number: hstring(&m.imei),
            })),
            R::GsnQuery(_) => lines(ResponseLine::GsnQueryLine(gsn::QueryLine {
                serial_number: hstring(&m.imei),
            })),
            R::CmeeRead(_) => lines(ResponseLine::CmeeReadLine(cmee::ReadLine {
                cme_mode: self.modem.cme,
            })),
            R::CmeeSet(c) => {
                self.modem.cme = c.cme_mode.unwrap_or_default();
                ok()
            }
            R::CfunRead(_) => lines(ResponseLine::CfunReadLine(cfun::ReadLine {
                functionality: self.modem.functionality,
            })),
            R::CfunSet(f) => self.set_functionality(f.functionality, f.reset.unwrap_or_default()),
            R::CpinRead(_) => {
                let pin_status = match &self.modem.sim {
                    SimCard::Ready => PinStatus::Ready,
                    SimCard::PinRequired(_) => PinStatus::SimPin,
                    SimCard::NotInserted => return Some(Err(ErrorCode::SimNotInserted)),
                };
                lines(ResponseLine::CpinReadLine(cpin::ReadLine { pin_status }))
            }
            R::CpinEnter(p) => match &self.modem.sim {
                SimCard::PinRequired(pin) if pin == p.pin => {
                    self.modem.sim = SimCard::Ready;
                    self.registration_changed();
                    ok()
                }
                SimCard::PinRequired(_) => Err(ErrorCode::IncorrectPassword),
                SimCard::NotInserted => Err(ErrorCode::SimNotInserted),
                // Nothing is asked for: the PIN is not wanted (27.007 8.3).
                SimCard::Ready => Err(ErrorCode::CmeOperationNotAllowed),
            },
            R::CregRead(_) => {
                let (n, stat, lac, ci, act) = self.registration_fields(Registry::Creg);
                lines(ResponseLine::CregReadLine(creg::ReadLine {
                    registration_report: n,
                    registration_status: stat,
                    lac,
                    ci,
                    act,
                }))
            }
            R::CgregRead(_) => {
                let (n, stat, lac, ci, act) = self.registration_fields(Registry::Cgreg);
                lines(ResponseLine::CgregReadLine(
                    quectel_qi::response::cgreg::ReadLine {
                        registration_report: n,
                        registration_status: stat,
                        lac,
                        ci,
                        act,
                        rac: None,
                    },
                ))
            }
            R::CeregRead(_) => {
                let (n, stat, tac, ci, act) = self.registration_fields(Registry::Cereg);
                lines(ResponseLine::CeregReadLine(cereg::ReadLine {
                    registration_report: n,
                    registration_status: stat,
                    tac,
                    ci,
                    act,
                }))
            }
            R::CregSet(s) => self.set_report(Registry::Creg, s.registration_report),
            R::CgregSet(s) => self.set_report(Registry::Cgreg, s.registration_report),
            R::CeregSet(s) => self.set_report(Registry::Cereg, s.registration_report),
            R::CopsRead(_) => {
                let registered = self.modem.registered();
                let cops_mode = if self.modem.deregistered {
                    CopsMode::Deregister
                } else {
                    CopsMode::Automatic
                };
                lines(ResponseLine::CopsReadLine(cops::ReadLine {
                    cops_mode,
                    format: registered.then_some(OperatorFormat::LongAlphanumeric),
                    oper: registered.then(|| hstring(&m.operator)),
                    act: registered.then_some(m.access_technology),
                }))
            }
            R::CopsSelect(c) => {
                // The virtual network has one operator: any choice but leaving registers.
                match c.cops_mode {
                    CopsMode::Deregister => self.modem.deregistered = true,
                    CopsMode::SetFormat => {}
                    _ => self.modem.deregistered = false,
                }
                self.registration_changed();
                ok()
            }
            R::CsqQuery(_) => lines(ResponseLine::CsqQueryLine(csq::QueryLine {
                rssi: Rssi::new(i64::from(self.modem.rssi)).unwrap_or(Rssi::MAX),
                ber: Ber::new(i64::from(self.modem.ber)).unwrap_or(Ber::MAX),
            })),
            R::CgattRead(_) => lines(ResponseLine::CgattReadLine(cgatt::ReadLine {
                attach_state: if self.modem.attached() {
                    AttachState::Attached
                } else {
                    AttachState::Detached
                },
            })),
            R::CgattSet(a) => match a.attach_state {
                AttachState::Attached if !self.modem.registered() => {
                    Err(ErrorCode::NoNetworkService)
                }
                AttachState::Attached => {
                    self.modem.detached = false;
                    ok()
                }
                AttachState::Detached => {
                    self.modem.detached = true;
                    self.lose_contexts();
                    ok()
                }
                // A value a newer spec adds: the module answers ERROR.
                _ => Err(ErrorCode::InvalidParameters),
            },
            R::CgpaddrAll(_) => {
                let all = (ContextId::MIN.get()..=ContextId::MAX.get())
                    .filter_map(|i| ContextId::new(i64::from(i)))
                    .filter(|id| self.contexts[usize::from(id.get())].active)
                    .map(|id| line(self.pdp_address_line(id, false)))
                    .collect();
                Ok(Done::Lines(all))
            }
            R::CgpaddrByContext(c) => lines(self.pdp_address_line(c.context_id, true)),
            R::QccidQuery(_) => match self.modem.sim {
                SimCard::NotInserted => Err(ErrorCode::SimNotInserted),
                _ => lines(ResponseLine::QccidQueryLine(qccid::QueryLine {
                    iccid: hstring(&m.iccid),
                })),
            },
            R::CtzrRead(_) => lines(ResponseLine::CtzrReadLine(ctzr::ReadLine {
                time_zone_reporting: self.modem.time_zone_reporting,
            })),
            R::CtzrSet(t) => {
                self.modem.time_zone_reporting = t.time_zone_reporting;
                ok()
            }
            R::CtzuRead(_) => lines(ResponseLine::CtzuReadLine(ctzu::ReadLine {
                time_zone_update: self.modem.time_zone_update,
            })),
            R::CtzuSet(t) => {
                self.modem.time_zone_update = t.time_zone_update;
                ok()
            }
            R::QcfgSet(_) | R::QurccfgSet(_) => ok(),
            _ => return None,
        })
    }

    fn pdp_address_line(&self, id: ContextId, this_one: bool) -> ResponseLine<'static> {
        // A context that is not active has no address (27.007 10.1.14).
        let pdp_addr = self.contexts[usize::from(id.get())]
            .active
            .then(|| hstring(&self.cfg.address.to_string()));
        if this_one {
            ResponseLine::CgpaddrByContextLine(cgpaddr::ByContextLine {
                context_id: id,
                pdp_addr,
            })
        } else {
            ResponseLine::CgpaddrAllLine(cgpaddr::AllLine {
                context_id: id,
                pdp_addr,
            })
        }
    }

    /// `<n>`, `<stat>` and, with `<n>` 2 while registered, the location.
    #[allow(clippy::type_complexity)]
    fn registration_fields(
        &self,
        r: Registry,
    ) -> (
        RegistrationReport,
        RegistrationStatus,
        Option<heapless::String<4>>,
        Option<heapless::String<8>>,
        Option<quectel_qi::AccessTechnology>,
    ) {
        let n = self.modem.report(r);
        let stat = self.modem.registration();
        let located = reports_location(n) && self.modem.registered();
        let m = &self.cfg.modem;
        (
            n,
            stat,
            located.then(|| hstring(&m.area_code)),
            located.then(|| hstring(&m.cell_id)),
            located.then_some(m.access_technology),
        )
    }

    fn set_report(
        &mut self,
        r: Registry,
        n: Option<RegistrationReport>,
    ) -> Result<Done, ErrorCode> {
        self.modem.reports[r as usize] = n.unwrap_or_default();
        ok()
    }

    fn set_functionality(&mut self, level: Functionality, reset: Reset) -> Result<Done, ErrorCode> {
        if reset == Reset::Reset {
            self.result("OK");
            self.restart();
            return Ok(Done::Answered);
        }
        self.modem.functionality = level;
        if level != Functionality::Full {
            self.lose_contexts();
        }
        self.registration_changed();
        ok()
    }

    /// The registration may have changed: URCs for every registry that reports it.
    pub(crate) fn registration_changed(&mut self) {
        let now = self.modem.registration();
        if now == self.modem.reported {
            return;
        }
        self.modem.reported = now;
        if !self.modem.registered() {
            self.modem.detached = false;
        }
        for r in [Registry::Creg, Registry::Cgreg, Registry::Cereg] {
            if let Some(u) = self.registration_urc(r) {
                self.urc(urc_bytes(u));
            }
        }
    }

    fn registration_urc(&self, r: Registry) -> Option<Urc<'static>> {
        let stat = self.modem.registration();
        let m = &self.cfg.modem;
        let located = reports_location(self.modem.report(r)) && self.modem.registered();
        let (lac, ci, act) = (
            hstring(&m.area_code),
            hstring(&m.cell_id),
            m.access_technology,
        );
        Some(match (self.modem.report(r), r, located) {
            (RegistrationReport::Disable, ..) => return None,
            (_, Registry::Creg, false) => Urc::Creg(urc::Creg {
                registration_status: stat,
            }),
            (_, Registry::Cgreg, false) => Urc::Cgreg(urc::Cgreg {
                registration_status: stat,
            }),
            (_, Registry::Cereg, false) => Urc::Cereg(urc::Cereg {
                registration_status: stat,
            }),
            (_, Registry::Creg, true) => Urc::CregLocation(urc::CregLocation {
                registration_status: stat,
                lac,
                ci,
                act: Some(act),
            }),
            (_, Registry::Cgreg, true) => Urc::CgregLocation(urc::CgregLocation {
                registration_status: stat,
                lac,
                ci,
                act: Some(act),
                rac: None,
            }),
            (_, Registry::Cereg, true) => Urc::CeregLocation(urc::CeregLocation {
                registration_status: stat,
                tac: lac,
                ci,
                act: Some(act),
            }),
        })
    }

    /// Without radio or attachment the contexts are gone: their sockets close and the module
    /// reports each context deactivated.
    pub(crate) fn lose_contexts(&mut self) {
        let active: Vec<ContextId> = (ContextId::MIN.get()..=ContextId::MAX.get())
            .filter_map(|i| ContextId::new(i64::from(i)))
            .filter(|id| self.contexts[usize::from(id.get())].active)
            .collect();
        for id in active {
            self.pdp_deactivated(id);
        }
    }

    /// AT+CFUN=1,1: everything back to its start-up state, silent until the restart is over.
    /// The SIM stays as it is (or removed), but a PIN locks it again.
    pub(crate) fn restart(&mut self) {
        self.power_off();
        let sim = match (&self.modem.sim, &self.cfg.modem.sim) {
            (SimCard::NotInserted, _) => SimCard::NotInserted,
            (_, SimCard::PinRequired(pin)) => SimCard::PinRequired(pin.clone()),
            _ => SimCard::Ready,
        };
        let network = self.modem.network;
        self.modem = Modem::new(&self.cfg.modem);
        self.modem.sim = sim;
        self.modem.network = network;
        self.modem.reported = self.modem.registration();
        self.modem.restarting_until = Some(Instant::now() + self.cfg.modem.restart_time);
    }

    /// The restart is over: the start-up lines.
    pub(crate) fn restart_tick(&mut self, now: Instant) {
        if self.modem.restarting_until.is_some_and(|t| t <= now) {
            self.modem.restarting_until = None;
            self.announce_start();
        }
    }

    /// RDY, `+CFUN: 1` and `+CPIN: <code>` (none without a SIM), as a module prints them once
    /// it is up.
    pub(crate) fn announce_start(&mut self) {
        self.urc(urc_bytes(Urc::Ready(urc::Ready {})));
        self.out
            .send(&line(ResponseLine::CfunReadLine(cfun::ReadLine {
                functionality: self.modem.functionality,
            })));
        let pin_status = match self.modem.sim {
            SimCard::Ready => Some(PinStatus::Ready),
            SimCard::PinRequired(_) => Some(PinStatus::SimPin),
            SimCard::NotInserted => None,
        };
        if let Some(pin_status) = pin_status {
            self.out
                .send(&line(ResponseLine::CpinReadLine(cpin::ReadLine {
                    pin_status,
                })));
        }
    }

    /// The SIM as a fault changes it (removed, inserted, locked).
    pub(crate) fn set_sim(&mut self, sim: SimCard) {
        self.modem.sim = sim;
        self.registration_changed();
    }

    /// What the network grants, as a fault changes it (lost, denied, back).
    pub(crate) fn set_network(&mut self, status: RegistrationStatus) {
        self.modem.network = status;
        self.registration_changed();
    }

    /// The `+CME ERROR: <err>` line for a failure, when AT+CMEE asks for one.
    pub(crate) fn cme_error(&self, code: ErrorCode) -> Option<String> {
        match self.modem.cme {
            CmeMode::Disable => None,
            CmeMode::Numeric => Some(format!("+CME ERROR: {}", code.code())),
            CmeMode::Verbose => Some(format!("+CME ERROR: {}", code.text())),
            // A mode a newer spec adds: the numbered form.
            _ => Some(format!("+CME ERROR: {}", code.code())),
        }
    }
}
