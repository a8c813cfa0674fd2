//! The resolved model the emitters work from.
use crate::spec::Spec;

pub struct Model {
    pub spec: Spec,
}

impl Model {
    pub fn new(spec: Spec) -> Self {
        Model { spec }
    }
}
