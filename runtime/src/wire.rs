//! The hand-written wire support the generated code builds on: a bounded writer, a field splitter
//! that respects quotes, field parsers and the error types. Generic: it knows no command.

use core::fmt;

/// The buffer is too small for what was to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the buffer is too small")
    }
}

impl core::error::Error for Overflow {}

/// 10^19 down to 10^0: the digits of a `u64` without dividing.
const POWERS_OF_TEN: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 19;
    while i > 0 {
        p[i - 1] = p[i] * 10;
        i -= 1;
    }
    p
};

/// Writes into a fixed buffer; never panics, reports [`Overflow`] instead.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, len: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What was written so far.
    #[inline]
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Appends bytes, all or nothing.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> Result<(), Overflow> {
        let end = self.len.checked_add(b.len()).ok_or(Overflow)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(Overflow)?;
        dst.copy_from_slice(b);
        self.len = end;
        Ok(())
    }

    /// Appends a decimal integer, all or nothing.
    ///
    /// Every value the spec's ranges allow fits in 32 bits, so that path divides in 32 bits; a
    /// wider value is written by subtracting powers of ten, so no 64-bit division (a software
    /// routine on a Cortex-M) is linked in.
    pub fn int(&mut self, v: i64) -> Result<(), Overflow> {
        // Up to 20 digits and a sign, right-aligned, written at once (all or nothing).
        let mut digits = [0u8; 21];
        let mut i = digits.len();
        let n = v.unsigned_abs();
        if let Ok(mut n) = u32::try_from(n) {
            loop {
                i -= 1;
                digits[i] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
        } else {
            let mut rest = n;
            let mut len = 0;
            for power in POWERS_OF_TEN {
                let mut d = 0u8;
                while rest >= power {
                    rest -= power;
                    d += 1;
                }
                if d > 0 || len > 0 || power == 1 {
                    digits[len] = b'0' + d;
                    len += 1;
                }
            }
            // Right-align, as the 32-bit path leaves them.
            i = digits.len() - len;
            digits.copy_within(0..len, i);
        }
        if v < 0 {
            i -= 1;
            digits[i] = b'-';
        }
        self.bytes(&digits[i..])
    }

    /// Appends text in double quotes. The module knows no escapes; validation keeps `"` out.
    #[inline]
    pub fn quoted(&mut self, s: &str) -> Result<(), Overflow> {
        let start = self.len;
        let written = self
            .bytes(b"\"")
            .and_then(|()| self.bytes(s.as_bytes()))
            .and_then(|()| self.bytes(b"\""));
        if written.is_err() {
            self.len = start; // all or nothing, as `bytes`
        }
        written
    }

    /// Appends bytes as upper-case hexadecimal digits, two per byte.
    pub fn hex(&mut self, data: &[u8]) -> Result<(), Overflow> {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        for b in data {
            self.bytes(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])?;
        }
        Ok(())
    }

    /// Appends the field separator.
    #[inline]
    pub fn comma(&mut self) -> Result<(), Overflow> {
        self.bytes(b",")
    }
}

/// Why writing a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A parameter breaks a rule of the spec; nothing was written.
    Invalid(ValidationError),
    /// The buffer is smaller than the command (see each request's `MAX_LEN`).
    Overflow,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Invalid(e) => e.fmt(f),
            EncodeError::Overflow => f.write_str("the buffer is too small for the command"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Why a line from the module (or a command line) could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The line does not start with the expected prefix.
    Prefix,
    /// The quoted keyword (URC kind or selector) is not the expected one.
    Keyword,
    /// A required field is missing.
    MissingField { index: u8 },
    /// The field is not a decimal integer.
    NotInteger { index: u8 },
    /// The field should be in double quotes.
    NotQuoted { index: u8 },
    /// The field should be hexadecimal digits, two per byte.
    NotHex { index: u8 },
    /// The field is not UTF-8 text.
    NotUtf8 { index: u8 },
    /// The number is outside the parameter's range.
    OutOfRange { index: u8 },
    /// The value is not one of the listed ones.
    UnknownValue { index: u8 },
    /// The text is longer than its buffer.
    TooLong { index: u8 },
    /// Fewer payload bytes than the line announced.
    Truncated,
    /// Something follows where nothing should.
    TrailingData,
    /// The values break a rule of the spec (see the request's `validate`).
    Invalid,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Prefix => f.write_str("unexpected line prefix"),
            DecodeError::Keyword => f.write_str("unexpected keyword"),
            DecodeError::MissingField { index } => write!(f, "field {index} is missing"),
            DecodeError::NotInteger { index } => write!(f, "field {index} is not an integer"),
            DecodeError::NotQuoted { index } => write!(f, "field {index} is not in double quotes"),
            DecodeError::NotHex { index } => write!(f, "field {index} is not hexadecimal"),
            DecodeError::NotUtf8 { index } => write!(f, "field {index} is not UTF-8"),
            DecodeError::OutOfRange { index } => write!(f, "field {index} is out of range"),
            DecodeError::UnknownValue { index } => write!(f, "field {index} has an unknown value"),
            DecodeError::TooLong { index } => write!(f, "field {index} is too long"),
            DecodeError::Truncated => f.write_str("the payload is shorter than announced"),
            DecodeError::TrailingData => f.write_str("unexpected data after the line"),
            DecodeError::Invalid => f.write_str("the values break a rule of the spec"),
        }
    }
}

