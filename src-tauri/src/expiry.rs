//! Expired grants are rekeyed away by an owner's or a lead's device: at unlock, and every few
//! minutes while the app stays unlocked (the core does nothing when none expired, or when this
//! member may not rekey the scope).

use std::time::Duration;

use tauri::{AppHandle, Manager};

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(300);

pub fn watch(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            let session = state.session.read().await.clone();
            match session {
                None => state.expiry_wake.notified().await,
                Some(session) => {
                    if let Err(e) = session.rekey_expired().await {
                        eprintln!("keyshelf-desktop: could not rekey expired grants yet: {e}");
                    }
                    drop(session);
                    // A new unlock (another member, say) checks at once.
                    tokio::select! {
                        _ = tokio::time::sleep(EVERY) => {}
                        _ = state.expiry_wake.notified() => {}
                    }
                }
            }
        }
    });
}
