//! Storage of rotation overrides (per project or environment) and deployment marks.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait RotationRows {}
