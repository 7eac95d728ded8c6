//! Storage of members, their key envelopes (passphrase, recovery), grants, and removals.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait MemberRows {}
