//! Semantic checks over the loaded spec.
use crate::spec::{Diagnostic, Spec};

pub fn check(_spec: &Spec) -> Result<(), Vec<Diagnostic>> {
    Ok(())
}
