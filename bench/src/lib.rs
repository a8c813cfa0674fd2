//! What the benchmarks share: a recorded module stream, a chunked feed through a digester, and
//! a hand-written atat-derive baseline to compare the generated API with.

pub mod baseline;
pub mod feed;
pub mod stream;

#[cfg(test)]
mod tests;
