use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::error;
use crate::error::Result;
use crate::store::members::MemberRows;

#[async_trait]
impl MemberRows for SqliteConnection {}
