//! Locking: by hand, after a spell of inactivity, and when the desktop session locks. All three
//! drop the session (its keys are zeroized) and tell the UI through one event, so the UI has a
//! single way to react and a hung webview cannot keep the vault open.

use std::time::{Duration, Instant, SystemTime};

use crate::settings::Settings;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::{Activity, AppState};

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
    let mut slot = state.session.write().await;
    state.count_lock();
    let taken = slot.take();
    drop(slot);
    // A copied value leaves the clipboard with the keys, if the clipboard still holds it.
    crate::clipboard::clear_if_ours(app);
    if let Some(session) = taken {
        session.vault().close().await;
        // The UI may be gone (window closed to quit); the lock has happened either way.
        let _ = app.emit(LOCKED_EVENT, LockEvent { reason });
    }
}

/// The idle timeout: the device setting, clamped to its valid range; in debug builds (the e2e
/// tests) `KEYSHELF_IDLE_LOCK_SECS` overrides it.
pub fn idle_timeout(settings: &Settings) -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("KEYSHELF_IDLE_LOCK_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        return Duration::from_secs(secs);
    }
    let minutes = settings.idle_lock_minutes.clamp(1, Settings::MAX_IDLE_LOCK_MINUTES);
    Duration::from_secs(u64::from(minutes) * 60)
}

/// Time left before the idle lock is due; zero when it is. Idle time is the larger of the
/// monotonic and the wall-clock time since the last activity: the wall clock counts a suspended
/// laptop's hour, the monotonic one cannot be fooled by a clock set backwards.
fn idle_remaining(last: Activity, now: (Instant, SystemTime), timeout: Duration) -> Duration {
    let monotonic = now.0.saturating_duration_since(last.monotonic);
    let wall = now.1.duration_since(last.wall).unwrap_or_default();
    timeout.saturating_sub(monotonic.max(wall))
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
            let remaining = idle_remaining(state.last_activity(), (Instant::now(), SystemTime::now()), timeout);
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
        // An app started from a desktop shell often runs in a systemd scope outside the session,
        // where GetSessionByPID fails; the session id in the environment still names it.
        let by_pid: Result<(Path<'static>,), _> = manager.method_call(
            "org.freedesktop.login1.Manager",
            "GetSessionByPID",
            (std::process::id(),),
        );
        let (session,): (Path<'static>,) = match (by_pid, std::env::var("XDG_SESSION_ID")) {
            (Ok(found), _) => found,
            (Err(_), Ok(id)) => manager.method_call("org.freedesktop.login1.Manager", "GetSession", (id,))?,
            (Err(e), Err(_)) => return Err(e),
        };
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
    fn idle_time_is_the_larger_of_the_two_clocks() {
        let mono = Instant::now();
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let last = Activity { monotonic: mono, wall };
        let timeout = Duration::from_secs(600);
        let at = |mono_secs: u64, wall: SystemTime| {
            idle_remaining(last, (mono + Duration::from_secs(mono_secs), wall), timeout)
        };
        assert_eq!(at(0, wall), timeout);
        assert_eq!(at(590, wall + Duration::from_secs(590)), Duration::from_secs(10));
        assert!(at(600, wall + Duration::from_secs(600)).is_zero());
        // Suspended for an hour: the monotonic clock stood still, the wall clock did not.
        assert!(at(5, wall + Duration::from_secs(3600)).is_zero());
        // The wall clock was set back two hours: the monotonic clock still counts.
        assert!(at(600, wall - Duration::from_secs(7200)).is_zero());
        assert_eq!(at(60, wall - Duration::from_secs(7200)), Duration::from_secs(540));
    }

    #[test]
    fn idle_timeout_follows_the_setting() {
        let settings = Settings {
            idle_lock_minutes: 3,
            ..Settings::default()
        };
        assert_eq!(idle_timeout(&settings), Duration::from_secs(180));
        // A config edited by hand to 0 must not lock at once, nor a huge value never.
        let zero = Settings {
            idle_lock_minutes: 0,
            ..Settings::default()
        };
        assert_eq!(idle_timeout(&zero), Duration::from_secs(60));
        let huge = Settings {
            idle_lock_minutes: u32::MAX,
            ..Settings::default()
        };
        assert_eq!(idle_timeout(&huge), Duration::from_secs(24 * 3600));
    }
}
