//! Copying a value: it goes to the system clipboard from Rust (the webview never sees it) and is
//! cleared after a while, at lock and at quit, if the clipboard still holds it. Only a hash is
//! kept to compare.

use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tauri::AppHandle;
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::CommandError;

/// How long a copied value stays on the clipboard: 30 s; in debug builds (the e2e tests)
/// `KEYSHELF_CLIPBOARD_CLEAR_SECS` overrides it.
pub fn clear_after() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("KEYSHELF_CLIPBOARD_CLEAR_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        return Duration::from_secs(secs);
    }
    Duration::from_secs(30)
}

/// The hash of the last value copied, while it may still be on the clipboard.
static COPIED: Mutex<Option<[u8; 32]>> = Mutex::new(None);

fn holds(app: &AppHandle, copied: &[u8; 32]) -> bool {
    app.clipboard()
        .read_text()
        .map(|now| <[u8; 32]>::from(Sha256::digest(now.as_bytes())) == *copied)
        .unwrap_or(false)
}

/// Clears the clipboard if it still holds the last value copied (the lock, quitting).
pub fn clear_if_ours(app: &AppHandle) {
    let copied = COPIED.lock().ok().and_then(|mut c| c.take());
    if let Some(copied) = copied {
        if holds(app, &copied) {
            let _ = app.clipboard().clear();
        }
    }
}

/// Writes `text` and schedules the clear.
pub fn copy_and_clear_later(app: &AppHandle, text: &str, clear_after: Duration) -> Result<(), CommandError> {
    app.clipboard()
        .write_text(text)
        .map_err(|e| CommandError::internal(format!("cannot write to the clipboard: {e}")))?;
    let copied: [u8; 32] = Sha256::digest(text.as_bytes()).into();
    if let Ok(mut last) = COPIED.lock() {
        *last = Some(copied);
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(clear_after).await;
        if holds(&app, &copied) {
            let _ = app.clipboard().clear();
        }
    });
    Ok(())
}
