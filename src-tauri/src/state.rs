//! What the commands share: where the vault is, the keychain, the unlocked session, and when the
//! user last did something (for the idle lock).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use keyshelf_core::config::{self, DeviceConfig};

use crate::settings::Settings;
use keyshelf_core::keychain::{self, KeyCache};
use keyshelf_core::{Error, Result, Session};
use tokio::sync::{Notify, RwLock};
use zeroize::Zeroizing;

pub struct AppState {
    /// A file path or a `postgres://` URL (which may hold a password: show it through
    /// `keyshelf_core::store::shown`). Changed only while locked (`set_vault_path`).
    vault_path: std::sync::RwLock<PathBuf>,
    pub config_dir: PathBuf,
    pub keychain: Box<dyn KeyCache>,
    /// `None` while locked. Dropping the session zeroizes its keys.
    pub session: RwLock<Option<Arc<Session>>>,
    /// This device's preferences, as last loaded or saved.
    pub settings: Mutex<Settings>,
    last_activity: Mutex<Activity>,
    /// Counts locks, so an unlock that was still deriving keys when a lock came does not open
    /// the vault behind the lock screen.
    locks: AtomicU64,
    /// Wakes the idle watcher when a session starts.
    pub unlocked: Notify,
    /// Wakes the expired-grant watcher when a session starts.
    pub expiry_wake: Notify,
    /// Wakes the access-request watcher (notifications) when a session starts.
    pub access_wake: Notify,
    /// Wakes the rotation reminders (reminders.rs) when a session starts.
    pub reminders_wake: Notify,
    /// Wakes the change watch (changes.rs) when a session starts.
    pub changes_wake: Notify,
}

/// When the user was last active, on both clocks: the monotonic one cannot be set back, the
/// wall clock keeps counting while the machine sleeps. Idle time is the larger of the two.
#[derive(Clone, Copy)]
pub struct Activity {
    pub monotonic: Instant,
    pub wall: SystemTime,
}

impl Activity {
    fn now() -> Self {
        Self {
            monotonic: Instant::now(),
            wall: SystemTime::now(),
        }
    }
}

impl AppState {
    /// Same variables as the CLI: KEYSHELF_VAULT, KEYSHELF_CONFIG_DIR, KEYSHELF_KEYCHAIN. Without
    /// KEYSHELF_VAULT, the location chosen in the app (settings.json), else the default file.
    pub fn from_env() -> Result<Self> {
        let config_dir = config::config_dir(None)?;
        let vault_path = if std::env::var_os("KEYSHELF_VAULT").is_some() {
            config::vault_path(None)?
        } else {
            config::vault_path(crate::settings::vault_location(&config_dir))?
        };
        // An unreadable or out-of-range config must not keep the app from starting (or lock it
        // the moment it opens): the defaults are the safe side.
        let settings = Some(crate::settings::load(&config_dir))
            .filter(|s| s.validate().is_ok())
            .unwrap_or_default();
        Ok(Self {
            vault_path: std::sync::RwLock::new(vault_path),
            config_dir,
            keychain: keychain::from_env(),
            session: RwLock::new(None),
            settings: Mutex::new(settings),
            last_activity: Mutex::new(Activity::now()),
            locks: AtomicU64::new(0),
            unlocked: Notify::new(),
            expiry_wake: Notify::new(),
            access_wake: Notify::new(),
            reminders_wake: Notify::new(),
            changes_wake: Notify::new(),
        })
    }

