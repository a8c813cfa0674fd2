//! `qi-codegen`: turns the YAML description of Quectel's TCP/IP ("QI") AT commands into Rust.
//!
//! The pipeline is `spec::load` (serde types as authors write them) → `check` (every semantic
//! error at once, located) → `ir` (resolved model) → `emit` (one function per item kind).

pub mod spec;
