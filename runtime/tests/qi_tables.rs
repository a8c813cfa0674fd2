//! quectel-qi's `SpecTables` on lines of its own spec: the forms an echo names, and the payload
//! lengths the data headers announce (the digester's only view of them).

use quectel_qi::digest::QiTables;
use quectel_qi::sizes;
use quectel_qi::tables::SpecTables;

#[test]
fn the_tables_name_an_echoed_form_and_read_data_headers() {
    assert!(QiTables::form_of(b"AT+QIRD=0,1500").is_some());
    assert_eq!(QiTables::form_of(b"AT+NOSUCHCOMMAND"), None);
    assert_eq!(QiTables::response_data_len(b"+QIRD: 5"), Some(5));
    assert_eq!(
        QiTables::response_data_len(b"+QIACT: 1,1,1,\"10.0.0.2\""),
        None
    );
    assert_eq!(QiTables::urc_data_len(b"+QIURC: \"recv\",0,5"), Some(5));
    assert_eq!(QiTables::urc_data_len(b"+QIURC: \"closed\",0"), None);
}

#[test]
fn a_buffer_smaller_than_a_frame_header_has_no_room_for_payload() {
    assert_eq!(sizes::payload_room(0, 1), 0);
    assert!(sizes::payload_room(sizes::DATA_FRAME_SIZE, 1) >= 1500);
}
