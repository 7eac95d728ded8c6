//! Storage of the chain of seals over each scope's set of secret states (`scope_state_seals`).

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait SealRows {}
