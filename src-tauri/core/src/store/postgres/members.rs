use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::crypto::KdfParams;
use crate::error::{Error, Result};
use crate::store::members::{
    Admission, EnvelopeRow, ExpiredGrant, GrantRow, MemberIdentityRow, MemberRow, MemberRows, NewGrant, NewMember,
    NewRemoval, RosterRow,
};

const MEMBER_COLUMNS: &str = "id, name, role, status, sealing_public, signing_public";

#[async_trait]
impl MemberRows for PgConnection {
    async fn all_members(&mut self) -> Result<Vec<MemberRow>> {
        sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members ORDER BY created_at, name COLLATE \"C\""
        ))
        .fetch_all(self)
        .await
        .map_err(|e| error("listing members", e))
    }

    async fn member_by_id(&mut self, member_id: &str) -> Result<Option<MemberRow>> {
        sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"))
            .bind(member_id)
            .fetch_optional(self)
            .await
            .map_err(|e| error("reading a member", e))
    }

    async fn member_id_by_name(&mut self, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT id FROM members WHERE name = $1")
            .bind(name)
            .fetch_optional(self)
            .await
            .map_err(|e| error("checking member names", e))
    }

    async fn first_owner(&mut self) -> Result<Option<(String, Vec<u8>, Vec<u8>)>> {
        sqlx::query_as(
            "SELECT name, sealing_public, signing_public FROM members WHERE role = 'owner' ORDER BY created_at LIMIT 1",
        )
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading the owner", e))
    }

    async fn member_public_keys(&mut self, member_id: &str) -> Result<(Vec<u8>, Vec<u8>)> {
        sqlx::query_as("SELECT sealing_public, signing_public FROM members WHERE id = $1")
            .bind(member_id)
            .fetch_one(self)
            .await
            .map_err(|e| error("reading a member", e))
    }

    async fn member_identity(&mut self, member_id: &str) -> Result<Option<MemberIdentityRow>> {
        sqlx::query_as(&format!(
            "SELECT {MEMBER_COLUMNS}, identity_nonce, identity_ciphertext FROM members WHERE id = $1"
        ))
        .bind(member_id)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a member identity", e))
    }

    async fn insert_member(&mut self, member: &NewMember<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(member.id)
        .bind(member.name)
        .bind(member.role)
        .bind(member.status)
        .bind(member.sealing_public)
        .bind(member.signing_public)
        .bind(member.identity_nonce)
        .bind(member.identity_ciphertext)
        .bind(member.created_at)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("adding a member", e))
    }

    async fn record_admission(&mut self, admission: &Admission<'_>) -> Result<()> {
        sqlx::query(
            "UPDATE members SET status = 'active', role = $1, lead_of = $2, approved_by = $3, approved_at = $4, approval_signature = $5
             WHERE id = $6",
        )
        .bind(admission.role)
        .bind(admission.lead_of)
        .bind(admission.approved_by)
        .bind(admission.approved_at)
        .bind(admission.signature)
        .bind(admission.member_id)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("admitting a member", e))
    }

    async fn mark_member_removed(&mut self, member_id: &str) -> Result<()> {
        sqlx::query("UPDATE members SET status = 'removed' WHERE id = $1")
            .bind(member_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("removing a member", e))
    }

    async fn member_looks_removed(&mut self, member_id: &str) -> Result<bool> {
        let removed: Option<bool> = sqlx::query_scalar(
            "SELECT status = 'removed' OR EXISTS (SELECT 1 FROM removals WHERE member_id = id) FROM members WHERE id = $1",
        )
        .bind(member_id)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a member", e))?;
        Ok(removed == Some(true))
    }

    async fn roster_rows(&mut self) -> Result<Vec<RosterRow>> {
        sqlx::query_as(
            "SELECT m.id, m.name, m.role, m.status, m.lead_of, m.sealing_public, m.signing_public, m.approved_by,
                    m.approved_at, m.approval_signature, r.removed_by, r.removed_at, r.audit_seq AS removal_audit_seq,
                    r.signature AS removal_signature
             FROM members m LEFT JOIN removals r ON r.member_id = m.id ORDER BY m.created_at, m.name COLLATE \"C\"",
        )
        .fetch_all(self)
        .await
        .map_err(|e| error("reading the roster", e))
    }

    async fn write_removal(&mut self, removal: &NewRemoval<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO removals (member_id, removed_by, removed_at, audit_seq, signature) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (member_id) DO UPDATE SET removed_by = EXCLUDED.removed_by,
               removed_at = EXCLUDED.removed_at, audit_seq = EXCLUDED.audit_seq, signature = EXCLUDED.signature",
        )
        .bind(removal.member_id)
        .bind(removal.removed_by)
        .bind(removal.removed_at)
        .bind(removal.audit_seq)
        .bind(removal.signature)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("removing a member", e))
    }

    async fn removal_audit_seq(&mut self, member_id: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT audit_seq FROM removals WHERE member_id = $1")
            .bind(member_id)
            .fetch_optional(self)
            .await
            .map_err(|e| error("reading what was written", e))
    }

    // One envelope of each kind per member: a new one replaces the old, and the columns it
    // leaves out become NULL, as SQLite's INSERT OR REPLACE does.
    async fn store_passphrase_envelope(
        &mut self,
        member_id: &str,
        params: KdfParams,
        salt: &[u8],
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO key_envelopes (member_id, kind, kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext, created_at)
             VALUES ($1, 'passphrase', $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (member_id, kind) DO UPDATE SET kdf_m_kib = EXCLUDED.kdf_m_kib,
               kdf_t = EXCLUDED.kdf_t, kdf_p = EXCLUDED.kdf_p, salt = EXCLUDED.salt, nonce = EXCLUDED.nonce,
               ciphertext = EXCLUDED.ciphertext, created_at = EXCLUDED.created_at",
        )
        .bind(member_id)
        .bind(i64::from(params.m_kib))
        .bind(i64::from(params.t))
        .bind(i64::from(params.p))
        .bind(salt)
        .bind(nonce)
        .bind(ciphertext)
        .bind(now)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("storing the passphrase envelope", e))
    }

    async fn store_recovery_envelope(
        &mut self,
        member_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO key_envelopes (member_id, kind, nonce, ciphertext, created_at)
             VALUES ($1, 'recovery', $2, $3, $4)
             ON CONFLICT (member_id, kind) DO UPDATE SET kdf_m_kib = EXCLUDED.kdf_m_kib,
               kdf_t = EXCLUDED.kdf_t, kdf_p = EXCLUDED.kdf_p, salt = EXCLUDED.salt, nonce = EXCLUDED.nonce,
               ciphertext = EXCLUDED.ciphertext, created_at = EXCLUDED.created_at",
        )
        .bind(member_id)
        .bind(nonce)
        .bind(ciphertext)
        .bind(now)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("storing the recovery envelope", e))
    }

    async fn key_envelope(&mut self, member_id: &str, kind: &str) -> Result<Option<EnvelopeRow>> {
        type Row = (Option<i64>, Option<i64>, Option<i64>, Option<Vec<u8>>, Vec<u8>, Vec<u8>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext FROM key_envelopes WHERE member_id = $1 AND kind = $2",
        )
        .bind(member_id)
        .bind(kind)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a key envelope", e))?;
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
        sqlx::query("DELETE FROM key_envelopes WHERE member_id = $1")
            .bind(member_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("removing a member", e))
    }

    async fn insert_grant(&mut self, grant: &NewGrant<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO grants (scope_id, member_id, key_epoch, sealed_key, granted_by, granted_at, expires_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(grant.scope_id)
        .bind(grant.member_id)
        .bind(grant.key_epoch)
        .bind(grant.sealed_key)
        .bind(grant.granted_by)
        .bind(grant.granted_at)
        .bind(grant.expires_at)
        .bind(grant.signature)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("storing a grant", e))
    }

    async fn grant_for(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<Option<GrantRow>> {
        sqlx::query_as(
            "SELECT g.member_id, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public AS granter_public
             FROM grants g LEFT JOIN members m ON m.id = g.granted_by
             WHERE g.scope_id = $1 AND g.member_id = $2 AND g.key_epoch = $3",
        )
        .bind(scope_id)
        .bind(member_id)
        .bind(epoch)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a grant", e))
    }

    async fn has_grant_row(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<bool> {
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT key_epoch FROM grants WHERE scope_id = $1 AND member_id = $2 AND key_epoch = $3",
        )
        .bind(scope_id)
        .bind(member_id)
        .bind(epoch)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading grants", e))?;
        Ok(held.is_some())
    }

    async fn scope_grants(&mut self, scope_id: &str, epoch: i64) -> Result<Vec<GrantRow>> {
        sqlx::query_as(
            "SELECT g.member_id, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public AS granter_public
             FROM grants g JOIN members m ON m.id = g.granted_by
             WHERE g.scope_id = $1 AND g.key_epoch = $2",
        )
        .bind(scope_id)
        .bind(epoch)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading grants", e))
    }

    async fn scopes_granted_to(&mut self, member_id: &str) -> Result<Vec<(String, i64, String)>> {
        sqlx::query_as(
            "SELECT s.id, s.key_epoch, p.name || '/' || e.name FROM scopes s
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             JOIN grants g ON g.scope_id = s.id AND g.key_epoch = s.key_epoch AND g.member_id = $1
             ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\"",
        )
        .bind(member_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("listing scopes", e))
    }

    async fn granted_scope_names(&mut self, member_id: &str) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT p.name, e.name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             WHERE g.member_id = $1 ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\"",
        )
        .bind(member_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading grants", e))
    }

    async fn unexpired_grant_labels(&mut self, member_id: &str, now: i64) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT p.name || '/' || e.name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             WHERE g.member_id = $1 AND (g.expires_at IS NULL OR g.expires_at > $2)",
        )
        .bind(member_id)
        .bind(now)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading grants", e))
    }

    async fn expired_grants(&mut self, now: i64) -> Result<Vec<ExpiredGrant>> {
        sqlx::query_as(
            "SELECT p.name AS project, e.name AS environment, g.member_id, m.name AS member_name FROM grants g
             JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
             JOIN environments e ON e.id = s.environment_id JOIN projects p ON p.id = e.project_id
             JOIN members m ON m.id = g.member_id
             WHERE g.expires_at IS NOT NULL AND g.expires_at <= $1 ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\", m.name COLLATE \"C\"",
        )
        .bind(now)
        .fetch_all(self)
        .await
        .map_err(|e| error("looking for expired grants", e))
    }

    async fn delete_grant(&mut self, scope_id: &str, member_id: &str, epoch: i64) -> Result<()> {
        sqlx::query("DELETE FROM grants WHERE scope_id = $1 AND member_id = $2 AND key_epoch = $3")
            .bind(scope_id)
            .bind(member_id)
            .bind(epoch)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("replacing a grant", e))
    }

    async fn delete_grants_before(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        sqlx::query("DELETE FROM grants WHERE scope_id = $1 AND key_epoch < $2")
            .bind(scope_id)
            .bind(epoch)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("rekeying a scope", e))
    }
}
