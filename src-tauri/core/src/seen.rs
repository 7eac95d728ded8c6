//! What this device has verified of each vault: high-water marks a vault written back to an
//! older state cannot meet.
//!
//! Anyone who can write the vault can put old rows back (a revoked grant, an older key epoch, a
//! member's status before removal) or restore the whole file from a copy. Signatures cannot tell
//! an old signed fact from a current one; memory can. Each device keeps, beside its config
//! (`seen.json`, 0600): the newest audit entry it saw, each scope's newest key (epoch and id)
//! and the counter of its newest sealed set of secret states, the removals and the newest
//! admission of each member. A vault that no longer holds them went
//! back, and every command says so instead of using it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FILE: &str = "seen.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seen {
    /// The newest audit entry seen: its sequence number and hash (hex).
    pub audit_seq: i64,
    pub audit_hash: String,
    /// Scope id -> the newest key seen: (epoch, key id hex).
    pub epochs: BTreeMap<String, (i64, String)>,
    /// Members whose signed removal this device saw.
    pub removed: BTreeSet<String>,
    /// Member id -> the time of the newest admission of them seen.
    pub admitted: BTreeMap<String, i64>,
    /// Saved checks by others that this device's user read and agreed to run (digests).
    pub confirmed_checks: BTreeSet<String>,
    /// Scope id -> the newest seal of its set of secret states seen: (key epoch, seal number,
    /// seal hex).
    pub scope_states: BTreeMap<String, (i64, i64, String)>,
}

impl Seen {
    /// Records a seal of a scope's set, keeping the newer (by key epoch, then seal number).
    pub(crate) fn see_scope_state(&mut self, scope: String, mark: (i64, i64, String)) {
        let ours = self.scope_states.entry(scope).or_insert_with(|| mark.clone());
        if (mark.0, mark.1) > (ours.0, ours.1) {
            *ours = mark;
        }
    }

    /// Keeps the newer of each mark (another process of this device may have saved meanwhile).
    fn merge(&mut self, other: &Seen) {
        if other.audit_seq > self.audit_seq {
            self.audit_seq = other.audit_seq;
            self.audit_hash.clone_from(&other.audit_hash);
        }
        for (scope, mark) in &other.epochs {
            let ours = self.epochs.entry(scope.clone()).or_insert_with(|| mark.clone());
            if mark.0 > ours.0 {
                *ours = mark.clone();
            }
        }
        for (scope, mark) in &other.scope_states {
            self.see_scope_state(scope.clone(), mark.clone());
        }
        self.removed.extend(other.removed.iter().cloned());
        self.confirmed_checks.extend(other.confirmed_checks.iter().cloned());
        for (member, at) in &other.admitted {
            let ours = self.admitted.entry(member.clone()).or_insert(*at);
            *ours = (*ours).max(*at);
        }
    }
}

/// One vault's marks on this device, loaded once per session and saved after each commit.
#[derive(Debug)]
pub struct DeviceMemory {
    path: PathBuf,
    vault_id: String,
    seen: Mutex<Seen>,
}

impl DeviceMemory {
    pub fn load(config_dir: &Path, vault_id: &str) -> Result<Self> {
        let path = config_dir.join(FILE);
        let seen = read_all(&path)?.remove(vault_id).unwrap_or_default();
        Ok(Self {
            path,
            vault_id: vault_id.to_owned(),
            seen: Mutex::new(seen),
        })
    }

    pub fn snapshot(&self) -> Seen {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Changes the marks in memory; [`DeviceMemory::save`] writes them.
    pub fn update(&self, change: impl FnOnce(&mut Seen)) {
        if let Ok(mut seen) = self.seen.lock() {
            change(&mut seen);
        }
    }

    /// Writes the marks, merged with what the file holds now, atomically (temp file + rename).
    pub fn save(&self) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::config::create_private_dir(dir)?;
        let mut all = read_all(&self.path)?;
        let mine = self.snapshot();
        let entry = all.entry(self.vault_id.clone()).or_default();
        entry.merge(&mine);
        let text = serde_json::to_vec_pretty(&all).map_err(|e| Error::Config {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        crate::config::write_private_quickly(&self.path, &text)
    }
}

fn read_all(path: &Path) -> Result<BTreeMap<String, Seen>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_move_forward_across_processes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = DeviceMemory::load(dir.path(), "v").expect("load");
        let b = DeviceMemory::load(dir.path(), "v").expect("load");
        a.update(|s| {
            s.audit_seq = 9;
            s.audit_hash = "nine".into();
            s.epochs.insert("s1".into(), (3, "k3".into()));
        });
        a.save().expect("save a");
        // An older view saved later must not move the marks back.
        b.update(|s| {
            s.audit_seq = 4;
            s.audit_hash = "four".into();
            s.epochs.insert("s1".into(), (2, "k2".into()));
            s.removed.insert("m1".into());
        });
        b.save().expect("save b");
        let back = DeviceMemory::load(dir.path(), "v").expect("load").snapshot();
        assert_eq!((back.audit_seq, back.audit_hash.as_str()), (9, "nine"));
        assert_eq!(back.epochs["s1"], (3, "k3".into()));
        assert!(back.removed.contains("m1"));
        assert_eq!(
            DeviceMemory::load(dir.path(), "other").expect("load").snapshot(),
            Seen::default()
        );
    }
}
