//! Storage of secrets and their versions: ciphertexts, metadata and the sealed state tags.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait SecretRows {}