impl core::error::Error for DecodeError {}

impl DecodeError {
    /// How far decoding of a shape with `fields` fields got before this error, for choosing
    /// the shape a line came closest to; `None` when the line is not of the shape at all.
    /// A field that failed at index i beats an extra field at index i (`TrailingData`), so a
    /// value out of range in one form is not reported as trailing data of a shorter sibling.
    pub fn progress(self, fields: usize) -> Option<usize> {
        use DecodeError as E;
        match self {
            E::Prefix | E::Keyword => None,
            E::MissingField { index }
            | E::NotInteger { index }
            | E::NotQuoted { index }
            | E::NotHex { index }
            | E::NotUtf8 { index }
            | E::OutOfRange { index }
            | E::UnknownValue { index }
            | E::TooLong { index } => Some(2 * usize::from(index) + 1),
            E::TrailingData => Some(2 * fields),
            E::Truncated => Some(2 * fields + 1),
            E::Invalid => Some(2 * fields + 2),
        }
    }
}

/// How well a line fits a shape: with the shape's field count, only with extra trailing fields
/// ignored, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fit {
    No,
    Tolerant,
    Exact,
}

impl Fit {
    /// The fit of a tolerant decode: `Ok(false)` when no extra field was skipped (a strict
    /// decode takes the line too), `Ok(true)` when whole extra fields were, an error `No`.
    pub fn of(decoded: Result<bool, DecodeError>) -> Fit {
        match decoded {
            Ok(false) => Fit::Exact,
            Ok(true) => Fit::Tolerant,
            Err(_) => Fit::No,
        }
    }

    /// For a candidate that counts only when it fits exactly (a sibling form's line, a URC
    /// marked `exact`): `Tolerant` becomes `No`.
    pub fn exact_only(self) -> Fit {
        match self {
            Fit::Exact => Fit::Exact,
            _ => Fit::No,
        }
    }
}

/// Whether a line that fits both a response line of the command in flight and a URC is the
/// response line: an exact fit beats a tolerant one, and on a tie the command's own line wins
/// (a URC that merely shares its prefix fits it only by chance, and only the response line is
/// expected now).
pub fn response_wins(response: Fit, urc: Fit) -> bool {
    match response {
        Fit::Exact => true,
        Fit::Tolerant => urc != Fit::Exact,
        Fit::No => false,
    }
}

/// The error of the candidate shape that got furthest (the first on a tie), for decoders that
/// try several shapes: "out of range" from the one that matched up to a value, not "unexpected
/// line prefix" from the last one tried.
#[derive(Debug, Clone, Copy, Default)]
pub struct Closest {
    best: Option<(DecodeError, usize)>,
    keyword: bool,
}

impl Closest {
    /// Notes the error of a shape with `fields` fields.
    pub fn note(&mut self, e: DecodeError, fields: usize) {
        self.keyword |= e == DecodeError::Keyword;
        let Some(p) = e.progress(fields) else { return };
        if self
            .best
            .is_none_or(|(b, n)| b.progress(n).is_none_or(|q| p > q))
        {
            self.best = Some((e, fields));
        }
    }

    /// The closest error; `Keyword` when only a prefix matched, `Prefix` when nothing did.
    pub fn error(self) -> DecodeError {
        match self.best {
            Some((e, _)) => e,
            None if self.keyword => DecodeError::Keyword,
            None => DecodeError::Prefix,
        }
    }
}

/// The comma-separated fields of a line body, split outside double quotes only, each trimmed
/// of surrounding spaces. A string cannot hold a double quote (the module has no escape):
/// `"a","b"` is two fields, never the string `a","b` (spec erratum `no-quote-inside-a-string`).
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Fields<'a> {
    /// Fields of `body`; an empty body has none.
    pub fn new(body: &'a [u8]) -> Self {
        Fields {
            rest: if body.is_empty() { None } else { Some(body) },
        }
    }
}

