//! Projects and environments.

use keyshelf_core::vault::{ProjectSummary, ScopePath};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_projects(state: State<'_, AppState>) -> CommandResult<Vec<ProjectSummary>> {
    Ok(state.session().await?.vault().projects().await?)
}

#[tauri::command]
pub async fn add_project(state: State<'_, AppState>, name: String, environments: Vec<String>) -> CommandResult<()> {
    Ok(state.session().await?.add_project(&name, &environments).await?)
}

#[tauri::command]
pub async fn add_environment(state: State<'_, AppState>, project: String, environment: String) -> CommandResult<()> {
    let scope = ScopePath::new(&project, &environment)?;
    Ok(state.session().await?.add_environment(&scope).await?)
}
