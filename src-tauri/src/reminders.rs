//! Rotation reminders: desktop notifications for secrets that are exposed, overdue or due soon,
//! and the tray's count of what must be rotated now (overdue + exposed).
//!
//! While the vault is unlocked a task looks right after each unlock and then every hour, through
//! the same `due` the CLI uses (so a lead hears about every scope they lead, a member about the
//! scopes they hold). Notifications go through tauri-plugin-notification, sent from Rust; the
//! webview has no notification permission. When what it sees changed since its last look it
//! emits `rotation-changed`, so the UI's badge and dashboard refresh.
//!
//! At most one notification a day (UTC) per secret: a secret is announced when it first needs
//! attention and again when it gets worse (due soon → overdue → exposed); overdue and exposed
//! secrets are announced again on each later day until they are rotated. What was announced is
//! kept per vault and member in `reminded.json` beside this device's `config.json` (so it
//! follows `KEYSHELF_CONFIG_DIR`): secret paths, the day and the status, never a value or a
//! note. Paths that no longer need attention are dropped, so a secret that falls due again after
//! a rotation is announced again, and the file stays small.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use keyshelf_core::rotation::{RotationStatus, WARNING_WINDOW};
use keyshelf_core::vault::SecretSummary;
use keyshelf_core::Session;
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

use crate::notifications::Note;
use crate::state::AppState;
use crate::tray;
use crate::watcher::{Look, LookFuture};

/// Emitted to the webview when what needs rotating changed since the last look.
pub const ROTATION_CHANGED_EVENT: &str = "rotation-changed";

const FILE: &str = "reminded.json";

/// How often to look while unlocked.
const EVERY: Duration = Duration::from_secs(3600);

/// More secrets to announce than this in one look become a single notification.
const MAX_EACH: usize = 3;

const DAY: i64 = 86_400;

/// What one secret was last announced as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminded {
    /// The UTC day of the announcement, `YYYY-MM-DD`.
    day: String,
    /// "due-soon", "overdue" or "exposed".
    status: String,
}

/// `reminded.json`: per `"<vault id>/<member id>"`, per secret path.
#[derive(Debug, Default, Serialize, Deserialize)]
struct RemindedFile {
    #[serde(default)]
    members: BTreeMap<String, BTreeMap<String, Reminded>>,
}

/// How urgent a status is; 0 for what needs no reminder.
fn rank(status: RotationStatus) -> u8 {
    match status {
        RotationStatus::Exposed => 3,
        RotationStatus::Overdue => 2,
        RotationStatus::DueSoon => 1,
        RotationStatus::Fresh | RotationStatus::NoDeadline => 0,
    }
}

fn status_name(status: RotationStatus) -> &'static str {
    match status {
        RotationStatus::Exposed => "exposed",
        RotationStatus::Overdue => "overdue",
        RotationStatus::DueSoon => "due-soon",
        RotationStatus::Fresh => "fresh",
        RotationStatus::NoDeadline => "no-deadline",
    }
}

