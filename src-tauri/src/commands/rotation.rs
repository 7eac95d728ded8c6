//! Rotation: what is due, and the staged flow (stage, check, promote, roll back) for the
//! dashboard. A new value comes from the user's input; nothing here returns one.

use keyshelf_core::duration::Duration;
use keyshelf_core::kind::SecretKind;
use keyshelf_core::vault::{Promoted, SecretPath, SecretSummary, Staged};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use super::secrets::SecretValue;
use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// What `due_secrets` found, and the time it was judged at (the UI groups by deadline against
/// it, so its "this week" agrees with Rust's statuses).
#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DueSecrets {
    #[ts(type = "number")]
    pub now: i64,
    /// Most urgent first: exposed, overdue, then by deadline.
    pub secrets: Vec<SecretSummary>,
}

/// Exposed, overdue and due-soon (within `within_days`, default 14) secrets in the scopes this
/// member can see (a lead: every scope they lead). The UI refreshes this on its own, so it does
/// not count as activity for the idle lock. Also brings the tray's count up to date.
#[tauri::command]
pub async fn due_secrets(
    app: AppHandle,
    state: State<'_, AppState>,
    within_days: Option<u32>,
) -> CommandResult<DueSecrets> {
    let within = Duration::days(i64::from(within_days.unwrap_or(14)));
    let secrets = state.session_quiet().await?.due(within, None).await?;
    crate::tray::show_count(&app, crate::reminders::urgent(&secrets));
    Ok(DueSecrets {
        now: keyshelf_core::clock::now(),
        secrets,
    })
}

/// Opens the provider's key page for a kind (OpenAI's API keys, ...) in the default browser.
/// Only these fixed pages: the webview cannot make Rust open anything else.
#[tauri::command]
pub fn open_provider_page(kind: SecretKind) -> CommandResult<()> {
    let url = kind.console_url().ok_or_else(|| keyshelf_core::Error::InvalidSetting {
        setting: "provider page",
        reason: format!("{} keys have no provider page", kind.label()),
    })?;
    tauri_plugin_opener::open_url(url, None::<&str>).map_err(|e| {
        keyshelf_core::Error::InvalidSetting {
            setting: "provider page",
            reason: format!("could not open {url}: {e}"),
        }
        .into()
    })
}

#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewRotation {
    pub path: String,
    pub value: SecretValue,
}

/// Stores the new value as pending; the current value is untouched.
#[tauri::command]
pub async fn stage_rotation(state: State<'_, AppState>, rotation: NewRotation) -> CommandResult<Staged> {
    let path: SecretPath = rotation.path.parse()?;
    let (value, file_name) = rotation.value.into_bytes()?;
    Ok(state
        .session()
        .await?
        .stage_rotation(&path, &value, file_name.is_some())
        .await?)
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CheckOutcome {
    pub passed: bool,
    /// The exit code; null when the check was killed by a signal or ran past two minutes.
    pub exit_code: Option<i32>,
    #[ts(type = "number")]
    pub version: i64,
}

/// How long a check may run before it counts as failed.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs `command` (or the saved check) with the pending value in the secret's environment
/// variable and records the outcome. The check's output is discarded: it may print the value.
///
/// The command runs as the user with the new value: whatever the webview sends, Rust shows the
/// exact command in a native dialog (which the webview cannot answer) and runs it only once the
/// person at the screen agrees. A saved check by someone else, once agreed to, is remembered on
/// this device (the core's confirmed checks) and is not asked about again.
#[tauri::command]
pub async fn check_rotation(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    command: Option<String>,
    save: bool,
) -> CommandResult<CheckOutcome> {
    let path: SecretPath = path.parse()?;
    let session = state.session().await?;
    let command = command.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let saved = match &command {
        Some(_) => None,
        None => session.saved_check(&path).await?,
    };
    let shown = match (&command, &saved) {
        (Some(typed), _) => Some((typed.clone(), None)),
        (None, Some(saved)) if !saved.confirmed => Some((saved.command.clone(), Some(saved.saved_by.clone()))),
        _ => None,
    };
    if let Some((shown, saved_by)) = shown {
        if !confirm_check(&app, &path, &shown, saved_by.as_deref()).await {
            return Err(CommandError {
                code: keyshelf_core::ErrorCode::NotAllowed,
                message: format!("the check of {path} was not run: it was not confirmed"),
            });
        }
        if let Some(saved) = &saved {
            session.confirm_check(saved)?;
        }
    }
    if save {
        session.save_check(&path, command.as_deref()).await?;
    }
    // The given command, or the saved one once the core has verified who saved it.
    let prepared = session.prepare_check(&path, command.as_deref()).await?;
    let version = prepared.version;
    let status = tauri::async_runtime::spawn_blocking(move || prepared.run_in_background(CHECK_TIMEOUT))
        .await
        .map_err(|e| keyshelf_core::Error::InvalidSetting {
            setting: "check",
            reason: format!("the check could not run: {e}"),
        })??;
    // A check that did not finish in time failed.
    let passed = status.is_some_and(|s| s.success());
    session.record_check(&path, version, passed).await?;
    Ok(CheckOutcome {
        passed,
        exit_code: status.and_then(|s| s.code()),
        version,
    })
}

/// Asks in a native dialog whether to run `command` with the new value of `path`.
async fn confirm_check(app: &AppHandle, path: &SecretPath, command: &str, saved_by: Option<&str>) -> bool {
    use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
    let whose = match saved_by {
        Some(by) => format!("saved by {by}"),
        None => "given in the Rotate dialog".to_owned(),
    };
    let text = format!(
        "Run this check ({whose}) as you, with the new value of {path} in ${}?\n\nsh -c {command:?}",
        path.name
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(text)
        .title("Run this check?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Run check".into(),
            "Cancel".into(),
        ))
        .show(move |yes| {
            let _ = tx.send(yes);
        });
    rx.await.unwrap_or(false)
}

/// Pending → current; the old value stays readable for `overlap` (default 24h).
#[tauri::command]
pub async fn promote_rotation(
    state: State<'_, AppState>,
    path: String,
    overlap: Option<String>,
    version: Option<i64>,
) -> CommandResult<Promoted> {
    let path: SecretPath = path.parse()?;
    let overlap = keyshelf_core::rotation::parse_overlap(overlap.as_deref())?;
    // A saved check must have passed on the pending version; the core refuses otherwise.
    Ok(state.session().await?.promote(&path, version, overlap).await?)
}

#[tauri::command]
pub async fn rollback_rotation(state: State<'_, AppState>, path: String) -> CommandResult<Promoted> {
    let path: SecretPath = path.parse()?;
    Ok(state.session().await?.rollback(&path).await?)
}

#[tauri::command]
pub async fn cancel_rotation(state: State<'_, AppState>, path: String) -> CommandResult<i64> {
    let path: SecretPath = path.parse()?;
    Ok(state.session().await?.cancel_rotation(&path).await?)
}
