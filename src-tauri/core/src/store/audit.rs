//! Storage of the audit log: append-only, hash-chained, signed entries. The engine stores and
//! returns them; the chain, the signatures and who may sign are checked in `crate::audit`.

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// One entry as written.
pub(crate) struct NewEntry<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub device: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub prev_hash: &'a [u8],
    pub hash: &'a [u8],
    pub signature: &'a [u8],
}

/// One entry as read back for verification, with its actor's signing key when the actor is a
/// member row.
#[derive(sqlx::FromRow)]
pub(crate) struct ChainEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub device: String,
    pub action: String,
    pub target: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    pub signature: Vec<u8>,
    pub signing_public: Option<Vec<u8>>,
}

/// An entry as shown, its actor by name when known.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub device: String,
    pub action: String,
    pub target: String,
}

#[async_trait]
pub(crate) trait AuditRows {
    /// The newest entry's (seq, hash).
    async fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>>;
    /// The hash of entry `seq` (if it exists) and the newest entry's (seq, hash), together:
    /// every commit of a device with memory asks both.
    async fn audit_hash_and_head(&mut self, seq: i64) -> Result<(Option<Vec<u8>>, Option<(i64, Vec<u8>)>)>;
    async fn insert_audit_entry(&mut self, entry: &NewEntry<'_>) -> Result<()>;
    /// Every entry in order.
    async fn audit_chain(&mut self) -> Result<Vec<ChainEntry>>;
    /// (seq, actor id, action, actor's name) of every entry in order.
    async fn audit_actors(&mut self) -> Result<Vec<(i64, String, String, Option<String>)>>;
    /// The distinct targets of `actor`'s value reads (`secret.read*`) that start with `prefix`.
    async fn read_targets(&mut self, actor: &str, prefix: &str) -> Result<Vec<String>>;
    /// The newest `limit` entries, newest first.
    async fn recent_audit(&mut self, limit: i64) -> Result<Vec<AuditEntry>>;
}

const READING: &str = "reading the audit log";

#[async_trait]
impl<C: Sql> AuditRows for C {
    async fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        self.optional(READING, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])
            .await
    }

    async fn audit_hash_and_head(&mut self, seq: i64) -> Result<(Option<Vec<u8>>, Option<(i64, Vec<u8>)>)> {
        let row: Option<(Option<Vec<u8>>, i64, Vec<u8>)> = self
            .optional(
                READING,
                "SELECT (SELECT hash FROM audit WHERE seq = $1), seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                &args![seq],
            )
            .await?;
        Ok(match row {
            Some((at_seq, head_seq, head_hash)) => (at_seq, Some((head_seq, head_hash))),
            None => (None, None),
        })
    }

    async fn insert_audit_entry(&mut self, entry: &NewEntry<'_>) -> Result<()> {
        self.execute(
            "writing the audit log (the operation was refused)",
            "INSERT INTO audit (seq, at, actor, device, action, target, prev_hash, hash, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &args![
                entry.seq,
                entry.at,
                entry.actor,
                entry.device,
                entry.action,
                entry.target,
                entry.prev_hash,
                entry.hash,
                entry.signature,
            ],
        )
        .await
        .map(drop)
    }

    async fn audit_chain(&mut self) -> Result<Vec<ChainEntry>> {
        self.all(
            READING,
            "SELECT a.seq, a.at, a.actor, a.device, a.action, a.target, a.prev_hash, a.hash, a.signature,
                    m.signing_public
             FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq",
            &[],
        )
        .await
    }

    async fn audit_actors(&mut self) -> Result<Vec<(i64, String, String, Option<String>)>> {
        self.all(
            READING,
            "SELECT a.seq, a.actor, a.action, m.name FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq",
            &[],
        )
        .await
    }

    async fn read_targets(&mut self, actor: &str, prefix: &str) -> Result<Vec<String>> {
        let escaped = prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("{escaped}%");
        self.column(
            READING,
            "SELECT DISTINCT target FROM audit WHERE actor = $1 AND action LIKE 'secret.read%' AND target LIKE $2 ESCAPE '\\'",
            &args![actor, &pattern],
        )
        .await
    }

    async fn recent_audit(&mut self, limit: i64) -> Result<Vec<AuditEntry>> {
        self.all(
            READING,
            "SELECT a.seq, a.at, COALESCE(m.name, a.actor) AS actor, a.device, a.action, a.target
             FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq DESC LIMIT $1",
            &args![limit],
        )
        .await
    }
}
