//! The one loop behind the app's background looks at the vault (expired grants, access requests,
//! rotation reminders): idle while locked, a look right after each unlock (the watch's wake) and
//! then every `every` while unlocked. When two looks of one session see different things, the
//! watch's event tells the UI to read again.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::Duration;

use keyshelf_core::Session;
use tauri::{AppHandle, Emitter, Manager};
use tokio::sync::Notify;

use crate::state::AppState;

/// What one look saw, compared between looks of the same session.
pub type Seen = Vec<String>;

pub type LookFuture<'a> = Pin<Box<dyn Future<Output = keyshelf_core::Result<Seen>> + Send + 'a>>;

/// One kind of background look.
pub trait Look: Send + 'static {
    /// For the log line when a look fails: "cannot {WHAT} yet".
    const WHAT: &'static str;
    /// Emitted when what a look sees changed within one session; `None`: nobody listens.
    const CHANGED_EVENT: Option<&'static str>;

    fn every(&self) -> Duration;
    fn wake(state: &AppState) -> &Notify;
    fn look<'a>(&'a mut self, app: &'a AppHandle, session: &'a Session) -> LookFuture<'a>;
}

/// Runs `watch` for the app's life.
pub fn spawn<L: Look>(app: AppHandle, mut watch: L) {
    tauri::async_runtime::spawn(async move {
        // The session of the last look (weak: a lock must drop its keys) and what it saw.
        let mut last: Option<(Weak<Session>, Seen)> = None;
        loop {
            let state = app.state::<AppState>();
            let session = state.session.read().await.clone();
            let Some(session) = session else {
                last = None;
                L::wake(&state).notified().await;
                continue;
            };
            match watch.look(&app, &session).await {
                Ok(seen) => {
                    let current = Arc::downgrade(&session);
                    if let (Some(event), Some((previous, before))) = (L::CHANGED_EVENT, &last) {
                        if Weak::ptr_eq(previous, &current) && *before != seen {
                            let _ = app.emit(event, ());
                        }
                    }
                    last = Some((current, seen));
                }
                // A lock during the look closes the vault under it: not worth a message.
                Err(e) if state.session.read().await.is_some() => {
                    eprintln!("keyshelf-desktop: cannot {} yet: {e}", L::WHAT);
                }
                Err(_) => {}
            }
            drop(session);
            tokio::select! {
                _ = tokio::time::sleep(watch.every()) => {}
                _ = L::wake(&state).notified() => {}
            }
        }
    });
}
