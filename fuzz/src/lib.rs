//! What the fuzz targets share: the checks run on every form, response line and URC, and the
//! dispatch generated from the spec (`build.rs`) that runs them on the type an input selects.
//!
//! Input formats: see `qi_codegen::fuzzing`; the seed corpus is written by
//! `qi-codegen corpus spec -o DIR`.

pub mod digester;
pub mod emitted;
pub mod spec_mutation;

use quectel_qi::wire::Writer;

/// Room for any encoded line and its payload.
pub const BUF: usize = 8192;

/// A form's command line: when it decodes, it encodes (within the form's `MAX_LEN`, through
/// `encode` and atat's `write` alike) to a line that decodes to the same value.
#[macro_export]
macro_rules! check_command {
    ($t:path, $line:expr) => {{
        let line: &[u8] = $line;
        if let Ok(r) = <$t>::decode(line) {
            let mut buf = vec![0u8; <$t>::MAX_LEN];
            let n = r
                .encode(&mut buf)
                .unwrap_or_else(|e| panic!("{r:?} decoded from {line:?} does not encode: {e:?}"));
            let encoded = &buf[..n];
            assert_eq!(encoded.last(), Some(&b'\r'), "{encoded:?} lacks its CR");
            let again = <$t>::decode(&encoded[..n - 1])
                .unwrap_or_else(|e| panic!("{encoded:?} (from {line:?}) does not decode: {e:?}"));
            assert_eq!(again, r, "{line:?} -> {encoded:?} decodes differently");
            let mut atat_buf = vec![0u8; <$t>::MAX_LEN];
            let m = atat::AtatCmd::write(&r, &mut atat_buf);
            assert_eq!(&atat_buf[..m], encoded, "atat's write differs from encode");
        }
    }};
}

/// A response line or URC type: strict decoding implies tolerant decoding to the same value;
/// a decoded value encodes to a line (and payload) that decodes strictly to the same value.
#[macro_export]
macro_rules! check_line {
    ($t:path, $line:expr, $payload:expr) => {{
        let (line, payload): (&[u8], &[u8]) = ($line, $payload);
        let tolerant = <$t>::decode(line, payload);
        if let Ok(strict) = <$t>::decode_strict(line, payload) {
            assert_eq!(
                tolerant.as_ref().ok(),
                Some(&strict),
                "{line:?}: strict and tolerant decoding differ"
            );
        }
        if let Ok(v) = tolerant {
            let mut buf = vec![0u8; $crate::BUF];
            let mut w = quectel_qi::wire::Writer::new(&mut buf);
            v.encode(&mut w)
                .unwrap_or_else(|_| panic!("{v:?} does not fit {} bytes", $crate::BUF));
            let (l, p) = quectel_qi::wire::split_line(w.written());
            let again = <$t>::decode_strict(l, p).unwrap_or_else(|e| {
                panic!(
                    "{line:?} -> {:?} does not decode strictly: {e:?}",
                    w.written()
                )
            });
            assert_eq!(
                again,
                v,
                "{line:?} -> {:?} decodes differently",
                w.written()
            );
        }
    }};
}

include!(concat!(env!("OUT_DIR"), "/dispatch.rs"));

/// The selector and the rest of a `commands` or `lines` input.
pub fn selected(data: &[u8]) -> (usize, &[u8]) {
    match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, &[]),
    }
}

/// A module line as the digester hands it over: the line up to its first CR LF, and the bytes
/// after it.
pub fn line_and_payload(body: &[u8]) -> (&[u8], &[u8]) {
    quectel_qi::wire::split_line(body)
}

/// `Request::decode` and `encode` agree on any command line, as each form does.
pub fn check_request(line: &[u8]) {
    if let Ok(r) = quectel_qi::Request::decode(line) {
        let mut buf = vec![0u8; BUF];
        let n = r
            .encode(&mut buf)
            .unwrap_or_else(|e| panic!("{r:?} decoded from {line:?} does not encode: {e:?}"));
        let again = quectel_qi::Request::decode(&buf[..n - 1])
            .unwrap_or_else(|e| panic!("{:?} does not decode: {e:?}", &buf[..n]));
        assert_eq!(again, r, "{line:?} -> {:?}", &buf[..n]);
        let _ = (
            r.name(),
            r.form_index(),
            r.timeout_ms(),
            r.shape(),
            r.prompt(),
        );
    }
}

/// `Urc::decode` and `encode` agree on any line: decoding the encoding encodes the same.
pub fn check_urc(line: &[u8], payload: &[u8]) {
    if let Ok(u) = quectel_qi::Urc::decode(line, payload) {
        let mut buf = vec![0u8; BUF];
        let mut w = Writer::new(&mut buf);
        u.encode(&mut w).expect("a URC fits BUF");
        let (l, p) = quectel_qi::wire::split_line(w.written());
        let again = quectel_qi::Urc::decode(l, p)
            .unwrap_or_else(|e| panic!("{line:?} -> {:?} does not decode: {e:?}", w.written()));
        // Variants that look alike on the wire (`+QIURC: "recv",0,0` is pushed data of no
        // bytes or the buffer-access notice: the spec's errata) may swap: the bytes must not.
        let mut buf2 = vec![0u8; BUF];
        let mut w2 = Writer::new(&mut buf2);
        again.encode(&mut w2).expect("a URC fits BUF");
        assert_eq!(w2.written(), w.written(), "{line:?}: {u:?} -> {again:?}");
        let _ = (u.payload_len(), u.shape());
    }
}