impl<'a> Fields<'a> {
    /// The next field as exactly `n` raw bytes (a field read by an earlier field's length,
    /// unquoted): any bytes, commas and CR LF included, then the line's end or a comma.
    pub fn take_raw(&mut self, n: usize, index: u8) -> Result<&'a [u8], DecodeError> {
        let rest = self.rest.ok_or(DecodeError::MissingField { index })?;
        if rest.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (body, after) = rest.split_at(n);
        self.rest = match after {
            [] => None,
            [b',', tail @ ..] => Some(tail),
            _ => return Err(DecodeError::TooLong { index }),
        };
        Ok(body)
    }

    /// The next field as a quoted string of exactly `n` bytes (read by an earlier field's
    /// length), which may hold quotes, commas and CR LF.
    #[inline(never)]
    pub fn take_quoted(&mut self, n: usize, index: u8) -> Result<&'a [u8], DecodeError> {
        let rest = self.rest.ok_or(DecodeError::MissingField { index })?;
        let start = rest.iter().take_while(|b| **b == b' ').count();
        let Some([b'"', body @ ..]) = rest.get(start..) else {
            return Err(DecodeError::NotQuoted { index });
        };
        if body.len() <= n {
            return Err(DecodeError::Truncated);
        }
        if body[n] != b'"' {
            return Err(DecodeError::NotQuoted { index });
        }
        let after = &body[n + 1..];
        let after = &after[after.iter().take_while(|b| **b == b' ').count()..];
        self.rest = match after {
            [] => None,
            [b',', tail @ ..] => Some(tail),
            _ => return Err(DecodeError::NotQuoted { index }),
        };
        Ok(&body[..n])
    }
}

impl<'a> Fields<'a> {
    /// Takes the next field of a test response (`AT+<cmd>=?`), where a parenthesised list is
    /// one field, commas and all: `(0,1),(0-11)` is `(0,1)` then `(0-11)`. Only the
    /// generated decoders of test responses read this way; every other field splits at each
    /// comma outside quotes. [`crate::supported::parse`] reads the list.
    pub fn next_list(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let (mut quoted, mut depth) = (false, 0usize);
        for (i, &c) in rest.iter().enumerate() {
            match c {
                b'"' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => depth = depth.saturating_sub(1),
                b',' if !quoted && depth == 0 => {
                    self.rest = Some(&rest[i + 1..]);
                    return Some(trim(&rest[..i]));
                }
                _ => {}
            }
        }
        self.rest = None;
        Some(trim(rest))
    }

    /// The next field, which the line must have: `MissingField` at `index` when it ended.
    /// One shared call instead of a `match` in every generated decoder (flash, see
    /// `docs/PERFORMANCE.md`).
    #[inline(never)]
    pub fn required(&mut self, index: u8) -> Result<&'a [u8], DecodeError> {
        self.next().ok_or(DecodeError::MissingField { index })
    }

    /// The next field, which the line must have, as a decimal integer (see [`int`]).
    #[inline(never)]
    pub fn required_int(&mut self, index: u8) -> Result<i64, DecodeError> {
        int(self.required(index)?, index)
    }

    /// The next field of a test response, which the line must have, as the module shows it
    /// (a range, a list or a placeholder; a parenthesised list whole, see
    /// [`next_list`](Self::next_list)): unquoted text of at most 64 bytes (see [`text`]).
    #[inline(never)]
    pub fn required_shown(&mut self, index: u8) -> Result<heapless::String<64>, DecodeError> {
        let shown = self
            .next_list()
            .ok_or(DecodeError::MissingField { index })?;
        owned(text(shown, index)?, index)
    }

    /// The end of a command line: any field left is `TrailingData`.
    #[inline(never)]
    pub fn end(mut self) -> Result<(), DecodeError> {
        match self.next() {
            Some(_) => Err(DecodeError::TrailingData),
            None => Ok(()),
        }
    }

    /// The end of a module line: extra fields are `TrailingData` when `strict`, or when one
    /// was cut inside its quotes (see [`is_whole`]); whole extra fields from newer firmware
    /// are ignored otherwise.
    /// Returns whether any (whole) extra field was skipped.
    #[inline(never)]
    pub fn finish(self, strict: bool) -> Result<bool, DecodeError> {
        let mut skipped = false;
        for extra in self {
            if strict || !is_whole(extra) {
                return Err(DecodeError::TrailingData);
            }
            skipped = true;
        }
        Ok(skipped)
    }
}

/// The parameters of a command line after its head (`AT+QIOPEN=`), the head matched without
/// regard to ASCII case and a trailing `\r` optional: `Prefix` when the line has another head.
#[inline(never)]
pub fn after_head<'a>(line: &'a [u8], head: &str) -> Result<&'a [u8], DecodeError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let head = head.as_bytes();
    match line.get(..head.len()) {
        Some(h) if h.eq_ignore_ascii_case(head) => Ok(&line[head.len()..]),
        _ => Err(DecodeError::Prefix),
    }
}

/// Whether text holds a CR or LF, which a command line cannot carry: the first CR ends the
/// line (and [`after_head`] takes a last one for the terminator), so such a value would not
/// decode back to itself. Requests refuse it in `validate`, before a byte is written.
#[inline(never)]
pub fn breaks_line(text: &str) -> bool {
    text.bytes().any(|b| b == b'\r' || b == b'\n')
}

/// A text field copied into a string of at most `N` bytes: `TooLong` at `index` otherwise.
#[inline(never)]
pub fn owned<const N: usize>(text: &str, index: u8) -> Result<heapless::String<N>, DecodeError> {
    heapless::String::try_from(text).map_err(|_| DecodeError::TooLong { index })
}

