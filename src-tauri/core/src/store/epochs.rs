//! Storage of scope key records (`scope_epochs`): each scope's keys, one per epoch, each signed
//! by whoever made it with a link proving they held the one before. Checked in `crate::epochs`.

use async_trait::async_trait;

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
