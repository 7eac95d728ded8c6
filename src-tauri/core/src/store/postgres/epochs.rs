use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::epochs::{EpochRows, KeyRecordRow};

#[async_trait]
impl EpochRows for PgConnection {
    async fn insert_key_record(&mut self, scope_id: &str, record: &KeyRecordRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO scope_epochs (scope_id, epoch, key_id, link_nonce, link_ciphertext, signed_by, signed_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(scope_id)
        .bind(record.epoch)
        .bind(&record.key_id)
        .bind(&record.link_nonce)
        .bind(&record.link_ciphertext)
        .bind(&record.signed_by)
        .bind(record.signed_at)
        .bind(&record.signature)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("recording a scope key", e))
    }

    async fn key_records_from(&mut self, scope_id: &str, from: i64) -> Result<Vec<KeyRecordRow>> {
        sqlx::query_as(
            "SELECT epoch, key_id, link_nonce, link_ciphertext, signed_by, signed_at, signature
             FROM scope_epochs WHERE scope_id = $1 AND epoch >= $2 ORDER BY epoch",
        )
        .bind(scope_id)
        .bind(from)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading scope key records", e))
    }

    async fn has_key_record(&mut self, scope_id: &str, epoch: i64, key_id: &[u8]) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT epoch FROM scope_epochs WHERE scope_id = $1 AND epoch = $2 AND key_id = $3")
                .bind(scope_id)
                .bind(epoch)
                .bind(key_id)
                .fetch_optional(self)
                .await
                .map_err(|e| error("reading what was written", e))?;
        Ok(found.is_some())
    }
}
