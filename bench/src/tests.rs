//! The streams decode as the benchmarks assume; the baseline fails where the design says.

use crate::feed::{feed, Baseline, Generated};
use crate::stream::{session, Payload};

/// The ingress buffer the crate sizes from the spec.
const INGRESS: usize = quectel_qi::sizes::INGRESS_BUF_SIZE;

/// Read sizes of a UART driver. Not larger: atat's default digester looks for `OK` before
/// `ERROR`, so a read holding `ERROR`, URCs and a later `OK` frames them wrongly (both sides).
const CHUNKS: [usize; 3] = [13, 64, 256];

#[test]
fn generated_api_decodes_every_frame_of_both_streams() {
    for s in [session(2, Payload::Text), session(2, Payload::Binary)] {
        for chunk in CHUNKS.into_iter().chain([1, 4096]) {
            let state = quectel_qi::digest::DigestState::new();
            let mut d = quectel_qi::digest::QiDigester::new(&state);
            let t = feed(
                &mut d,
                &mut Generated::default(),
                &s,
                chunk,
                &mut [0; INGRESS],
            );
            assert_eq!(
                (t.urcs, t.responses, t.failures),
                (s.urcs, s.answers.len(), 0),
                "chunk {chunk}"
            );
        }
    }
}

#[test]
fn generated_api_on_atat_default_digester_decodes_the_text_stream() {
    let s = session(2, Payload::Text);
    for chunk in CHUNKS {
        let mut d = atat::AtDigester::<quectel_qi::Urc>::new();
        let t = feed(
            &mut d,
            &mut Generated::default(),
            &s,
            chunk,
            &mut [0; INGRESS],
        );
        assert_eq!(
            (t.urcs, t.responses, t.failures),
            (s.urcs, s.answers.len(), 0),
            "chunk {chunk}"
        );
    }
}

#[test]
fn baseline_decodes_every_frame_of_the_text_stream() {
    let s = session(2, Payload::Text);
    for chunk in CHUNKS {
        let mut d = atat::AtDigester::<crate::baseline::Urc>::new();
        let t = feed(
            &mut d,
            &mut Baseline::default(),
            &s,
            chunk,
            &mut [0; INGRESS],
        );
        assert_eq!(
            (t.urcs, t.responses, t.failures),
            (s.urcs, s.answers.len(), 0),
            "chunk {chunk}"
        );
    }
}

/// The design's claim about atat's default digester and serde_at, checked: on arbitrary
/// payloads the baseline misframes (cuts at an embedded `\r\nOK\r\n`) or panics in serde_at's
/// length-delimited parser.
#[test]
fn baseline_loses_frames_of_the_binary_stream() {
    let s = session(2, Payload::Binary);
    let outcome = std::panic::catch_unwind(|| {
        let mut d = atat::AtDigester::<crate::baseline::Urc>::new();
        feed(&mut d, &mut Baseline::default(), &s, 64, &mut [0; INGRESS])
    });
    if let Ok(t) = outcome {
        assert!(t.failures > 0, "{t:?}");
    }
}