fn rank_of_name(name: &str) -> u8 {
    match name {
        "exposed" => 3,
        "overdue" => 2,
        "due-soon" => 1,
        _ => 0,
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn day_of(unix: i64) -> String {
    keyshelf_core::clock::rfc3339(unix).chars().take(10).collect()
}

/// How many must be rotated now: exposed or overdue (the tray's count, the header's badge).
pub fn urgent(due: &[SecretSummary]) -> usize {
    due.iter().filter(|s| rank(s.rotation) >= 2).count()
}

fn days_word(days: i64) -> String {
    if days == 1 {
        "1 day".into()
    } else {
        format!("{days} days")
    }
}

fn note_for(secret: &SecretSummary, now: i64) -> Note {
    let path = secret.path();
    match secret.rotation {
        RotationStatus::Exposed => Note {
            title: "Secret exposed".into(),
            body: format!("{path}: rotate it at the provider"),
        },
        RotationStatus::Overdue => {
            let late = secret.due_at.map_or(0, |due| now.saturating_sub(due) / DAY);
            Note {
                title: "Rotation overdue".into(),
                body: match late {
                    0 => format!("{path} was due today"),
                    days => format!("{path} was due {} ago", days_word(days)),
                },
            }
        }
        _ => {
            let left = secret
                .due_at
                .map_or(0, |due| due.saturating_sub(now).saturating_add(DAY - 1) / DAY);
            Note {
                title: "Rotation due soon".into(),
                body: match left {
                    0 => format!("{path} is due today"),
                    days => format!("{path} is due in {}", days_word(days)),
                },
            }
        }
    }
}

/// What to announce now, given what `due` returned. Updates `seen` with what it announces and
/// forgets paths that no longer need attention.
pub fn plan(due: &[SecretSummary], seen: &mut BTreeMap<String, Reminded>, now: i64) -> Vec<Note> {
    let today = day_of(now);
    let mut keep = BTreeMap::new();
    let mut announce: Vec<&SecretSummary> = Vec::new();
    for secret in due.iter().filter(|s| rank(s.rotation) > 0) {
        let path = secret.path();
        let level = rank(secret.rotation);
        let tell = match seen.get(&path) {
            None => true,
            Some(last) => last.day != today && (level > rank_of_name(&last.status) || level >= 2),
        };
        let record = if tell {
            announce.push(secret);
            Reminded {
                day: today.clone(),
                status: status_name(secret.rotation).into(),
            }
        } else {
            seen[&path].clone()
        };
        keep.insert(path, record);
    }
    *seen = keep;

    if announce.len() > MAX_EACH {
        let count = |status| announce.iter().filter(|s| s.rotation == status).count();
        let parts: Vec<String> = [
            (count(RotationStatus::Exposed), "exposed"),
            (count(RotationStatus::Overdue), "overdue"),
            (count(RotationStatus::DueSoon), "due soon"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        return vec![Note {
            title: "Rotation reminders".into(),
            body: format!("{} secrets need rotating: {}", announce.len(), parts.join(", ")),
        }];
    }
    announce.into_iter().map(|s| note_for(s, now)).collect()
}

/// What the UI shows of the due list, to tell it when that changes.
fn snapshot(due: &[SecretSummary]) -> Vec<String> {
    due.iter()
        .map(|s| {
            format!(
                "{} {} {:?} {:?} {:?}",
                s.path(),
                status_name(s.rotation),
                s.due_at,
                s.pending_version,
                s.previous_until
            )
        })
        .collect()
}

fn load(dir: &Path) -> RemindedFile {
    crate::memo::load(dir, FILE, "today's reminders may repeat")
}

fn save(dir: &Path, value: &RemindedFile) -> std::io::Result<()> {
    crate::memo::save(dir, FILE, value)
}

/// One look: what is due, the notifications it calls for, the tray count. Returns what it saw.
async fn look(
    app: &AppHandle,
    session: &Session,
    dir: &Path,
    file: &mut RemindedFile,
) -> keyshelf_core::Result<Vec<String>> {
    let due = session.due(WARNING_WINDOW, None).await?;
    let now = keyshelf_core::clock::now();
    let seen = file
        .members
        .entry(format!("{}/{}", session.vault().id(), session.member().id))
        .or_default();
    let before = seen.clone();
    let notes = plan(&due, seen, now);
    for note in &notes {
        if let Err(e) = app.notification().builder().title(&note.title).body(&note.body).show() {
            eprintln!("keyshelf-desktop: cannot show a notification: {e}");
        }
    }
    if *seen != before {
        // Kept in memory either way: a file that cannot be written costs repeats after a restart.
        if let Err(e) = save(dir, file) {
            eprintln!("keyshelf-desktop: cannot write {}: {e}", dir.join(FILE).display());
        }
    }
    tray::show_count(app, urgent(&due));
    Ok(snapshot(&due))
}

/// The watch of rotation deadlines (see `watcher`); the reminded days are loaded at its first
/// look.
pub struct RotationWatch {
    dir: std::path::PathBuf,
    file: Option<RemindedFile>,
}

impl RotationWatch {
    pub fn new(dir: std::path::PathBuf) -> Self {
        Self { dir, file: None }
    }
}

impl Look for RotationWatch {
    const WHAT: &'static str = "check rotation deadlines";
    const CHANGED_EVENT: Option<&'static str> = Some(ROTATION_CHANGED_EVENT);

    fn every(&self) -> Duration {
        EVERY
    }

    fn wake(state: &AppState) -> &Notify {
        &state.reminders_wake
    }

    fn look<'a>(&'a mut self, app: &'a AppHandle, session: &'a Session) -> LookFuture<'a> {
        Box::pin(async move {
            let file = self.file.get_or_insert_with(|| load(&self.dir));
            look(app, session, &self.dir, file).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyshelf_core::kind::SecretKind;

    /// 2027-01-15T08:00:00Z
    const NOW: i64 = 1_799_971_200 + 8 * 3600;

    fn secret(path: &str, rotation: RotationStatus, due_in: i64) -> SecretSummary {
        let mut parts = path.split('/');
        SecretSummary {
            project: parts.next().unwrap().into(),
            environment: parts.next().unwrap().into(),
            name: parts.next().unwrap().into(),
            kind: SecretKind::Openai,
            is_file: false,
            file_name: None,
            version: Some(1),
            policy: "default".into(),
            rotate_every_secs: Some(90 * DAY),
            last_rotated_at: NOW - 80 * DAY,
            due_at: Some(NOW + due_in),
            rotation,
            has_note: false,
            updated_at: NOW - 80 * DAY,
            exposed_at: (rotation == RotationStatus::Exposed).then_some(NOW - DAY),
            exposed_reason: (rotation == RotationStatus::Exposed).then(|| "read by linus".into()),
            pending_version: None,
            previous_until: None,
            check_command: None,
        }
    }

    fn said(notes: &[Note]) -> Vec<String> {
        notes.iter().map(|n| format!("{}: {}", n.title, n.body)).collect()
    }

    #[test]
    fn day_is_the_utc_date() {
        assert_eq!(day_of(NOW), "2027-01-15");
        assert_eq!(day_of(NOW + 16 * 3600 - 1), "2027-01-15");
        assert_eq!(day_of(NOW + 16 * 3600), "2027-01-16");
    }

    #[test]
    fn each_secret_is_announced_once_a_day_at_most() {
        let mut seen = BTreeMap::new();
        let due = [
            secret("llm-eval/prod/OPENAI_API_KEY", RotationStatus::Overdue, -5 * DAY),
            secret("llm-eval/dev/HF_TOKEN", RotationStatus::DueSoon, 9 * DAY),
        ];
        assert_eq!(
            said(&plan(&due, &mut seen, NOW)),
            [
                "Rotation overdue: llm-eval/prod/OPENAI_API_KEY was due 5 days ago",
                "Rotation due soon: llm-eval/dev/HF_TOKEN is due in 9 days",
            ]
        );
        // The hourly looks of the same day say nothing new.
        assert!(plan(&due, &mut seen, NOW + 3600).is_empty());
        assert!(plan(&due, &mut seen, NOW + 15 * 3600).is_empty());

        // The next day: the overdue one again, the due-soon one not (it did not get worse).
        let next = NOW + DAY;
        assert_eq!(
            said(&plan(&due, &mut seen, next)),
            ["Rotation overdue: llm-eval/prod/OPENAI_API_KEY was due 6 days ago"]
        );
        assert!(plan(&due, &mut seen, next + 60).is_empty());
    }

    #[test]
    fn getting_worse_is_news_on_a_later_day_only() {
        let mut seen = BTreeMap::new();
        let soon = [secret("p/e/KEY", RotationStatus::DueSoon, 3600)];
        assert_eq!(plan(&soon, &mut seen, NOW).len(), 1);
        // Overdue the same day: already told today.
        let overdue = [secret("p/e/KEY", RotationStatus::Overdue, -3600)];
        assert!(plan(&overdue, &mut seen, NOW + 7200).is_empty());
        assert_eq!(
            said(&plan(&overdue, &mut seen, NOW + DAY)),
            ["Rotation overdue: p/e/KEY was due 1 day ago"]
        );
        let exposed = [secret("p/e/KEY", RotationStatus::Exposed, -3600)];
        assert_eq!(
            said(&plan(&exposed, &mut seen, NOW + 2 * DAY)),
            ["Secret exposed: p/e/KEY: rotate it at the provider"]
        );
    }

    #[test]
    fn a_rotated_secret_is_forgotten_and_announced_again_when_due_again() {
        let mut seen = BTreeMap::new();
        let due = [secret("p/e/KEY", RotationStatus::Overdue, -DAY)];
        assert_eq!(plan(&due, &mut seen, NOW).len(), 1);
        assert!(plan(&[], &mut seen, NOW + 60).is_empty());
        assert!(seen.is_empty(), "{seen:?}");
        let soon = [secret("p/e/KEY", RotationStatus::DueSoon, 10 * DAY)];
        assert_eq!(plan(&soon, &mut seen, NOW + 120).len(), 1);
    }

    #[test]
    fn many_at_once_make_one_notification_and_the_tray_counts_the_urgent() {
        let mut seen = BTreeMap::new();
        let due = [
            secret("a/dev/K1", RotationStatus::Exposed, DAY),
            secret("a/dev/K2", RotationStatus::Overdue, -DAY),
            secret("a/dev/K3", RotationStatus::Overdue, -2 * DAY),
            secret("a/dev/K4", RotationStatus::DueSoon, 2 * DAY),
            secret("a/dev/K5", RotationStatus::DueSoon, 3 * DAY),
        ];
        assert_eq!(
            said(&plan(&due, &mut seen, NOW)),
            ["Rotation reminders: 5 secrets need rotating: 1 exposed, 2 overdue, 2 due soon"]
        );
        assert_eq!(seen.len(), 5);
        assert_eq!(urgent(&due), 3);
    }

    #[test]
    fn the_record_survives_a_restart_and_holds_paths_and_days_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        let mut file = load(&config);
        let seen = file.members.entry("vault/member".into()).or_default();
        let due = [secret("llm-eval/prod/OPENAI_API_KEY", RotationStatus::Exposed, -DAY)];
        assert_eq!(plan(&due, seen, NOW).len(), 1);
        save(&config, &file).expect("save");

        let text = std::fs::read_to_string(config.join(FILE)).expect("read");
        assert!(
            text.contains("llm-eval/prod/OPENAI_API_KEY") && text.contains("2027-01-15"),
            "{text}"
        );
        assert!(!text.contains("linus"), "no reasons or other metadata: {text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.join(FILE)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut again = load(&config);
        let seen = again.members.entry("vault/member".into()).or_default();
        assert!(plan(&due, seen, NOW + 3600).is_empty());

        std::fs::write(config.join(FILE), "not json").expect("write");
        assert!(load(&config).members.is_empty());
    }
}
