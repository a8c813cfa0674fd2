//! The firmware's link to the host, over semihosting: the command line QEMU was given, lines on
//! QEMU's stdout, and the exit status (QEMU exits 0 on success, 1 otherwise).

use cortex_m_semihosting::{debug, hio, nr, syscall1};
use quectel_qi::wire::Writer;

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

/// A line for the host's stdout, written without `core::fmt` (its machinery and the
/// formatting impls it pulls in are kilobytes of flash): text and numbers, cut at its
/// capacity.
pub struct Line {
    buf: [u8; LINE],
    len: usize,
}

/// Longer than any line the firmware prints.
const LINE: usize = 160;

impl Line {
    pub const fn new() -> Self {
        Line {
            buf: [0; LINE],
            len: 0,
        }
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        let n = b.len().min(LINE - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&b[..n]);
        self.len += n;
        self
    }

    /// `n` in decimal.
    pub fn num(&mut self, n: u64) -> &mut Self {
        self.str(decimal(n, &mut [0; 21]))
    }

    /// `n` in decimal, with its sign.
    pub fn int(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.str("-");
        }
        self.num(n.unsigned_abs())
    }

    /// `n` as `0x` and eight hexadecimal digits.
    pub fn hex(&mut self, n: u32) -> &mut Self {
        let mut digits = *b"0x00000000";
        for (i, d) in digits[2..].iter_mut().enumerate() {
            let nibble = (n >> (28 - 4 * i)) & 0xf;
            *d = b"0123456789abcdef"[nibble as usize];
        }
        self.bytes(&digits)
    }

    /// Prints the line (and its line end) on the host's stdout.
    pub fn say(&mut self) {
        self.bytes(b"\n");
        if let Ok(mut out) = hio::hstdout() {
            // Nothing to tell the host if the host cannot be told.
            let _ = out.write_all(&self.buf[..self.len]);
        }
    }

    /// Prints `firmware: FAILED: ` and the line, and stops QEMU with exit status 1.
    pub fn fail(&mut self) -> ! {
        let mut line = Line::new();
        line.str("firmware: FAILED: ")
            .bytes(&self.buf[..self.len])
            .say();
        exit(debug::EXIT_FAILURE)
    }
}

/// `n` in decimal, written into `digits` by quectel-qi's own integer writer: it divides in
/// 32 bits when `n` fits, so the firmware links no software 64-bit division for its reports.
pub fn decimal(n: u64, digits: &mut [u8; 21]) -> &str {
    let mut writer = Writer::new(digits);
    // 21 bytes hold any i64; a u64 above i64::MAX (no count the firmware keeps) saturates.
    let _ = writer.int(i64::try_from(n).unwrap_or(i64::MAX));
    let len = writer.len();
    // Only ASCII digits were written.
    core::str::from_utf8(&digits[..len]).unwrap_or_default()
}

impl Default for Line {
    fn default() -> Self {
        Line::new()
    }
}

/// Reports success (`line`) and stops QEMU with exit status 0.
pub fn pass(line: &str) -> ! {
    Line::new().str(line).say();
    exit(debug::EXIT_SUCCESS)
}

/// Reports a failure (`why`) and stops QEMU with exit status 1.
pub fn fail(why: &str) -> ! {
    Line::new().str(why).fail()
}

/// Reports a failure told with `core::fmt` (the measured build's errors, by their `Display`)
/// and stops QEMU with exit status 1.
#[cfg(feature = "measure")]
pub fn fail_fmt(args: core::fmt::Arguments<'_>) -> ! {
    cortex_m_semihosting::hprintln!("firmware: FAILED: {}", args);
    exit(debug::EXIT_FAILURE)
}

fn exit(status: debug::ExitStatus) -> ! {
    debug::exit(status);
    // Only reached without a debugger or semihosting host.
    loop {
        cortex_m::asm::wfi();
    }
}

/// The measured build tells the whole message.
#[cfg(feature = "measure")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    fail_fmt(format_args!("panic: {}", info))
}

/// The location only: the message would take `core::fmt` into the shipped firmware.
#[cfg(not(feature = "measure"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut line = Line::new();
    line.str("panic");
    if let Some(at) = info.location() {
        line.str(" at ")
            .str(at.file())
            .str(":")
            .num(at.line().into());
    }
    line.fail()
}

#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    Line::new().str("hard fault at pc ").hex(frame.pc()).fail()
}
