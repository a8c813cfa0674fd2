//! Decode errors of the built-in decoder in words, from the generated descriptions of each line
//! (see [`super::problems`]).

use super::problems::{self, Shape as Report};
use quectel_qi::describe::{Field, Shape};
use quectel_qi::wire::DecodeError;

fn report(shape: &Shape) -> Report<'static, Field> {
    Report {
        fields: shape.fields,
        written: shape.written,
        module_line: matches!(shape.kind, "response" | "urc"),
        form: shape.form,
    }
}

/// The rule a command line breaks, for `Invalid`.
fn rule(e: DecodeError, line: &[u8]) -> Option<String> {
    (e == DecodeError::Invalid)
        .then(|| quectel_qi::Request::rule_broken(line).map(|v| v.to_string()))
        .flatten()
}

/// Describes why `line` failed to decode as `shape`.
pub fn describe(shape: &Shape, e: DecodeError, line: &[u8]) -> String {
    problems::describe(&report(shape), e, line, rule(e, line).as_deref())
}

/// Every problem of `line` as `shape`: the decode error `e` first, then each other field whose
/// integer lies outside its type's values (the decoder stops at the first problem; a reader of
/// a log wants them all).
pub fn describe_all(shape: &Shape, e: DecodeError, line: &[u8]) -> Vec<String> {
    problems::describe_all(&report(shape), e, line, rule(e, line).as_deref())
}
