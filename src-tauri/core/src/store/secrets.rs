//! Storage of secrets and their versions: ciphertexts, metadata and the sealed state tags.
//!
//! A version's `state` is one of `current`, `previous`, `pending` or `retired`; at most one
//! version of a secret is current. Nothing here checks a state tag or opens a ciphertext: the
//! vault does, above this seam.

use async_trait::async_trait;

use crate::crypto::Sealed;
use crate::error::Result;

/// One stored version, as read back for decryption.
pub(crate) struct VersionRow {
    pub(crate) secret_id: String,
    pub(crate) name: String,
    pub(crate) version: i64,
    pub(crate) epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A version's number, the key epoch it is sealed under and its ciphertext.
pub(crate) struct SealedVersion {
    pub(crate) version: i64,
    pub(crate) epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A version of one secret in a given state.
#[derive(sqlx::FromRow)]
pub(crate) struct StateRow {
    pub(crate) version: i64,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
}

/// One version of a scope's secret to decrypt, with what `run` and `export` need of the secret.
#[derive(sqlx::FromRow)]
pub(crate) struct ScopeVersionRow {
    pub(crate) secret_id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) file_name: Option<String>,
    pub(crate) version: i64,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A new secret row. Its `last_rotated_at`, `created_at` and `updated_at` are all `now`.
pub(crate) struct NewSecret<'a> {
    pub(crate) id: &'a str,
    pub(crate) scope_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) is_file: bool,
    pub(crate) file_name: Option<&'a str>,
    /// The policy column: "default", "every", "on-deploy" or "manual".
    pub(crate) policy: &'a str,
    pub(crate) rotate_every_secs: Option<i64>,
    pub(crate) now: i64,
    pub(crate) state_tag: &'a [u8],
}

/// A new version row.
pub(crate) struct NewVersionRow<'a> {
    pub(crate) secret_id: &'a str,
    pub(crate) version: i64,
    pub(crate) state: &'a str,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: &'a [u8],
    pub(crate) ciphertext: &'a [u8],
    pub(crate) created_by: &'a str,
    pub(crate) created_at: i64,
}

/// Everything that decides a secret's sealed state, one row per version (a secret without
/// versions once, with the version columns `None`).
#[derive(sqlx::FromRow)]
pub(crate) struct SecretStateRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) file_name: Option<String>,
    pub(crate) exposed_at: Option<i64>,
    pub(crate) exposed_reason: Option<String>,
    pub(crate) state_tag: Option<Vec<u8>>,
    pub(crate) check_command: Option<String>,
    pub(crate) check_by: Option<String>,
    pub(crate) version: Option<i64>,
    pub(crate) state: Option<String>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
    pub(crate) note_nonce: Option<Vec<u8>>,
    pub(crate) note_ciphertext: Option<Vec<u8>>,
}

/// The check saved on a secret, as the file holds it (verified by the vault before any use).
pub(crate) struct SavedCheckRow {
    pub(crate) secret_id: String,
    pub(crate) command: Option<String>,
    pub(crate) by: Option<String>,
    pub(crate) signature: Option<Vec<u8>>,
}

/// A current, pending or previous version, as the listing shows it. The numbers are `None` when
/// the file holds something else there (the locked listing shows the file as it is).
pub(crate) struct LiveVersion {
    pub(crate) state: String,
    pub(crate) version: Option<i64>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) created_at: Option<i64>,
}

/// A listing row: a secret's metadata with its project and environment, never a value or a note.
pub(crate) struct SummaryRow {
    pub(crate) project: String,
    pub(crate) environment: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) is_file: bool,
    pub(crate) file_name: Option<String>,
    pub(crate) policy: String,
    pub(crate) rotate_every_secs: Option<i64>,
    pub(crate) project_id: i64,
    pub(crate) environment_id: i64,
    /// For an on-deploy secret: the first deployment of its scope after its last rotation.
    pub(crate) first_deploy_since: Option<i64>,
    pub(crate) last_rotated_at: i64,
    pub(crate) has_note: bool,
    pub(crate) updated_at: i64,
    pub(crate) exposed_at: Option<i64>,
    pub(crate) exposed_reason: Option<String>,
    /// Its versions in the states `current`, `pending` and `previous`, in no given order.
    pub(crate) live: Vec<LiveVersion>,
    pub(crate) check_command: Option<String>,
}

