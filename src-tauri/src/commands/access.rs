//! Team access from the desktop: the roster, access requests and their decisions, revocation.
//! Every rule (who may approve, signatures, rekeying) is the core's; these only adapt.

use keyshelf_core::duration::Duration;
use keyshelf_core::team::members::Role;
use keyshelf_core::team::requests::AccessRequest;
use keyshelf_core::team::revoke::Revoked;
use keyshelf_core::team::roster::RosterEntry;
use keyshelf_core::vault::ScopePath;
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Polled by the UI (like `my_scopes` and `list_access_requests`): quiet, so an open window
/// does not hold off the idle lock; the user's own input counts through `note_activity`.
#[tauri::command]
pub async fn list_members(state: State<'_, AppState>) -> CommandResult<Vec<RosterEntry>> {
    Ok(state.session_quiet().await?.roster().await?)
}

/// Admits a pending member after the admitter compared their key fingerprint out of band (the
/// owner may also change an admitted member's role). `role` is "member" or "lead"; `lead_of`
/// names the projects a lead leads; `fingerprint` is the one the dialog showed, so the keys
/// signed are the keys the admitter compared. Who may admit whom is the core's rule.
#[tauri::command]
pub async fn admit_member(
    state: State<'_, AppState>,
    name: String,
    role: String,
    lead_of: Vec<String>,
    fingerprint: String,
) -> CommandResult<RosterEntry> {
    let role = match role.as_str() {
        "member" => Role::Member,
        "lead" => Role::Lead,
        // The core refuses a second owner with its own reason.
        "owner" => Role::Owner,
        other => {
            return Err(CommandError {
                code: keyshelf_core::ErrorCode::Invalid,
                message: format!("unknown role {other:?}: use member or lead"),
            })
        }
    };
    let lead_of: Vec<String> = lead_of
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    Ok(state
        .session()
        .await?
        .admit(name.trim(), role, &lead_of, &fingerprint)
        .await?)
}

/// `project/env` labels this member can open now; the UI shows the others locked.
#[tauri::command]
pub async fn my_scopes(state: State<'_, AppState>) -> CommandResult<Vec<String>> {
    Ok(state.session_quiet().await?.accessible_scopes().await?)
}

#[tauri::command]
pub async fn list_access_requests(state: State<'_, AppState>, pending_only: bool) -> CommandResult<Vec<AccessRequest>> {
    Ok(state.session_quiet().await?.access_requests(pending_only).await?)
}

/// `duration`: like `7d`, or null/empty for until revoked.
#[tauri::command]
pub async fn request_access(
    state: State<'_, AppState>,
    scope: String,
    reason: String,
    duration: Option<String>,
) -> CommandResult<AccessRequest> {
    let scope: ScopePath = scope.parse()?;
    let duration = Duration::parse_optional(duration.as_deref())?;
    Ok(state.session().await?.request_access(&scope, &reason, duration).await?)
}

/// `duration` overrides what was asked for; null keeps it.
#[tauri::command]
pub async fn approve_access(
    state: State<'_, AppState>,
    id: String,
    duration: Option<String>,
) -> CommandResult<AccessRequest> {
    let duration = Duration::parse_optional(duration.as_deref())?;
    Ok(state.session().await?.approve_access(&id, duration).await?)
}

#[tauri::command]
pub async fn deny_access(state: State<'_, AppState>, id: String, reason: String) -> CommandResult<AccessRequest> {
    Ok(state.session().await?.deny_access(&id, &reason).await?)
}

/// What revoking would rekey and which secrets would become exposed, changing nothing: for the
/// confirmation dialog.
#[tauri::command]
pub async fn preview_revoke(state: State<'_, AppState>, member: String, scope: String) -> CommandResult<Revoked> {
    let scope: ScopePath = scope.parse()?;
    Ok(state.session().await?.revoke_access(&member, &scope, true).await?)
}

#[tauri::command]
pub async fn revoke_access(state: State<'_, AppState>, member: String, scope: String) -> CommandResult<Revoked> {
    let scope: ScopePath = scope.parse()?;
    Ok(state.session().await?.revoke_access(&member, &scope, false).await?)
}
