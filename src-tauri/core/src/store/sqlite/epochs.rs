use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::epochs::EpochRows;

#[async_trait]
impl EpochRows for SqliteConnection {}
