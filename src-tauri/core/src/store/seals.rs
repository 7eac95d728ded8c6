//! Storage of the chain of seals over each scope's set of secret states (`scope_state_seals`).
//!
//! A seal is made and checked by the vault (`vault/state.rs`); this only keeps the rows.

use async_trait::async_trait;

use crate::error::Result;

/// One seal of a scope's set: its place in the scope's chain (`seq`), the key epoch it was made
/// at, the digest of the set it sealed, the seal before it and the seal itself.
pub(crate) struct SealRow {
    pub(crate) seq: i64,
    pub(crate) epoch: i64,
    pub(crate) digest: Vec<u8>,
    pub(crate) prev_seal: Option<Vec<u8>>,
    pub(crate) seal: Vec<u8>,
}

#[async_trait]
pub(crate) trait SealRows {
    /// The scope's seal with the highest `seq`.
    async fn newest_state_seal(&mut self, scope_id: &str) -> Result<Option<SealRow>>;
    /// The scope's seals with `from_seq <= seq <= to_seq`, in `seq` order.
    async fn state_seals_between(&mut self, scope_id: &str, from_seq: i64, to_seq: i64) -> Result<Vec<SealRow>>;
    /// Whether the scope holds seal number `seq` with exactly that `seal`.
    async fn has_state_seal(&mut self, scope_id: &str, seq: i64, seal: &[u8]) -> Result<bool>;
    async fn insert_state_seal(&mut self, scope_id: &str, seal: &SealRow) -> Result<()>;
    /// Deletes the scope's seals made at key epochs before `epoch`.
    async fn delete_state_seals_before_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()>;
}
