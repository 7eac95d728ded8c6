//! Rotation from the CLI: deadlines that move with (test-injected) time, `due` exit codes and its
//! iCalendar file read back by a real parser, staged rotation with a check, promotion with an
//! overlap, rollback, on-deploy policies, and a kill -9 in the middle of a rotation.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Vault;

const DAY: i64 = 86_400;
const OLD: &str = "sk-proj-OldKeyRotateMe000000000000000";
const BAD: &str = "sk-proj-BadCandidate11111111111111111";
const GOOD: &str = "sk-proj-goodCandidate2222222222222222";
/// Passes only for the good candidate, without naming any value in full.
const CHECK: &str =
    r#"case "$OPENAI_API_KEY" in sk-proj-good*) exit 0;; *) echo "provider says 401" >&2; exit 1;; esac"#;

fn at_day(day: i64) -> String {
    (day * DAY).to_string()
}

fn run_at(v: &Vault, day: i64, args: &[&str]) -> Output {
    v.output(args, "", &[("KEYSHELF_CLOCK_OFFSET_SECS", &at_day(day))])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn due_json(v: &Vault, day: i64) -> (Option<i32>, serde_json::Value) {
    let out = run_at(v, day, &["due", "--json"]);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("due --json: {e}: {}", text(&out.stderr))),
    )
}

fn statuses(due: &serde_json::Value) -> Vec<(String, String)> {
    due.as_array()
        .expect("array")
        .iter()
        .map(|s| {
            (
                format!(
                    "{}/{}/{}",
                    s["project"].as_str().unwrap(),
                    s["environment"].as_str().unwrap(),
                    s["name"].as_str().unwrap()
                ),
                s["rotation"].as_str().expect("rotation").to_owned(),
            )
        })
        .collect()
}

fn rotate(v: &Vault, args: &[&str], value: &str) -> Output {
    v.remember(value);
    v.output(args, value, &[])
}

#[test]
fn a_90_day_key_is_due_soon_at_day_76_and_overdue_at_day_91() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", OLD);
    v.set_with(
        &["set", "llm-eval/dev/TOKENIZER_SEED", "--kind", "generic"],
        "no deadline for me",
    );

    let (code, due) = due_json(&v, 0);
    assert_eq!((code, statuses(&due)), (Some(0), vec![]));
    let (code, due) = due_json(&v, 75);
    assert_eq!((code, statuses(&due)), (Some(0), vec![]));
    let (code, due) = due_json(&v, 76);
    assert_eq!(code, Some(0), "due soon is not overdue");
    assert_eq!(
        statuses(&due),
        vec![("llm-eval/dev/OPENAI_API_KEY".into(), "due-soon".into())]
    );
    let (code, due) = due_json(&v, 91);
    assert_eq!(code, Some(3), "something overdue: exit 3 for cron and CI");
    // Cron has no passphrase: names and dates need no unlock.
    let locked = v
        .cmd_no_pass(&["due"])
        .env("KEYSHELF_CLOCK_OFFSET_SECS", at_day(91))
        .output()
        .expect("due");
    assert_eq!(locked.status.code(), Some(3), "{}", text(&locked.stderr));
    assert!(text(&locked.stdout).contains("llm-eval/dev/OPENAI_API_KEY"));
    assert_eq!(
        statuses(&due),
        vec![("llm-eval/dev/OPENAI_API_KEY".into(), "overdue".into())]
    );

    // A wider window sees it earlier; the table names the provider page to rotate at.
    let out = run_at(&v, 40, &["due", "--within", "60d"]);
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    assert!(
        table.contains("due soon") && table.contains("https://platform.openai.com/api-keys"),
        "{table}"
    );

    // prod is stricter: a 30-day policy on the environment makes its key due at day 30.
    v.set("llm-eval/prod/OPENAI_API_KEY", OLD);
    v.ok(&["policy", "set", "llm-eval/prod", "--every", "30d"]);
    let listed = v.ok(&["policy", "ls"]);
    assert!(
        listed.contains("llm-eval/prod") && listed.contains("every 30d"),
        "{listed}"
    );
    let (code, due) = due_json(&v, 31);
    assert_eq!(code, Some(3));
    assert_eq!(
        statuses(&due),
        vec![("llm-eval/prod/OPENAI_API_KEY".into(), "overdue".into())],
        "dev keeps its 90 days"
    );
    let (_, due) = due_json(&v, 31);
    assert_eq!(due[0]["rotate_every_secs"], 30 * DAY);
    v.ok(&["policy", "unset", "llm-eval/prod"]);
    assert_eq!(due_json(&v, 31).0, Some(0));
}

