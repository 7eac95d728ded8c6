//! This device's preferences: idle lock and lock-with-the-desktop; keep running in the tray.

use tauri::{AppHandle, State};

use crate::error::CommandResult;
use crate::settings::{self, Settings};
use crate::state::AppState;
use crate::tray::{Tray, TraySettings};

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates, saves beside the device config, then applies: the idle watcher reads the new
/// timeout on its next check.
#[tauri::command]
pub fn set_settings(state: State<'_, AppState>, settings: Settings) -> CommandResult<Settings> {
    settings::save(&state.config_dir, settings)?;
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
    state.touch();
    Ok(settings)
}

#[tauri::command]
pub fn get_tray_settings(tray: State<'_, Tray>) -> TraySettings {
    tray.settings()
}

/// Saves to `tray.json` in the device config dir and applies at once (the next close).
#[tauri::command]
pub fn set_tray_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: TraySettings,
) -> CommandResult<TraySettings> {
    crate::tray::set(&app, &state.config_dir, settings).map_err(|e| keyshelf_core::Error::Config {
        path: state.config_dir.join("tray.json"),
        reason: e.to_string(),
    })?;
    Ok(settings)
}
