//! host placeholder
