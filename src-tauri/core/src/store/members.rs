//! Storage of members, their key envelopes (passphrase, recovery), grants, and removals.
//!
//! Rows as the file holds them: nothing here is believed until the domain checked its
//! signature (`team::roster` for admissions and removals, `team::members` for grants) or opened
//! it with a key (identities, envelopes, sealed scope keys).

use async_trait::async_trait;

use crate::crypto::KdfParams;
use crate::error::Result;

/// A member's public row.
#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub id: String,
    pub name: String,
    /// `owner`, `lead` or `member`.
    pub role: String,
    /// `active`, `pending` or `removed` (decides nothing by itself: see `team::roster`).
    pub status: String,
    pub sealing_public: Vec<u8>,
    pub signing_public: Vec<u8>,
}

/// A member's public row with their identity (secret keys) sealed under their account key.
#[derive(sqlx::FromRow)]
pub(crate) struct MemberIdentityRow {
    #[sqlx(flatten)]
    pub member: MemberRow,
    pub identity_nonce: Vec<u8>,
    pub identity_ciphertext: Vec<u8>,
}

/// A member to insert: their public keys and their sealed identity.
pub(crate) struct NewMember<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub status: &'a str,
    pub sealing_public: &'a [u8],
    pub signing_public: &'a [u8],
    pub identity_nonce: &'a [u8],
    pub identity_ciphertext: &'a [u8],
    pub created_at: i64,
}

/// A member's row as the roster reads it: admission (signed by `approved_by`) and, when there
/// is one, the removal row (signed by `removed_by`).
#[derive(sqlx::FromRow)]
pub(crate) struct RosterRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub status: String,
    /// Comma-separated project names (role lead).
    pub lead_of: String,
    pub sealing_public: Vec<u8>,
    pub signing_public: Vec<u8>,
    pub approved_by: Option<String>,
    pub approved_at: Option<i64>,
    pub approval_signature: Option<Vec<u8>>,
    pub removed_by: Option<String>,
    pub removed_at: Option<i64>,
    pub removal_audit_seq: Option<i64>,
    pub removal_signature: Option<Vec<u8>>,
}

/// An admission to record on a member's row (which also becomes `active`).
pub(crate) struct Admission<'a> {
    pub member_id: &'a str,
    pub role: &'a str,
    /// Comma-separated project names.
    pub lead_of: &'a str,
    pub approved_by: &'a str,
    pub approved_at: i64,
    pub signature: &'a [u8],
}

/// A removal to record, signed by the owner over the audit entry that logged it.
pub(crate) struct NewRemoval<'a> {
    pub member_id: &'a str,
    pub removed_by: &'a str,
    pub removed_at: i64,
    pub audit_seq: i64,
    pub signature: &'a [u8],
}

/// A key envelope: the account key wrapped by a passphrase-derived key (KDF parameters and salt
/// set) or by the recovery key (those `None`).
#[derive(sqlx::FromRow)]
pub(crate) struct EnvelopeRow {
    pub kdf_m_kib: Option<u32>,
    pub kdf_t: Option<u32>,
    pub kdf_p: Option<u32>,
    pub salt: Option<Vec<u8>>,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// A grant to insert: a scope key at one epoch, sealed to `member_id`, signed by `granted_by`.
pub(crate) struct NewGrant<'a> {
    pub scope_id: &'a str,
    pub member_id: &'a str,
    pub key_epoch: i64,
    pub sealed_key: &'a [u8],
    pub granted_by: &'a str,
    pub granted_at: i64,
    pub expires_at: Option<i64>,
    pub signature: &'a [u8],
}

/// A grant as the file holds it, with the signing key of the member it names as granter.
#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    pub member_id: String,
    pub sealed_key: Vec<u8>,
    pub granted_by: String,
    pub granted_at: i64,
    pub expires_at: Option<i64>,
    pub signature: Vec<u8>,
    /// `None` when `granted_by` is no member.
    pub granter_public: Option<Vec<u8>>,
}

/// A grant at its scope's current key that has expired.
#[derive(sqlx::FromRow)]
pub(crate) struct ExpiredGrant {
    pub project: String,
    pub environment: String,
    pub member_id: String,
    pub member_name: String,
}