#[test]
fn the_ics_file_parses_with_a_real_icalendar_parser() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", OLD);
    v.set("llm-eval/dev/HF_TOKEN", "hf_TokenForCalendarTest000000000");
    v.set_with(
        &["set", "llm-eval/dev/AWS_SECRET_ACCESS_KEY", "--kind", "aws"],
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let ics = v.dir.path().join("deadlines.ics");
    let out = run_at(&v, 1, &["due", "--ics", ics.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let calendar = std::fs::read_to_string(&ics).expect("ics written");
    for value in [OLD, "hf_TokenForCalendarTest", "wJalrXUtnFEMI"] {
        assert!(!calendar.contains(value), "a value reached the calendar");
    }
    // Every deadline, not just those inside the window: three events, read back by Python's
    // icalendar (installed by .ci/setup).
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for e in sorted(cal.walk('VEVENT'), key=lambda e: str(e['SUMMARY'])):
    print(e['SUMMARY'], e.decoded('DTSTART').isoformat(), len(e.walk('VALARM')))
"#;
    let parsed = Command::new("python3")
        .args(["-c", script, ics.to_str().unwrap()])
        .output()
        .expect("python3");
    assert!(parsed.status.success(), "icalendar: {}", text(&parsed.stderr));
    let lines: Vec<String> = text(&parsed.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let summaries: Vec<&str> = lines.iter().map(|l| l.split(' ').take(2).last().unwrap()).collect();
    assert_eq!(
        summaries,
        [
            "llm-eval/dev/AWS_SECRET_ACCESS_KEY",
            "llm-eval/dev/HF_TOKEN",
            "llm-eval/dev/OPENAI_API_KEY"
        ]
    );
    // AWS: 30 days, the others 90; each event has its reminder.
    let today = time::OffsetDateTime::now_utc().date();
    let in_days = |d: i64| (today + time::Duration::days(d)).to_string();
    assert!(lines[0].ends_with(&format!("{} 1", in_days(30))), "{}", lines[0]);
    assert!(lines[2].ends_with(&format!("{} 1", in_days(90))), "{}", lines[2]);
}

#[test]
fn staged_rotation_checks_promotes_with_overlap_and_rolls_back() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "prod"]);
    let path = "llm-eval/prod/OPENAI_API_KEY";
    v.set(path, OLD);

    // A failing check keeps the candidate pending, and promotion refuses it.
    let out = rotate(&v, &["rotate", path, "--check", CHECK], BAD);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Check failed (exit 1)"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(v.get(path), OLD.as_bytes());
    let history = v.ok(&["history", path]);
    assert!(
        history.contains("pending") && history.contains("check failed"),
        "{history}"
    );
    let err = v.fail(&["rotate", "--promote", path]);
    assert!(
        err.contains("check of llm-eval/prod/OPENAI_API_KEY version 2 failed"),
        "{err}"
    );
    assert_eq!(v.get(path), OLD.as_bytes());

    // A good candidate passes, and the saved check runs again at promotion.
    let out = rotate(&v, &["rotate", path, "--check", CHECK, "--save-check"], GOOD);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(v.get(path), OLD.as_bytes(), "staging changes nothing current");
    let (_, promoted) = v.ok_with_stderr(&["rotate", "--promote", path, "--overlap", "2h"]);
    assert!(
        promoted.contains("Check passed") && promoted.contains("v1 stays readable as previous"),
        "{promoted}"
    );
    assert_eq!(v.get(path), GOOD.as_bytes());
    assert_eq!(v.ok(&["get", "--previous", path]), OLD);
    let both = v.ok(&[
        "run",
        "--scope",
        "llm-eval/prod",
        "--with-previous",
        "--",
        "sh",
        "-c",
        r#"printf '%s|%s' "$OPENAI_API_KEY" "$OPENAI_API_KEY_PREVIOUS""#,
    ]);
    assert_eq!(both, format!("{GOOD}|{OLD}"));
    let listed: serde_json::Value = serde_json::from_str(&v.ok(&["ls", "--json"])).expect("ls");
    assert!(listed[0]["previous_until"].is_number(), "{listed}");

    // Rollback inside the window swaps them, and can be undone.
    v.ok(&["rotate", "--rollback", path]);
    assert_eq!(v.get(path), OLD.as_bytes());
    assert_eq!(v.ok(&["get", "--previous", path]), GOOD);
    v.ok(&["rotate", "--rollback", path]);
    assert_eq!(v.get(path), GOOD.as_bytes());

    // After the overlap the old value is retired: unreadable, and no rollback.
    let later = run_at(&v, 1, &["get", "--previous", path]);
    assert_eq!(later.status.code(), Some(1));
    assert!(
        text(&later.stderr).contains("no previous version inside its overlap window"),
        "{}",
        text(&later.stderr)
    );
    let later = run_at(&v, 1, &["rotate", "--rollback", path]);
    assert_eq!(later.status.code(), Some(1));
    let history = text(&run_at(&v, 1, &["history", "--json", path]).stdout);
    let states: serde_json::Value = serde_json::from_str(&history).expect("history");
    let states: Vec<(i64, &str)> = states
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["version"].as_i64().unwrap(), h["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [(3, "current"), (2, "retired"), (1, "retired")]);

    // Promotion and rollback are audited, and the chain still verifies.
    let audit = v.ok(&["audit", "ls", "--limit", "50"]);
    for action in [
        "secret.rotate.stage",
        "secret.rotate.check-failed",
        "secret.rotate.check-passed",
        "secret.rotate.promote",
        "secret.rotate.rollback",
    ] {
        assert!(audit.contains(action), "{action} missing from {audit}");
    }
    v.ok(&["audit", "verify"]);
}

#[test]
fn a_rotation_fixes_an_overdue_secret_and_cancel_discards_a_candidate() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    let path = "llm-eval/dev/OPENAI_API_KEY";
    v.set(path, OLD);
    // Staged 100 days in: still overdue until promoted.
    let staged = v.output(&["rotate", path], GOOD, &[("KEYSHELF_CLOCK_OFFSET_SECS", &at_day(100))]);
    v.remember(GOOD);
    assert!(staged.status.success(), "{}", text(&staged.stderr));
    assert_eq!(due_json(&v, 100).0, Some(3));
    let ls = text(&run_at(&v, 100, &["ls"]).stdout);
    assert!(ls.contains("OVERDUE since") && ls.contains("(v2 pending)"), "{ls}");
    assert!(run_at(&v, 100, &["rotate", "--promote", path]).status.success());
    assert_eq!(due_json(&v, 100).0, Some(0));
    assert_eq!(due_json(&v, 100 + 91).0, Some(3), "the clock restarts at the promotion");

    let wrong = rotate(&v, &["rotate", path], "not-a-key-at-all-000000");
    assert!(wrong.status.success());
    assert!(
        text(&wrong.stderr).contains("warning: this does not look like"),
        "{}",
        text(&wrong.stderr)
    );
    v.ok(&["rotate", "--cancel", path]);
    let err = v.fail(&["rotate", "--promote", path]);
    assert!(err.contains("has no pending version"), "{err}");
    assert_eq!(v.get(path), GOOD.as_bytes());
}

