use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::seals::{SealRow, SealRows};

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
impl SealRows for PgConnection {
    async fn newest_state_seal(&mut self, scope_id: &str) -> Result<Option<SealRow>> {
        let newest: Option<Row> = sqlx::query_as(
            "SELECT seq, epoch, digest, prev_seal, seal FROM scope_state_seals WHERE scope_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(scope_id)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading the seal of a scope", e))?;
        Ok(newest.map(seal_row))
    }

    async fn state_seals_between(&mut self, scope_id: &str, from_seq: i64, to_seq: i64) -> Result<Vec<SealRow>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, epoch, digest, prev_seal, seal FROM scope_state_seals
             WHERE scope_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
        )
        .bind(scope_id)
        .bind(from_seq)
        .bind(to_seq)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading the seals of a scope", e))?;
        Ok(rows.into_iter().map(seal_row).collect())
    }

    async fn has_state_seal(&mut self, scope_id: &str, seq: i64, seal: &[u8]) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM scope_state_seals WHERE scope_id = $1 AND seq = $2 AND seal = $3")
                .bind(scope_id)
                .bind(seq)
                .bind(seal)
                .fetch_optional(self)
                .await
                .map_err(|e| error("reading what was written", e))?;
        Ok(found.is_some())
    }

    async fn insert_state_seal(&mut self, scope_id: &str, seal: &SealRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO scope_state_seals (scope_id, seq, epoch, digest, prev_seal, seal) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(scope_id)
        .bind(seal.seq)
        .bind(seal.epoch)
        .bind(&seal.digest)
        .bind(seal.prev_seal.as_deref())
        .bind(&seal.seal)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("sealing the secrets of a scope", e))
    }

    async fn delete_state_seals_before_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        sqlx::query("DELETE FROM scope_state_seals WHERE scope_id = $1 AND epoch < $2")
            .bind(scope_id)
            .bind(epoch)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("sealing the secrets of a scope", e))
    }
}
