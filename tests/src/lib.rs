//! Helpers of the tests generated from the spec (`tests/generated.rs`, `tests/props.rs`): each
//! generated test is one call of one of these, so that the generated files compile fast.
//! Failures name the line and the form.
//!
//! The build script writes, from the spec, the impls of [`Form`] and [`Shape`] for every
//! request, response line and URC type, the test cases and the conformance script.

use core::fmt::Debug;
use proptest::test_runner::TestCaseError;
use quectel_qi::wire::{DecodeError, EncodeError, Overflow, ValidationError, Writer};
use quectel_qi::{Request, Urc};

pub mod broker;
pub mod e2e;
pub mod http_server;
pub mod peers;
pub mod stack;
pub mod std_net;

/// Large enough for any command line or line with its payload.
const BUF: usize = 8192;

/// A request form of the generated API, seen the same way whatever its type.
pub trait Form<'a>: Sized + Debug + PartialEq {
    /// `qiopen_open`: the command and form, as test names spell them.
    const NAME: &'static str;
    /// The generated `validate`.
    fn check(&self) -> Result<(), ValidationError>;
    /// The generated `encode`.
    fn write(&self, buf: &mut [u8]) -> Result<usize, EncodeError>;
    /// The generated `decode`.
    fn read(line: &'a [u8]) -> Result<Self, DecodeError>;
    /// Whether a dispatched request is of this form.
    fn is(r: &Request<'a>) -> bool;
}

/// A response line or URC type of the generated API, named by its `'static` form: lines with
/// a payload borrow it (`Of<'p>`).
pub trait Shape {
    /// The type, borrowing a payload for `'p`.
    type Of<'p>: Debug + PartialEq + Clone;
    fn read<'p>(line: &[u8], payload: &'p [u8]) -> Result<Self::Of<'p>, DecodeError>;
    fn read_strict<'p>(line: &[u8], payload: &'p [u8]) -> Result<Self::Of<'p>, DecodeError>;
    fn write(v: &Self::Of<'_>, w: &mut Writer<'_>) -> Result<(), Overflow>;
    /// The same value, borrowing for a shorter time (to compare two of them).
    fn shorten<'s, 'l: 's>(v: Self::Of<'l>) -> Self::Of<'s>;
}

mod generated {
    include!(concat!(env!("OUT_DIR"), "/qi_tests_support.rs"));
}

pub use generated::FINAL_RESULTS;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Some line decodes it (the first form in spec order) and writes it back byte-exact.
fn dispatch_round_trips(line: &str) {
    let r = Request::decode(line.as_bytes())
        .unwrap_or_else(|e| panic!("`{line}`: no form decodes it: {e}"));
    let mut buf = [0u8; BUF];
    let n = r.encode(&mut buf).unwrap_or_else(|e| {
        panic!(
            "`{line}` decoded as {:?} but does not encode: {e}",
            r.name()
        )
    });
    assert_eq!(
        text(&buf[..n]),
        format!("{line}\r"),
        "`{line}` through Request"
    );
}

/// The typed request is valid, encodes to `line`, and `line` decodes back to it (through the
/// form and through `Request`).
pub fn accepts<'a, F: Form<'a>>(typed: F, line: &'a str) {
    if let Err(e) = typed.check() {
        panic!("{}: `{line}` should be valid: {e}", F::NAME);
    }
    let mut buf = [0u8; BUF];
    let n = typed
        .write(&mut buf)
        .unwrap_or_else(|e| panic!("{}: `{line}` does not encode: {e}", F::NAME));
    assert_eq!(
        text(&buf[..n]),
        format!("{line}\r"),
        "{}: encoding",
        F::NAME
    );
    let back = F::read(line.as_bytes())
        .unwrap_or_else(|e| panic!("{}: `{line}` does not decode: {e}", F::NAME));
    assert_eq!(
        back,
        typed,
        "{}: `{line}` decodes to another value",
        F::NAME
    );
    dispatch_round_trips(line);
}

/// The line is not a command of this form: the form's decoder rejects it, and `Request`
/// rejects it or reads it as another form.
pub fn rejects_line<'a, F: Form<'a>>(line: &'a str) {
    if let Ok(v) = F::read(line.as_bytes()) {
        panic!("{}: `{line}` should be rejected, decodes to {v:?}", F::NAME);
    }
    if let Ok(r) = Request::decode(line.as_bytes()) {
        assert!(
            !F::is(&r),
            "{}: `{line}` should be rejected, Request decodes it as this form",
            F::NAME
        );
    }
}

