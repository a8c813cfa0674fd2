//! The wire layer's errors name themselves: a distinct, non-empty message per variant (the
//! texts a caller logs), and the progress order that picks the shape a line came closest to.

use std::collections::HashSet;

use quectel_qi::wire::{DecodeError, EncodeError, Overflow, ValidationError, Value};

fn decode_errors() -> Vec<DecodeError> {
    let i = 3;
    vec![
        DecodeError::Prefix,
        DecodeError::Keyword,
        DecodeError::MissingField { index: i },
        DecodeError::NotInteger { index: i },
        DecodeError::NotQuoted { index: i },
        DecodeError::NotHex { index: i },
        DecodeError::NotUtf8 { index: i },
        DecodeError::OutOfRange { index: i },
        DecodeError::UnknownValue { index: i },
        DecodeError::TooLong { index: i },
        DecodeError::Truncated,
        DecodeError::TrailingData,
        DecodeError::Invalid,
    ]
}

#[test]
fn every_decode_error_has_its_own_message() {
    let errors = decode_errors();
    let texts: HashSet<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(texts.len(), errors.len(), "{texts:?}");
    for e in &errors {
        let text = e.to_string();
        assert!(!text.is_empty());
        // A field's error names the field.
        if e.progress(5).is_some_and(|p| p < 10) {
            assert!(text.contains("field 3"), "{text}");
        }
    }
}

#[test]
fn progress_orders_field_errors_before_trailing_data_and_rules() {
    let fields = 4;
    assert_eq!(DecodeError::Prefix.progress(fields), None);
    assert_eq!(DecodeError::Keyword.progress(fields), None);
    // Every field error at index i: 2i+1, whatever its kind.
    for e in &decode_errors()[2..10] {
        assert_eq!(e.progress(fields), Some(7), "{e:?}");
    }
    assert_eq!(DecodeError::TrailingData.progress(fields), Some(8));
    assert_eq!(DecodeError::Truncated.progress(fields), Some(9));
    assert_eq!(DecodeError::Invalid.progress(fields), Some(10));
}

#[test]
fn validation_and_encode_errors_say_what_was_wrong() {
    let rule = |value| ValidationError {
        command: "AT+QIOPEN",
        form: "open",
        param: "remote_port",
        value,
        allowed: "0-65535",
    };
    assert_eq!(
        rule(Value::Int(-1)).to_string(),
        "AT+QIOPEN (open): <remote_port> is -1; allowed: 0-65535"
    );
    let values = [
        (Value::Len(1), "1 byte long"),
        (Value::Len(300), "300 bytes long"),
        (Value::Missing, "left out"),
        (Value::Present, "given"),
    ];
    for (value, text) in values {
        assert_eq!(value.to_string(), text);
        assert!(rule(value).to_string().contains(text));
    }
    let invalid = EncodeError::Invalid(rule(Value::Missing));
    assert_eq!(invalid.to_string(), rule(Value::Missing).to_string());
    let overflow = EncodeError::Overflow.to_string();
    assert!(overflow.contains("too small"), "{overflow}");
    assert_ne!(overflow, Overflow.to_string());
    assert!(Overflow.to_string().contains("too small"));
    // They are errors to `?` and `Box<dyn Error>`.
    let boxed: Box<dyn std::error::Error> = Box::new(DecodeError::Truncated);
    assert_eq!(boxed.to_string(), DecodeError::Truncated.to_string());
}

#[test]
fn a_response_line_wins_over_a_urc_unless_the_urc_fits_better() {
    use quectel_qi::wire::{response_wins, Fit};
    assert!(response_wins(Fit::Exact, Fit::Exact));
    assert!(response_wins(Fit::Tolerant, Fit::Tolerant));
    assert!(response_wins(Fit::Tolerant, Fit::No));
    assert!(!response_wins(Fit::Tolerant, Fit::Exact));
    assert!(!response_wins(Fit::No, Fit::No));
}

#[test]
fn field_helpers_refuse_what_their_shape_does_not_allow() {
    use quectel_qi::wire::{hex_digits, ranges_contain, text, Fields};
    assert_eq!(text(b"(0-1)", 2), Ok("(0-1)"));
    assert_eq!(text(b"", 2), Err(DecodeError::MissingField { index: 2 }));
    assert_eq!(hex_digits(b"\"0A1b\"", 1), Ok("0A1b"));
    assert_eq!(
        hex_digits(b"\"0A1\"", 1),
        Err(DecodeError::NotHex { index: 1 })
    );
    assert_eq!(
        hex_digits(b"\"0g\"", 1),
        Err(DecodeError::NotHex { index: 1 })
    );
    assert!(ranges_contain(&[(0, 3), (10, 12)], 11));
    assert!(!ranges_contain(&[(0, 3), (10, 12)], 5));

    // A quoted string whose length an earlier field gives: quotes and commas inside are its.
    let mut f = Fields::new(br#" "a,"b" , 7"#);
    assert_eq!(f.take_quoted(4, 0), Ok(&br#"a,"b"#[..]));
    assert_eq!(f.next(), Some(&b"7"[..]));
    let mut f = Fields::new(br#""abc""#);
    assert_eq!(f.take_quoted(3, 0), Ok(&b"abc"[..]));
    assert_eq!(
        f.take_quoted(1, 1),
        Err(DecodeError::MissingField { index: 1 })
    );
    assert_eq!(
        Fields::new(b"abc").take_quoted(3, 0),
        Err(DecodeError::NotQuoted { index: 0 })
    );
    assert_eq!(
        Fields::new(br#""ab"#).take_quoted(3, 0),
        Err(DecodeError::Truncated)
    );
    assert_eq!(
        Fields::new(br#""abcd""#).take_quoted(3, 0),
        Err(DecodeError::NotQuoted { index: 0 })
    );
    assert_eq!(
        Fields::new(br#""abc"x"#).take_quoted(3, 0),
        Err(DecodeError::NotQuoted { index: 0 })
    );
}