#[test]
fn on_deploy_secrets_fall_due_at_each_deployment() {
    let v = Vault::init();
    v.ok(&["project", "add", "serving", "--env", "prod"]);
    let path = "serving/prod/DATABASE_URL";
    v.set_with(&["set", path, "--rotation", "on-deploy"], "postgres://app:pw0ld@db/app");
    assert_eq!(due_json(&v, 0).0, Some(0));
    // A day later a deployment is recorded: the password falls due.
    let marked = run_at(&v, 1, &["deploy-mark", "serving/prod", "--note", "v1.4.2"]);
    assert!(
        text(&marked.stderr).contains("serving/prod/DATABASE_URL"),
        "{}",
        text(&marked.stderr)
    );
    let (code, due) = due_json(&v, 1);
    assert_eq!((code, statuses(&due)), (Some(3), vec![(path.into(), "overdue".into())]));
    v.remember("postgres://app:pwNew@db/app");
    let staged = v.output(
        &["rotate", path],
        "postgres://app:pwNew@db/app",
        &[("KEYSHELF_CLOCK_OFFSET_SECS", &at_day(2))],
    );
    assert!(staged.status.success());
    assert!(run_at(&v, 2, &["rotate", "--promote", path]).status.success());
    assert_eq!(due_json(&v, 2).0, Some(0), "rotated since the deployment");
}

