//! The resolved model the emitters work from: the checked spec plus lookups.

use crate::spec::{ParamDef, Spec};
use std::collections::BTreeMap;

pub struct Model {
    pub spec: Spec,
    params: BTreeMap<String, ParamDef>,
}

impl Model {
    /// Builds the model of a spec that passed [`crate::check::check`].
    pub fn new(spec: Spec) -> Self {
        let params = spec
            .params
            .iter()
            .flat_map(|f| f.value.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        Model { spec, params }
    }

    /// Every parameter type, sorted by key.
    pub fn params(&self) -> impl Iterator<Item = (&str, &ParamDef)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The definition of a parameter key (the checker guarantees it exists).
    pub fn param(&self, key: &str) -> &ParamDef {
        &self.params[key]
    }
}
