//! Other members' changes, noticed within about a second: while unlocked, the vault's change
//! mark (the audit log's head: every write and every value read appends to it) is read every
//! second, one cheap query on either engine. When it moves, the access and rotation looks run
//! at once (their notifications and events follow) and `vault-changed` tells the UI to read
//! the open scope again.

use std::time::Duration;

use keyshelf_core::Session;
use tauri::{AppHandle, Manager};
use tokio::sync::Notify;

use crate::state::AppState;
use crate::watcher::{Look, LookFuture};

pub const VAULT_CHANGED_EVENT: &str = "vault-changed";

pub struct ChangeWatch {
    last: Option<i64>,
}

impl ChangeWatch {
    pub fn new() -> Self {
        Self { last: None }
    }
}

impl Look for ChangeWatch {
    const WHAT: &'static str = "look for changes";
    const CHANGED_EVENT: Option<&'static str> = Some(VAULT_CHANGED_EVENT);

    fn every(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn wake(state: &AppState) -> &Notify {
        &state.changes_wake
    }

    fn look<'a>(&'a mut self, app: &'a AppHandle, session: &'a Session) -> LookFuture<'a> {
        Box::pin(async move {
            let mark = session.vault().change_mark().await?;
            if self.last.is_some_and(|last| last != mark) {
                let state = app.state::<AppState>();
                state.access_wake.notify_one();
                state.reminders_wake.notify_one();
            }
            self.last = Some(mark);
            Ok(vec![mark.to_string()])
        })
    }
}
