//! Locking: by hand, after a spell of inactivity, and when the desktop session locks. All three
//! drop the session (its keys are zeroized) and tell the UI through one event, so the UI has a
//! single way to react and a hung webview cannot keep the vault open.

use std::time::{Duration, SystemTime};

use keyshelf_core::config::Settings;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// Emitted to the webview after the session was dropped for any reason.
pub const LOCKED_EVENT: &str = "vault-locked";

/// Bounds how long the idle watcher sleeps, so that time spent suspended (which a monotonic
/// clock does not count) is noticed soon after resume.
const MAX_IDLE_NAP: Duration = Duration::from_secs(15);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "lowercase")]
pub enum LockReason {
    Manual,
    Idle,
    System,
}

#[derive(Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LockEvent {
    pub reason: LockReason,
}

/// Drops the session and tells the UI. A no-op when already locked.
pub async fn lock(app: &AppHandle, reason: LockReason) {
    let state = app.state::<AppState>();
    let taken = state.session.write().await.take();
    if let Some(session) = taken {
        session.vault().close().await;
        // The UI may be gone (window closed to quit); the lock has happened either way.
        let _ = app.emit(LOCKED_EVENT, LockEvent { reason });
    }
}

/// The idle timeout: the device setting, or `KEYSHELF_IDLE_LOCK_SECS` (tests and demos).
pub fn idle_timeout(settings: &Settings) -> Duration {
    std::env::var("KEYSHELF_IDLE_LOCK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .unwrap_or_else(|| Duration::from_secs(u64::from(settings.idle_lock_minutes) * 60))
}

/// Time left before the idle lock is due; zero when it is. Wall-clock time, because a laptop
/// suspended for an hour has been idle for an hour. A clock set backwards counts as activity.
fn idle_remaining(last_activity: SystemTime, now: SystemTime, timeout: Duration) -> Duration {
    let idle = now.duration_since(last_activity).unwrap_or_default();
    timeout.saturating_sub(idle)
}

/// Locks the vault once it has been idle for the configured time. Runs for the app's life.
pub fn watch_idle(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            if state.session.read().await.is_none() {
                state.unlocked.notified().await;
                continue;
            }
            let timeout = idle_timeout(&state.settings());
            let remaining = idle_remaining(state.last_activity(), SystemTime::now(), timeout);
            if remaining.is_zero() {
                lock(&app, LockReason::Idle).await;
            } else {
                tokio::time::sleep(remaining.min(MAX_IDLE_NAP)).await;
            }
        }
    });
}

/// Locks when the desktop session locks, if the user wants that. Called from the D-Bus threads.
fn on_system_lock(app: &AppHandle) {
    if app.state::<AppState>().settings().lock_on_system_lock {
        let app = app.clone();
        tauri::async_runtime::spawn(async move { lock(&app, LockReason::System).await });
    }
}

/// Listens for the screen locker: `ActiveChanged(true)` from the freedesktop and GNOME screen
/// savers on the session bus, and logind's `Lock` for this session on the system bus. Anyone on
/// the session bus can send these signals; the worst they can do is lock the vault.
#[cfg(target_os = "linux")]
pub fn watch_system_lock(app: AppHandle) {
    let session_app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("screen-saver-watch".into())
        .spawn(move || {
            if let Err(e) = system_lock::screen_saver(&session_app) {
                eprintln!("keyshelf-desktop: cannot follow the screen saver, so it will not lock the vault: {e}");
            }
        })
        .and_then(|_| {
            std::thread::Builder::new().name("logind-watch".into()).spawn(move || {
                // Most test and container setups have no logind; the screen saver signal suffices there.
                let _ = system_lock::logind(&app);
            })
        });
    if let Err(e) = spawned {
        eprintln!("keyshelf-desktop: cannot watch for the system lock: {e}");
    }
}

/// Other platforms report their lock screens differently; until they are wired, idle lock covers them.
#[cfg(not(target_os = "linux"))]
pub fn watch_system_lock(_app: AppHandle) {}

#[cfg(target_os = "linux")]
mod system_lock {
    use std::time::Duration;

    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    use dbus::strings::Path;
    use tauri::AppHandle;

    const SCREEN_SAVERS: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

    pub fn screen_saver(app: &AppHandle) -> Result<(), dbus::Error> {
        let conn = Connection::new_session()?;
        for interface in SCREEN_SAVERS {
            let app = app.clone();
            conn.add_match(
                MatchRule::new_signal(interface, "ActiveChanged"),
                move |(active,): (bool,), _, _| {
                    if active {
                        super::on_system_lock(&app);
                    }
                    true
                },
            )?;
        }
        serve(&conn)
    }

    pub fn logind(app: &AppHandle) -> Result<(), dbus::Error> {
        let conn = Connection::new_system()?;
        let manager = conn.with_proxy(
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            Duration::from_secs(2),
        );
        let (session,): (Path<'static>,) = manager.method_call(
            "org.freedesktop.login1.Manager",
            "GetSessionByPID",
            (std::process::id(),),
        )?;
        let app = app.clone();
        conn.add_match(
            MatchRule::new_signal("org.freedesktop.login1.Session", "Lock").with_path(session),
            move |(): (), _, _| {
                super::on_system_lock(&app);
                true
            },
        )?;
        serve(&conn)
    }

    fn serve(conn: &Connection) -> Result<(), dbus::Error> {
        loop {
            conn.process(Duration::from_secs(3600))?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_remaining_counts_wall_clock_and_forgives_a_clock_set_back() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let timeout = Duration::from_secs(600);
        assert_eq!(idle_remaining(start, start, timeout), timeout);
        assert_eq!(
            idle_remaining(start, start + Duration::from_secs(590), timeout),
            Duration::from_secs(10)
        );
        assert!(idle_remaining(start, start + timeout, timeout).is_zero());
        // Suspended for an hour: due at once.
        assert!(idle_remaining(start, start + Duration::from_secs(3600), timeout).is_zero());
        // The clock went backwards: treated as fresh activity, not as an instant lock.
        assert_eq!(idle_remaining(start, start - Duration::from_secs(60), timeout), timeout);
    }

    #[test]
    fn idle_timeout_follows_the_setting() {
        let settings = Settings {
            idle_lock_minutes: 3,
            ..Settings::default()
        };
        assert_eq!(idle_timeout(&settings), Duration::from_secs(180));
    }
}
