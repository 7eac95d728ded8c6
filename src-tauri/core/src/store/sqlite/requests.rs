use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::requests::RequestRows;

#[async_trait]
impl RequestRows for SqliteConnection {}
