//! Ping, NTP and DNS through the client: their URC results collected into one value.

mod support;

use quectel_qi::client::{Code, Error};
use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);

fn ping(host: &str) -> qping::Ping<'_> {
    qping::Ping {
        context_id: CTX,
        host,
        timeout: None,
        pingnum: None,
    }
}

#[test]
fn ping_collects_every_reply_and_the_summary() {
    let script = Script::new()
        .host(r#"AT+QPING=1,"www.example.com""#)
        .module("OK")
        .module(r#"+QPING: 0,"192.0.2.2",32,192,255"#)
        .module(r#"+QIURC: "recv",3"#)
        .module(r#"+QPING: 0,"192.0.2.2",32,240,255"#)
        .module("+QPING: 569")
        .module("+QPING: 0,3,2,1,192,240,216");
    both!(script, support::config(), |c, h| {
        let p = c.ping(&ping("www.example.com")).await.unwrap();
        assert_eq!(p.replies.len(), 3);
        assert_eq!(p.replies[1].time, Some(240));
        assert_eq!(p.replies[2].result.get(), 569);
        assert_eq!(
            (p.summary.sent, p.summary.lost, p.summary.avg),
            (Some(3), Some(1), Some(216))
        );
        assert!(c.socket(ConnectId::new_const(3)).data_pending);
    });
}

#[test]
fn ping_each_hands_over_each_reply_and_returns_the_summary() {
    let script = Script::new()
        .host(r#"AT+QPING=1,"www.example.com""#)
        .module("OK")
        .module(r#"+QPING: 0,"192.0.2.2",32,192,255"#)
        .module(r#"+QPING: 0,"192.0.2.2",32,240,255"#)
        .module("+QPING: 0,2,2,0,192,240,216");
    both!(script, support::config(), |c, h| {
        let mut times = Vec::new();
        let summary = c
            .ping_each(&ping("www.example.com"), |r| times.push(r.time))
            .await
            .unwrap();
        assert_eq!(times, [Some(192), Some(240)]);
        assert_eq!((summary.sent, summary.rcvd), (Some(2), Some(2)));
    });
}

#[test]
fn ping_failures_and_silence() {
    let script = Script::new()
        .host(r#"AT+QPING=1,"nowhere""#)
        .module("OK")
        .module("+QPING: 565")
        .host(r#"AT+QPING=1,"quiet",1,1"#)
        .module("OK")
        .module(r#"+QPING: 0,"192.0.2.2",32,5,255"#);
    both!(script, support::config(), |c, h| {
        assert_eq!(
            c.ping(&ping("nowhere")).await,
            Err(Error::Rejected(Code::Known(ErrorCode::DnsParseFailed)))
        );
        let quiet = qping::Ping {
            timeout: Some(PingTimeout::new_const(1)),
            pingnum: Some(Pingnum::new_const(1)),
            ..ping("quiet")
        };
        // A reply but no summary: the wait ends.
        assert_eq!(c.ping(&quiet).await, Err(Error::Timeout));
    });
}

#[test]
fn a_bare_code_before_any_reply_ends_the_ping_unless_it_is_a_timeout() {
    // The summary after 565 is there to be left unread: a client that kept waiting after the
    // command's failure would take it and report success.
    let script = Script::new()
        .host(r#"AT+QPING=1,"nowhere""#)
        .module("OK")
        .module("+QPING: 565")
        .module("+QPING: 0,1,1,0,5,5,5")
        .host(r#"AT+QPING=1,"slow""#)
        .module("OK")
        .module("+QPING: 569")
        .module(r#"+QPING: 0,"192.0.2.2",32,5,255"#)
        .module("+QPING: 0,2,1,1,5,5,5");
    both!(script, support::config(), |c, h| {
        assert_eq!(
            c.ping(&ping("nowhere")).await,
            Err(Error::Rejected(Code::Known(ErrorCode::DnsParseFailed)))
        );
        let slow = c.ping(&ping("slow")).await.unwrap();
        assert_eq!(slow.replies.len(), 2);
        assert_eq!(slow.summary.rcvd, Some(1));
    });
}

#[test]
fn ntp_returns_the_time() {
    let script = Script::new()
        .host(r#"AT+QNTP=1,"192.0.2.2",123"#)
        .module("OK")
        .module(r#"+QNTP: 0,"2019/07/21,06:10:59+00""#)
        .host(r#"AT+QNTP=1,"192.0.2.2""#)
        .module("OK")
        .module("+QNTP: 569");
    both!(script, support::config(), |c, h| {
        let sync = qntp::SyncValue {
            context_id: CTX,
            server: "192.0.2.2",
            ntp_port: Some(NtpPort::new_const(123)),
            autosettime: None,
        };
        assert_eq!(
            c.sync_time(&sync).await.unwrap().as_str(),
            "2019/07/21,06:10:59+00"
        );
        let sync = qntp::SyncValue {
            ntp_port: None,
            ..sync
        };
        assert_eq!(
            c.sync_time(&sync).await,
            Err(Error::Rejected(Code::Known(ErrorCode::OperationTimeout)))
        );
    });
}

#[test]
fn dns_collects_the_addresses() {
    let script = Script::new()
        .host(r#"AT+QIDNSGIP=1,"example.com""#)
        .module("OK")
        .module(r#"+QIURC: "dnsgip",0,3,600"#)
        .module(r#"+QIURC: "dnsgip","192.0.2.1""#)
        .module(r#"+QIURC: "closed",2"#)
        .module(r#"+QIURC: "dnsgip","192.0.2.2""#)
        .module(r#"+QIURC: "dnsgip","2001:db8::1""#)
        .host(r#"AT+QIDNSGIP=1,"bad.example""#)
        .module("OK")
        .module(r#"+QIURC: "dnsgip",565"#);
    both!(script, support::config(), |c, h| {
        let a = c.resolve::<2>(CTX, "example.com").await.unwrap();
        assert_eq!((a.count, a.ttl), (3, Some(600)));
        assert_eq!(a.addresses.len(), 2, "only as many as asked for are kept");
        assert_eq!(a.addresses[1].as_str(), "192.0.2.2");
        assert!(c.socket(ConnectId::new_const(2)).closed);
        assert_eq!(
            c.resolve::<4>(CTX, "bad.example").await,
            Err(Error::Rejected(Code::Known(ErrorCode::DnsParseFailed)))
        );
    });
}

#[test]
fn dns_hands_each_address_over_as_it_comes() {
    let script = Script::new()
        .host(r#"AT+QIDNSGIP=1,"example.com""#)
        .module("OK")
        .module(r#"+QIURC: "dnsgip",0,3,600"#)
        .module(r#"+QIURC: "dnsgip","192.0.2.1""#)
        .module(r#"+QIURC: "closed",2"#)
        .module(r#"+QIURC: "dnsgip","192.0.2.2""#)
        .module(r#"+QIURC: "dnsgip","2001:db8::1""#);
    both!(script, support::config(), |c, h| {
        let mut seen: Vec<String> = Vec::new();
        let header = c
            .resolve_each(CTX, "example.com", |a| seen.push(a.to_owned()))
            .await
            .unwrap();
        assert_eq!((header.ip_count, header.dns_ttl), (Some(3), Some(600)));
        assert_eq!(seen, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]);
        // The URC between the addresses was routed, not lost.
        assert!(c.socket(ConnectId::new_const(2)).closed);
    });
}

#[test]
fn invalid_service_requests_write_nothing() {
    both!(Script::new(), support::config(), |c, h| {
        assert!(matches!(
            c.ping(&ping("a\"b")).await,
            Err(Error::Invalid(_))
        ));
        let long = "x".repeat(1000);
        assert!(matches!(
            c.resolve::<1>(CTX, &long).await,
            Err(Error::Invalid(_))
        ));
        assert!(h.written().is_empty());
    });
}
