//! Placeholder: filled by issue 8 (performance).
