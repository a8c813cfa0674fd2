//! The decoded fields of a line as JSON, through the generated `describe::Visitor`: an
//! enumeration prints its wire value and its spec name (`{"value": 0, "name": "none"}`), an
//! optional field left out prints `null`.

use quectel_qi::describe::{Visitor, Wire};
use serde_json::{json, Map, Value};

/// Collects the fields a generated `visit` hands over.
#[derive(Default)]
pub struct JsonFields(pub Map<String, Value>);

impl Visitor for JsonFields {
    fn int(&mut self, name: &'static str, value: i64) {
        self.0.insert(name.into(), json!(value));
    }

    fn enumeration(&mut self, name: &'static str, wire: Wire<'_>, spec_name: &'static str) {
        let value = match wire {
            Wire::Int(i) => json!(i),
            Wire::Keyword(k) => json!(k),
        };
        self.0
            .insert(name.into(), json!({ "value": value, "name": spec_name }));
    }

    fn text(&mut self, name: &'static str, value: &str) {
        self.0.insert(name.into(), json!(value));
    }

    fn bytes(&mut self, name: &'static str, value: &[u8]) {
        // Text stays readable; anything else is the bytes themselves.
        let v = match core::str::from_utf8(value) {
            Ok(s) => json!(s),
            Err(_) => json!(value),
        };
        self.0.insert(name.into(), v);
    }

    fn absent(&mut self, name: &'static str) {
        self.0.insert(name.into(), Value::Null);
    }
}

/// The fields of anything with a generated `visit`.
pub fn of(visit: impl FnOnce(&mut dyn Visitor)) -> Map<String, Value> {
    let mut f = JsonFields::default();
    visit(&mut f);
    f.0
}
