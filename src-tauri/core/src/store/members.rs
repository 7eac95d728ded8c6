//! Storage of members, their key envelopes (passphrase, recovery), grants, and removals.
//!
//! Rows as the file holds them: nothing here is believed until the domain checked its
//! signature (`team::roster` for admissions and removals, `team::members` for grants) or opened
//! it with a key (identities, envelopes, sealed scope keys).

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::crypto::KdfParams;
use crate::error::{Error, Result};

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

const MEMBER_COLUMNS: &str = "id, name, role, status, sealing_public, signing_public";

#[async_trait]
impl<C: Sql> MemberRows for C {
    async fn all_members(&mut self) -> Result<Vec<MemberRow>> {
        self.all(
            "listing members",
            &format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY created_at, name"),
            &[],
        )
        .await
    }

    async fn member_by_id(&mut self, member_id: &str) -> Result<Option<MemberRow>> {
        self.optional(
            "reading a member",
            &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"),
            &args![member_id],
        )
        .await
    }

    async fn member_id_by_name(&mut self, name: &str) -> Result<Option<String>> {
        self.optional_value(
            "checking member names",
            "SELECT id FROM members WHERE name = $1 AND status <> 'removed'",
            &args![name],
        )
        .await
    }

    async fn first_owner(&mut self) -> Result<Option<(String, Vec<u8>, Vec<u8>)>> {
        self.optional(
            "reading the owner",
            "SELECT name, sealing_public, signing_public FROM members WHERE role = 'owner' ORDER BY created_at LIMIT 1",
            &[],
        )
        .await
    }

    async fn member_public_keys(&mut self, member_id: &str) -> Result<(Vec<u8>, Vec<u8>)> {
        self.one(
            "reading a member",
            "SELECT sealing_public, signing_public FROM members WHERE id = $1",
            &args![member_id],
        )
        .await
    }

    async fn member_identity(&mut self, member_id: &str) -> Result<Option<MemberIdentityRow>> {
        self.optional(
            "reading a member identity",
            &format!("SELECT {MEMBER_COLUMNS}, identity_nonce, identity_ciphertext FROM members WHERE id = $1"),
            &args![member_id],
        )
        .await
    }

