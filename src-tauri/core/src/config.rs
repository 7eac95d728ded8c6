//! Device-local configuration: which member this device is in each vault it knows.
//!
//! It lives apart from the vault (under `KEYSHELF_CONFIG_DIR` or the XDG config dir) because
//! the vault file is shared by every member, while "who am I" belongs to one device. Two config
//! dirs on one machine are two people, which is how the tests simulate a team.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FILE: &str = "config.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceConfig {
    /// Random id naming this device in audit entries.
    pub device_id: String,
    /// Vault id -> this device's membership.
    #[serde(default)]
    pub vaults: BTreeMap<String, Membership>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Membership {
    pub member_id: String,
    pub member_name: String,
    /// Where the vault was last opened from, for `status`.
    pub path: PathBuf,
    /// The owner's signing key (hex) this device trusts: pinned at `init` or `join`, or on first
    /// unlock for memberships recorded before pinning existed. The roster is verified against it.
    #[serde(default)]
    pub owner_key: Option<String>,
}

impl Membership {
    /// The owner key this device trusts, if pinned (and readable).
    pub fn pinned_owner(&self) -> Option<Vec<u8>> {
        self.owner_key.as_deref().and_then(|k| hex::decode(k).ok())
    }

    pub fn pin_owner(&mut self, key: &[u8]) {
        self.owner_key = Some(hex::encode(key));
    }
}

impl DeviceConfig {
    /// Reads the config, or starts a fresh one (not yet saved) when there is none.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Config {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                device_id: uuid::Uuid::new_v4().to_string(),
                vaults: BTreeMap::new(),
            }),
            Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
        }
    }

    /// Writes atomically (temp file + rename), readable by this user only.
    pub fn save(&self, dir: &Path) -> Result<()> {
        create_private_dir(dir)?;
        let path = dir.join(FILE);
        let text = serde_json::to_vec_pretty(self).map_err(|e| Error::Config {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_private_atomically(&path, &text)
    }

    pub fn membership(&self, vault_id: &str) -> Option<&Membership> {
        self.vaults.get(vault_id)
    }
}

/// Writes `path` through a temp file and a rename, so a reader sees the old file or the new one;
/// mode 0600. The temp name is created fresh (never through an existing file or link).
pub(crate) fn write_private_atomically(path: &Path, text: &[u8]) -> Result<()> {
    write_private(path, text, true)
}

/// As [`write_private_atomically`] without waiting for the disk: for marks rewritten at every
/// command (`seen.json`), where a crash may lose the newest marks (less protection for a moment)
/// but never leaves a torn file, and an fsync would cost more than the command itself.
pub(crate) fn write_private_quickly(path: &Path, text: &[u8]) -> Result<()> {
    write_private(path, text, false)
}

fn write_private(path: &Path, text: &[u8], sync: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = options.open(&tmp)?;
        file.write_all(text)?;
        if sync {
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("writing {}", path.display()), e)
    })
}

/// The vault file: `explicit` (a flag), else `KEYSHELF_VAULT`, else the default location.
pub fn vault_path(explicit: Option<PathBuf>) -> Result<PathBuf> {
    explicit
        .or_else(|| std::env::var_os("KEYSHELF_VAULT").map(PathBuf::from))
        .or_else(default_vault_path)
        .ok_or(Error::NoDefaultPath {
            what: "the vault",
            variable: "KEYSHELF_VAULT",
        })
}

/// This device's config directory: `explicit`, else `KEYSHELF_CONFIG_DIR`, else the default.
pub fn config_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    explicit
        .or_else(|| std::env::var_os("KEYSHELF_CONFIG_DIR").map(PathBuf::from))
        .or_else(default_config_dir)
        .ok_or(Error::NoDefaultPath {
            what: "this device's config",
            variable: "KEYSHELF_CONFIG_DIR",
        })
}

/// `$XDG_CONFIG_HOME/keyshelf` (or the platform's equivalent).
pub fn default_config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("keyshelf"))
}

/// `$XDG_DATA_HOME/keyshelf/vault.db` (or the platform's equivalent).
pub fn default_vault_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("keyshelf").join("vault.db"))
}

/// Creates `dir` (and its parents) readable by this user only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = DeviceConfig::load(dir.path()).expect("fresh");
        config.vaults.insert(
            "v1".into(),
            Membership {
                member_id: "m1".into(),
                member_name: "ada".into(),
                path: "/tmp/v.db".into(),
                owner_key: None,
            },
        );
        config.save(dir.path()).expect("save");
        let back = DeviceConfig::load(dir.path()).expect("load");
        assert_eq!(back.device_id, config.device_id);
        assert_eq!(back.membership("v1").map(|m| m.member_name.as_str()), Some("ada"));
        std::fs::write(dir.path().join(FILE), b"{not json").expect("write");
        assert!(matches!(DeviceConfig::load(dir.path()), Err(Error::Config { .. })));
    }
}
