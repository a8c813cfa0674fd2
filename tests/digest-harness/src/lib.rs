//! What a digester gives for bytes fed as atat's ingress feeds them: the shared harness of
//! quectel-qi's digester tests and of every generated binding's (`tests/own-spec`). Generic over
//! atat's `Digester`, so that a spec's own tables need nothing of their own here.

use atat::digest::{DigestResult, Digester};
use atat::InternalError;

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

/// Digest rounds per chunk: far more than any test input has frames, so that a digester that
/// never stops consuming fails instead of hanging.
const ROUNDS: usize = 10_000;

/// Feeds `chunks` one after another into a buffer, digesting after each like atat's ingress;
/// returns what came out and the bytes left undigested.
pub fn feed<D: Digester>(d: &mut D, chunks: &[&[u8]]) -> (Vec<Out>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        for _ in 0..ROUNDS {
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
                DigestResult::Response(Err(e)) => out.push(err(e)),
            }
            buf.drain(..used);
            if used == 0 {
                break;
            }
        }
    }
    (out, buf)
}

/// [`feed`] into `d`; only separators (CR, LF, space) may be left undigested.
pub fn run<D: Digester>(mut d: D, chunks: &[&[u8]]) -> Vec<Out> {
    let (out, left) = feed(&mut d, chunks);
    assert!(
        left.iter().all(|b| b" \r\n".contains(b)),
        "left undigested: {:?}",
        String::from_utf8_lossy(&left)
    );
    out
}

/// The outcome of `input` in one piece, checked equal to the outcome in two pieces split at
/// every byte boundary; `fresh` runs chunks through a fresh digester (and state).
pub fn one_and_split(input: &[u8], fresh: impl Fn(&[&[u8]]) -> Vec<Out>) -> Vec<Out> {
    let whole = fresh(&[input]);
    for i in 0..=input.len() {
        let split = fresh(&[&input[..i], &input[i..]]);
        assert_eq!(
            split,
            whole,
            "split at {i} of {:?}",
            String::from_utf8_lossy(input)
        );
    }
    whole
}

/// `input` cut into chunks of 1 to 9 bytes, their sizes drawn from `seed` (xorshift:
/// deterministic, so a failing seed can be rerun).
pub fn chunks(input: &[u8], seed: u64) -> Vec<&[u8]> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = (x % 9 + 1).min(rest.len() as u64) as usize;
        let (c, r) = rest.split_at(n);
        out.push(c);
        rest = r;
    }
    out
}

/// The outcome of `input` in one piece, checked equal to the outcome in every split at one
/// byte boundary and in the pseudo-random chunkings of `seeds` ([`chunks`]).
pub fn alike_in_any_chunking(
    input: &[u8],
    seeds: std::ops::RangeInclusive<u64>,
    fresh: impl Fn(&[&[u8]]) -> Vec<Out>,
) -> Vec<Out> {
    let whole = one_and_split(input, &fresh);
    for seed in seeds {
        assert_eq!(fresh(&chunks(input, seed)), whole, "seed {seed}");
    }
    whole
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_input_in_order() {
        let input: Vec<u8> = (0..=255).collect();
        for seed in 1..=20 {
            let c = chunks(&input, seed);
            assert!(c.iter().all(|c| (1..=9).contains(&c.len())));
            assert_eq!(c.concat(), input);
        }
        assert_ne!(chunks(&input, 1), chunks(&input, 2));
    }
}
