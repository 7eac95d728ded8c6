//! Machines from the desktop: list, add (the token shown once), revoke with a preview, rotate.
//! Who may do what, and every signature and rekey, is the core's; these only adapt.

use keyshelf_core::duration::Duration;
use keyshelf_core::team::machine::{Machine, NewMachine};
use keyshelf_core::team::revoke::Revoked;
use keyshelf_core::vault::ScopePath;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::state::AppState;

/// A token as issued, for the dialog that shows it once: nothing keeps it afterwards.
#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct IssuedToken {
    pub machine: String,
    pub token: String,
    /// What the rotation revoked (empty for a new machine).
    pub revoked: Vec<Revoked>,
}

/// Polled with the roster: quiet, so an open window does not hold off the idle lock.
#[tauri::command]
pub async fn list_machines(state: State<'_, AppState>) -> CommandResult<Vec<Machine>> {
    Ok(state.session_quiet().await?.machines().await?)
}

/// `scopes` are `project/environment`; `expires` a duration such as "12h" or "30d" (empty or
/// absent: until revoked).
#[tauri::command]
pub async fn add_machine(
    state: State<'_, AppState>,
    name: String,
    scopes: Vec<String>,
    expires: Option<String>,
) -> CommandResult<IssuedToken> {
    let scopes: Vec<ScopePath> = scopes.iter().map(|s| s.parse()).collect::<keyshelf_core::Result<_>>()?;
    let expires_in = Duration::parse_optional(expires.as_deref())?;
    let token = state
        .session()
        .await?
        .add_machine(&NewMachine {
            name: &name,
            scopes: &scopes,
            expires_in,
        })
        .await?;
    Ok(IssuedToken {
        machine: name,
        token: token.display().to_string(),
        revoked: Vec::new(),
    })
}

/// What revoking would rekey and flag exposed, changing nothing: for the confirmation dialog.
#[tauri::command]
pub async fn preview_revoke_machine(state: State<'_, AppState>, name: String) -> CommandResult<Vec<Revoked>> {
    Ok(state.session().await?.revoke_machine(&name, true).await?)
}

#[tauri::command]
pub async fn revoke_machine(state: State<'_, AppState>, name: String) -> CommandResult<Vec<Revoked>> {
    Ok(state.session().await?.revoke_machine(&name, false).await?)
}

#[tauri::command]
pub async fn rotate_machine(state: State<'_, AppState>, name: String) -> CommandResult<IssuedToken> {
    let (token, revoked) = state.session().await?.rotate_machine(&name).await?;
    Ok(IssuedToken {
        machine: name,
        token: token.display().to_string(),
        revoked,
    })
}

/// Copies a token the dialog shows, through Rust (the webview has no clipboard access), cleared
/// after the same delay as a copied secret. Anything but a well-formed token is refused.
#[tauri::command]
pub async fn copy_machine_token(app: AppHandle, token: String) -> CommandResult<()> {
    let token = zeroize::Zeroizing::new(token);
    // Only a machine token: the webview gets no general way to write the clipboard.
    keyshelf_core::crypto::MachineToken::parse(&token)?;
    crate::clipboard::copy_and_clear_later(&app, &token, crate::clipboard::clear_after())
}
