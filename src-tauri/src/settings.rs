//! This device's preferences for the desktop app, in `settings.json` beside the device config:
//! locking policy belongs to the machine in front of the user, not to the team's vault, and the
//! CLI has none of it. The same file keeps where the vault is, when the person chose it in the
//! app (a team server's URL, or a file path): `KEYSHELF_VAULT` still wins at startup.

use std::path::{Path, PathBuf};

use keyshelf_core::Error;
use serde::{Deserialize, Serialize};

const FILE: &str = "settings.json";

/// The desktop's preferences on this device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct Settings {
    /// Lock after this many minutes without activity in the app.
    pub idle_lock_minutes: u32,
    /// Lock when the desktop session locks (screen saver, lid, Super+L) where the platform says so.
    pub lock_on_system_lock: bool,
}

impl Settings {
    pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 10;
    /// A day: beyond that "idle lock" means nothing, and a typo like 6000 should not pass.
    pub const MAX_IDLE_LOCK_MINUTES: u32 = 24 * 60;

    /// Refuses values that would make idle locking meaningless, naming the bound.
    pub fn validate(&self) -> keyshelf_core::Result<()> {
        if !(1..=Self::MAX_IDLE_LOCK_MINUTES).contains(&self.idle_lock_minutes) {
            return Err(Error::InvalidSetting {
                setting: "idle lock",
                reason: format!(
                    "{} minutes is outside 1 to {} minutes",
                    self.idle_lock_minutes,
                    Self::MAX_IDLE_LOCK_MINUTES
                ),
            });
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            idle_lock_minutes: Self::DEFAULT_IDLE_LOCK_MINUTES,
            lock_on_system_lock: true,
        }
    }
}

/// What `settings.json` holds: the preferences the UI edits, and the vault location, which only
/// `set_vault_location` changes (so saving preferences cannot move the vault).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
struct Stored {
    #[serde(flatten)]
    settings: Settings,
    /// A file path or a `postgres://` URL; absent: the default file.
    #[serde(skip_serializing_if = "Option::is_none")]
    vault: Option<PathBuf>,
}

fn load_stored(dir: &Path) -> Stored {
    crate::memo::load(dir, FILE, "the default settings apply")
}

fn save_stored(dir: &Path, stored: &Stored) -> keyshelf_core::Result<()> {
    crate::memo::save(dir, FILE, stored).map_err(|e| Error::Config {
        path: dir.join(FILE),
        reason: e.to_string(),
    })
}

/// The saved preferences, or the defaults (an unreadable file is reported and ignored).
pub fn load(dir: &Path) -> Settings {
    load_stored(dir).settings
}

/// Saves `settings` (checked first) beside the device config, keeping the saved vault location.
pub fn save(dir: &Path, settings: Settings) -> keyshelf_core::Result<()> {
    settings.validate()?;
    save_stored(
        dir,
        &Stored {
            settings,
            ..load_stored(dir)
        },
    )
}

/// The vault location chosen in the app, if any.
pub fn vault_location(dir: &Path) -> Option<PathBuf> {
    load_stored(dir).vault.filter(|v| !v.as_os_str().is_empty())
}

/// Saves the vault location (`None`: back to the default file), keeping the preferences.
pub fn save_vault_location(dir: &Path, vault: Option<PathBuf>) -> keyshelf_core::Result<()> {
    save_stored(
        dir,
        &Stored {
            vault,
            ..load_stored(dir)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_absent_and_a_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(load(dir.path()), Settings::default());
        assert_eq!(load(dir.path()).idle_lock_minutes, 10);
        let mine = Settings {
            idle_lock_minutes: 3,
            lock_on_system_lock: false,
        };
        save(dir.path(), mine).expect("save");
        assert_eq!(load(dir.path()), mine);
        assert!(save(
            dir.path(),
            Settings {
                idle_lock_minutes: 0,
                ..mine
            }
        )
        .is_err());
        assert_eq!(load(dir.path()), mine, "a refused setting changes nothing");
    }

    #[test]
    fn the_vault_location_round_trips_beside_the_preferences() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(vault_location(dir.path()), None);
        let url = PathBuf::from("postgres://ada@db.example.com/keyshelf?sslmode=require");
        save_vault_location(dir.path(), Some(url.clone())).expect("save location");
        assert_eq!(vault_location(dir.path()), Some(url.clone()));
        assert_eq!(load(dir.path()), Settings::default());

        // Saving preferences keeps the location, and the location keeps the preferences.
        let mine = Settings {
            idle_lock_minutes: 7,
            lock_on_system_lock: false,
        };
        save(dir.path(), mine).expect("save settings");
        assert_eq!(vault_location(dir.path()), Some(url));
        save_vault_location(dir.path(), Some(PathBuf::from("/srv/team/vault.db"))).expect("save");
        assert_eq!(load(dir.path()), mine);
        assert_eq!(vault_location(dir.path()), Some(PathBuf::from("/srv/team/vault.db")));

        save_vault_location(dir.path(), None).expect("back to the default");
        assert_eq!(vault_location(dir.path()), None);
        assert_eq!(load(dir.path()), mine);

        // A settings.json written before the location existed still loads.
        std::fs::write(
            dir.path().join(FILE),
            br#"{"idle_lock_minutes": 4, "lock_on_system_lock": true}"#,
        )
        .expect("write");
        assert_eq!(load(dir.path()).idle_lock_minutes, 4);
        assert_eq!(vault_location(dir.path()), None);
    }

    #[test]
    fn idle_lock_bounds_are_enforced() {
        let at = |minutes| Settings {
            idle_lock_minutes: minutes,
            ..Settings::default()
        };
        assert!(at(1).validate().is_ok());
        assert!(at(Settings::MAX_IDLE_LOCK_MINUTES).validate().is_ok());
        for bad in [0, Settings::MAX_IDLE_LOCK_MINUTES + 1] {
            let message = at(bad).validate().expect_err("out of range").to_string();
            assert!(message.contains(&format!("{bad} minutes")), "{message}");
        }
    }
}
