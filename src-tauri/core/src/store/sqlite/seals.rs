use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::seals::SealRows;

#[async_trait]
impl SealRows for SqliteConnection {}
