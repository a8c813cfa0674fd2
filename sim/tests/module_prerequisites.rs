//! The states commands need (sections 2.3.3, 2.3.13-2.3.16, 2.4.3) and what the virtual
//! module answers without them (errata qiact-needs-qicsgp, qiact-cat-m1-limit,
//! context-not-active, incoming-full-limit).

mod module_support;

use module_support::*;
use qi_sim::{Config, Modem};

fn last_error(h: &mut Host) -> String {
    h.cmd("AT+QIGETERROR")[0].clone()
}

fn with_modem(modem: Modem) -> Host {
    Host::start(Config {
        modem,
        ..Config::for_tests()
    })
}

/// 2.3.3: AT+QICSGP before AT+QIACT. Context 1 counts as configured at start-up unless the
/// module is set otherwise; every other context needs AT+QICSGP.
#[test]
fn activation_needs_a_configured_context() {
    let mut h = with_modem(Modem {
        default_context: false,
        ..Modem::default()
    });
    assert_eq!(h.cmd("AT+QIACT=1"), ["ERROR"]);
    assert_eq!(last_error(&mut h), "+QIGETERROR: 573, apn not configured");
    assert_eq!(h.cmd("AT+CMEE=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=2"), ["+CME ERROR: 573"]);
    assert_eq!(h.cmd("AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=2"), ["+CME ERROR: 573"]);
    h.finish();

    // The start-up default: context 1 without AT+QICSGP, context 2 not.
    let mut h = Host::start(Config::for_tests());
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=2"), ["ERROR"]);
    assert_eq!(last_error(&mut h), "+QIGETERROR: 573, apn not configured");
    assert_eq!(h.cmd("AT+QICSGP=2,1,\"second\""), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=2"), ["OK"]);
    h.finish();
}

/// 2.3.13-2.3.16: AT+QPING, AT+QNTP, AT+QIDNSCFG (set) and AT+QIDNSGIP need an active
/// context: each fails at once with 572 and no URC follows; reading the DNS servers works.
#[test]
fn services_need_an_active_context() {
    let mut h = Host::start(Config::for_tests());
    for line in [
        "AT+QPING=1,\"127.0.0.1\"",
        "AT+QNTP=1,\"127.0.0.1\"",
        "AT+QIDNSCFG=1,\"127.0.0.53\"",
        "AT+QIDNSGIP=1,\"localhost\"",
    ] {
        assert_eq!(h.cmd(line), ["ERROR"], "{line}");
        assert_eq!(
            last_error(&mut h),
            "+QIGETERROR: 572, operation not allowed",
            "{line}"
        );
    }
    assert_eq!(
        h.cmd("AT+QIDNSCFG=1"),
        ["+QIDNSCFG: 1,\"0.0.0.0\",\"0.0.0.0\"", "OK"]
    );
    // Once active, the same commands start (their URCs follow; not waited for here but DNS).
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIDNSCFG=1,\"127.0.0.53\""), ["OK"]);
    assert_eq!(h.cmd("AT+QIDNSGIP=1,\"localhost\""), ["OK"]);
    assert!(h.line().starts_with("+QIURC: \"dnsgip\",0,"));
    h.finish();
}

/// 2.3.3: under LTE Cat M1 at most three contexts are active at once; a fourth activation
/// fails with 561 until one is deactivated. Elsewhere a fourth is fine.
#[test]
fn lte_cat_m1_allows_three_active_contexts() {
    let limit = quectel_qi::qiact::MAX_ACTIVE_CONTEXTS_CAT_M1;
    assert_eq!(limit, 3);
    let mut h = with_modem(Modem {
        lte_cat_m1: true,
        ..Modem::default()
    });
    for id in 1..=4 {
        assert_eq!(h.cmd(&format!("AT+QICSGP={id},1,\"apn{id}\"")), ["OK"]);
    }
    for id in 1..=limit {
        assert_eq!(h.cmd(&format!("AT+QIACT={id}")), ["OK"], "context {id}");
    }
    assert_eq!(h.cmd("AT+QIACT=4"), ["ERROR"]);
    assert_eq!(
        last_error(&mut h),
        "+QIGETERROR: 561, activate pdp context failed"
    );
    assert_eq!(h.cmd("AT+QIDEACT=2"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=4"), ["OK"]);
    h.finish();

    let mut h = Host::start(Config::for_tests());
    for id in 1..=4 {
        assert_eq!(h.cmd(&format!("AT+QICSGP={id},1,\"apn{id}\"")), ["OK"]);
        assert_eq!(h.cmd(&format!("AT+QIACT={id}")), ["OK"], "context {id}");
    }
    h.finish();
}