/// A text field that fits a string of at most `max` bytes: `TooLong` at `index` otherwise.
/// The generated decoders check each text field where they read it and copy it once, into
/// the value they build ([`owned_fit`]): a string held apart and then moved into the value
/// would cost the decoder's frame a copy of its whole capacity.
#[inline(never)]
pub fn fitting(text: &str, index: u8, max: usize) -> Result<&str, DecodeError> {
    if text.len() > max {
        return Err(DecodeError::TooLong { index });
    }
    Ok(text)
}

/// A text field checked by [`fitting`], as the string of the value being built (inlined, so
/// that it is written where the value lies).
#[inline(always)]
pub fn owned_fit<const N: usize>(text: &str) -> heapless::String<N> {
    let mut s = heapless::String::new();
    // Cannot fail: `fitting` checked the length against `N`.
    let _ = s.push_str(text);
    s
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' '] = b {
        b = rest;
    }
    b
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    #[inline(never)]
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let mut quoted = false;
        for (i, &c) in rest.iter().enumerate() {
            match c {
                b'"' => quoted = !quoted,
                b',' if !quoted => {
                    self.rest = Some(&rest[i + 1..]);
                    return Some(trim(&rest[..i]));
                }
                _ => {}
            }
        }
        self.rest = None;
        Some(trim(rest))
    }
}

/// A decimal integer field (an optional leading `-`).
#[inline(never)]
pub fn int(field: &[u8], index: u8) -> Result<i64, DecodeError> {
    let (neg, digits) = match field {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 18 {
        return Err(DecodeError::NotInteger { index });
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return Err(DecodeError::NotInteger { index });
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Ok(if neg { -v } else { v })
}

/// The text inside a double-quoted field.
#[inline(never)]
pub fn quoted(field: &[u8], index: u8) -> Result<&str, DecodeError> {
    match field {
        [b'"', inner @ .., b'"'] => {
            core::str::from_utf8(inner).map_err(|_| DecodeError::NotUtf8 { index })
        }
        _ => Err(DecodeError::NotQuoted { index }),
    }
}

/// An unquoted text field.
#[inline(never)]
pub fn bare(field: &[u8], index: u8) -> Result<&str, DecodeError> {
    core::str::from_utf8(field).map_err(|_| DecodeError::NotUtf8 { index })
}

/// An unquoted text field of a module line (a range or list a test response shows, a
/// manufacturer's name): never empty, since an empty one (`+QIACT: ,`) would encode to a line
/// without the field.
pub fn text(field: &[u8], index: u8) -> Result<&str, DecodeError> {
    if field.is_empty() {
        return Err(DecodeError::MissingField { index });
    }
    bare(field, index)
}

/// A quoted field of hexadecimal digits, two per byte.
pub fn hex_digits(field: &[u8], index: u8) -> Result<&str, DecodeError> {
    let s = quoted(field, index)?;
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DecodeError::NotHex { index });
    }
    Ok(s)
}

/// Decodes hex digits into `out`; returns the number of bytes.
pub fn hex_decode(digits: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if !digits.len().is_multiple_of(2) {
        return Err(DecodeError::NotHex { index: 0 });
    }
    let n = digits.len() / 2;
    let out = out.get_mut(..n).ok_or(DecodeError::TooLong { index: 0 })?;
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (hi, lo) = (nibble(pair[0]), nibble(pair[1]));
        *o = (hi.ok_or(DecodeError::NotHex { index: 0 })? << 4)
            | lo.ok_or(DecodeError::NotHex { index: 0 })?;
    }
    Ok(n)
}

/// The body of a line after `prefix`, `:` and one optional space; a trailing CR LF is dropped.
#[inline(never)]
pub fn line_body<'a>(line: &'a [u8], prefix: &[u8]) -> Result<&'a [u8], DecodeError> {
    let line = line.strip_suffix(b"\r\n").unwrap_or(line);
    let rest = line.strip_prefix(prefix).ok_or(DecodeError::Prefix)?;
    if rest.is_empty() {
        return Ok(rest);
    }
    let rest = rest.strip_prefix(b":").ok_or(DecodeError::Prefix)?;
    Ok(rest.strip_prefix(b" ").unwrap_or(rest))
}

/// Splits a response at its first CR LF: the line, and what follows (a payload, if any).
pub fn split_line(resp: &[u8]) -> (&[u8], &[u8]) {
    match resp.windows(2).position(|w| w == b"\r\n") {
        Some(i) => (&resp[..i], &resp[i + 2..]),
        None => (resp, &[]),
    }
}

/// The information lines of a response, one at a time: split at LF, each without its CR,
/// empty lines skipped. How a response of repeated lines is read, by the generated `parse` and
/// by [`LineList`] alike.
pub fn response_lines(resp: &[u8]) -> impl Iterator<Item = &[u8]> {
    resp.split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
}

