//! Expired grants are rekeyed away by an owner's or a lead's device: at unlock, and every few
//! minutes while the app stays unlocked (the core does nothing when none expired, or when this
//! member may not rekey the scope).

use std::time::Duration;

use keyshelf_core::Session;
use tauri::AppHandle;
use tokio::sync::Notify;

use crate::state::AppState;
use crate::watcher::{Look, LookFuture};

pub struct Expiry;

impl Look for Expiry {
    const WHAT: &'static str = "rekey expired grants";
    const CHANGED_EVENT: Option<&'static str> = None;

    fn every(&self) -> Duration {
        Duration::from_secs(300)
    }

    fn wake(state: &AppState) -> &Notify {
        &state.expiry_wake
    }

    fn look<'a>(&'a mut self, _app: &'a AppHandle, session: &'a Session) -> LookFuture<'a> {
        Box::pin(async move { session.rekey_expired().await.map(|_| Vec::new()) })
    }
}