#[async_trait]
pub(crate) trait MemberRows {
    /// Every member, in the order they were added (then by name).
    async fn all_members(&mut self) -> Result<Vec<MemberRow>>;
    async fn member_by_id(&mut self, member_id: &str) -> Result<Option<MemberRow>>;
    /// The id of the member called `name`, if any.
    async fn member_id_by_name(&mut self, name: &str) -> Result<Option<String>>;
    /// (name, sealing public key, signing public key) of the first member added as owner.
    async fn first_owner(&mut self) -> Result<Option<(String, Vec<u8>, Vec<u8>)>>;
    /// (sealing public key, signing public key) of a member; a missing member is a database
    /// error (callers found them in the roster read in the same transaction).
    async fn member_public_keys(&mut self, member_id: &str) -> Result<(Vec<u8>, Vec<u8>)>;
    async fn member_identity(&mut self, member_id: &str) -> Result<Option<MemberIdentityRow>>;
    async fn insert_member(&mut self, member: &NewMember<'_>) -> Result<()>;
    /// Records an admission on the member's row and sets it `active`.
    async fn record_admission(&mut self, admission: &Admission<'_>) -> Result<()>;
    /// Sets the member's status column to `removed` (the signed removal is what counts).
    async fn mark_member_removed(&mut self, member_id: &str) -> Result<()>;
    /// Whether the member's row says removed or a removal row names them, signed or not
    /// (false when there is no such member): for an error message only.
    async fn member_looks_removed(&mut self, member_id: &str) -> Result<bool>;
    /// Every member with their removal, if any, ordered as [`MemberRows::all_members`].
    async fn roster_rows(&mut self) -> Result<Vec<RosterRow>>;

    /// Stores a removal, replacing any earlier one of the same member.
    async fn write_removal(&mut self, removal: &NewRemoval<'_>) -> Result<()>;
    /// The audit seq of the member's removal row, if there is one.
    async fn removal_audit_seq(&mut self, member_id: &str) -> Result<Option<i64>>;

    /// Stores the member's passphrase envelope, replacing any earlier one.
    async fn store_passphrase_envelope(
        &mut self,
        member_id: &str,
        params: KdfParams,
        salt: &[u8],
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()>;
    /// Stores the member's recovery envelope, replacing any earlier one.
    async fn store_recovery_envelope(
        &mut self,
        member_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()>;
    /// The member's envelope of `kind` (`passphrase` or `recovery`).
    async fn key_envelope(&mut self, member_id: &str, kind: &str) -> Result<Option<EnvelopeRow>>;
    /// Deletes every envelope of the member.
    async fn delete_key_envelopes(&mut self, member_id: &str) -> Result<()>;

    async fn insert_grant(&mut self, grant: &NewGrant<'_>) -> Result<()>;
    /// `member_id`'s grant of the scope at `epoch`, with its granter's signing key.
    async fn grant_for(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<Option<GrantRow>>;
    /// Whether `member_id` has a grant row of the scope at `epoch` (signature not checked).
    async fn has_grant_row(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<bool>;
    /// Every grant of the scope at `epoch` whose granter is a member, with the granter's
    /// signing key (`granter_public` always set).
    async fn scope_grants(&mut self, scope_id: &str, epoch: i64) -> Result<Vec<GrantRow>>;
    /// (scope id, current key epoch, `project/environment`) of every scope where `member_id`
    /// has a grant row at the current key, ordered by project and environment.
    async fn scopes_granted_to(&mut self, member_id: &str) -> Result<Vec<(String, i64, String)>>;
    /// (project, environment) of every scope where `member_id` has a grant row at the current
    /// key, ordered by project and environment.
    async fn granted_scope_names(&mut self, member_id: &str) -> Result<Vec<(String, String)>>;
    /// `project/environment` of every scope where `member_id` has a grant row at the current
    /// key that has not expired at `now`.
    async fn unexpired_grant_labels(&mut self, member_id: &str, now: i64) -> Result<Vec<String>>;
    /// The grants at their scope's current key that expired at or before `now` (and whose
    /// member exists), ordered by project, environment and member name.
    async fn expired_grants(&mut self, now: i64) -> Result<Vec<ExpiredGrant>>;
    /// Deletes `member_id`'s grant of the scope at `epoch`, if any.
    async fn delete_grant(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<()>;
    /// Deletes the scope's grants at epochs before `epoch`.
    async fn delete_grants_before(&mut self, scope_id: &str, epoch: i64) -> Result<()>;
}
