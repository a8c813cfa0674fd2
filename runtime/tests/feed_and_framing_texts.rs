//! Small public values of the feeder and the framing: `FeedError`'s texts and byte counts,
//! and the framing's start-up state.

use quectel_qi::client::FeedError;
use quectel_qi::framing::Framing;

#[test]
fn feed_errors_say_what_happened_and_how_much_was_taken() {
    let full = FeedError::UrcChannelFull { fed: 12 };
    let overflow = FeedError::Overflow { fed: 34 };
    assert_eq!(full.fed(), 12);
    assert_eq!(overflow.fed(), 34);
    assert_eq!(
        full.to_string(),
        "the URC channel stayed full (12 bytes taken)"
    );
    assert_eq!(
        overflow.to_string(),
        "the ingress buffer overflowed and was cleared (34 bytes taken)"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(full);
    assert!(boxed.to_string().contains("URC channel"));
}

#[test]
fn the_start_up_framing_is_plain() {
    let f = Framing::new();
    assert_eq!(f, Framing::default());
    assert!(f.receive_is_plain());
    assert!(!Framing {
        recv_hex: true,
        ..f
    }
    .receive_is_plain());
    assert!(!Framing {
        view_comma: true,
        ..f
    }
    .receive_is_plain());
}
