//! The firmware's link to the host, over semihosting: the command line QEMU was given, lines on
//! QEMU's stdout, and the exit status (QEMU exits 0 on success, 1 otherwise).

use cortex_m_semihosting::{debug, hprintln, nr, syscall1};

/// What the run script passes with `-semihosting-config arg=...`: where the host's peers
/// listen, and what the HTTP server's `/bytes/<http_len>` holds.
pub struct Peers {
    pub echo_port: u16,
    pub http_port: u16,
    pub http_len: usize,
    /// FNV-1a of the body.
    pub http_fnv: u64,
    pub udp_port: u16,
}

/// Reads `echo=PORT http=PORT http_len=N http_fnv=HEX udp=PORT` from the semihosting command
/// line (what `qemu_peers` prints).
pub fn peers() -> Result<Peers, &'static str> {
    let mut buf = [0u8; 160];
    let line = cmdline(&mut buf).ok_or("no semihosting command line")?;
    let mut peers = Peers {
        echo_port: 0,
        http_port: 0,
        http_len: 0,
        http_fnv: 0,
        udp_port: 0,
    };
    for word in line.split_ascii_whitespace().skip(1) {
        let (key, value) = word.split_once('=').ok_or("an argument is not KEY=VALUE")?;
        let number =
            |radix| u64::from_str_radix(value, radix).map_err(|_| "a value is not a number");
        let port = || number(10).and_then(|n| u16::try_from(n).map_err(|_| "a port is too large"));
        match key {
            "echo" => peers.echo_port = port()?,
            "http" => peers.http_port = port()?,
            "http_len" => peers.http_len = number(10)? as usize,
            "http_fnv" => peers.http_fnv = number(16)?,
            "udp" => peers.udp_port = port()?,
            _ => return Err("unknown argument (echo, http, http_len, http_fnv, udp expected)"),
        }
    }
    if peers.echo_port == 0 || peers.http_port == 0 || peers.udp_port == 0 || peers.http_len == 0 {
        return Err("missing echo=, http=, http_len= or udp= on the command line");
    }
    Ok(peers)
}

/// SYS_GET_CMDLINE: the program name and the `arg=` words, space-separated.
fn cmdline(buf: &mut [u8]) -> Option<&str> {
    // The host writes the text to block[0] and its length to block[1].
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: `block` describes `buf`, which outlives the call.
    let failed = unsafe { syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) } != 0;
    if failed {
        return None;
    }
    core::str::from_utf8(buf.get(..block[1])?).ok()
}

/// A line on the host's stdout.
pub fn say(args: core::fmt::Arguments<'_>) {
    hprintln!("{}", args);
}

/// Reports success and stops QEMU with exit status 0.
pub fn pass(line: &str) -> ! {
    hprintln!("{}", line);
    exit(debug::EXIT_SUCCESS)
}

/// Reports a failure and stops QEMU with exit status 1.
pub fn fail(args: core::fmt::Arguments<'_>) -> ! {
    hprintln!("firmware: FAILED: {}", args);
    exit(debug::EXIT_FAILURE)
}

fn exit(status: debug::ExitStatus) -> ! {
    debug::exit(status);
    // Only reached without a debugger or semihosting host.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fail(format_args!("panic: {}", info))
}

#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    fail(format_args!("hard fault at pc {:#010x}", frame.pc()))
}