/// One entry of a secret's history.
#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    pub(crate) version: i64,
    pub(crate) state: String,
    pub(crate) created_at: i64,
    /// The creator's member name, or their id when no member has it.
    pub(crate) created_by: String,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
}

#[async_trait]
pub(crate) trait SecretRows {
    // Finding secrets.

    /// The secret of that name in the scope: its id and its latest version number (0 without
    /// versions).
    async fn secret_id_and_latest_version(&mut self, scope_id: &str, name: &str) -> Result<Option<(String, i64)>>;
    /// (name, id, latest version number or 0) of every secret of the scope.
    async fn secret_names_ids_and_latest_versions(&mut self, scope_id: &str) -> Result<Vec<(String, String, i64)>>;
    /// (version, author's name or id, created at) of the secret's current version.
    async fn current_version_by(&mut self, secret_id: &str) -> Result<Option<(i64, String, i64)>>;
    /// The id of the secret of that name in the scope (looked up to flag a leak).
    async fn secret_id_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<String>>;
    /// (kind, holds a file) of a secret that exists.
    async fn secret_kind_and_is_file(&mut self, secret_id: &str) -> Result<(String, bool)>;
    /// Names of the scope's on-deploy secrets last rotated before `at`, in name order.
    async fn on_deploy_secret_names_rotated_before(&mut self, scope_id: &str, at: i64) -> Result<Vec<String>>;

    // Writing secret rows.

