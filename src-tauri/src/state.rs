//! What the commands share: where the vault is, the keychain, and the unlocked session.

use std::path::PathBuf;
use std::sync::Arc;

use keyshelf_core::config::{self, DeviceConfig};
use keyshelf_core::keychain::{self, KeyCache};
use keyshelf_core::{Error, Result, Session};
use tokio::sync::RwLock;

pub struct AppState {
    pub vault_path: PathBuf,
    pub config_dir: PathBuf,
    pub keychain: Box<dyn KeyCache>,
    /// `None` while locked. Dropping the session zeroizes its keys.
    pub session: RwLock<Option<Arc<Session>>>,
}

impl AppState {
    /// Same variables as the CLI: KEYSHELF_VAULT, KEYSHELF_CONFIG_DIR, KEYSHELF_KEYCHAIN.
    pub fn from_env() -> Result<Self> {
        let vault_path = config::vault_path(None)?;
        let config_dir = config::config_dir(None)?;
        Ok(Self {
            vault_path,
            config_dir,
            keychain: keychain::from_env(),
            session: RwLock::new(None),
        })
    }

    pub fn device_config(&self) -> Result<DeviceConfig> {
        DeviceConfig::load(&self.config_dir)
    }

    /// The unlocked session, or `Locked`.
    pub async fn session(&self) -> Result<Arc<Session>> {
        self.session.read().await.clone().ok_or(Error::Locked)
    }
}
