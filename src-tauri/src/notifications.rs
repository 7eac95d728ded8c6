//! Desktop notifications about team access, sent from Rust so the webview needs no notification
//! permission: to whoever may decide a request (the owner, a lead of the project) when one
//! arrives, and to a requester when theirs is approved or denied.
//!
//! While the vault is unlocked a task looks right after each unlock and then every minute
//! (other members request and decide from their own devices, through the shared vault file).
//! When what it sees changed since its last look, it also emits `access-changed`, so the UI's
//! inbox badge and locked scopes refresh at once instead of at their own next poll.
//!
//! "Once" survives restarts: the ids already announced are kept per vault and member in
//! `notified.json` beside this device's `config.json` (the device config dir, so it follows
//! `KEYSHELF_CONFIG_DIR` like the membership it belongs to). The file holds request ids only:
//! no names, reasons, scopes or values. Ids that can no longer come up (a request no longer
//! pending; a decision older than two weeks) are dropped, so the file stays small. Decisions
//! older than two weeks are not announced at all: on a device's first run, or after a long
//! absence, they are old news. Losing the file costs at most one repeat of what is still pending.
//!
//! What a notification says is metadata stored in clear in the vault (member names, scope
//! labels, a denial's reason), never a secret value or a note.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use keyshelf_core::team::requests::AccessRequest;
use keyshelf_core::team::roster::RosterEntry;
use keyshelf_core::Session;
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;
use tokio::sync::Notify;

use crate::state::AppState;
use crate::watcher::{Look, LookFuture};

/// Emitted to the webview when requests, decisions or the roster changed since the last look.
pub const ACCESS_CHANGED_EVENT: &str = "access-changed";

const FILE: &str = "notified.json";

/// Decisions older than this are not announced.
const RECENT_SECS: i64 = 14 * 86_400;

/// More new requests than this in one look become a single notification.
const MAX_EACH: usize = 3;

/// A denial's reason is cut to this many characters in a notification.
const MAX_REASON_CHARS: usize = 200;

/// How often to look while unlocked: 60 s; in debug builds (the e2e tests)
/// `KEYSHELF_ACCESS_POLL_SECS` overrides it.
fn every() -> Duration {
    #[cfg(debug_assertions)]
    if let Some(secs) = std::env::var("KEYSHELF_ACCESS_POLL_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
    {
        return Duration::from_secs(secs);
    }
    Duration::from_secs(60)
}

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: String,
    pub body: String,
}

/// What one member was already told about, in one vault.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Pending requests announced to this member as someone who decides them.
    #[serde(default)]
    requests: BTreeSet<String>,
    /// Decisions on this member's own requests announced to them.
    #[serde(default)]
    decisions: BTreeSet<String>,
}

/// `notified.json`: `Seen` per `"<vault id>/<member id>"`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Notified {
    #[serde(default)]
    members: BTreeMap<String, Seen>,
}

fn project_of(scope: &str) -> &str {
    scope.split('/').next().unwrap_or_default()
}

/// What to announce now to member `me`, given every request as the core verified it;
/// `may_decide(project)` says whether `me` decides that project's requests. Updates `seen` with
/// what it announces and forgets ids that cannot come up again. Forged (unverified) requests
/// and decisions are never announced: they are not work to do nor news to trust.
pub fn plan(
    me: &str,
    may_decide: impl Fn(&str) -> bool,
    requests: &[AccessRequest],
    seen: &mut Seen,
    now: i64,
) -> Vec<Note> {
    let mut notes = Vec::new();

    let to_decide: Vec<&AccessRequest> = requests
        .iter()
        .filter(|r| r.status == "pending" && r.verified && r.member != me && may_decide(project_of(&r.scope)))
        .collect();
    let fresh: Vec<&&AccessRequest> = to_decide.iter().filter(|r| !seen.requests.contains(&r.id)).collect();
    if fresh.len() > MAX_EACH {
        notes.push(Note {
            title: "Access requests".into(),
            body: format!("{} requests wait for your decision", fresh.len()),
        });
    } else {
        notes.extend(fresh.iter().map(|r| Note {
            title: "Access request".into(),
            body: format!("{} asks for {}", r.member, r.scope),
        }));
    }
    seen.requests = to_decide.iter().map(|r| r.id.clone()).collect();

    let decided: Vec<&AccessRequest> = requests
        .iter()
        .filter(|r| {
            r.member == me
                && r.verified
                && (r.status == "approved" || r.status == "denied")
                && r.decided_at.is_some_and(|at| at >= now.saturating_sub(RECENT_SECS))
        })
        .collect();
    for r in decided.iter().filter(|r| !seen.decisions.contains(&r.id)) {
        notes.push(if r.status == "approved" {
            Note {
                title: "Access approved".into(),
                body: r.scope.clone(),
            }
        } else {
            let reason = r.decision_note.as_deref().map(str::trim).unwrap_or_default();
            Note {
                title: "Access denied".into(),
                body: if reason.is_empty() {
                    r.scope.clone()
                } else {
                    format!("{} — {}", r.scope, shorten(reason))
                },
            }
        });
    }
    seen.decisions = decided.iter().map(|r| r.id.clone()).collect();

    notes
}

fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_REASON_CHARS {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX_REASON_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// What the UI shows that others change: requests and their states, the roster.
fn snapshot(roster: &[RosterEntry], requests: &[AccessRequest]) -> Vec<String> {
    let members = roster.iter().map(|e| {
        format!(
            "m {} {} {} {} {}",
            e.id,
            e.status,
            e.role.as_str(),
            e.lead_of.join(","),
            e.trusted
        )
    });
    let requests = requests
        .iter()
        .map(|r| format!("r {} {} {}", r.id, r.status, r.verified));
    members.chain(requests).collect()
}

fn load(dir: &Path) -> Notified {
    crate::memo::load(dir, FILE, "still pending requests are announced again")
}

fn save(dir: &Path, value: &Notified) -> std::io::Result<()> {
    crate::memo::save(dir, FILE, value)
}

/// One look: reads the roster and the requests, shows what is new, remembers it. Returns what
/// it saw, to tell the UI when that changes.
async fn look(
    app: &AppHandle,
    session: &Session,
    dir: &Path,
    notified: &mut Notified,
) -> keyshelf_core::Result<Vec<String>> {
    let roster = session.roster().await?;
    let requests = session.access_requests(false).await?;
    let me = session.member();
    let my_entry = roster.iter().find(|e| e.id == me.id);
    let seen = notified
        .members
        .entry(format!("{}/{}", session.vault().id(), me.id))
        .or_default();
    let before = seen.clone();
    let notes = plan(
        &me.name,
        |project| my_entry.is_some_and(|e| e.may_grant(project)),
        &requests,
        seen,
        keyshelf_core::clock::now(),
    );
    for note in &notes {
        if let Err(e) = app.notification().builder().title(&note.title).body(&note.body).show() {
            eprintln!("keyshelf-desktop: cannot show a notification: {e}");
        }
    }
    if *seen != before {
        // Kept in memory either way, so a file that cannot be written costs repeats only after
        // a restart.
        if let Err(e) = save(dir, notified) {
            eprintln!("keyshelf-desktop: cannot write {}: {e}", dir.join(FILE).display());
        }
    }
    Ok(snapshot(&roster, &requests))
}

/// The watch of access requests and decisions (see `watcher`); the notified ids are loaded at
/// its first look.
pub struct AccessWatch {
    dir: std::path::PathBuf,
    notified: Option<Notified>,
}

impl AccessWatch {
    pub fn new(dir: std::path::PathBuf) -> Self {
        Self { dir, notified: None }
    }
}

impl Look for AccessWatch {
    const WHAT: &'static str = "check access requests";
    const CHANGED_EVENT: Option<&'static str> = Some(ACCESS_CHANGED_EVENT);

    fn every(&self) -> Duration {
        every()
    }

    fn wake(state: &AppState) -> &Notify {
        &state.access_wake
    }

    fn look<'a>(&'a mut self, app: &'a AppHandle, session: &'a Session) -> LookFuture<'a> {
        Box::pin(async move {
            let notified = self.notified.get_or_insert_with(|| load(&self.dir));
            look(app, session, &self.dir, notified).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn request(id: &str, member: &str, scope: &str, status: &str) -> AccessRequest {
        AccessRequest {
            id: id.into(),
            member: member.into(),
            scope: scope.into(),
            reason: "eval run".into(),
            duration_secs: Some(3600),
            created_at: NOW - 60,
            status: status.into(),
            decided_by: (status != "pending").then(|| "bob".into()),
            decided_at: (status != "pending").then_some(NOW - 30),
            decision_note: (status == "denied").then(|| "use dev".into()),
            expires_at: None,
            verified: true,
            problem: None,
            may_decide: status == "pending",
        }
    }

    fn titles(notes: &[Note]) -> Vec<String> {
        notes.iter().map(|n| format!("{}: {}", n.title, n.body)).collect()
    }

    #[test]
    fn a_decider_hears_of_each_new_request_once() {
        let leads_llm_eval = |project: &str| project == "llm-eval";
        let mut seen = Seen::default();
        let mut requests = vec![
            request("r1", "alice", "llm-eval/dev", "pending"),
            request("r2", "alice", "training/dev", "pending"),
            request("r3", "bob", "llm-eval/prod", "pending"),
        ];
        requests[2].verified = false;
        requests[2].problem = Some("the request's signature does not verify".into());
        let notes = plan("bob", leads_llm_eval, &requests, &mut seen, NOW);
        assert_eq!(titles(&notes), ["Access request: alice asks for llm-eval/dev"]);
        assert!(plan("bob", leads_llm_eval, &requests, &mut seen, NOW).is_empty());

        requests.push(request("r4", "carol", "llm-eval/prod", "pending"));
        let notes = plan("bob", leads_llm_eval, &requests, &mut seen, NOW);
        assert_eq!(titles(&notes), ["Access request: carol asks for llm-eval/prod"]);

        // Decided ones are forgotten, so the record stays small.
        requests[0].status = "approved".into();
        assert!(plan("bob", leads_llm_eval, &requests, &mut seen, NOW).is_empty());
        assert_eq!(seen.requests, BTreeSet::from(["r4".to_owned()]));
    }

    #[test]
    fn nobody_is_told_of_their_own_request_or_one_they_do_not_decide() {
        let mut seen = Seen::default();
        let requests = [
            request("r1", "alice", "llm-eval/dev", "pending"),
            request("r2", "bob", "training/dev", "pending"),
        ];
        assert!(plan("alice", |_| false, &requests, &mut seen, NOW).is_empty());
        let notes = plan("bob", |_| true, &requests, &mut seen, NOW);
        assert_eq!(titles(&notes), ["Access request: alice asks for llm-eval/dev"]);
    }

    #[test]
    fn many_new_requests_make_one_notification() {
        let mut seen = Seen::default();
        let requests: Vec<_> = (0..5)
            .map(|i| request(&format!("r{i}"), "alice", &format!("p{i}/dev"), "pending"))
            .collect();
        let notes = plan("ada", |_| true, &requests, &mut seen, NOW);
        assert_eq!(titles(&notes), ["Access requests: 5 requests wait for your decision"]);
        assert_eq!(seen.requests.len(), 5);
    }

    #[test]
    fn a_requester_hears_of_each_decision_once() {
        let mut seen = Seen::default();
        let mut requests = vec![
            request("r1", "alice", "llm-eval/dev", "pending"),
            request("r2", "alice", "llm-eval/prod", "pending"),
            request("r3", "carol", "llm-eval/prod", "approved"),
        ];
        assert!(plan("alice", |_| false, &requests, &mut seen, NOW).is_empty());
        requests[0] = request("r1", "alice", "llm-eval/dev", "approved");
        requests[1] = request("r2", "alice", "llm-eval/prod", "denied");
        let notes = plan("alice", |_| false, &requests, &mut seen, NOW);
        assert_eq!(
            titles(&notes),
            [
                "Access approved: llm-eval/dev",
                "Access denied: llm-eval/prod — use dev"
            ]
        );
        assert!(plan("alice", |_| false, &requests, &mut seen, NOW).is_empty());
    }

    #[test]
    fn old_or_forged_decisions_are_not_news() {
        let mut seen = Seen::default();
        let mut old = request("r1", "alice", "llm-eval/dev", "approved");
        old.decided_at = Some(NOW - RECENT_SECS - 1);
        let mut forged = request("r2", "alice", "llm-eval/prod", "approved");
        forged.verified = false;
        assert!(plan("alice", |_| false, &[old, forged], &mut seen, NOW).is_empty());
        assert!(seen.decisions.is_empty());
    }

    #[test]
    fn a_long_denial_reason_is_cut_to_one_line() {
        let mut seen = Seen::default();
        let mut denied = request("r1", "alice", "llm-eval/prod", "denied");
        denied.decision_note = Some(format!("first line\n{}", "x".repeat(400)));
        let notes = plan("alice", |_| false, &[denied], &mut seen, NOW);
        let body = &notes[0].body;
        assert!(body.starts_with("llm-eval/prod — first line xxx"), "{body}");
        assert!(body.ends_with('…') && !body.contains('\n'), "{body}");
        assert!(body.chars().count() <= "llm-eval/prod — ".chars().count() + MAX_REASON_CHARS);
    }

    #[test]
    fn the_record_survives_a_restart_and_holds_ids_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        let mut notified = load(&config);
        let seen = notified.members.entry("vault/member".into()).or_default();
        let requests = [request("r1", "alice", "llm-eval/dev", "pending")];
        assert_eq!(plan("ada", |_| true, &requests, seen, NOW).len(), 1);
        save(&config, &notified).expect("save");

        let text = std::fs::read_to_string(config.join(FILE)).expect("read");
        assert!(
            text.contains("r1") && !text.contains("alice") && !text.contains("llm-eval"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(config.join(FILE)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut again = load(&config);
        let seen = again.members.entry("vault/member".into()).or_default();
        assert!(plan("ada", |_| true, &requests, seen, NOW).is_empty());

        std::fs::write(config.join(FILE), "not json").expect("write");
        assert!(load(&config).members.is_empty());
    }
}
