//! This device's side of a vault, the one door both shells use after unlocking: the owner key
//! it trusts, and what it has seen of the vault ([`crate::seen`]).

use std::path::Path;

use crate::config::DeviceConfig;
use crate::error::{Error, Result};
use crate::seen::DeviceMemory;
use crate::session::Session;
use crate::vault::Vault;

/// The owner key this device trusts for `vault`, and whether it was pinned just now: a
/// membership recorded before keys were pinned pins the vault's owner at first use.
pub async fn pinned_owner(config_dir: &Path, vault: &Vault) -> Result<(Vec<u8>, bool)> {
    let mut config = DeviceConfig::load(config_dir)?;
    let membership = config.vaults.get_mut(vault.id()).ok_or_else(|| Error::NotAMember {
        vault: vault.name().to_owned(),
    })?;
    if let Some(pinned) = membership.pinned_owner() {
        return Ok((pinned, false));
    }
    let owner_key = vault.owner_signing_key().await?;
    membership.pin_owner(&owner_key);
    config.save(config_dir)?;
    Ok((owner_key, true))
}

/// Makes an unlocked session this device's: it trusts the pinned owner key, refuses a vault
/// that went back from what this device saw (and a member who was removed), and remembers what
/// it sees from now on. `.1`: the owner key was pinned just now (the shell says so).
pub async fn attach(session: Session, config_dir: &Path) -> Result<(Session, bool)> {
    let (pinned, pinned_now) = pinned_owner(config_dir, session.vault()).await?;
    let memory = DeviceMemory::load(config_dir, session.vault().id())?;
    let session = session.with_pinned_owner(pinned).remember_on_device(memory).await?;
    Ok((session, pinned_now))
}

/// This device's memory of `vault`, for checks that need no unlock (`audit verify`).
pub fn memory(config_dir: &Path, vault: &Vault) -> Result<crate::seen::Seen> {
    Ok(DeviceMemory::load(config_dir, vault.id())?.snapshot())
}
