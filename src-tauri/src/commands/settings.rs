//! This device's preferences: idle lock and lock-with-the-desktop.

use keyshelf_core::config::Settings;
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Settings {
    state.settings()
}

/// Validates, saves to the device config, then applies: the idle watcher reads the new timeout
/// on its next check.
#[tauri::command]
pub fn set_settings(state: State<'_, AppState>, settings: Settings) -> CommandResult<Settings> {
    settings.validate()?;
    let mut config = state.device_config()?;
    config.settings = settings;
    config.save(&state.config_dir)?;
    *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
    state.touch();
    Ok(settings)
}