    async fn insert_member(&mut self, member: &NewMember<'_>) -> Result<()> {
        self.execute(
            "adding a member",
            "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &args![
                member.id,
                member.name,
                member.role,
                member.status,
                member.sealing_public,
                member.signing_public,
                member.identity_nonce,
                member.identity_ciphertext,
                member.created_at,
            ],
        )
        .await
        .map(drop)
    }

    async fn record_admission(&mut self, admission: &Admission<'_>) -> Result<()> {
        self.execute(
            "admitting a member",
            "UPDATE members SET status = 'active', role = $1, lead_of = $2, approved_by = $3, approved_at = $4, approval_signature = $5
             WHERE id = $6",
            &args![
                admission.role,
                admission.lead_of,
                admission.approved_by,
                admission.approved_at,
                admission.signature,
                admission.member_id,
            ],
        )
        .await
        .map(drop)
    }

    async fn mark_member_removed(&mut self, member_id: &str) -> Result<()> {
        self.execute(
            "removing a member",
            "UPDATE members SET status = 'removed' WHERE id = $1",
            &args![member_id],
        )
        .await
        .map(drop)
    }

    async fn member_looks_removed(&mut self, member_id: &str) -> Result<bool> {
        let removed: Option<bool> = self
            .optional_value(
                "reading a member",
                "SELECT status = 'removed' OR EXISTS (SELECT 1 FROM removals WHERE member_id = id) FROM members WHERE id = $1",
                &args![member_id],
            )
            .await?;
        Ok(removed == Some(true))
    }

    async fn roster_rows(&mut self) -> Result<Vec<RosterRow>> {
        self.all(
            "reading the roster",
            "SELECT m.id, m.name, m.role, m.status, m.lead_of, m.sealing_public, m.signing_public, m.approved_by,
                    m.approved_at, m.approval_signature, r.removed_by, r.removed_at, r.audit_seq AS removal_audit_seq,
                    r.signature AS removal_signature
             FROM members m LEFT JOIN removals r ON r.member_id = m.id ORDER BY m.created_at, m.name",
            &[],
        )
        .await
    }

    async fn write_removal(&mut self, removal: &NewRemoval<'_>) -> Result<()> {
        self.execute(
            "removing a member",
            "INSERT INTO removals (member_id, removed_by, removed_at, audit_seq, signature) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (member_id) DO UPDATE SET removed_by = EXCLUDED.removed_by,
               removed_at = EXCLUDED.removed_at, audit_seq = EXCLUDED.audit_seq, signature = EXCLUDED.signature",
            &args![
                removal.member_id,
                removal.removed_by,
                removal.removed_at,
                removal.audit_seq,
                removal.signature,
            ],
        )
        .await
        .map(drop)
    }

    async fn removal_audit_seq(&mut self, member_id: &str) -> Result<Option<i64>> {
        self.optional_value(
            "reading what was written",
            "SELECT audit_seq FROM removals WHERE member_id = $1",
            &args![member_id],
        )
        .await
    }

    // One envelope of each kind per member: a new one replaces the old, and the columns it
    // leaves out become NULL.
    async fn store_passphrase_envelope(
        &mut self,
        member_id: &str,
        params: KdfParams,
        salt: &[u8],
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()> {
        self.execute(
            "storing the passphrase envelope",
            "INSERT INTO key_envelopes (member_id, kind, kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext, created_at)
             VALUES ($1, 'passphrase', $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (member_id, kind) DO UPDATE SET kdf_m_kib = EXCLUDED.kdf_m_kib,
               kdf_t = EXCLUDED.kdf_t, kdf_p = EXCLUDED.kdf_p, salt = EXCLUDED.salt, nonce = EXCLUDED.nonce,
               ciphertext = EXCLUDED.ciphertext, created_at = EXCLUDED.created_at",
            &args![
                member_id,
                i64::from(params.m_kib),
                i64::from(params.t),
                i64::from(params.p),
                salt,
                nonce,
                ciphertext,
                now,
            ],
        )
        .await
        .map(drop)
    }

    async fn store_recovery_envelope(
        &mut self,
        member_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()> {
        self.execute(
            "storing the recovery envelope",
            "INSERT INTO key_envelopes (member_id, kind, nonce, ciphertext, created_at)
             VALUES ($1, 'recovery', $2, $3, $4)
             ON CONFLICT (member_id, kind) DO UPDATE SET kdf_m_kib = EXCLUDED.kdf_m_kib,
               kdf_t = EXCLUDED.kdf_t, kdf_p = EXCLUDED.kdf_p, salt = EXCLUDED.salt, nonce = EXCLUDED.nonce,
               ciphertext = EXCLUDED.ciphertext, created_at = EXCLUDED.created_at",
            &args![member_id, nonce, ciphertext, now],
        )
        .await
        .map(drop)
    }

    async fn key_envelope(&mut self, member_id: &str, kind: &str) -> Result<Option<EnvelopeRow>> {
        // The KDF parameters are u32, stored as 64-bit integers (PostgreSQL has no unsigned type).
        type Row = (Option<i64>, Option<i64>, Option<i64>, Option<Vec<u8>>, Vec<u8>, Vec<u8>);
        let row: Option<Row> = self
            .optional(
                "reading a key envelope",
                "SELECT kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext FROM key_envelopes WHERE member_id = $1 AND kind = $2",
                &args![member_id, kind],
            )
            .await?;
        let param = |v: Option<i64>| {
            v.map(u32::try_from).transpose().map_err(|_| Error::Corrupt {
                context: "a key envelope's KDF parameters are out of range".into(),
            })
        };
        row.map(|(m, t, p, salt, nonce, ciphertext)| {
            Ok(EnvelopeRow {
                kdf_m_kib: param(m)?,
                kdf_t: param(t)?,
                kdf_p: param(p)?,
                salt,
                nonce,
                ciphertext,
            })
        })
        .transpose()
    }

    async fn delete_key_envelopes(&mut self, member_id: &str) -> Result<()> {
        self.execute(
            "removing a member",
            "DELETE FROM key_envelopes WHERE member_id = $1",
            &args![member_id],
        )
        .await
        .map(drop)
    }

    async fn insert_grant(&mut self, grant: &NewGrant<'_>) -> Result<()> {
        self.execute(
            "storing a grant",
            "INSERT INTO grants (scope_id, member_id, key_epoch, sealed_key, granted_by, granted_at, expires_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &args![
                grant.scope_id,
                grant.member_id,
                grant.key_epoch,
                grant.sealed_key,
                grant.granted_by,
                grant.granted_at,
                grant.expires_at,
                grant.signature,
            ],
        )
        .await
        .map(drop)
    }

    async fn grant_for(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<Option<GrantRow>> {
        self.optional(
            "reading a grant",
            "SELECT g.member_id, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public AS granter_public
             FROM grants g LEFT JOIN members m ON m.id = g.granted_by
             WHERE g.scope_id = $1 AND g.member_id = $2 AND g.key_epoch = $3",
            &args![scope_id, member_id, epoch],
        )
        .await
    }

    async fn has_grant_row(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<bool> {
        let held: Option<i64> = self
            .optional_value(
                "reading grants",
                "SELECT key_epoch FROM grants WHERE scope_id = $1 AND member_id = $2 AND key_epoch = $3",
                &args![scope_id, member_id, epoch],
            )
            .await?;
        Ok(held.is_some())
    }

    async fn scope_grants(&mut self, scope_id: &str, epoch: i64) -> Result<Vec<GrantRow>> {
        self.all(
            "reading grants",
            "SELECT g.member_id, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public AS granter_public
             FROM grants g JOIN members m ON m.id = g.granted_by
             WHERE g.scope_id = $1 AND g.key_epoch = $2",
            &args![scope_id, epoch],
        )
        .await
    }

    async fn scopes_granted_to(&mut self, member_id: &str) -> Result<Vec<(String, i64, String)>> {
        self.all(
            "listing scopes",
            "SELECT s.id, s.key_epoch, p.name || '/' || e.name FROM scopes s
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             JOIN grants g ON g.scope_id = s.id AND g.key_epoch = s.key_epoch AND g.member_id = $1
             ORDER BY p.name, e.name",
            &args![member_id],
        )
        .await
    }

    async fn granted_scope_names(&mut self, member_id: &str) -> Result<Vec<(String, String)>> {
        self.all(
            "reading grants",
            "SELECT p.name, e.name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             WHERE g.member_id = $1 ORDER BY p.name, e.name",
            &args![member_id],
        )
        .await
    }

    async fn unexpired_grant_labels(&mut self, member_id: &str, now: i64) -> Result<Vec<String>> {
        self.column(
            "reading grants",
            "SELECT p.name || '/' || e.name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             WHERE g.member_id = $1 AND (g.expires_at IS NULL OR g.expires_at > $2)",
            &args![member_id, now],
        )
        .await
    }

    async fn expired_grants(&mut self, now: i64) -> Result<Vec<ExpiredGrant>> {
        self.all(
            "looking for expired grants",
            "SELECT p.name AS project, e.name AS environment, g.member_id, m.name AS member_name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             JOIN members m ON m.id = g.member_id
             WHERE g.expires_at IS NOT NULL AND g.expires_at <= $1 ORDER BY p.name, e.name, m.name",
            &args![now],
        )
        .await
    }

    async fn delete_grant(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<()> {
        self.execute(
            "replacing a grant",
            "DELETE FROM grants WHERE scope_id = $1 AND member_id = $2 AND key_epoch = $3",
            &args![scope_id, member_id, epoch],
        )
        .await
        .map(drop)
    }

    async fn delete_grants_before(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        self.execute(
            "rekeying a scope",
            "DELETE FROM grants WHERE scope_id = $1 AND key_epoch < $2",
            &args![scope_id, epoch],
        )
        .await
        .map(drop)
    }
}
