//! Storage of the audit log: the append-only, hash-chained, signed entries.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait AuditRows {}
