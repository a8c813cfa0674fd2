//! Contexts through the client: configure, activate, read the address, deactivate; errors.

mod support;

use quectel_qi::client::{Code, Error, ErrorResult, ModuleError};
use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);

#[test]
fn configure_activate_read_deactivate() {
    let script = Script::new()
        .host(r#"AT+QICSGP=1,1,"UNINET","","",1"#)
        .module("OK")
        .host("AT+QIACT=1")
        .module("OK")
        .host("AT+QIACT?")
        .module(r#"+QIACT: 1,1,1,"10.7.157.1""#)
        .module("OK")
        .host("AT+QIDEACT=1")
        .module("OK");
    both!(script, support::config(), |c, h| {
        c.configure_context(&qicsgp::Configure {
            context_id: CTX,
            context_type: ContextType::Ipv4,
            apn: "UNINET",
            username: Some(""),
            password: Some(""),
            authentication: Some(Authentication::Pap),
        })
        .await
        .unwrap();
        c.activate(CTX).await.unwrap();
        let ip = c.context_address(CTX).await.unwrap();
        assert_eq!(ip.as_deref(), Some("10.7.157.1"));
        c.deactivate(CTX).await.unwrap();
    });
}

#[test]
fn an_error_is_enriched_by_qigeterror() {
    let script = Script::new()
        .host("AT+QIACT=1")
        .module("ERROR")
        .host("AT+QIGETERROR")
        .module("+QIGETERROR: 561,Activate PDP context failed")
        .module("OK");
    let config = quectel_qi::client::Config {
        query_last_error: true,
        ..support::config()
    };
    both!(script, config, |c, h| {
        let e = c.activate(CTX).await.unwrap_err();
        assert_eq!(
            e,
            Error::Module(ModuleError {
                result: ErrorResult::Error,
                last_error: Some(Code::Known(ErrorCode::ActivatePdpContextFailed)),
            })
        );
    });
}

#[test]
fn a_cme_error_keeps_its_number_and_no_qigeterror_is_asked_without_the_option() {
    let script = Script::new()
        .host("AT+QIACT=1")
        .module("+CME ERROR: 573")
        .host("AT+QIDEACT=1")
        .module("ERROR");
    both!(script, support::config(), |c, h| {
        let e = c.activate(CTX).await.unwrap_err();
        let Error::Module(m) = e else { panic!("{e:?}") };
        assert_eq!(m.code(), Some(Code::Known(ErrorCode::ApnNotConfigured)));
        let e = c.deactivate(CTX).await.unwrap_err();
        assert_eq!(
            e,
            Error::Module(ModuleError {
                result: ErrorResult::Error,
                last_error: None
            })
        );
    });
}

#[test]
fn no_answer_is_a_timeout_and_the_next_command_still_works() {
    let script = Script::new()
        .host("AT+QIACT=1")
        .host("AT+QIACT=1")
        .module("OK");
    both!(script, support::config(), |c, h| {
        assert_eq!(c.activate(CTX).await, Err(Error::Timeout));
        c.activate(CTX).await.unwrap();
    });
}

#[test]
fn invalid_input_writes_nothing() {
    let script = Script::new();
    both!(script, support::config(), |c, h| {
        let e = c
            .configure_context(&qicsgp::Configure {
                context_id: CTX,
                context_type: ContextType::Ipv4,
                apn: "a\"b",
                username: None,
                password: None,
                authentication: None,
            })
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        assert!(h.written().is_empty());
    });
}

#[test]
fn pdpdeact_reaches_its_context() {
    let script = Script::new()
        .host("AT+QIACT=1")
        .module(r#"+QIURC: "pdpdeact",1"#)
        .module("OK");
    both!(script, support::config(), |c, h| {
        assert!(!c.context_lost(CTX));
        // The URC arrives between the command and its OK; activating clears it again, so
        // look at it before the call returns: through the event stream of a second call.
        c.activate(CTX).await.unwrap();
        h.feed(b"\r\n+QIURC: \"pdpdeact\",1\r\n");
        assert!(c.context_lost(CTX));
        assert!(!c.context_lost(ContextId::new_const(2)));
    });
}

#[test]
fn a_numbered_error_needs_no_qigeterror_even_with_the_option() {
    let script = Script::new().host("AT+QIACT=1").module("+CME ERROR: 561");
    let config = quectel_qi::client::Config {
        query_last_error: true,
        ..support::config()
    };
    both!(script, config, |c, h| {
        let Err(Error::Module(m)) = c.activate(CTX).await else {
            panic!("an error")
        };
        assert_eq!(
            m.code(),
            Some(Code::Known(ErrorCode::ActivatePdpContextFailed))
        );
        assert_eq!(m.last_error, None);
    });
}

#[test]
fn exec_sends_any_form_of_the_spec() {
    let script = Script::new()
        .host(r#"AT+QICFG="recvind""#)
        .module(r#"+QICFG: "recvind",1"#)
        .module("OK")
        .host("AT+QIOPEN=?")
        .module(r#"+QIOPEN: (1-15),(0-11),"TCP/UDP/TCP LISTENER/UDP SERVICE","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-2)"#)
        .module("OK");
    both!(script, support::config(), |c, h| {
        let r = c.exec(&qicfg::recvind::Query).await.unwrap();
        assert_eq!(r.recvind, Recvind::Enable);
        c.exec(&qiopen::Test).await.unwrap();
        let e = c
            .exec(&qicfg::tcp_keepalive::Set {
                keepalive_enable: KeepaliveEnable::Enable,
                idle_time: Some(IdleTime::new_const(120)),
                interval_time: None,
                probe_cnt: None,
            })
            .await;
        // The timing is one optional group: all three or none. Nothing is written.
        assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
    });
}
