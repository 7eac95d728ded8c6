//! Secrets: listing and search return metadata only; a value reaches the webview only through
//! `reveal_secret`, and `copy_secret` puts it on the clipboard without passing through the webview.

use data_encoding::BASE64;
use keyshelf_core::kind::SecretKind;
use keyshelf_core::notebook;
use keyshelf_core::rotation::RotationPolicy;
use keyshelf_core::vault::{SecretOptions, SecretPath, SecretSummary, VersionSummary, MAX_VALUE_BYTES};
use keyshelf_core::Error;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use zeroize::Zeroizing;

use crate::clipboard;
use crate::error::CommandResult;
use crate::state::AppState;

/// Search results are for a picker: enough to choose from, few enough to render at once.
const SEARCH_LIMIT: i64 = 200;

#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewSecret {
    pub path: String,
    pub value: SecretValue,
    pub kind: Option<SecretKind>,
    /// Null keeps the note (or none for a new secret); empty removes it.
    pub note: Option<String>,
    /// `90d`, `manual`, or null for the kind's default.
    pub rotate_every: Option<String>,
    /// The current version the dialog showed (0 when adding): a change someone else made since
    /// is refused, not overwritten. Null: no check.
    #[ts(type = "number | null")]
    pub based_on: Option<i64>,
}

/// Typed text, or a file the user picked (a service-account JSON, a kubeconfig): `run` writes
/// file secrets to a private temp file and passes its path.
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SecretValue {
    Text { text: String },
    File { name: String, base64: String },
}

impl SecretValue {
    /// The bytes, and for a file its base name (what `run` names the private file).
    pub(crate) fn into_bytes(self) -> Result<(Zeroizing<Vec<u8>>, Option<String>), Error> {
        Ok(match self {
            SecretValue::Text { text } => (Zeroizing::new(text.into_bytes()), None),
            SecretValue::File { name, base64 } => {
                let base64 = Zeroizing::new(base64);
                let bytes = BASE64.decode(base64.as_bytes()).map_err(|_| Error::InvalidFile {
                    name: name.clone(),
                    reason: "it did not arrive intact (not base64)".into(),
                })?;
                if bytes.len() as u64 > MAX_VALUE_BYTES {
                    return Err(Error::FileTooLarge {
                        path: name.into(),
                        size: bytes.len() as u64,
                        limit: MAX_VALUE_BYTES,
                    });
                }
                let file_name = std::path::Path::new(&name)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .filter(|n| !n.is_empty());
                (Zeroizing::new(bytes), file_name.or(Some("secret".into())))
            }
        })
    }
}

/// Metadata changes; `null` keeps a field as it is, an empty note removes the note.
#[derive(Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SecretEdit {
    pub path: String,
    pub kind: Option<SecretKind>,
    pub note: Option<String>,
    pub rotate_every: Option<String>,
    /// As [`NewSecret::based_on`].
    #[ts(type = "number | null")]
    pub based_on: Option<i64>,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CopyResult {
    #[ts(type = "number")]
    pub clears_in_secs: u64,
}

#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct KindInfo {
    pub kind: SecretKind,
    pub label: String,
    pub env_var: Option<String>,
    #[ts(type = "number | null")]
    pub default_rotation_days: Option<i64>,
    /// The provider's page where keys of this kind are made and revoked (rotating by hand).
    pub console_url: Option<String>,
}

#[tauri::command]
pub async fn list_secrets(
    state: State<'_, AppState>,
    project: String,
    environment: String,
) -> CommandResult<Vec<SecretSummary>> {
    let session = state.session().await?;
    Ok(session.secrets(Some(&project), Some(&environment)).await?)
}

#[tauri::command]
pub async fn search_secrets(state: State<'_, AppState>, query: String) -> CommandResult<Vec<SecretSummary>> {
    Ok(state.session().await?.vault().search(&query, SEARCH_LIMIT).await?)
}

#[tauri::command]
pub async fn set_secret(state: State<'_, AppState>, secret: NewSecret) -> CommandResult<()> {
    let path: SecretPath = secret.path.parse()?;
    let (value, file_name) = secret.value.into_bytes()?;
    let options = SecretOptions {
        kind: secret.kind,
        // An empty note removes the note; null keeps it.
        note: secret.note.map(Zeroizing::new),
        rotation: parse_rotation(secret.rotate_every.as_deref())?,
        file_name,
        based_on: secret.based_on,
    };
    state.session().await?.set_secret(&path, &value, options).await?;
    Ok(())
}

