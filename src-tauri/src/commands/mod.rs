//! One module per feature. Each command: take state, call the core, map the error.

pub mod access;
pub mod projects;
pub mod rotation;
pub mod scan;
pub mod secrets;
pub mod settings;
pub mod vault;
