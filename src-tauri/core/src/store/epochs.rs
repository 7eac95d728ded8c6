//! Storage of scope key records (`scope_epochs`): each scope's signed keys.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait EpochRows {}
