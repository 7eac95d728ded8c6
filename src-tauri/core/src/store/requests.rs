//! Storage of access requests and their signed decisions.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait RequestRows {}
