//! Placeholder: filled by issue 7 (own specs).