/// The parameter type `T` cannot hold `value`, and the line carrying it is rejected.
pub fn rejects_out_of_type<'a, T, F>(value: i64, line: &'a str)
where
    T: TryFrom<i64> + Debug,
    F: Form<'a>,
{
    if let Ok(v) = T::try_from(value) {
        panic!(
            "{}: {value} should not fit {}, got {v:?}",
            F::NAME,
            core::any::type_name::<T>()
        );
    }
    rejects_line::<F>(line);
}

/// The validator rejects the typed request and names `param`; encoding writes nothing; the
/// line is rejected.
pub fn rejects_invalid<'a, F: Form<'a>>(typed: F, param: &str, line: &'a str) {
    match typed.check() {
        Ok(()) => panic!("{}: `{line}` should be invalid", F::NAME),
        Err(e) => assert_eq!(e.param, param, "{}: `{line}`: {e}", F::NAME),
    }
    let mut buf = [0xAAu8; BUF];
    assert!(
        matches!(typed.write(&mut buf), Err(EncodeError::Invalid(_))),
        "{}: `{line}` encodes",
        F::NAME
    );
    assert!(
        buf.iter().all(|b| *b == 0xAA),
        "{}: an invalid request wrote bytes",
        F::NAME
    );
    rejects_line::<F>(line);
}

/// Payload bytes that include CR, LF, NUL and every other byte value.
pub fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn write_shape<T: Shape>(v: &T::Of<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; BUF];
    let mut w = Writer::new(&mut buf);
    T::write(v, &mut w).unwrap_or_else(|_| panic!("{v:?} does not fit {BUF} bytes"));
    w.written().to_vec()
}

fn with_payload(line: &str, data: &[u8]) -> Vec<u8> {
    let mut expected = line.as_bytes().to_vec();
    if !data.is_empty() {
        expected.extend_from_slice(b"\r\n");
        expected.extend_from_slice(data);
    }
    expected
}

/// The line (and `payload` bytes after it) decodes, tolerantly and strictly, and encodes back
/// byte-exact.
pub fn line_round_trips<T: Shape>(line: &str, payload_len: usize) {
    let data = payload(payload_len);
    let v = T::read(line.as_bytes(), &data).unwrap_or_else(|e| panic!("`{line}`: {e}"));
    let strict =
        T::read_strict(line.as_bytes(), &data).unwrap_or_else(|e| panic!("`{line}` strictly: {e}"));
    assert_eq!(strict, v, "`{line}`: strict and tolerant decoding differ");
    assert_eq!(
        write_shape::<T>(&v),
        with_payload(line, &data),
        "`{line}` encodes differently"
    );
}

/// Like [`line_round_trips`], and `Urc` decodes the line to a URC that encodes back the same.
pub fn urc_round_trips<T: Shape>(line: &str, payload_len: usize) {
    line_round_trips::<T>(line, payload_len);
    let data = payload(payload_len);
    let u = Urc::decode(line.as_bytes(), &data).unwrap_or_else(|e| panic!("`{line}` as Urc: {e}"));
    let mut buf = vec![0u8; BUF];
    let mut w = Writer::new(&mut buf);
    u.encode(&mut w).expect("fits");
    assert_eq!(w.written(), with_payload(line, &data), "`{line}` as {u:?}");
}

/// The line does not decode as `T`, because of a value (not for want of payload).
pub fn shape_rejects<T: Shape>(line: &str, payload_len: usize) {
    let data = payload(payload_len);
    match T::read(line.as_bytes(), &data) {
        Ok(v) => panic!("`{line}` should be rejected, decodes to {v:?}"),
        Err(e) => assert_ne!(e, DecodeError::Truncated, "`{line}`"),
    };
}

/// `ErrorCode` knows `code`, reports it back and carries the document's text.
pub fn error_code_is_known(code: u16, text: &str) {
    let e = quectel_qi::ErrorCode::try_from(code)
        .unwrap_or_else(|_| panic!("error code {code} is unknown"));
    assert_eq!((e.code(), e.text()), (code, text));
}

/// `ErrorCode` does not know `code`.
pub fn error_code_is_unknown(code: u16) {
    if let Ok(e) = quectel_qi::ErrorCode::try_from(code) {
        panic!("{code} should be unknown, is {e:?}");
    }
}