    /// Where the vault is now: a file path or a database URL (never for the webview as is).
    pub fn vault_path(&self) -> PathBuf {
        self.vault_path.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Moves the app to another vault location and saves it (`saved`; `None`: the default file).
    /// Refused while unlocked: the open session belongs to the current vault. An unlock still
    /// deriving keys for the old location is cancelled, as by a lock.
    /// A team server's database `password`, when given, is checked with the server and kept in
    /// the OS keychain, only once the location may change: nothing is kept for a refused change.
    pub async fn set_vault_path(
        &self,
        location: PathBuf,
        saved: Option<PathBuf>,
        password: Option<Zeroizing<String>>,
    ) -> Result<()> {
        let slot = self.session.write().await;
        if slot.is_some() {
            return Err(Error::NotAllowed {
                action: "change the vault location".into(),
                reason: "the vault is unlocked; lock it first".into(),
            });
        }
        if let Some(password) = password {
            keyshelf_core::store::remember_password(&location, &password).await?;
        }
        crate::settings::save_vault_location(&self.config_dir, saved)?;
        *self.vault_path.write().unwrap_or_else(|p| p.into_inner()) = location;
        self.count_lock();
        drop(slot);
        Ok(())
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

    /// Makes the unlocked session this device's (`device::attach`): it trusts the owner key this
    /// device pinned (pinning it now, for a membership recorded before pinning existed) and
    /// refuses a vault that went back from what this device saw.
    pub async fn with_pinned_owner(&self, session: Session) -> Result<Session> {
        Ok(keyshelf_core::device::attach(session, &self.config_dir).await?.0)
    }

    /// The unlocked session, or `Locked`, without counting as activity: for reads the app makes on
    /// its own (refreshing a badge), which must not keep an idle vault open.
    pub async fn session_quiet(&self) -> Result<Arc<Session>> {
        self.session.read().await.clone().ok_or(Error::Locked)
    }

    /// Taken by an unlock before its slow work; `start_session` compares it.
    pub fn lock_count(&self) -> u64 {
        self.locks.load(Ordering::SeqCst)
    }

    /// Called by every lock, whether or not a session was open.
    pub fn count_lock(&self) {
        self.locks.fetch_add(1, Ordering::SeqCst);
    }

    /// Starts a session (after create or unlock) and restarts the idle clock, unless a lock came
    /// since `locks_before`: then the session is dropped and the answer is `Locked`.
    pub async fn start_session(&self, session: Session, locks_before: u64) -> Result<()> {
        let mut slot = self.session.write().await;
        if self.lock_count() != locks_before {
            drop(slot);
            session.vault().close().await;
            return Err(Error::Locked);
        }
        *slot = Some(Arc::new(session));
        drop(slot);
        self.touch();
        self.unlocked.notify_one();
        self.expiry_wake.notify_one();
        self.access_wake.notify_one();
        self.reminders_wake.notify_one();
        self.changes_wake.notify_one();
        Ok(())
    }

    /// Records user activity now.
    pub fn touch(&self) {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner()) = Activity::now();
    }

    pub fn last_activity(&self) -> Activity {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn settings(&self) -> Settings {
        *self.settings.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyshelf_core::crypto::KdfParams;
    use keyshelf_core::keychain::NoKeychain;
    use keyshelf_core::vault::NewVault;
    use keyshelf_core::Vault;
    use zeroize::Zeroizing;

    fn state(dir: &std::path::Path) -> AppState {
        AppState {
            vault_path: std::sync::RwLock::new(dir.join("v.db")),
            config_dir: dir.join("config"),
            keychain: Box::new(NoKeychain),
            session: RwLock::new(None),
            settings: Mutex::new(Settings::default()),
            last_activity: Mutex::new(Activity::now()),
            locks: AtomicU64::new(0),
            unlocked: Notify::new(),
            expiry_wake: Notify::new(),
            access_wake: Notify::new(),
            reminders_wake: Notify::new(),
            changes_wake: Notify::new(),
        }
    }

    async fn new_session(dir: &std::path::Path) -> Session {
        let new = NewVault {
            team: "t".into(),
            owner: "ada".into(),
            passphrase: Zeroizing::new(b"unit test passphrase".to_vec()),
            kdf: KdfParams::default(),
        };
        Vault::create(&dir.join("v.db"), new, "device")
            .await
            .expect("create")
            .session
    }

    #[tokio::test]
    async fn a_lock_during_an_unlock_keeps_the_vault_locked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = state(dir.path());
        let before = state.lock_count();
        let session = new_session(dir.path()).await;
        // The screen locked while the unlock was deriving keys.
        state.count_lock();
        let refused = state.start_session(session, before).await;
        assert!(matches!(refused, Err(Error::Locked)), "{refused:?}");
        assert!(state.session.read().await.is_none());

        let before = state.lock_count();
        let vault = Vault::open(&dir.path().join("v.db")).await.expect("open");
        let member = vault.members().await.expect("members")[0].id.clone();
        let session = vault
            .unlock_with_passphrase(&member, Zeroizing::new(b"unit test passphrase".to_vec()), "device")
            .await
            .expect("unlock");
        state.start_session(session, before).await.expect("no lock came");
        assert!(state.session().await.is_ok());
    }

    #[tokio::test]
    async fn the_vault_location_changes_only_while_locked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = state(dir.path());
        let before = state.lock_count();
        state
            .start_session(new_session(dir.path()).await, before)
            .await
            .expect("unlocked");

        let server = PathBuf::from("postgres://ada@db.example.com/keyshelf");
        // With a password: refused before the password is checked with the server or kept.
        let password = Some(zeroize::Zeroizing::new("db-password".to_owned()));
        let refused = state
            .set_vault_path(server.clone(), Some(server.clone()), password)
            .await;
        assert!(
            matches!(&refused, Err(e @ Error::NotAllowed { .. }) if e.to_string().contains("lock it first")),
            "{refused:?}"
        );
        assert_eq!(state.vault_path(), dir.path().join("v.db"), "unchanged");
        assert_eq!(
            crate::settings::vault_location(&state.config_dir),
            None,
            "nothing saved"
        );

        let session = state.session.write().await.take().expect("session");
        session.vault().close().await;
        let before = state.lock_count();
        state
            .set_vault_path(server.clone(), Some(server.clone()), None)
            .await
            .expect("locked: allowed");
        assert_eq!(state.vault_path(), server);
        assert_eq!(crate::settings::vault_location(&state.config_dir), Some(server));
        assert_ne!(
            state.lock_count(),
            before,
            "an unlock in flight for the old location is cancelled"
        );
    }
}
