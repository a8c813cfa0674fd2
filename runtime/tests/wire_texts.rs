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