#[tauri::command]
pub async fn edit_secret(state: State<'_, AppState>, edit: SecretEdit) -> CommandResult<()> {
    let path: SecretPath = edit.path.parse()?;
    let options = SecretOptions {
        kind: edit.kind,
        note: edit.note.map(Zeroizing::new),
        rotation: parse_rotation(edit.rotate_every.as_deref())?,
        file_name: None,
        based_on: edit.based_on,
    };
    Ok(state.session().await?.edit_secret(&path, options).await?)
}

/// `None`/empty keeps the current interval (or the kind's default); `manual` turns it off.
/// "90d", "default", "on-deploy" or "manual"; empty keeps what the secret has.
fn parse_rotation(text: Option<&str>) -> keyshelf_core::Result<Option<RotationPolicy>> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::parse)
        .transpose()
}

/// The decrypted note, for the detail view's "Show note". Audited by the core.
#[tauri::command]
pub async fn secret_note(state: State<'_, AppState>, path: String) -> CommandResult<Option<String>> {
    let path: SecretPath = path.parse()?;
    let note = state.session().await?.get_note(&path).await?;
    Ok(note.map(|n| n.as_str().to_owned()))
}

/// The value, for the user who pressed Reveal. Audited by the core.
#[tauri::command]
pub async fn reveal_secret(state: State<'_, AppState>, path: String) -> CommandResult<String> {
    let path: SecretPath = path.parse()?;
    Ok(state.session().await?.get_text(&path).await?.to_string())
}

#[tauri::command]
pub async fn copy_secret(app: AppHandle, state: State<'_, AppState>, path: String) -> CommandResult<CopyResult> {
    let path: SecretPath = path.parse()?;
    let text = state.session().await?.get_text(&path).await?;
    let clear_after = clipboard::clear_after();
    clipboard::copy_and_clear_later(&app, &text, clear_after)?;
    Ok(CopyResult {
        clears_in_secs: clear_after.as_secs(),
    })
}

#[tauri::command]
pub async fn notebook_snippet(state: State<'_, AppState>, path: String) -> CommandResult<String> {
    let path: SecretPath = path.parse()?;
    Ok(snippet(&state, &path))
}

#[tauri::command]
pub async fn copy_snippet(app: AppHandle, state: State<'_, AppState>, path: String) -> CommandResult<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let path: SecretPath = path.parse()?;
    app.clipboard()
        .write_text(snippet(&state, &path))
        .map_err(|e| crate::error::CommandError::internal(format!("cannot write to the clipboard: {e}")))
}

fn snippet(state: &AppState, path: &SecretPath) -> String {
    let default = keyshelf_core::config::default_vault_path();
    let location = state.vault_path();
    // The snippet reaches the webview and the notebook: a server's URL goes without its password
    // (which belongs in ~/.pgpass).
    let shown = std::path::PathBuf::from(keyshelf_core::store::shown(&location));
    let vault = (default.as_deref() != Some(location.as_path())).then_some(shown.as_path());
    notebook::python_snippet(path, vault)
}

#[tauri::command]
pub async fn secret_history(state: State<'_, AppState>, path: String) -> CommandResult<Vec<VersionSummary>> {
    let path: SecretPath = path.parse()?;
    Ok(state.session().await?.history(&path).await?)
}

#[tauri::command]
pub async fn remove_secret(state: State<'_, AppState>, path: String) -> CommandResult<()> {
    let path: SecretPath = path.parse()?;
    Ok(state.session().await?.remove_secret(&path).await?)
}

#[tauri::command]
pub fn secret_kinds() -> Vec<KindInfo> {
    SecretKind::ALL
        .into_iter()
        .map(|kind| KindInfo {
            kind,
            label: kind.label().to_owned(),
            env_var: kind.env_var().map(str::to_owned),
            default_rotation_days: kind.default_rotation().map(|d| d.as_secs() / 86_400),
            console_url: kind.console_url().map(str::to_owned),
        })
        .collect()
}