/// One step of an example session.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// A command line the host sends.
    Host(&'static str),
    /// A command line the document shows failing on purpose.
    InvalidHost(&'static str),
    /// A line the module sends.
    Module(&'static str),
    /// Raw bytes from the host.
    HostData(&'static str),
    /// Raw bytes from the module (after a line that announces them, or in transparent mode).
    ModuleData(&'static str),
}

/// Replays an example session: each host line decodes to a typed request that encodes back
/// byte-exact; each module line decodes, in the context of the request it answers or as a URC,
/// to a value that encodes back byte-exact (with its payload).
pub fn replay(steps: &[Step]) {
    let mut current: Option<&str> = None;
    let mut transparent = false;
    let mut checked = 0;
    for (i, s) in steps.iter().enumerate() {
        let at = format!("step {i}");
        match *s {
            Step::InvalidHost(h) => {
                assert!(
                    Request::decode(h.as_bytes()).is_err(),
                    "{at}: `{h}` is marked invalid but decodes"
                );
                current = None;
            }
            Step::Host(h) => {
                dispatch_round_trips(h);
                current = Some(h);
                checked += 1;
            }
            Step::Module(m) => {
                if m == "CONNECT" {
                    transparent = true;
                }
                if m == ">" || FINAL_RESULTS.contains(&m) {
                    if m != "CONNECT" && m != ">" {
                        transparent = false;
                    }
                    continue;
                }
                let payload = match steps.get(i + 1) {
                    Some(Step::ModuleData(d)) if !transparent => d.as_bytes(),
                    _ => b"",
                };
                let request = current.map(|h| Request::decode(h.as_bytes()).expect("checked"));
                let answer = request
                    .as_ref()
                    .and_then(|r| r.decode_response(m.as_bytes(), payload).ok());
                let mut buf = vec![0u8; BUF];
                let mut w = Writer::new(&mut buf);
                match answer {
                    Some(r) => r.encode(&mut w).expect("fits"),
                    None => Urc::decode(m.as_bytes(), payload)
                        .unwrap_or_else(|e| {
                            panic!("{at}: `{m}` is neither a response nor a URC: {e}")
                        })
                        .encode(&mut w)
                        .expect("fits"),
                }
                let mut expected = m.as_bytes().to_vec();
                if !payload.is_empty() {
                    expected.extend_from_slice(b"\r\n");
                    expected.extend_from_slice(payload);
                }
                assert_eq!(text(w.written()), text(&expected), "{at}");
                checked += 1;
            }
            Step::HostData(_) | Step::ModuleData(_) => {}
        }
    }
    assert!(checked > 0, "the session checks no line");
}

/// Checks the conformance script against the codec: every case has a name, a command and an
/// expectation; `OK` lines decode and encode back byte-exact, `ERROR` lines decode as nothing.
/// Returns the number of cases.
pub fn conformance_agrees(script: &str) -> usize {
    let mut lines = script
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .peekable();
    let mut name: Option<&str> = None;
    let mut n = 0;
    while let Some(l) = lines.next() {
        if let Some(c) = l.strip_prefix('#') {
            name = Some(c.trim());
            continue;
        }
        assert!(
            l.starts_with("AT"),
            "`{l}` is neither a comment nor a command"
        );
        let case = name
            .take()
            .unwrap_or_else(|| panic!("`{l}` has no case name"));
        let expect = loop {
            match lines.next() {
                Some(e) if e.starts_with('#') => continue,
                Some(e) => break e,
                None => panic!("{case}: `{l}` has no expectation"),
            }
        };
        match expect {
            "OK" => dispatch_round_trips(l),
            "ERROR" => {
                if let Ok(r) = Request::decode(l.as_bytes()) {
                    panic!("{case}: `{l}` expects ERROR but decodes as {:?}", r.name());
                }
            }
            other => panic!("{case}: `{other}` is neither OK nor ERROR"),
        }
        n += 1;
    }
    n
}

/// Draws values for the property tests from proptest's numbers, each field its own draw so
/// that shrinking moves every field towards its smallest value.
pub struct Draws<'a> {
    numbers: &'a [u64],
    next: usize,
}

impl<'a> Draws<'a> {
    pub fn new(numbers: &'a [u64]) -> Self {
        Draws { numbers, next: 0 }
    }

    fn draw(&mut self) -> u64 {
        let i = self.next;
        self.next += 1;
        let n = self.numbers.get(i % self.numbers.len().max(1)).copied();
        // Past the end, the numbers are reused, mixed with their position.
        n.unwrap_or(0).wrapping_add(
            ((i / self.numbers.len().max(1)) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        )
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.draw() % n
    }

    pub fn u32(&mut self) -> u32 {
        self.draw() as u32
    }

    /// A value of the inclusive intervals; one draw in four is an interval's end.
    pub fn pick(&mut self, ranges: &[(i64, i64)]) -> i64 {
        let d = self.draw();
        let (lo, hi) = ranges[(d >> 32) as usize % ranges.len()];
        if d % 4 == 1 {
            return if (d >> 2).is_multiple_of(2) { lo } else { hi };
        }
        let span = (hi - lo) as u64 + 1;
        lo + (d % span) as i64
    }

    pub fn choose<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Text of 1 to `max` bytes: without double quotes, and for bare (unquoted) fields without
    /// commas and spaces.
    pub fn text(&mut self, max: usize, quoted: bool) -> String {
        const BARE: &[u8] = b"abcXYZ0189._:/-+()<>";
        const QUOTED: &[u8] = b"abcXYZ0189._:/-+()<>, ";
        let set = if quoted { QUOTED } else { BARE };
        let len = if max == 0 {
            0
        } else {
            1 + self.below(max as u64) as usize
        };
        (0..len).map(|_| char::from(*self.choose(set))).collect()
    }

    /// A test response's field as modules print it: a range `(lo-hi)`, a list `(a,b,c-d)`
    /// or a placeholder `<name>`.
    pub fn shown(&mut self) -> String {
        match self.below(3) {
            0 => format!("({}-{})", self.below(10), 10 + self.below(90_000)),
            1 => {
                let n = 1 + self.below(4);
                let items: Vec<String> = (0..n)
                    .map(|i| (10 * i + self.below(10)).to_string())
                    .collect();
                format!("({})", items.join(","))
            }
            _ => format!(
                "<{}>",
                self.text(12, false).replace(['(', ')', '<', '>'], "x")
            ),
        }
    }

    /// An even number (2 to `max`) of hexadecimal digits.
    pub fn hex(&mut self, max: usize) -> String {
        const DIGITS: &[u8] = b"0123456789ABCDEFabcdef";
        let pairs = (max / 2).max(1);
        let len = 2 * (1 + self.below(pairs as u64) as usize);
        (0..len).map(|_| char::from(*self.choose(DIGITS))).collect()
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let seed = self.draw();
        (0..n)
            .map(|i| (seed.rotate_left((i % 64) as u32) as u8) ^ (i as u8))
            .collect()
    }
}

/// A random request: if valid, it encodes, decodes back to itself (through its form) and
/// encodes back byte-exact through `Request`; invalid draws are discarded.
pub fn request_property<'a, F: Form<'a>>(v: F, buf: &'a mut [u8]) -> Result<(), TestCaseError> {
    if let Err(e) = v.check() {
        return Err(TestCaseError::reject(e.to_string()));
    }
    let n = v
        .write(buf)
        .map_err(|e| TestCaseError::fail(format!("{v:?} does not encode: {e}")))?;
    let buf: &'a [u8] = buf;
    let line = &buf[..n];
    let body = line.strip_suffix(b"\r").unwrap_or(line);
    let back = F::read(line)
        .map_err(|e| TestCaseError::fail(format!("`{}` does not decode: {e}", text(line))))?;
    proptest::prop_assert_eq!(&back, &v, "`{}`", text(line));
    let r = Request::decode(body)
        .map_err(|e| TestCaseError::fail(format!("`{}` through Request: {e}", text(line))))?;
    let mut again = [0u8; BUF];
    let m = r
        .encode(&mut again)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    proptest::prop_assert_eq!(text(&again[..m]), text(line));
    Ok(())
}

/// A random line value encodes, decodes back to itself and encodes back byte-exact.
pub fn line_property<T: Shape>(v: T::Of<'_>) -> Result<(), TestCaseError> {
    let bytes = write_shape::<T>(&v);
    let (line, payload) = quectel_qi::wire::split_line(&bytes);
    let back = T::read(line, payload)
        .map_err(|e| TestCaseError::fail(format!("`{}` does not decode: {e}", text(line))))?;
    proptest::prop_assert_eq!(write_shape::<T>(&back), bytes.clone());
    proptest::prop_assert_eq!(T::shorten(back), T::shorten(v), "`{}`", text(line));
    Ok(())
}

/// Like [`line_property`], and through `Urc` the same bytes come back.
pub fn urc_property<T: Shape>(v: T::Of<'_>) -> Result<(), TestCaseError> {
    let bytes = write_shape::<T>(&v);
    line_property::<T>(v)?;
    let (line, payload) = quectel_qi::wire::split_line(&bytes);
    let u = Urc::decode(line, payload)
        .map_err(|e| TestCaseError::fail(format!("`{}` as Urc: {e}", text(line))))?;
    let mut buf = vec![0u8; BUF];
    let mut w = Writer::new(&mut buf);
    u.encode(&mut w)
        .map_err(|_| TestCaseError::fail("does not fit"))?;
    proptest::prop_assert_eq!(text(w.written()), text(&bytes));
    Ok(())
}

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
