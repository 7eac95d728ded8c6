//! Who is in the vault and what they may open: members and their key envelopes and grants
//! (`members`), whom this device trusts (`roster`), joining and admitting (`membership`), access
//! requests and their signed decisions (`requests`), revocation, removal and expiry by
//! rekeying (`revoke`), and machine identities with their tokens (`machine`).

pub mod machine;
pub mod members;
pub mod membership;
pub mod requests;
pub mod revoke;
pub mod roster;
