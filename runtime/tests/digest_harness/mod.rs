//! The shared digester harness (`tests/digest-harness`) with quectel-qi's own digester, for the
//! digester's tests (`digest.rs`, `framing.rs`, `digest_props.rs`).

// Each test file uses a part of it.
#![allow(dead_code, unused_imports)]

pub use digest_harness::{err, feed, Out};
use quectel_qi::digest::{DigestState, QiDigester};

/// [`digest_harness::run`] with a fresh digester on `state`.
pub fn run(state: &DigestState, chunks: &[&[u8]]) -> Vec<Out> {
    digest_harness::run(QiDigester::new(state), chunks)
}

/// [`digest_harness::one_and_split`], each run with a fresh state set up by `setup`.
pub fn one_and_split(input: &[u8], setup: impl Fn(&DigestState)) -> Vec<Out> {
    digest_harness::one_and_split(input, |chunks| {
        let state = DigestState::new();
        setup(&state);
        run(&state, chunks)
    })
}
