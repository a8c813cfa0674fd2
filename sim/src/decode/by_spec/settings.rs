//! The settings a log sets, as far as later lines depend on them: which URC variant a line is
//! (`when:`), and how a payload is framed (`separator_by`, `encoding_by`).
//!
//! Every write form's parameters are recorded by their type (params.yaml key). A setting is kept
//! per instance (socket, client, context) when a URC names the instance (`per:`), or when every
//! form that sets it also carries one of the URC's fields (`AT+QIOPEN` and `AT+QISWTMD` both
//! carry the socket whose access mode they set); else it is module-wide.
//!
//! A setting the log never set is unknown and rules nothing out, except a module-wide one with
//! a default, which reads its default (the module's start-up state).

use super::rules::{int_of, value_holds};
use super::table::{Field, Line, Request, Table};
use qi_codegen::spec::{FormKind, Scalar, Urc};
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
        let mut instance_of = HashMap::new();
        for u in &table.model.spec.urcs.value.urcs {
            for key in u.when.iter().flat_map(|w| w.keys()) {
                if instance_of.contains_key(key) {
                    continue;
                }
                if let Some(inst) = instance(table, u, key) {
                    instance_of.insert(key.clone(), inst);
                }
            }
        }
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
            let inst = self.instance_of.get(&u.param).and_then(|ik| {
                r.params()
                    .iter()
                    .find(|g| g.usage().param == *ik)
                    .and_then(|g| fields.get(g.name))
                    .and_then(int_of)
            });
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
        if let Some(ik) = self.instance_of.get(key) {
            let inst = line
                .params()
                .iter()
                .find(|f| f.usage().param == *ik)
                .and_then(|f| fields.get(f.name))
                .and_then(int_of)?;
            return self.values.get(&(key.to_owned(), Some(inst))).cloned();
        }
        if let Some(v) = self.values.get(&(key.to_owned(), None)) {
            return Some(v.clone());
        }
        let (_, def) = table.model.params().find(|(k, _)| *k == key)?;
        let d = def.default.as_ref()?;
        Some(match d {
            Scalar::Int(i) => def
                .values
                .iter()
                .flatten()
                .find(|e| e.value == *d)
                .map_or(json!(i), |e| json!({ "value": i, "name": e.name })),
            Scalar::Str(s) => def
                .values
                .iter()
                .flatten()
                .find(|e| e.value == *d)
                .map_or(json!(s), |e| json!({ "value": s, "name": e.name })),
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

    /// Whether the setting `key` (as the line's instance has it) differs from its default:
    /// the other framing (a comma before the data, hex digits) is chosen.
    pub fn not_default(
        &self,
        table: &Table,
        key: &str,
        line: &Line,
        fields: &Map<String, Value>,
    ) -> bool {
        let Some(v) = self.get(table, key, line, fields) else {
            return false;
        };
        let default = table.default_of(key);
        match default {
            Some(Scalar::Int(d)) => int_of(&v) != Some(*d),
            Some(Scalar::Str(d)) => {
                v.get("value").and_then(Value::as_str).or(v.as_str()) != Some(d.as_str())
            }
            None => false,
        }
    }
}

/// The parameter type by which setting `key` of URC `u` is kept per instance.
fn instance(table: &Table, u: &Urc, key: &str) -> Option<String> {
    let field_param = |name: &str| {
        u.fields
            .iter()
            .find(|f| f.field_name() == name)
            .map(|f| f.param.clone())
    };
    if let Some(p) = &u.per {
        return field_param(p);
    }
    let setters: Vec<&Request> = table
        .requests
        .iter()
        .filter(|r| r.form.kind == FormKind::Write)
        .filter(|r| r.params().iter().any(|f| f.usage().param == key))
        .collect();
    if setters.is_empty() {
        return None;
    }
    u.fields
        .iter()
        .map(|f| &f.param)
        .find(|p| {
            *p != key
                && setters
                    .iter()
                    .all(|r| r.params().iter().any(|f| f.usage().param == **p))
        })
        .cloned()
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
