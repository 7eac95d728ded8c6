use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::audit::{AuditEntry, AuditRows, ChainEntry, NewEntry};

const READING: &str = "reading the audit log";

#[async_trait]
impl AuditRows for PgConnection {
    async fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        sqlx::query_as("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self)
            .await
            .map_err(|e| error(READING, e))
    }

    async fn audit_hash_and_head(&mut self, seq: i64) -> Result<(Option<Vec<u8>>, Option<(i64, Vec<u8>)>)> {
        let row: Option<(Option<Vec<u8>>, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT (SELECT hash FROM audit WHERE seq = $1), seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        )
        .bind(seq)
        .fetch_optional(self)
        .await
        .map_err(|e| error(READING, e))?;
        Ok(match row {
            Some((at_seq, head_seq, head_hash)) => (at_seq, Some((head_seq, head_hash))),
            None => (None, None),
        })
    }

    async fn insert_audit_entry(&mut self, entry: &NewEntry<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit (seq, at, actor, device, action, target, prev_hash, hash, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.seq)
        .bind(entry.at)
        .bind(entry.actor)
        .bind(entry.device)
        .bind(entry.action)
        .bind(entry.target)
        .bind(entry.prev_hash)
        .bind(entry.hash)
        .bind(entry.signature)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("writing the audit log (the operation was refused)", e))
    }

    async fn audit_chain(&mut self) -> Result<Vec<ChainEntry>> {
        sqlx::query_as(
            "SELECT a.seq, a.at, a.actor, a.device, a.action, a.target, a.prev_hash, a.hash, a.signature,
                    m.signing_public
             FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq",
        )
        .fetch_all(self)
        .await
        .map_err(|e| error(READING, e))
    }

    async fn audit_actors(&mut self) -> Result<Vec<(i64, String, String, Option<String>)>> {
        sqlx::query_as(
            "SELECT a.seq, a.actor, a.action, m.name FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq",
        )
        .fetch_all(self)
        .await
        .map_err(|e| error(READING, e))
    }

    async fn read_targets(&mut self, actor: &str, prefix: &str) -> Result<Vec<String>> {
        let escaped = prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        sqlx::query_scalar(
            "SELECT DISTINCT target FROM audit WHERE actor = $1 AND action LIKE 'secret.read%' AND target LIKE $2 ESCAPE '\\'",
        )
        .bind(actor)
        .bind(format!("{escaped}%"))
        .fetch_all(self)
        .await
        .map_err(|e| error(READING, e))
    }

    async fn recent_audit(&mut self, limit: i64) -> Result<Vec<AuditEntry>> {
        sqlx::query_as(
            "SELECT a.seq, a.at, COALESCE(m.name, a.actor) AS actor, a.device, a.action, a.target
             FROM audit a LEFT JOIN members m ON m.id = a.actor ORDER BY a.seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self)
        .await
        .map_err(|e| error(READING, e))
    }
}
