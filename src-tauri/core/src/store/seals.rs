//! Storage of the chain of seals over each scope's set of secret states (`scope_state_seals`).
//!
//! A seal is made and checked by the vault (`vault/state.rs`); this only keeps the rows.

use async_trait::async_trait;

use super::sql::{args, Sql};
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

type Row = (i64, i64, Vec<u8>, Option<Vec<u8>>, Vec<u8>);

fn seal_row((seq, epoch, digest, prev_seal, seal): Row) -> SealRow {
    SealRow {
        seq,
        epoch,
        digest,
        prev_seal,
        seal,
    }
}

#[async_trait]
impl<C: Sql> SealRows for C {
    async fn newest_state_seal(&mut self, scope_id: &str) -> Result<Option<SealRow>> {
        let newest: Option<Row> = self
            .optional(
                "reading the seal of a scope",
                "SELECT seq, epoch, digest, prev_seal, seal FROM scope_state_seals WHERE scope_id = $1 ORDER BY seq DESC LIMIT 1",
                &args![scope_id],
            )
            .await?;
        Ok(newest.map(seal_row))
    }

    async fn state_seals_between(&mut self, scope_id: &str, from_seq: i64, to_seq: i64) -> Result<Vec<SealRow>> {
        let rows: Vec<Row> = self
            .all(
                "reading the seals of a scope",
                "SELECT seq, epoch, digest, prev_seal, seal FROM scope_state_seals
                 WHERE scope_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
                &args![scope_id, from_seq, to_seq],
            )
            .await?;
        Ok(rows.into_iter().map(seal_row).collect())
    }

    async fn has_state_seal(&mut self, scope_id: &str, seq: i64, seal: &[u8]) -> Result<bool> {
        let found: Option<i64> = self
            .optional_value(
                "reading what was written",
                "SELECT seq FROM scope_state_seals WHERE scope_id = $1 AND seq = $2 AND seal = $3",
                &args![scope_id, seq, seal],
            )
            .await?;
        Ok(found.is_some())
    }

    async fn insert_state_seal(&mut self, scope_id: &str, seal: &SealRow) -> Result<()> {
        self.execute(
            "sealing the secrets of a scope",
            "INSERT INTO scope_state_seals (scope_id, seq, epoch, digest, prev_seal, seal) VALUES ($1, $2, $3, $4, $5, $6)",
            &args![scope_id, seal.seq, seal.epoch, &seal.digest, &seal.prev_seal, &seal.seal],
        )
        .await
        .map(drop)
    }

    async fn delete_state_seals_before_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        self.execute(
            "sealing the secrets of a scope",
            "DELETE FROM scope_state_seals WHERE scope_id = $1 AND epoch < $2",
            &args![scope_id, epoch],
        )
        .await
        .map(drop)
    }
}
