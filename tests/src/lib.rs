//! Helpers of the tests generated from the spec (`tests/generated.rs`, `tests/props.rs`): each
//! generated test is one call of one of these, so that the generated files compile fast.
//! Failures name the line and the form.
//!
//! The build script writes, from the spec, the impls of [`Form`] and [`Shape`] for every
//! request, response line and URC type, the test cases and the conformance script.

pub mod broker;
pub mod e2e;
pub mod http_server;
pub mod peers;
pub mod stack;
pub mod std_net;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/qi_tests_support.rs"));
}

pub use generated::FINAL_RESULTS;

// `Form`, `Shape`, `Step`, `Draws` and the helpers, as qi-codegen writes them for any spec.
include!(concat!(env!("OUT_DIR"), "/qi_tests_helpers.rs"));

/// The helpers fail when they should: a generated test that passes means something.
#[cfg(test)]
mod tests {
    use super::*;
    use quectel_qi::{qiclose, ConnectId};

    fn close(id: i64) -> qiclose::Close {
        qiclose::Close {
            connect_id: ConnectId::new_const(id),
            timeout: None,
        }
    }

    /// The largest connect ID, from the generated type (the spec's fact).
    fn max_id() -> i64 {
        i64::from(ConnectId::MAX.get())
    }

    #[test]
    fn a_valid_request_passes() {
        accepts(close(0), "AT+QICLOSE=0");
        rejects_line::<qiclose::Close>(&format!("AT+QICLOSE={}", max_id() + 1));
    }

    #[test]
    #[should_panic(expected = "encoding")]
    fn accepts_fails_on_another_line() {
        accepts(close(0), "AT+QICLOSE=1");
    }

    #[test]
    #[should_panic(expected = "should be rejected")]
    fn rejects_line_fails_on_a_valid_line() {
        rejects_line::<qiclose::Close>(&format!("AT+QICLOSE={}", max_id()));
    }

    #[test]
    #[should_panic(expected = "should not fit")]
    fn rejects_out_of_type_fails_on_a_value_that_fits() {
        let line = format!("AT+QICLOSE={}", max_id() + 1);
        rejects_out_of_type::<ConnectId, qiclose::Close>(max_id(), &line);
    }

    #[test]
    #[should_panic(expected = "should be invalid")]
    fn rejects_invalid_fails_on_a_valid_request() {
        rejects_invalid(close(0), "connectID", "AT+QICLOSE=0");
    }

    #[test]
    #[should_panic(expected = "should be rejected")]
    fn shape_rejects_fails_on_a_valid_line() {
        shape_rejects::<quectel_qi::urc::OpenResult>("+QIOPEN: 1,0", 0);
    }

    #[test]
    #[should_panic(expected = "encodes differently")]
    fn line_round_trips_fails_on_a_line_written_differently() {
        line_round_trips::<quectel_qi::urc::OpenResult>("+QIOPEN: 01,0", 0);
    }

    #[test]
    #[should_panic(expected = "expects ERROR")]
    fn conformance_agrees_fails_on_a_wrong_expectation() {
        conformance_agrees("# close\nAT+QICLOSE=0\nERROR\n");
    }

    #[test]
    #[should_panic(expected = "neither a response nor a URC")]
    fn replay_fails_on_an_unknown_module_line() {
        replay(&[Step::Host("AT+QICLOSE=0"), Step::Module("+QIBOGUS: 1")]);
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let numbers = [u64::MAX, 0, 7, 1 << 40];
        let mut g = Draws::new(&numbers);
        for _ in 0..64 {
            let v = g.pick(&[(0, 0), (20, 86400)]);
            assert!(v == 0 || (20..=86400).contains(&v), "{v}");
            let h = g.hex(6);
            assert!(
                h.len().is_multiple_of(2) && (2..=6).contains(&h.len()),
                "{h}"
            );
            let t = g.text(3, false);
            assert!(
                (1..=3).contains(&t.len()) && !t.contains([',', ' ', '"']),
                "{t}"
            );
        }
    }
}
