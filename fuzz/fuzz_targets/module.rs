//! The virtual module: whatever the host writes, it answers without panicking and ends when
//! the input does.
//!
//! Until the module has a sandbox of its own (issue 14), every quoted string of the input is
//! replaced by `"127.0.0.1"` before the module sees it, so that no host name reaches a
//! resolver and no connection leaves loopback.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;

/// The input with the text of every quoted string replaced by the loopback address (an open
/// quote runs to the end of its line).
fn loopback_only(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut quoted = false;
    for &b in data {
        match (quoted, b) {
            (false, b'"') => {
                out.extend_from_slice(b"\"127.0.0.1");
                quoted = true;
            }
            (true, b'"') => {
                out.push(b'"');
                quoted = false;
            }
            (true, b'\r' | b'\n') => {
                out.push(b);
                quoted = false;
            }
            (true, _) => {}
            (false, _) => out.push(b),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut config = qi_sim::Config::for_tests();
    config.ntp_timeout = Duration::from_millis(10);
    config.guard_time = Duration::from_millis(1);
    let module = qi_sim::Module::new(config);
    module.run(std::io::Cursor::new(loopback_only(data)), std::io::sink());
});
