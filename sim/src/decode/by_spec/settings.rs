//! The settings a log sets, as far as later lines depend on them: which URC variant a line is
//! (`when:`), and how a payload is framed (`separator_by`, `encoding_by`, and a prompt's
//! `encoding_by`).
//!
//! Every write form's parameters are recorded by their type (params.yaml key). A setting whose
//! type says `per: <index type>` is kept per instance (socket, client, context), by the value of
//! that index on the form that set it and read by the index on the line (or command) it
//! decides; any other is module-wide. What a value means for a payload is its `framing:`.
//!
//! A setting the log never set is unknown and rules nothing out, except a module-wide one with
//! a default, which reads its default (the module's start-up state); an unknown framing is CR LF
//! and raw bytes.

use super::rules::{int_of, value_holds};
use super::table::{Field, Line, Request, Table};
use qi_codegen::spec::{FormKind, PayloadFraming, Scalar};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The settings as the log set them.
#[derive(Debug, Default)]
pub struct Settings {
    /// By (parameter type, instance): the value as decoded.
    values: HashMap<(String, Option<i64>), Value>,
    /// The parameter type of the instance each per-instance setting is kept by.
    instance_of: HashMap<String, String>,
}

impl Settings {
    pub fn new(table: &Table) -> Self {
        let instance_of = table
            .model
            .params()
            .filter_map(|(k, d)| Some((k.to_owned(), d.per.clone()?)))
            .collect();
        Settings {
            values: HashMap::new(),
            instance_of,
        }
    }

    /// Records what a decoded command line sets.
    pub fn record(&mut self, r: &Request, fields: &Map<String, Value>) {
        if r.form.kind != FormKind::Write {
            return;
        }
        for f in r.params() {
            let u = f.usage();
            if u.value.is_some() {
                continue;
            }
            let v = match fields.get(f.name) {
                Some(Value::Null) | None => match u.default.as_ref().or(f.def().default.as_ref()) {
                    Some(d) => scalar_json(f, d),
                    None => continue,
                },
                Some(v) => v.clone(),
            };
            let inst =
                (self.instance_of.get(&u.param)).and_then(|ik| index_of(r.params(), fields, ik));
            self.values.insert((u.param.clone(), inst), v);
        }
    }

    /// A setting's value for the instance a line names (`None`: unknown).
    fn get(
        &self,
        table: &Table,
        key: &str,
        line: &Line,
        fields: &Map<String, Value>,
    ) -> Option<Value> {
        self.value(table, key, |ik| index_of(line.params(), fields, ik))
    }

    /// A setting's value, the instance (for a per-instance one) read by `index` from the
    /// field of that parameter type.
    fn value(
        &self,
        table: &Table,
        key: &str,
        index: impl Fn(&str) -> Option<i64>,
    ) -> Option<Value> {
        if let Some(ik) = self.instance_of.get(key) {
            let inst = index(ik)?;
            return self.values.get(&(key.to_owned(), Some(inst))).cloned();
        }
        if let Some(v) = self.values.get(&(key.to_owned(), None)) {
            return Some(v.clone());
        }
        let (_, def) = table.model.params().find(|(k, _)| *k == key)?;
        let d = def.default.as_ref()?;
        let named = def.values.iter().flatten().find(|e| e.value == *d);
        Some(match (d, named) {
            (Scalar::Int(i), Some(e)) => json!({ "value": i, "name": e.name }),
            (Scalar::Str(s), Some(e)) => json!({ "value": s, "name": e.name }),
            (Scalar::Int(i), None) => json!(i),
            (Scalar::Str(s), None) => json!(s),
        })
    }

    /// Whether the known settings allow URC `line` (with its decoded `fields`).
    pub fn allow(&self, table: &Table, line: &Line, fields: &Map<String, Value>) -> bool {
        let Some(u) = line.urc else { return true };
        u.when.iter().flatten().all(|(key, c)| {
            if line.field(key).is_some() {
                return true;
            }
            match self.get(table, key, line, fields) {
                Some(v) => value_holds(&v, c),
                None => true,
            }
        })
    }

    /// What setting `key`, as the line's instance has it, frames (its value's `framing:`);
    /// `None` when the log leaves the setting unknown.
    pub fn framing(
        &self,
        table: &Table,
        key: &str,
        line: &Line,
        fields: &Map<String, Value>,
    ) -> Option<PayloadFraming> {
        framing_of(table, key, &self.get(table, key, line, fields)?)
    }

    /// What setting `key` frames for the payload after the prompt of command `r` (the instance
    /// named by the command's own parameters).
    pub fn prompt_framing(
        &self,
        table: &Table,
        key: &str,
        r: &Request,
        fields: &Map<String, Value>,
    ) -> Option<PayloadFraming> {
        let v = self.value(table, key, |ik| index_of(r.params(), fields, ik))?;
        framing_of(table, key, &v)
    }
}

/// The index of parameter type `ik` among decoded `fields`.
fn index_of(params: &[Field], fields: &Map<String, Value>, ik: &str) -> Option<i64> {
    params
        .iter()
        .find(|f| f.usage().param == ik)
        .and_then(|f| fields.get(f.name))
        .and_then(int_of)
}

/// The `framing:` of the enumeration value `v` of setting `key`.
fn framing_of(table: &Table, key: &str, v: &Value) -> Option<PayloadFraming> {
    let (_, def) = table.model.params().find(|(k, _)| *k == key)?;
    let raw = v.get("value").unwrap_or(v);
    def.values
        .iter()
        .flatten()
        .find(|e| match &e.value {
            Scalar::Int(i) => raw.as_i64() == Some(*i),
            Scalar::Str(s) => raw.as_str() == Some(s.as_str()),
        })
        .and_then(|e| e.framing)
}

/// A default as the decoder prints values.
fn scalar_json(f: &Field, d: &Scalar) -> Value {
    let named = f
        .def()
        .values
        .iter()
        .flatten()
        .find(|e| e.value == *d)
        .map(|e| e.name.as_str());
    match (d, named) {
        (Scalar::Int(i), Some(n)) => json!({ "value": i, "name": n }),
        (Scalar::Str(s), Some(n)) => json!({ "value": s, "name": n }),
        (Scalar::Int(i), None) => json!(i),
        (Scalar::Str(s), None) => json!(s),
    }
}
