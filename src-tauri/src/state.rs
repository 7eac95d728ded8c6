//! What the commands share: where the vault is, the keychain, the unlocked session, and when the
//! user last did something (for the idle lock).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use keyshelf_core::config::{self, DeviceConfig, Settings};
use keyshelf_core::keychain::{self, KeyCache};
use keyshelf_core::{Error, Result, Session};
use tokio::sync::{Notify, RwLock};

pub struct AppState {
    pub vault_path: PathBuf,
    pub config_dir: PathBuf,
    pub keychain: Box<dyn KeyCache>,
    /// `None` while locked. Dropping the session zeroizes its keys.
    pub session: RwLock<Option<Arc<Session>>>,
    /// This device's preferences, as last loaded or saved.
    pub settings: Mutex<Settings>,
    last_activity: Mutex<SystemTime>,
    /// Wakes the idle watcher when a session starts.
    pub unlocked: Notify,
}

impl AppState {
    /// Same variables as the CLI: KEYSHELF_VAULT, KEYSHELF_CONFIG_DIR, KEYSHELF_KEYCHAIN.
    pub fn from_env() -> Result<Self> {
        let vault_path = config::vault_path(None)?;
        let config_dir = config::config_dir(None)?;
        // An unreadable config must not keep the app from starting: the defaults are the safe side.
        let settings = DeviceConfig::load(&config_dir).map(|c| c.settings).unwrap_or_default();
        Ok(Self {
            vault_path,
            config_dir,
            keychain: keychain::from_env(),
            session: RwLock::new(None),
            settings: Mutex::new(settings),
            last_activity: Mutex::new(SystemTime::now()),
            unlocked: Notify::new(),
        })
    }

    pub fn device_config(&self) -> Result<DeviceConfig> {
        DeviceConfig::load(&self.config_dir)
    }

    /// The unlocked session, or `Locked`. Every command that uses the vault counts as activity.
    pub async fn session(&self) -> Result<Arc<Session>> {
        let session = self.session.read().await.clone().ok_or(Error::Locked)?;
        self.touch();
        Ok(session)
    }

    /// Starts a session (after create or unlock) and restarts the idle clock.
    pub async fn start_session(&self, session: Session) {
        *self.session.write().await = Some(Arc::new(session));
        self.touch();
        self.unlocked.notify_one();
    }

    /// Records user activity now.
    pub fn touch(&self) {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner()) = SystemTime::now();
    }

    pub fn last_activity(&self) -> SystemTime {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings(&self) -> Settings {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }
}