/// A command whose response is a list of lines (repeated lines, or lines of several shapes),
/// decoded one line at a time where the answer lies: a list of up to 15 `+QIACT:` lines never
/// has to exist as one value. The client's [`exec_lines`](crate::client::Client::exec_lines)
/// and the convenience calls built on it read responses this way.
pub trait LineList {
    /// One decoded line: small, whatever the number of lines.
    type Line;
    /// Decodes one information line (without CR LF) of the response.
    fn decode_line(line: &[u8]) -> Result<Self::Line, DecodeError>;
}

/// Whether a field is whole: bare text without quotes, or one quoted string. A field that
/// opens a quote and never closes it is the rest of a line cut inside a quoted string, not an
/// extra field from newer firmware.
#[inline(never)]
pub fn is_whole(field: &[u8]) -> bool {
    match field {
        [b'"', inner @ .., b'"'] => !inner.contains(&b'"'),
        _ => !field.contains(&b'"'),
    }
}

/// Takes the next field, which must be `"kw"`.
#[inline(never)]
pub fn keyword(fields: &mut Fields<'_>, kw: &str) -> Result<(), DecodeError> {
    match fields.next() {
        Some(f) if quoted(f, 0) == Ok(kw) => Ok(()),
        _ => Err(DecodeError::Keyword),
    }
}

/// Whether `v` lies in one of the inclusive intervals.
pub fn ranges_contain(ranges: &[(i64, i64)], v: i64) -> bool {
    ranges.iter().any(|&(lo, hi)| lo <= v && v <= hi)
}

/// A value as reported in a [`ValidationError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// The length of a string, in bytes.
    Len(usize),
    /// The parameter was left out.
    Missing,
    /// The parameter was given (where only its presence matters).
    Present,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Len(1) => f.write_str("1 byte long"),
            Value::Len(n) => write!(f, "{n} bytes long"),
            Value::Missing => f.write_str("left out"),
            Value::Present => f.write_str("given"),
        }
    }
}

/// A parameter that breaks a rule of the spec: which command, which parameter, what it was and
/// what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// `AT+QIOPEN`.
    pub command: &'static str,
    /// The form's name in the spec (`open`).
    pub form: &'static str,
    /// The parameter's name in the document (`remote_port`).
    pub param: &'static str,
    /// What it was.
    pub value: Value,
    /// What is allowed, and why.
    pub allowed: &'static str,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): <{}> is {}; allowed: {}",
            self.command, self.form, self.param, self.value, self.allowed
        )
    }
}

impl core::error::Error for ValidationError {}

