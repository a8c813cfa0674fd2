//! The virtual module: whatever the host writes, it answers without panicking and ends when
//! the input does (written at once, then the host goes away).
//!
//! Its network is the sandbox (`qi_sim::Network::sandboxed`, the default of every config):
//! names resolve from its table only and connections reach loopback only, so no input makes
//! the module use the machine's resolver or leave the machine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let mut config = qi_sim::Config::for_tests();
    assert_eq!(config.network, qi_sim::Network::sandboxed());
    config.ntp_timeout = Duration::from_millis(10);
    config.guard_time = Duration::from_millis(1);
    let module = qi_sim::Module::new(config);
    // No reader thread per input (`run` has one): it cost more than most inputs.
    module.run_on_bytes(data, std::io::sink());
});
