use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::audit::AuditRows;

#[async_trait]
impl AuditRows for SqliteConnection {}