/// An address as text, the way `core::net`'s `Display` writes it (dotted IPv4; IPv6 in
/// lower-case hex with the longest run of two or more zero groups as `::`, and `::ffff:` before
/// a mapped IPv4 address), without `core::fmt`: its IPv6 formatting alone is over 1 KB of
/// flash. 39 bytes hold the longest IPv6 text.
pub fn ip_text(ip: core::net::IpAddr) -> heapless::String<39> {
    let mut out = heapless::String::new();
    // Nothing below writes more than 39 bytes, so no push fails.
    let mut put = |s: &[u8]| {
        for &b in s {
            let _ = out.push(char::from(b));
        }
    };
    fn decimal(v: u8, buf: &mut [u8; 3]) -> &[u8] {
        let digits = [v / 100, v / 10 % 10, v % 10].map(|d| b'0' + d);
        let skip = if v >= 100 {
            0
        } else if v >= 10 {
            1
        } else {
            2
        };
        buf.copy_from_slice(&digits);
        &buf[skip..]
    }
    let v4 = |put: &mut dyn FnMut(&[u8]), o: [u8; 4]| {
        for (i, b) in o.iter().enumerate() {
            if i > 0 {
                put(b".");
            }
            put(decimal(*b, &mut [0; 3]));
        }
    };
    match ip {
        core::net::IpAddr::V4(a) => v4(&mut put, a.octets()),
        core::net::IpAddr::V6(a) => {
            if let Some(m) = a.to_ipv4_mapped() {
                put(b"::ffff:");
                v4(&mut put, m.octets());
                return out;
            }
            let seg = a.segments();
            // The longest run of zero groups (the first of equal ones), if two or more long.
            let (mut best, mut run) = ((0, 0), (0, 0));
            for (i, &g) in seg.iter().enumerate() {
                if g == 0 {
                    if run.1 == 0 {
                        run.0 = i;
                    }
                    run.1 += 1;
                    if run.1 > best.1 {
                        best = run;
                    }
                } else {
                    run = (0, 0);
                }
            }
            let hex = |put: &mut dyn FnMut(&[u8]), groups: &[u16]| {
                for (i, &g) in groups.iter().enumerate() {
                    if i > 0 {
                        put(b":");
                    }
                    let digits =
                        [12, 8, 4, 0].map(|s| b"0123456789abcdef"[usize::from(g >> s & 0xf)]);
                    let skip = digits.iter().take(3).take_while(|&&d| d == b'0').count();
                    put(&digits[skip..]);
                }
            };
            if best.1 > 1 {
                hex(&mut put, &seg[..best.0]);
                put(b"::");
                hex(&mut put, &seg[best.0 + best.1..]);
            } else {
                hex(&mut put, &seg);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_is_what_core_displays() {
        extern crate std;
        use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        let mut cases: std::vec::Vec<IpAddr> = std::vec![
            Ipv4Addr::new(0, 0, 0, 0).into(),
            Ipv4Addr::new(127, 0, 0, 1).into(),
            Ipv4Addr::new(255, 255, 255, 255).into(),
            Ipv4Addr::new(10, 99, 100, 9).into(),
            Ipv6Addr::UNSPECIFIED.into(),
            Ipv6Addr::LOCALHOST.into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1).into(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1).into(),
            Ipv6Addr::new(1, 0, 1, 0, 1, 0, 1, 0).into(),
            Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280).into(),
            Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0xc000, 0x0280).into(),
            Ipv6Addr::new(0xfe80, 0, 0, 0, 0x1ff, 0xfe23, 0x4567, 0x890a).into(),
            Ipv6Addr::new(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff).into(),
        ];
        // Every pattern of zero and non-zero groups, with values of 1 to 4 hex digits.
        for mask in 0u16..256 {
            let g = |i: u16| {
                if mask >> i & 1 == 1 {
                    0
                } else {
                    [0xa, 0xbc, 0xdef, 0x1234][usize::from(i % 4)]
                }
            };
            cases.push(Ipv6Addr::new(g(0), g(1), g(2), g(3), g(4), g(5), g(6), g(7)).into());
        }
        for ip in cases {
            assert_eq!(ip_text(ip).as_str(), std::format!("{ip}"), "{ip:?}");
        }
    }

    #[test]
    fn fields_split_outside_quotes_and_trim() {
        let f: heapless::Vec<&[u8], 8> = Fields::new(br#"1,"a,b", invalid parameters"#).collect();
        assert_eq!(
            f.as_slice(),
            &[&b"1"[..], br#""a,b""#, b"invalid parameters"]
        );
        assert_eq!(Fields::new(b"").count(), 0);
        let f: heapless::Vec<&[u8], 4> = Fields::new(b"1,").collect();
        assert_eq!(f.as_slice(), &[&b"1"[..], b""]);
    }

    #[test]
    fn integers_parse_and_reject() {
        assert_eq!(int(b"-48", 0), Ok(-48));
        assert_eq!(int(b"65535", 0), Ok(65535));
        assert_eq!(int(b"", 1), Err(DecodeError::NotInteger { index: 1 }));
        assert_eq!(int(b"1a", 2), Err(DecodeError::NotInteger { index: 2 }));
        assert_eq!(
            int(b"99999999999999999999", 3),
            Err(DecodeError::NotInteger { index: 3 })
        );
    }

    #[test]
    fn writer_never_overflows_its_buffer() {
        let full = b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",-8009\r";
        for n in 0..=full.len() {
            let mut buf = [0u8; 64];
            let mut w = Writer::new(&mut buf[..n]);
            let r = (|| {
                w.bytes(b"AT+QIOPEN=")?;
                w.int(1)?;
                w.comma()?;
                w.int(0)?;
                w.comma()?;
                w.quoted("TCP")?;
                w.comma()?;
                w.quoted("192.0.2.2")?;
                w.comma()?;
                w.int(-8009)?;
                w.bytes(b"\r")
            })();
            assert_eq!(r.is_ok(), n == full.len(), "buffer of {n}");
            if r.is_ok() {
                assert_eq!(w.written(), full);
            }
        }
    }

    #[test]
    fn hex_round_trips() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        w.hex(&[0x31, 0xAF, 0x00]).unwrap();
        assert_eq!(w.written(), b"31AF00");
        let mut out = [0u8; 3];
        assert_eq!(hex_decode(b"31af00", &mut out), Ok(3));
        assert_eq!(out, [0x31, 0xAF, 0x00]);
        assert_eq!(
            hex_decode(b"3", &mut out),
            Err(DecodeError::NotHex { index: 0 })
        );
        assert_eq!(
            hex_decode(b"zz", &mut out),
            Err(DecodeError::NotHex { index: 0 })
        );
    }

    #[test]
    fn payloads_are_copied_out_raw_or_from_digits() {
        let mut out = [0u8; 4];
        // Raw: as it lies; as many as fit; from an offset.
        assert_eq!(copy_payload(b"abc", 3, 0, &mut out), Ok(3));
        assert_eq!(&out[..3], b"abc");
        assert_eq!(copy_payload(b"abcdef", 6, 0, &mut out), Ok(4));
        assert_eq!(out, *b"abcd");
        assert_eq!(copy_payload(b"abcdef", 6, 4, &mut out), Ok(2));
        assert_eq!(&out[..2], b"ef");
        assert_eq!(copy_payload(b"abc", 3, 9, &mut out), Ok(0));
        // Hex digits: two per byte, the offset in bytes.
        assert_eq!(copy_payload(b"31af00ff", 4, 1, &mut out), Ok(3));
        assert_eq!(&out[..3], [0xAF, 0x00, 0xFF]);
        // Neither n bytes nor 2n digits, or digits that are not hex: an error, nothing taken.
        assert_eq!(
            copy_payload(b"abcd", 3, 0, &mut out),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            copy_payload(b"zz", 1, 0, &mut out),
            Err(DecodeError::NotHex { index: 0 })
        );
    }

    #[test]
    fn line_bodies() {
        assert_eq!(line_body(b"+QIRD: 5\r\n", b"+QIRD"), Ok(&b"5"[..]));
        assert_eq!(line_body(b"+QIRD:5", b"+QIRD"), Ok(&b"5"[..]));
        assert_eq!(line_body(b"+QIRDX: 5", b"+QIRD"), Err(DecodeError::Prefix));
        assert_eq!(
            line_body(b"+QIOPEN: 0,0", b"+QIRD"),
            Err(DecodeError::Prefix)
        );
    }
}

/// What the digester reads of a spec: generated crates implement it through this module.
pub use crate::tables::{
    best_fit, data_len, form_of, header, line_fit, Candidate, DataRule, FieldKind, FieldRule,
    FormShape, FramedField, Header, LineShape, Presence, SpecTables, ValueLists,
};

// Data lines in any framing (see `quectel_qi::framing`): generic, so that a crate generated
// from its own spec reads them through its re-export of this module.

/// More bytes are needed to tell (a frame cut short so far, not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incomplete;

/// The most fields a data line's header has (`+QIURC: "recv",<id>,<len>,"<ip>",<port>`).
const HEADER_FIELDS_MAX: usize = 5;

/// Where the commas that may end a data header lie in `line`: the first few outside quotes,
/// after the line's `: ` (the header comes first, so quotes in the data do not matter).
fn header_commas(line: &[u8]) -> heapless::Vec<usize, HEADER_FIELDS_MAX> {
    let mut out = heapless::Vec::new();
    let mut quoted = false;
    for (i, &b) in line.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted && out.push(i).is_err() => break,
            b'\r' | b'\n' if !quoted => break,
            _ => {}
        }
    }
    out
}

