//! Turns the `Debug` text of a generated value into JSON: the generated types carry their field
//! names (the spec's, in snake_case), so their `Debug` output is a faithful, generic view of the
//! decoded fields without a visitor in the generated code.
//!
//! `Struct { a: 1 }` becomes an object, `Newtype(1)` and `Some(1)` their inner value, `None`
//! null, a unit variant (`TcpListener`) its spec name (`tcp_listener`), a list an array.

use heck::ToSnakeCase;
use serde_json::{Map, Value};

/// The fields of a decoded value (`Request`, `ResponseLine`, `Urc`): the object inside the
/// dispatch variant, or an empty object for forms without parameters.
pub fn fields_of(value: &impl core::fmt::Debug) -> Map<String, Value> {
    let text = format!("{value:?}");
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    match p.value() {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &str {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.i += 1;
        }
        core::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.i += 1;
                let items = self.list(b']')?;
                Some(bytes_as_text(items))
            }
            c if c == b'-' || c.is_ascii_digit() => self.number(),
            _ => {
                let name = self.ident().to_string();
                if name.is_empty() {
                    return None;
                }
                if self.eat(b'(') {
                    let mut items = self.list(b')')?;
                    return Some(if items.len() == 1 {
                        items.remove(0)
                    } else {
                        Value::Array(items)
                    });
                }
                if self.eat(b'{') {
                    return self.object();
                }
                Some(match name.as_str() {
                    "None" => Value::Null,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(name.to_snake_case()),
                })
            }
        }
    }

    fn list(&mut self, close: u8) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.value()?);
            self.eat(b',');
        }
    }

    fn object(&mut self) -> Option<Value> {
        let mut m = Map::new();
        loop {
            if self.eat(b'}') {
                return Some(Value::Object(m));
            }
            self.skip_ws();
            let key = self.ident().to_string();
            if key.is_empty() || !self.eat(b':') {
                return None;
            }
            let v = self.value()?;
            m.insert(key, v);
            self.eat(b',');
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        self.i += 1;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let t = core::str::from_utf8(&self.s[start..self.i]).ok()?;
        t.parse::<i64>().ok().map(Value::from)
    }

    /// A Rust string literal as `Debug` writes it.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'0' => out.push(0),
                        b'u' => {
                            // \u{XXXX}
                            self.eat(b'{');
                            let start = self.i;
                            while self.peek().is_some_and(|c| c != b'}') {
                                self.i += 1;
                            }
                            let hex = core::str::from_utf8(&self.s[start..self.i]).ok()?;
                            self.i += 1;
                            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }
}

/// A list of bytes (a payload) as text when it is UTF-8, else as numbers.
fn bytes_as_text(items: Vec<Value>) -> Value {
    let bytes: Option<Vec<u8>> = items
        .iter()
        .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
        .collect();
    match bytes.and_then(|b| String::from_utf8(b).ok()) {
        Some(text) if !items.is_empty() => Value::String(text),
        _ => Value::Array(items),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_become_objects() {
        let r =
            quectel_qi::Request::decode(b"AT+QIOPEN=1,0,\"TCP LISTENER\",\"a\\\"\",0,2020,1").ok();
        assert!(r.is_none(), "a quote in a string is rejected");
        let r =
            quectel_qi::Request::decode(b"AT+QIOPEN=1,0,\"TCP LISTENER\",\"127.0.0.1\",0,2020,1")
                .unwrap();
        let m = fields_of(&r);
        assert_eq!(m["context_id"], 1);
        assert_eq!(m["connect_id"], 0);
        assert_eq!(m["service_type"], "tcp_listener");
        assert_eq!(m["host"], "127.0.0.1");
        assert_eq!(m["local_port"], 2020);
        assert_eq!(m["access_mode"], "direct_push");
        let m = fields_of(&quectel_qi::Request::decode(b"AT+QIACT?").unwrap());
        assert!(m.is_empty());
    }

    #[test]
    fn strings_payloads_and_absent_values() {
        let u = quectel_qi::Urc::decode(b"+QIURC: \"recv\",0,4", b"t\"\n\x01").unwrap();
        let m = fields_of(&u);
        assert_eq!(m["data"], "t\"\n\u{1}");
        let u = quectel_qi::Urc::decode(b"+QIURC: \"recv\",0,2", &[0xff, 0]).unwrap();
        assert_eq!(fields_of(&u)["data"], serde_json::json!([255, 0]));
        let mut p = Parser {
            s: br#"X { a: None, b: [], c: -5, d: "\u{7f}" }"#,
            i: 0,
        };
        let v = p.value().unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": null, "b": [], "c": -5, "d": "\u{7f}"})
        );
    }
}