#[test]
fn kill_9_during_a_check_leaves_a_consistent_vault() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "prod"]);
    let path = "llm-eval/prod/OPENAI_API_KEY";
    v.set(path, OLD);
    v.remember(GOOD);
    let marker = v.dir.path().join("check-started");
    let check = format!("echo $$ > {}; exec sleep 60", marker.display());
    let mut child = v
        .cmd(&["rotate", path, "--check", &check])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn keyshelf rotate");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), GOOD.as_bytes()).expect("value");
    // The check writes its pid once keyshelf has staged the value and started it.
    let started = Instant::now();
    let check_pid = loop {
        if let Some(pid) = std::fs::read_to_string(&marker).ok().filter(|p| p.ends_with('\n')) {
            break pid.trim().to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the check never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().expect("kill -9 keyshelf");
    child.wait().expect("reap");
    let _ = Command::new("kill").args(["-9", &check_pid]).status();

    // The current value is untouched, the candidate waits unchecked, the audit chain holds.
    assert_eq!(v.get(path), OLD.as_bytes());
    let history: serde_json::Value = serde_json::from_str(&v.ok(&["history", "--json", path])).expect("history");
    assert_eq!(history[0]["state"], "pending");
    assert_eq!(history[0]["check_status"], serde_json::Value::Null);
    v.ok(&["audit", "verify"]);
    v.ok(&["rotate", "--promote", path]);
    assert_eq!(v.get(path), GOOD.as_bytes());
}

#[test]
fn a_saved_check_slipped_into_the_file_is_refused_not_run() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "prod"]);
    let path = "llm-eval/prod/OPENAI_API_KEY";
    v.set(path, OLD);
    let out = rotate(&v, &["rotate", path, "--check", CHECK, "--save-check"], GOOD);
    assert!(out.status.success(), "{}", text(&out.stderr));
    v.ok(&["rotate", "--promote", path]);

    // Someone with write access to the file swaps the command: it is not signed by its saver.
    let marker = v.dir.path().join("ran");
    common::db_exec(
        &v.db(),
        &format!(
            "UPDATE secrets SET check_command = 'touch {}' WHERE name = 'OPENAI_API_KEY'",
            marker.display()
        ),
    );
    // Its signature no longer matches, and the saved check is part of the secret's sealed
    // state: the edit is refused either way, and nothing runs.
    let refused = |said: &str| {
        said.contains("failed authentication") || said.contains("not signed by a member this device trusts")
    };
    let out = rotate(&v, &["rotate", path], "sk-proj-goodAgain33333333333333333333");
    assert_eq!(out.status.code(), Some(1));
    assert!(refused(&text(&out.stderr)), "{}", text(&out.stderr));
    let err = v.fail(&["rotate", "--promote", path]);
    assert!(refused(&err), "{err}");
    assert!(!marker.exists(), "the slipped-in check ran");
    // Undoing the edit restores the flow.
    common::db_exec(
        &v.db(),
        &format!("UPDATE secrets SET check_command = '{CHECK}' WHERE name = 'OPENAI_API_KEY'"),
    );
    let out = rotate(&v, &["rotate", path], "sk-proj-goodAgain33333333333333333333");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = rotate(&v, &["rotate", "--promote", path], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(v.get(path), b"sk-proj-goodAgain33333333333333333333");
}

#[test]
fn exposure_survives_promoting_an_old_candidate_and_rolling_back() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "prod"]);
    let path = "llm-eval/prod/OPENAI_API_KEY";
    v.set(path, OLD);
    assert!(rotate(&v, &["rotate", path], BAD).status.success());
    // Then a member who read it loses access: the revocation flags it exposed.
    v.person_ok("alice", &["member", "join", "--name", "alice"]);
    v.ok(&["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")]);
    let request = v
        .person_ok("alice", &["access", "request", "llm-eval/prod", "--reason", "eval"])
        .0;
    v.ok(&["access", "approve", request.trim()]);
    v.person_ok("alice", &["get", path]);
    v.ok(&["access", "revoke", "alice", "llm-eval/prod"]);
    let exposed = |day: i64| text(&run_at(&v, day, &["ls"]).stdout).contains("EXPOSED");
    assert!(exposed(0));
    // The candidate staged before the exposure is exposed too: promoting it fixes nothing.
    assert!(run_at(&v, 0, &["rotate", "--promote", path]).status.success());
    assert!(exposed(0), "a value that existed at the exposure is still exposed");
    // A value created after it is not ...
    v.remember(GOOD);
    let staged = v.output(&["rotate", path], GOOD, &[("KEYSHELF_CLOCK_OFFSET_SECS", &at_day(1))]);
    assert!(staged.status.success(), "{}", text(&staged.stderr));
    assert!(run_at(&v, 1, &["rotate", "--promote", path]).status.success());
    assert!(!exposed(1));
    // ... and rolling back to the exposed one flags it again.
    assert!(run_at(&v, 1, &["rotate", "--rollback", path]).status.success());
    assert!(exposed(1));
}

#[test]
fn overlap_zero_retires_the_old_value_at_once() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "prod"]);
    let path = "llm-eval/prod/OPENAI_API_KEY";
    v.set(path, OLD);
    assert!(rotate(&v, &["rotate", path], GOOD).status.success());
    v.ok(&["rotate", "--promote", path, "--overlap", "0"]);
    let err = v.fail(&["get", "--previous", path]);
    assert!(err.contains("no previous version inside its overlap window"), "{err}");
}