/// A data line in view mode 1 (`<header>,<data>`): for the bytes from the line's start, the
/// header's end (the comma before the data) and the payload length `n` the header announces,
/// as `announced(header, data)` reads it: `Ok(Some(n))`, `Ok(None)` for no data header,
/// [`Incomplete`] while more bytes are needed. The longest header that announces a payload wins (a
/// sender's address and port are fields, not data), also while its payload is incomplete.
pub fn comma_data_header<'a>(
    buf: &'a [u8],
    mut announced: impl FnMut(&'a [u8], &'a [u8]) -> Result<Option<usize>, Incomplete>,
) -> Result<Option<(usize, usize)>, Incomplete> {
    for &c in header_commas(buf).iter().rev() {
        if let Some(n) = announced(&buf[..c], &buf[c + 1..])? {
            return Ok(Some((c, n)));
        }
    }
    Ok(None)
}

/// Decodes a data frame exactly as the digester cut it out (a URC, or a `+QIRD` line with its
/// payload), in whichever framing the module used: the line, then the payload after CR LF
/// or (view mode 1) after a comma, as raw bytes or hex digits. The frame's length tells the
/// framing apart: a payload of `n` announced bytes takes `n` bytes raw and `2n` as digits, and
/// with a comma the header is the longest one that announces a payload.
///
/// `decode` is a generated `decode(line, payload)`, whose value borrows its payload;
/// `payload_len` the payload length of what it decoded (0 without one). The payload is left
/// where it lies: in hex framing the value's `data` is the `2n` digits (`set_payload` puts
/// them in, in place), its length field still counts bytes, and [`copy_payload`] turns the digits into
/// bytes where the payload is copied out.
pub fn decode_data_frame<'a, T>(
    frame: &'a [u8],
    decode: impl Fn(&'a [u8], &'a [u8]) -> Result<T, DecodeError>,
    payload_len: impl Fn(&T) -> usize,
    set_payload: impl FnOnce(&mut T, &'a [u8]),
) -> Result<T, DecodeError> {
    let announced =
        |line: &'a [u8], payload: &'a [u8]| decode(line, payload).map(|x| payload_len(&x));
    decode_framed(frame, &announced, &decode, set_payload)
}

/// [`decode_data_frame`] for a type that tells the payload bytes a line announces without
/// building its value where `announced` is called (`Urc`: only a data URC is built for it,
/// in a frame of its own, beside the search for its variant instead of above it).
pub fn decode_framed<'a, T>(
    frame: &'a [u8],
    announced: &dyn Fn(&'a [u8], &'a [u8]) -> Result<usize, DecodeError>,
    decode: impl Fn(&'a [u8], &'a [u8]) -> Result<T, DecodeError>,
    set_payload: impl FnOnce(&mut T, &'a [u8]),
) -> Result<T, DecodeError> {
    // The framing is found by values decoded (and dropped) in a frame of their own; the
    // value is then decoded in another, beside it: the caller's frame holds the value
    // returned only, not the copies a decoder makes on its way, above the framing's.
    let framing = data_framing(frame, announced);
    decode_as_framed(frame, framing, decode, set_payload)
}

