//! What the digester gives for bytes fed as atat's ingress feeds them, for the digester's
//! tests (`digest.rs`, `framing.rs`, `digest_props.rs`).

#![allow(dead_code)]

use atat::digest::{DigestResult, Digester};
use atat::InternalError;
use quectel_qi::digest::{DigestState, QiDigester};

/// What atat would receive, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    Ok(Vec<u8>),
    Err(String),
    Urc(Vec<u8>),
    Prompt,
}

/// An error result as [`Out`] holds it.
pub fn err(e: InternalError<'_>) -> Out {
    Out::Err(format!("{e:?}"))
}

/// Feeds `chunks` one after another into a buffer, digesting after each like atat's ingress;
/// returns what came out and the bytes left undigested.
pub fn feed(d: &mut QiDigester<'_>, chunks: &[&[u8]]) -> (Vec<Out>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        for _ in 0..10_000 {
            if buf.is_empty() {
                break;
            }
            let (r, used) = d.digest(&buf);
            assert!(used <= buf.len(), "consumed more than it was given");
            match r {
                DigestResult::None => {}
                DigestResult::Prompt(p) => {
                    assert_eq!(p, b'>');
                    out.push(Out::Prompt)
                }
                DigestResult::Urc(u) => out.push(Out::Urc(u.to_vec())),
                DigestResult::Response(Ok(r)) => out.push(Out::Ok(r.to_vec())),
                DigestResult::Response(Err(e)) => out.push(Out::Err(format!("{e:?}"))),
            }
            buf.drain(..used);
            if used == 0 {
                break;
            }
        }
    }
    (out, buf)
}

/// [`feed`] with a fresh digester on `state`; only separators may be left undigested.
pub fn run(state: &DigestState, chunks: &[&[u8]]) -> Vec<Out> {
    let mut d = QiDigester::new(state);
    let (out, left) = feed(&mut d, chunks);
    assert!(
        left.iter().all(|b| b" \r\n".contains(b)),
        "left undigested: {:?}",
        String::from_utf8_lossy(&left)
    );
    out
}

/// The outcome of `input` in one piece, checked equal to the outcome in two pieces split at
/// every byte boundary (each with a fresh state set up by `setup`).
pub fn one_and_split(input: &[u8], setup: impl Fn(&DigestState)) -> Vec<Out> {
    let state = DigestState::new();
    setup(&state);
    let whole = run(&state, &[input]);
    for i in 0..=input.len() {
        let state = DigestState::new();
        setup(&state);
        let split = run(&state, &[&input[..i], &input[i..]]);
        assert_eq!(
            split,
            whole,
            "split at {i} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    whole
}
