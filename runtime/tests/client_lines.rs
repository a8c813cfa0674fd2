//! List responses read one line at a time (`Client::exec_lines`): no response value as large
//! as the list is built, through the async and the blocking link alike.

mod support;

use core::ops::ControlFlow;

use quectel_qi::client::{Error, ErrorResult, ModuleError};
use quectel_qi::response::qicfg::TestAnyLine;
use quectel_qi::*;
use support::Script;

fn ctx(n: i64) -> ContextId {
    ContextId::new(n).unwrap()
}

/// `AT+QIACT?` answered with three contexts, the first not active.
fn three_contexts(script: Script) -> Script {
    script
        .host("AT+QIACT?")
        .module(r#"+QIACT: 1,0,1,"0.0.0.0""#)
        .module(r#"+QIACT: 2,1,1,"10.7.157.2""#)
        .module(r#"+QIACT: 3,1,2,"fe80::1""#)
        .module("OK")
}

#[test]
fn context_address_keeps_only_the_line_of_its_context() {
    let script = three_contexts(three_contexts(three_contexts(Script::new())));
    both!(script, support::config(), |c, h| {
        // Context 1 is listed, but not active.
        assert_eq!(c.context_address(ctx(1)).await.unwrap(), None);
        let two = c.context_address(ctx(2)).await.unwrap();
        assert_eq!(two.as_deref(), Some("10.7.157.2"));
        assert_eq!(c.context_address(ctx(4)).await.unwrap(), None);
    });
}

#[test]
fn contexts_fill_the_callers_storage_and_refuse_more_lines_than_it_holds() {
    let script = three_contexts(three_contexts(Script::new()));
    both!(script, support::config(), |c, h| {
        let mut all = heapless::Vec::<_, 3>::new();
        c.contexts(&mut all).await.unwrap();
        let ids: Vec<u8> = all.iter().map(|l| l.context_id.get()).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(all[2].context_type, ContextType::Ipv6);
        let mut two = heapless::Vec::<_, 2>::new();
        assert_eq!(c.contexts(&mut two).await, Err(Error::ResponseTooLong));
    });
}

#[test]
fn lines_of_several_shapes_decode_each_as_its_own_variant() {
    let script = Script::new()
        .host("AT+QICFG=?")
        .module(r#"+QICFG: "transpktsize",(1-1460)"#)
        .module(r#"+QICFG: "tcp/retranscfg",(3-20),(5-1000)"#)
        .module(r#"+QICFG: "window/scale",(0,1)"#)
        .module("OK");
    both!(script, support::config(), |c, h| {
        let mut seen = Vec::new();
        let none = c
            .exec_lines(&qicfg::Test, |line| {
                seen.push(line);
                ControlFlow::<()>::Continue(())
            })
            .await
            .unwrap();
        assert_eq!(none, None);
        assert_eq!(seen.len(), 3);
        match &seen[1] {
            TestAnyLine::TestTcpRetranscfgLine(l) => {
                assert_eq!(l.max_backoffs.as_str(), "(3-20)");
                assert_eq!(l.max_rto.as_str(), "(5-1000)");
            }
            other => panic!("not the retranscfg line: {other:?}"),
        }
        // The document's other spelling of the keyword.
        assert!(matches!(seen[2], TestAnyLine::TestWindowsScaleLine(_)));
    });
}

#[test]
fn a_line_that_does_not_decode_is_a_parse_error_and_an_error_result_stays_one() {
    let script = Script::new()
        .host("AT+QIACT?")
        .module(r#"+QIACT: 1,1,1,"10.0.0.1""#)
        .module("+QIACT: 99,1,1")
        .module("OK")
        .host("AT+QIACT?")
        .module("ERROR")
        .host("AT+QISTATE=1,5")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let mut lines = 0;
        let r = c
            .exec_lines(&qiact::Read, |_| {
                lines += 1;
                ControlFlow::<()>::Continue(())
            })
            .await;
        assert_eq!(r, Err(Error::Parse));
        assert_eq!(lines, 1, "the good line came before the bad one");
        let e = c.context_address(ctx(1)).await.unwrap_err();
        assert_eq!(
            e,
            Error::Module(ModuleError {
                result: ErrorResult::Error,
                last_error: None,
            })
        );
        // No line: the socket is not in use.
        let id = ConnectId::new(5).unwrap();
        assert_eq!(c.socket_state(id).await.unwrap(), None);
    });
}
