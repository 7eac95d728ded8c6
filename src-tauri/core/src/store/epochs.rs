//! Storage of scope key records (`scope_epochs`): each scope's keys, one per epoch, each signed
//! by whoever made it with a link proving they held the one before. Checked in `crate::epochs`.

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// One key record.
#[derive(sqlx::FromRow)]
pub(crate) struct KeyRecordRow {
    pub epoch: i64,
    pub key_id: Vec<u8>,
    pub link_nonce: Option<Vec<u8>>,
    pub link_ciphertext: Option<Vec<u8>>,
    pub signed_by: String,
    pub signed_at: i64,
    pub signature: Vec<u8>,
}

#[async_trait]
pub(crate) trait EpochRows {
    async fn insert_key_record(&mut self, scope_id: &str, record: &KeyRecordRow) -> Result<()>;
    /// The scope's records from epoch `from` on, oldest first.
    async fn key_records_from(&mut self, scope_id: &str, from: i64) -> Result<Vec<KeyRecordRow>>;
    async fn has_key_record(&mut self, scope_id: &str, epoch: i64, key_id: &[u8]) -> Result<bool>;
}

#[async_trait]
impl<C: Sql> EpochRows for C {
    async fn insert_key_record(&mut self, scope_id: &str, record: &KeyRecordRow) -> Result<()> {
        self.execute(
            "recording a scope key",
            "INSERT INTO scope_epochs (scope_id, epoch, key_id, link_nonce, link_ciphertext, signed_by, signed_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &args![
                scope_id,
                record.epoch,
                &record.key_id,
                &record.link_nonce,
                &record.link_ciphertext,
                &record.signed_by,
                record.signed_at,
                &record.signature,
            ],
        )
        .await
        .map(drop)
    }

    async fn key_records_from(&mut self, scope_id: &str, from: i64) -> Result<Vec<KeyRecordRow>> {
        self.all(
            "reading scope key records",
            "SELECT epoch, key_id, link_nonce, link_ciphertext, signed_by, signed_at, signature
             FROM scope_epochs WHERE scope_id = $1 AND epoch >= $2 ORDER BY epoch",
            &args![scope_id, from],
        )
        .await
    }

    async fn has_key_record(&mut self, scope_id: &str, epoch: i64, key_id: &[u8]) -> Result<bool> {
        let found: Option<i64> = self
            .optional_value(
                "reading what was written",
                "SELECT epoch FROM scope_epochs WHERE scope_id = $1 AND epoch = $2 AND key_id = $3",
                &args![scope_id, epoch, key_id],
            )
            .await?;
        Ok(found.is_some())
    }
}
