//! This device's preferences for the desktop app, in `settings.json` beside the device config:
//! locking policy belongs to the machine in front of the user, not to the team's vault, and the
//! CLI has none of it.

use std::path::Path;

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

/// The saved preferences, or the defaults (an unreadable file is reported and ignored).
pub fn load(dir: &Path) -> Settings {
    crate::memo::load(dir, FILE, "the default settings apply")
}

/// Saves `settings` (checked first) beside the device config.
pub fn save(dir: &Path, settings: Settings) -> keyshelf_core::Result<()> {
    settings.validate()?;
    crate::memo::save(dir, FILE, &settings).map_err(|e| Error::Config {
        path: dir.join(FILE),
        reason: e.to_string(),
    })
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
