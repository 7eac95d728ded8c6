//! This device's side of a vault, the one door both shells use: creating a vault or joining one
//! and recording the membership (undone when it cannot be recorded), the owner key it trusts, and
//! what it has seen of the vault ([`crate::seen`]).

use std::path::Path;

use zeroize::Zeroizing;

use crate::config::{DeviceConfig, Membership};
use crate::crypto::{KdfParams, MachineToken, RecoveryKey};
use crate::error::{Error, Result};
use crate::keychain::KeyCache;
use crate::seen::DeviceMemory;
use crate::session::{Created, PassphraseSource, Session, UnlockReport};
use crate::team::membership::Joined;
use crate::vault::{NewVault, Vault};

/// This device's member id in `vault`, or "not a member".
pub fn member_id(config: &DeviceConfig, vault: &Vault) -> Result<String> {
    config
        .membership(vault.id())
        .map(|m| m.member_id.clone())
        .ok_or_else(|| Error::NotAMember {
            vault: vault.name().to_owned(),
        })
}

/// A session this device opened, and how.
pub struct Unlocked {
    pub session: Session,
    pub report: UnlockReport,
    /// The owner key was pinned just now (trust on first use): the shell says so.
    pub pinned_now: bool,
}

/// Opens the vault at `path` as this device's member: the account key from the OS keychain if it
/// is there, else a passphrase from `passphrase` (the shell's prompt, variable or dialog); then
/// attaches the session to this device ([`attach`]). A keychain failure is reported, not fatal.
pub async fn unlock(
    config_dir: &Path,
    path: &Path,
    keychain: &dyn KeyCache,
    passphrase: PassphraseSource<'_>,
) -> Result<Unlocked> {
    let vault = Vault::open(path).await?;
    let config = DeviceConfig::load(config_dir)?;
    let member_id = member_id(&config, &vault)?;
    let (session, report) = crate::session::unlock(vault, &member_id, &config.device_id, keychain, passphrase).await?;
    let (session, pinned_now) = attach(session, config_dir).await?;
    Ok(Unlocked {
        session,
        report,
        pinned_now,
    })
}

/// Opens the vault at `path` as the machine `token` names ([`Vault::unlock_with_token`]), its
/// reads audited from this host's workload (`team::machine::workload`). Nothing of this device
/// is read or written: no config, no keychain, no memory of the vault (`seen`).
pub async fn unlock_with_token(path: &Path, token: &MachineToken) -> Result<Session> {
    let vault = Vault::open(path).await?;
    vault.unlock_with_token(token, &crate::team::machine::workload()).await
}

/// The lost-passphrase path: the recovery key opens the account, the account key is wrapped
/// under a new passphrase (asked for only once the recovery key worked) and cached in the OS
/// keychain. Returns the session and why the keychain could not keep the key, if it could not.
pub async fn recover(
    config_dir: &Path,
    path: &Path,
    keychain: &dyn KeyCache,
    recovery: &RecoveryKey,
    new_passphrase: &mut (dyn FnMut() -> Result<zeroize::Zeroizing<Vec<u8>>> + Send),
) -> Result<(Session, Option<String>)> {
    let vault = Vault::open(path).await?;
    let config = DeviceConfig::load(config_dir)?;
    let member_id = member_id(&config, &vault)?;
    let session = vault
        .unlock_with_recovery(&member_id, recovery, &config.device_id)
        .await?;
    let (session, _) = attach(session, config_dir).await?;
    session
        .change_passphrase(new_passphrase()?, KdfParams::default())
        .await?;
    let keychain_problem = session.remember(keychain).err().map(|e| e.to_string());
    Ok((session, keychain_problem))
}

/// Creates a vault at `path` owned by this device's new member, and records the membership with
/// the owner's own key pinned. Without that record nobody could open the new vault, so when it
/// cannot be saved the vault is removed again.
pub async fn create(config_dir: &Path, path: &Path, new: NewVault) -> Result<Created> {
    let mut config = DeviceConfig::load(config_dir)?;
    let owner = new.owner.clone();
    let created = Vault::create(path, new, &config.device_id).await?;
    let session = &created.session;
    config.vaults.insert(
        session.vault().id().to_owned(),
        Membership {
            member_id: session.member().id.clone(),
            member_name: owner,
            // Never a database password in the config file: the URL as shown.
            path: crate::store::shown(path).into(),
            owner_key: Some(session.signing_key_hex()),
        },
    );
    if let Err(e) = config.save(config_dir) {
        session.vault().destroy().await;
        return Err(e);
    }
    Ok(created)
}

/// Joins `vault` from this device as `name` (pending until the owner or a lead admits them), and
/// records the membership with the owner key the vault names now pinned: the person compares its
/// fingerprint out of band.
pub async fn join(config_dir: &Path, vault: &Vault, name: &str, passphrase: Zeroizing<Vec<u8>>) -> Result<Joined> {
    let mut config = DeviceConfig::load(config_dir)?;
    if let Some(existing) = config.membership(vault.id()) {
        return Err(Error::NotAllowed {
            action: format!("join as {name}"),
            reason: format!("this device is already {} in this vault", existing.member_name),
        });
    }
    let joined = vault.join(name, passphrase, &config.device_id).await?;
    let mut membership = Membership {
        member_id: joined.member_id.clone(),
        member_name: name.to_owned(),
        path: vault.path().to_path_buf(),
        owner_key: None,
    };
    membership.pin_owner(&joined.owner_signing_key);
    config.vaults.insert(vault.id().to_owned(), membership);
    config.save(config_dir)?;
    Ok(joined)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KdfParams;

    fn new_vault() -> NewVault {
        NewVault {
            team: "t".into(),
            owner: "ada".into(),
            passphrase: Zeroizing::new(b"unit test passphrase".to_vec()),
            kdf: KdfParams::default(),
        }
    }

    #[tokio::test]
    async fn a_vault_whose_membership_cannot_be_recorded_is_removed_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The config directory is a link to nowhere: it reads as empty, and cannot be written.
        let config_dir = dir.path().join("config");
        std::os::unix::fs::symlink(dir.path().join("nowhere/at/all"), &config_dir).expect("link");
        let path = dir.path().join("v.db");
        let Err(err) = create(&config_dir, &path, new_vault()).await else {
            panic!("created a vault whose membership could not be recorded");
        };
        assert!(matches!(err, Error::Io { .. } | Error::Config { .. }), "{err}");
        assert!(!path.exists(), "no vault nobody can open is left behind");

        let config_dir = dir.path().join("config-ok");
        let created = create(&config_dir, &path, new_vault()).await.expect("create");
        let config = DeviceConfig::load(&config_dir).expect("config");
        let membership = config.membership(created.session.vault().id()).expect("recorded");
        assert_eq!(membership.member_name, "ada");
        assert!(membership.pinned_owner().is_some(), "the owner's own key is pinned");
    }
}
