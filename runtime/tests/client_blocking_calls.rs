//! The blocking shell's calls that hand over lines or read the client's state: `exec`,
//! `contexts`, `exec_lines`, `ping_each`, `context_lost` and `pushed_len`, against a scripted
//! module.

mod support;

use core::ops::ControlFlow;

use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);

#[test]
fn lines_pings_and_state_through_the_blocking_shell() {
    let script = Script::new()
        .host("AT+QIACT?")
        .module(r#"+QIACT: 1,1,1,"10.7.157.2""#)
        .module("OK")
        .host("AT+QIACT?")
        .module(r#"+QIACT: 1,1,1,"10.7.157.2""#)
        .module(r#"+QIACT: 2,1,1,"10.7.157.3""#)
        .module("OK")
        .host("AT+QICFG=?")
        .module(r#"+QICFG: "transpktsize",(1-1460)"#)
        .module(r#"+QICFG: "window/scale",(0,1)"#)
        .module("OK")
        .host(r#"AT+QPING=1,"www.example.com""#)
        .module("OK")
        .module(r#"+QPING: 0,"192.0.2.2",32,192,255"#)
        .module("+QPING: 0,1,1,0,192,192,192");
    let (mut c, h) = support::blocking_client(&script, support::config());

    let read = c.exec(&qiact::Read);
    assert!(read.is_ok(), "{read:?}");

    let mut two = heapless::Vec::<_, 2>::new();
    c.contexts(&mut two).unwrap();
    let ids: Vec<u8> = two.iter().map(|l| l.context_id.get()).collect();
    assert_eq!(ids, [1, 2]);

    let mut lines = 0;
    let stopped = c
        .exec_lines(&qicfg::Test, |_| {
            lines += 1;
            if lines == 2 {
                ControlFlow::Break("second")
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!((lines, stopped), (2, Some("second")));

    let mut times = Vec::new();
    let ping = qping::Ping {
        context_id: CTX,
        host: "www.example.com",
        timeout: None,
        pingnum: None,
    };
    let summary = c.ping_each(&ping, |r| times.push(r.time)).unwrap();
    assert_eq!(times, [Some(192)]);
    assert_eq!(summary.avg, Some(192));

    assert!(!c.context_lost(CTX));
    assert_eq!(c.pushed_len(ConnectId::new_const(0)), 0);
    h.assert_done();
}