/// Decodes `frame` as `framing` found it. The common path decodes the value where it is
/// returned; the rare ones (a whole-frame line, a payload in hex or after a comma) hold a
/// copy, in frames of their own.
#[inline(never)]
fn decode_as_framed<'a, T>(
    frame: &'a [u8],
    framing: Framing<'a>,
    decode: impl Fn(&'a [u8], &'a [u8]) -> Result<T, DecodeError>,
    set_payload: impl FnOnce(&mut T, &'a [u8]),
) -> Result<T, DecodeError> {
    match framing {
        Framing::Line { line, payload } => decode(line, payload),
        Framing::Whole(e) => whole_frame(frame, e, &decode),
        Framing::Data { head, wire, n } => with_wire(head, wire, n, &decode, set_payload),
    }
}

/// A frame that is one line (a length-framed field holds CR LF), or else `e`.
#[inline(never)]
fn whole_frame<'a, T>(
    frame: &'a [u8],
    e: DecodeError,
    decode: &impl Fn(&'a [u8], &'a [u8]) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    decode(frame, b"").map_err(|_| e)
}

/// A header and a payload of `n` bytes as it lies (`wire`: raw, or `2n` hex digits, put in
/// whole by `set_payload`).
#[inline(never)]
fn with_wire<'a, T>(
    head: &'a [u8],
    wire: &'a [u8],
    n: usize,
    decode: &impl Fn(&'a [u8], &'a [u8]) -> Result<T, DecodeError>,
    set_payload: impl FnOnce(&mut T, &'a [u8]),
) -> Result<T, DecodeError> {
    let mut x = decode(head, wire);
    if let Ok(x) = &mut x {
        if wire.len() != n {
            set_payload(x, wire);
        }
    }
    x
}

/// How a data frame is cut (see [`decode_data_frame`]).
enum Framing<'a> {
    /// The line and what follows it, decoded as they are.
    Line { line: &'a [u8], payload: &'a [u8] },
    /// A line that does not decode with its payload cut off: the whole frame, one line (a
    /// length-framed field holds CR LF), or else this error.
    Whole(DecodeError),
    /// The header and the payload of `n` announced bytes as it lies (raw or hex digits).
    Data {
        head: &'a [u8],
        wire: &'a [u8],
        n: usize,
    },
}

/// Finds a data frame's framing; `announced(line, payload)` decodes a line and says how many
/// payload bytes its value announces (0 for none).
#[inline(never)]
fn data_framing<'a>(
    frame: &'a [u8],
    announced: &dyn Fn(&'a [u8], &'a [u8]) -> Result<usize, DecodeError>,
) -> Framing<'a> {
    let mut comma = None;
    let _ = comma_data_header(frame, |h, rest| match announced(h, rest) {
        Ok(n) if n > 0 && payload_fits(rest, n) => {
            comma = Some((h.len(), n));
            Ok(Some(0))
        }
        _ => Ok(None),
    });
    if let Some((c, n)) = comma {
        return Framing::Data {
            head: &frame[..c],
            wire: &frame[c + 1..],
            n,
        };
    }
    let (line, payload) = split_line(frame);
    let n = match announced(line, payload) {
        Ok(n) => n,
        Err(e) => return Framing::Whole(e),
    };
    if payload.len() == n || !payload_fits(payload, n) {
        return Framing::Line { line, payload };
    }
    Framing::Data {
        head: line,
        wire: payload,
        n,
    }
}

/// Whether `wire` is a payload of `n` bytes, raw or as hex digits.
fn payload_fits(wire: &[u8], n: usize) -> bool {
    wire.len() == n || wire.len() == 2 * n && wire.iter().all(u8::is_ascii_hexdigit)
}

/// Copies a payload of `n` bytes from its wire form (`n` raw bytes, or `2n` hex digits, as
/// [`decode_data_frame`] leaves it) into `out`, skipping its first `skip` bytes; returns how
/// many bytes were written (as many as fit). Wire bytes of another length are
/// [`DecodeError::Truncated`], digits that are not hex [`DecodeError::NotHex`].
pub fn copy_payload(
    wire: &[u8],
    n: usize,
    skip: usize,
    out: &mut [u8],
) -> Result<usize, DecodeError> {
    let skip = skip.min(n);
    let count = (n - skip).min(out.len());
    if wire.len() == n {
        out[..count].copy_from_slice(&wire[skip..skip + count]);
        return Ok(count);
    }
    if wire.len() != n.saturating_mul(2) {
        return Err(DecodeError::Truncated);
    }
    hex_decode(&wire[2 * skip..2 * (skip + count)], &mut out[..count])
}
