//! Vault status, first run, unlock, lock.

use keyshelf_core::crypto::{KdfParams, RecoveryKey};
use keyshelf_core::device;
use keyshelf_core::session::UnlockedVia;
use keyshelf_core::vault::NewVault;
use keyshelf_core::Vault;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use crate::error::CommandResult;
use crate::lock::{self, LockReason};
use crate::state::AppState;

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct VaultStatus {
    pub path: String,
    pub exists: bool,
    pub name: Option<String>,
    pub member: Option<String>,
    pub unlocked: bool,
    pub keychain: String,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CreatedVault {
    /// Shown once on the recovery screen; it is the user's own key, which they asked to create.
    pub recovery_key: String,
    pub keychain_problem: Option<String>,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum UnlockVia {
    Keychain,
    Passphrase,
    Recovery,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct UnlockResult {
    pub via: UnlockVia,
    pub keychain_problem: Option<String>,
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> CommandResult<VaultStatus> {
    status(&state).await
}

async fn status(state: &AppState) -> CommandResult<VaultStatus> {
    let location = state.vault_path();
    let found = Vault::find(&location).await?;
    let mut status = VaultStatus {
        // A team server's URL without its password: the webview never gets one.
        path: keyshelf_core::store::shown(&location),
        exists: found.is_some(),
        name: None,
        member: None,
        unlocked: state.session.read().await.is_some(),
        keychain: state.keychain.describe(),
    };
    if let Some(vault) = found {
        status.name = Some(vault.name().to_owned());
        status.member = state
            .device_config()?
            .membership(vault.id())
            .map(|m| m.member_name.clone());
        vault.close().await;
    }
    Ok(status)
}

/// Where the vault is, from first run or the join screen: a `postgres://` (or `postgresql://`)
/// URL of a team server, or an absolute file path; empty goes back to the default file. Saved
/// in settings.json (KEYSHELF_VAULT still wins at the next start), refused while unlocked, and
/// answered with the status there (`exists`: join it, or create one). A database password, in
/// its own field or written into the URL, is checked with the server and kept in the OS
/// keychain, never in settings.json.
#[tauri::command]
pub async fn set_vault_location(
    state: State<'_, AppState>,
    location: String,
    password: Option<String>,
) -> CommandResult<VaultStatus> {
    let (location, in_url) = keyshelf_core::store::split_password(Path::new(location.trim()));
    let (location, saved) = chosen_location(&location.to_string_lossy())?;
    let password = password.filter(|p| !p.is_empty()).map(Zeroizing::new).or(in_url);
    state.set_vault_path(location, saved, password).await?;
    status(&state).await
}

/// The location to use and the one to save (`None`: the default file).
fn chosen_location(typed: &str) -> keyshelf_core::Result<(PathBuf, Option<PathBuf>)> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok((keyshelf_core::config::vault_path(None)?, None));
    }
    let location = PathBuf::from(typed);
    let server = keyshelf_core::store::check_location(&location)?;
    if !server && !location.is_absolute() {
        return Err(keyshelf_core::Error::InvalidSetting {
            setting: "vault location",
            // Not echoed: whatever was typed stays out of messages.
            reason: "the location is neither a postgres:// URL nor an absolute file path".into(),
        });
    }
    Ok((location.clone(), Some(location)))
}

#[tauri::command]
pub async fn create_vault(
    state: State<'_, AppState>,
    team: String,
    user: String,
    passphrase: String,
) -> CommandResult<CreatedVault> {
    let locks_before = state.lock_count();
    let passphrase = Zeroizing::new(passphrase.into_bytes());
    let new = NewVault {
        team,
        owner: user,
        passphrase,
        kdf: KdfParams::default(),
    };
    let created = keyshelf_core::device::create(&state.config_dir, &state.vault_path(), new).await?;
    let session = created.session;
    let keychain_problem = session.remember(state.keychain.as_ref()).err().map(|e| e.to_string());
    let session = state.with_pinned_owner(session).await?;
    state.start_session(session, locks_before).await?;
    Ok(CreatedVault {
        recovery_key: created.recovery_key.display().to_string(),
        keychain_problem,
    })
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct JoinedVault {
    /// This person's key fingerprint, and the owner's: to compare with the owner out of band.
    pub fingerprint: String,
    pub owner_name: String,
    pub owner_fingerprint: String,
    /// Shown once, like at vault creation.
    pub recovery_key: String,
    pub keychain_problem: Option<String>,
}

/// Joins an existing (shared) vault from this device as a new, pending member, pins the owner's
/// key, and opens a session (which can read nothing until a lead admits and grants).
#[tauri::command]
pub async fn join_vault(state: State<'_, AppState>, name: String, passphrase: String) -> CommandResult<JoinedVault> {
    let locks_before = state.lock_count();
    let passphrase = Zeroizing::new(passphrase.into_bytes());
    let vault = Vault::open(&state.vault_path()).await?;
    let typed = Zeroizing::new(passphrase.to_vec());
    let joined = keyshelf_core::device::join(&state.config_dir, &vault, &name, passphrase).await?;
    let config = state.device_config()?;
    let session = vault
        .unlock_with_passphrase(&joined.member_id, typed, &config.device_id)
        .await?;
    let keychain_problem = session.remember(state.keychain.as_ref()).err().map(|e| e.to_string());
    let session = state.with_pinned_owner(session).await?;
    state.start_session(session, locks_before).await?;
    Ok(JoinedVault {
        fingerprint: joined.fingerprint,
        owner_name: joined.owner_name,
        owner_fingerprint: joined.owner_fingerprint,
        recovery_key: joined.recovery_key.display().to_string(),
        keychain_problem,
    })
}

/// `passphrase: None` asks the OS keychain only (no typing); with a passphrase the account
/// key is also cached in the keychain for next time.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, passphrase: Option<String>) -> CommandResult<UnlockResult> {
    let locks_before = state.lock_count();
    let mut typed = passphrase.map(|p| Zeroizing::new(p.into_bytes()));
    let mut source = || Ok(typed.take());
    let unlocked = device::unlock(
        &state.config_dir,
        &state.vault_path(),
        state.keychain.as_ref(),
        &mut source,
    )
    .await?;
    let mut keychain_problem = unlocked.report.keychain_problem;
    let via = match unlocked.report.via {
        UnlockedVia::Keychain => UnlockVia::Keychain,
        UnlockedVia::Passphrase => {
            if let Err(e) = unlocked.session.remember(state.keychain.as_ref()) {
                keychain_problem.get_or_insert(e.to_string());
            }
            UnlockVia::Passphrase
        }
    };
    state.start_session(unlocked.session, locks_before).await?;
    Ok(UnlockResult { via, keychain_problem })
}

/// The lost-passphrase path: the recovery key unlocks, and the account key is re-wrapped under
/// a new passphrase at once, so the recovery key is not needed again day to day.
#[tauri::command]
pub async fn unlock_with_recovery(
    state: State<'_, AppState>,
    recovery_key: String,
    new_passphrase: String,
) -> CommandResult<UnlockResult> {
    let locks_before = state.lock_count();
    let recovery_key = Zeroizing::new(recovery_key);
    let mut new_passphrase = Some(Zeroizing::new(new_passphrase.into_bytes()));
    let key = RecoveryKey::parse(&recovery_key)?;
    let mut ask = || Ok(new_passphrase.take().unwrap_or_default());
    // Argon2 for the new passphrase runs inside the core on a blocking thread.
    let (session, keychain_problem) = device::recover(
        &state.config_dir,
        &state.vault_path(),
        state.keychain.as_ref(),
        &key,
        &mut ask,
    )
    .await?;
    state.start_session(session, locks_before).await?;
    Ok(UnlockResult {
        via: UnlockVia::Recovery,
        keychain_problem,
    })
}

/// Drops the session: every key in memory is zeroized. The keychain entry stays, so the next
/// unlock can be a click (`keyshelf lock` on the CLI removes it).
#[tauri::command]
pub async fn lock(app: AppHandle) -> CommandResult<()> {
    lock::lock(&app, LockReason::Manual).await;
    Ok(())
}

/// The user is at the keyboard: restarts the idle clock. The UI calls it (throttled) on input,
/// since looking at a list calls no other command.
#[tauri::command]
pub fn note_activity(state: State<'_, AppState>) {
    state.touch();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_a_server_url_an_absolute_path_or_empty() {
        let url = "postgres://ada@db.example.com/keyshelf?sslmode=require";
        let (location, saved) = chosen_location(&format!("  {url} ")).expect("a server");
        assert_eq!(location, PathBuf::from(url));
        assert_eq!(saved, Some(PathBuf::from(url)));
        assert!(chosen_location("postgresql://db/keyshelf").is_ok());
        assert!(chosen_location("/srv/team/vault.db").is_ok());

        let (_, saved) = chosen_location("").expect("the default file");
        assert_eq!(saved, None);

        let refused = chosen_location("mysql://root:hunter2@db/keyshelf").expect_err("another scheme");
        assert!(
            matches!(refused, keyshelf_core::Error::UnsupportedLocation { .. }),
            "{refused:?}"
        );
        assert!(!refused.to_string().contains("hunter2"), "{refused}");
        let refused = chosen_location("team/vault.db").expect_err("relative");
        assert_eq!(refused.code(), keyshelf_core::ErrorCode::Invalid);
    }
}
