use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::secrets::SecretRows;

#[async_trait]
impl SecretRows for SqliteConnection {}
