use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::rotation::RotationRows;

#[async_trait]
impl RotationRows for SqliteConnection {}
