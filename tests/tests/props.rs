//! Property tests generated from the spec: random valid values of every request form, response
//! line and URC (ranges, enumerations and lengths from the spec) round-trip through the codec.

include!(concat!(env!("OUT_DIR"), "/qi_tests_props.rs"));