    async fn insert_secret_rows(&mut self, rows: &[NewSecret<'_>]) -> Result<()>;
    async fn set_secret_file(&mut self, secret_id: &str, is_file: bool, file_name: Option<&str>) -> Result<()>;
    async fn set_secret_kind(&mut self, secret_id: &str, kind: &str) -> Result<()>;
    async fn set_secret_policy(&mut self, secret_id: &str, policy: &str, every_secs: Option<i64>) -> Result<()>;
    async fn set_secret_updated_at(&mut self, secret_id: &str, now: i64) -> Result<()>;
    /// Sets `updated_at` and `last_rotated_at` of each secret to `now` (a new current version).
    async fn mark_secrets_rotated(&mut self, secret_ids: &[&str], now: i64) -> Result<()>;
    /// Sets `updated_at` to `now` and `last_rotated_at` to when `version` of the secret was created
    /// (a rollback to it).
    async fn set_secret_rotated_at_version(&mut self, secret_id: &str, version: i64, now: i64) -> Result<()>;
    /// Deletes the secret of that name in the scope, with its versions. False when there is none.
    async fn delete_secret_by_name(&mut self, scope_id: &str, name: &str) -> Result<bool>;

    // Notes.

    /// Stores a sealed note (nonce, ciphertext), or removes it with `None`.
    async fn set_secret_note(&mut self, secret_id: &str, note: Option<(&[u8], &[u8])>) -> Result<()>;
    /// The id and sealed note (nonce, ciphertext) of the secret of that name in the scope.
    async fn secret_note_by_name(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<(Vec<u8>, Vec<u8>)>)>>;
    /// (id, name, nonce, ciphertext) of every note of the scope.
    async fn sealed_notes_of_scope(&mut self, scope_id: &str) -> Result<Vec<(String, String, Vec<u8>, Vec<u8>)>>;

    // Checks and exposure.

    /// The check saved on the secret of that name in the scope.
    async fn saved_check_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<SavedCheckRow>>;
    /// Whether a secret that exists has a saved check.
    async fn secret_has_saved_check(&mut self, secret_id: &str) -> Result<bool>;
    /// Saves a check (command, author, signature) on a secret, or removes it with `None`s, and
    /// sets its `updated_at`.
    async fn set_secret_check(&mut self, secret_id: &str, check: Option<(&str, &str, &[u8])>, now: i64) -> Result<()>;
    /// Removes the checks saved by `member_id` on the scope's secrets; how many there were.
    async fn clear_checks_saved_by(&mut self, scope_id: &str, member_id: &str) -> Result<u64>;
    /// Flags the secret of that name in the scope exposed at `at` for `reason`; its id, `None`
    /// when there is no such secret.
    async fn flag_secret_exposed(
        &mut self,
        scope_id: &str,
        name: &str,
        at: i64,
        reason: &str,
    ) -> Result<Option<String>>;

    // Versions.

    async fn insert_secret_versions(&mut self, rows: &[NewVersionRow<'_>]) -> Result<()>;
    /// The id of the secret of that name in the scope, and its current version if it has one.
    async fn secret_with_current_version(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<SealedVersion>)>>;
    /// The secret's highest-numbered version in `state`.
    async fn newest_version_in_state(&mut self, secret_id: &str, state: &str) -> Result<Option<StateRow>>;
    /// For every secret of the scope, by name: its current version, or with `previous` its
    /// previous version if that is readable until after `now`.
    async fn scope_versions_to_decrypt(
        &mut self,
        scope_id: &str,
        previous: bool,
        now: i64,
    ) -> Result<Vec<ScopeVersionRow>>;
    /// Every version of every secret of the scope, in any state.
    async fn all_versions_of_scope(&mut self, scope_id: &str) -> Result<Vec<VersionRow>>;
    /// Moves the versions of `secret_ids` in state `from` to `to`, setting their `retire_at`.
    async fn move_versions_state(
        &mut self,
        secret_ids: &[&str],
        from: &str,
        to: &str,
        retire_at: Option<i64>,
    ) -> Result<()>;
    async fn set_version_state(
        &mut self,
        secret_id: &str,
        version: i64,
        state: &str,
        retire_at: Option<i64>,
    ) -> Result<()>;
    /// The secret's previous versions whose `retire_at` is unset or not after `now` become retired.
    async fn retire_lapsed_previous(&mut self, secret_id: &str, now: i64) -> Result<()>;
    /// The secret's pending versions become retired (`retire_at` untouched).
    async fn retire_pending_versions(&mut self, secret_id: &str) -> Result<()>;
    /// Records a check outcome ("passed" or "failed") on `version` if it is still pending.
    async fn set_pending_check_status(&mut self, secret_id: &str, version: i64, status: &str) -> Result<()>;
    /// Replaces the ciphertexts of versions (secret id, version, new ciphertext), all now sealed
    /// under `key_epoch`.
    async fn reseal_versions(&mut self, key_epoch: i64, versions: &[(String, i64, Sealed)]) -> Result<()>;

    // Sealed state.

    /// The state of the scope's secrets (only `only` when given), ordered by secret id and then
    /// version.
    async fn secret_states(&mut self, scope_id: &str, only: Option<&str>) -> Result<Vec<SecretStateRow>>;
    /// (id, state tag) of every secret of the scope, in id order.
    async fn secret_state_tags(&mut self, scope_id: &str) -> Result<Vec<(String, Option<Vec<u8>>)>>;
    /// Sets the state tag of each secret (id, tag).
    async fn set_state_tags(&mut self, tags: &[(String, [u8; 32])]) -> Result<()>;

    // Listing.

    /// The listing, narrowed to a project and environment where given, ordered by project,
    /// environment and name.
    async fn secret_summaries(&mut self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SummaryRow>>;
    /// Secrets whose `project/environment/name` path contains `text` (case-insensitive, taken
    /// literally), in path order, at most `limit`.
    async fn search_secret_summaries(&mut self, text: &str, limit: i64) -> Result<Vec<SummaryRow>>;
    async fn secret_summary(&mut self, project: &str, environment: &str, name: &str) -> Result<Option<SummaryRow>>;
    /// Every version of a secret, newest first.
    async fn secret_history(&mut self, secret_id: &str) -> Result<Vec<HistoryRow>>;
}
