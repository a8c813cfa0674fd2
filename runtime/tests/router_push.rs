//! The client's router as a caller sees it: bytes kept for a socket's next read, read back
//! in order, refused when the push buffer cannot hold them, and dropped with an overrun.

use quectel_qi::client::Router;
use quectel_qi::ConnectId;

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

#[test]
fn kept_bytes_are_read_back_in_order_and_dropped_with_an_overrun() {
    let mut r = Router::new();
    assert!(r.can_push(100, 0));
    r.keep_unread(id(0), b"abc");
    r.keep_unread(id(1), b"defgh");
    assert_eq!(r.pushed_len(id(0)), 3);
    assert_eq!(r.pushed_len(id(1)), 5);
    assert_eq!(r.largest_push_holder(), Some(id(1)));
    let mut buf = [0u8; 8];
    assert_eq!(r.read_pushed(id(0), &mut buf), Some((3, None)));
    assert_eq!(&buf[..3], b"abc");
    assert_eq!(r.read_pushed(id(0), &mut buf), None);
    assert!(!r.socket(id(1)).overrun);
    r.drop_pushed(id(1));
    assert_eq!(r.pushed_len(id(1)), 0);
    assert!(r.socket(id(1)).overrun, "its reader is told");
    assert_eq!(r.largest_push_holder(), None);
    assert!(!r.take_incoming_full());
}

#[test]
fn bytes_a_small_push_buffer_cannot_hold_mark_the_socket_overrun() {
    let mut r: Router<16> = Router::default();
    assert!(r.can_push(4, 0));
    assert!(!r.can_push(4096, 0));
    r.keep_unread(id(2), &[7u8; 4096]);
    assert!(r.socket(id(2)).overrun);
    assert_eq!(r.pushed_len(id(2)), 0);
    let mut fresh: Router<16> = Router::with_push_capacity();
    fresh.keep_unread(id(2), b"fits");
    assert_eq!(fresh.pushed_len(id(2)), 4);
    assert!(!fresh.socket(id(2)).overrun);
}
