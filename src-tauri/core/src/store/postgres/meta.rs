use async_trait::async_trait;
use sqlx::PgConnection;

use super::{error, FORMAT};
use crate::error::Result;
use crate::store::meta::MetaRows;

#[async_trait]
impl MetaRows for PgConnection {
    async fn vault_identity(&mut self) -> Result<Option<(String, String)>> {
        sqlx::query_as("SELECT id, name FROM vault")
            .fetch_optional(self)
            .await
            .map_err(|e| error("reading the vault", e))
    }

    async fn insert_vault(&mut self, id: &str, team: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO vault (singleton, id, name, format, created_at) VALUES (1, $1, $2, $3, $4)")
            .bind(id)
            .bind(team)
            .bind(FORMAT)
            .bind(now)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("creating the vault", e))
    }
}
