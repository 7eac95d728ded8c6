//! keyshelf-core: the Keyshelf vault engine.
//!
//! It keeps a team vault in one SQLite file, encrypts every value under a per-scope key, gives
//! members access through sealed grants, and records every read and change in a signed,
//! hash-chained audit log. It knows nothing of Tauri, clap or the UI: the desktop app and the
//! CLI are thin adapters over it. Start at [`vault::Vault`] (open, list) and
//! [`session::Session`] (unlocked: read and write values).

pub mod audit;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod device;
pub mod dotenv;
pub mod duration;
pub(crate) mod epochs;
pub mod error;
pub mod inject;
pub mod keychain;
pub mod kind;
pub mod notebook;
pub mod rotation;
pub mod scan;
pub mod seen;
pub mod session;
pub mod store;
pub mod team;
pub mod vault;

pub use error::{Error, ErrorCode, Result};
pub use session::Session;
pub use vault::Vault;
