//! The attacker of docs/SECURITY.md: anyone who can write the vault file (on a shared file,
//! every member), including a member whose access was taken away. Each test edits a real vault
//! with SQL as they would (triggers dropped first) and checks that the honest client refuses the
//! state, says what was tampered with, and that the attacker learns nothing written after.

mod common;

use std::path::{Path, PathBuf};

use common::{db_exec, Vault};

const PROD: &str = "sk-proj-ProdOnly0000000000000000";
const AFTER: &str = "sk-proj-WrittenAfterRevocation000";

fn request_id(stdout: &str) -> String {
    let id = stdout.trim().to_owned();
    assert_eq!(id.len(), 8, "a request id on stdout: {stdout:?}");
    id
}

/// ada owns the vault; bob leads llm-eval and holds prod; alice was granted prod and read it.
fn team() -> Vault {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.set("llm-eval/prod/OPENAI_API_KEY", PROD);
    v.remember(AFTER);
    for who in ["bob", "alice"] {
        v.person_ok(who, &["member", "join", "--name", who]);
    }
    v.approve_lead("bob", "llm-eval");
    v.ok(&["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")]);
    for who in ["bob", "alice"] {
        let id = request_id(
            &v.person_ok(who, &["access", "request", "llm-eval/prod", "--reason", "eval"])
                .0,
        );
        v.ok(&["access", "approve", &id]);
    }
    v.person_ok("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    v
}

/// A consistent copy of the vault as it is now (WAL included), as an attacker keeps one.
fn snapshot(v: &Vault, name: &str) -> PathBuf {
    let copy = v.dir.path().join(name);
    db_exec(&v.db(), &format!("VACUUM INTO '{}'", copy.display()));
    copy
}

const TABLES: &[&str] = &[
    "vault",
    "members",
    "key_envelopes",
    "projects",
    "environments",
    "scopes",
    "scope_epochs",
    "grants",
    "secrets",
    "secret_versions",
    "access_requests",
    "removals",
    "deployments",
    "rotation_overrides",
    "audit",
];

/// Row-level rollback: every row the snapshot has is written back over what changed since, and
/// every row deleted since is re-inserted; rows added since stay.
fn write_back_rows(v: &Vault, old: &Path) {
    let mut sql = format!(
        "PRAGMA foreign_keys = OFF; DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; ATTACH '{}' AS old;",
        old.display()
    );
    for table in TABLES {
        sql.push_str(&format!(
            "INSERT OR REPLACE INTO main.{table} SELECT * FROM old.{table};"
        ));
    }
    db_exec(&v.db(), &sql);
}

/// The whole file restored from the copy.
fn restore_file(v: &Vault, old: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", v.db().display()));
    }
    std::fs::copy(old, v.db()).expect("restore the old copy");
}

/// Runs `cmd` with `input` on stdin.
fn with_stdin(mut cmd: std::process::Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes()).expect("stdin");
    child.wait_with_output().expect("wait")
}

fn set_fails(v: &Vault, who: Option<&str>, value: &str) -> String {
    let cmd = match who {
        Some(who) => v.person_cmd(who, &["set", "llm-eval/prod/OPENAI_API_KEY"]),
        None => v.cmd(&["set", "llm-eval/prod/OPENAI_API_KEY"]),
    };
    let out = with_stdin(cmd, value);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "set should be refused: {stderr}");
    assert!(!stderr.contains(value));
    stderr
}

/// What alice (revoked) can read from the file now, with her unmodified client.
fn alice_reads(v: &Vault) -> String {
    let out = v
        .person_cmd("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"])
        .output()
        .expect("run");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn writing_back_the_rows_of_a_revocation_undoes_nothing() {
    let v = team();
    let before = snapshot(&v, "before-revoke.db");
    v.ok(&["access", "revoke", "alice", "llm-eval/prod"]);
    // alice puts back her grant, the old key epoch and everything else the revocation changed.
    write_back_rows(&v, &before);

    // Neither the owner's client (which made the new key) nor the lead's (which never used it)
    // encrypts under the old key: one remembers epoch 2, the other finds its signed record.
    let err = set_fails(&v, None, AFTER);
    assert!(
        err.contains("llm-eval/prod is back at key epoch 1; this device has used epoch 2"),
        "{err}"
    );
    let err = set_fails(&v, Some("bob"), AFTER);
    assert!(err.contains("newest signed key is epoch 2"), "{err}");
    assert_ne!(alice_reads(&v), AFTER);
}

#[test]
fn a_vault_restored_from_an_older_copy_is_refused_by_every_device_that_saw_the_newer_one() {
    let v = team();
    let before = snapshot(&v, "before-revoke.db");
    v.ok(&["access", "revoke", "alice", "llm-eval/prod"]);
    v.person_ok("bob", &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    restore_file(&v, &before);

    for who in [None, Some("bob")] {
        let err = set_fails(&v, who, AFTER);
        assert!(err.contains("went back to an older state"), "{who:?}: {err}");
        assert!(err.contains("audit log ends before entry"), "{err}");
    }
    let out = v.cmd(&["get", "llm-eval/prod/OPENAI_API_KEY"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no value from a rolled-back vault");
    let out = v.cmd(&["audit", "verify"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("went back to an older state"));
    assert_ne!(alice_reads(&v), AFTER);
}

#[test]
fn a_cut_audit_tail_is_reported_by_the_device_that_wrote_it() {
    let v = team();
    v.ok(&["access", "revoke", "alice", "llm-eval/prod"]);
    let verified = v.ok(&["audit", "verify"]);
    assert!(verified.contains("intact"), "{verified}");
    // The revocation's entries go: a later revocation would find no read of alice's to flag.
    db_exec(
        &v.db(),
        "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 3 FROM audit);",
    );
    let err = v.fail(&["audit", "verify"]);
    assert!(err.contains("its tail was cut"), "{err}");
    let err = v.fail(&["get", "llm-eval/prod/OPENAI_API_KEY"]);
    assert!(err.contains("went back to an older state"), "{err}");
}

#[test]
fn a_removed_lead_who_sets_their_row_back_to_active_stays_removed() {
    let v = team();
    v.person_ok("carol", &["member", "join", "--name", "carol"]);
    v.ok(&["member", "remove", "bob"]);
    v.person_ok("alice", &["member", "ls"]);
    db_exec(&v.db(), "UPDATE members SET status = 'active' WHERE name = 'bob'");

    for who in [None, Some("alice")] {
        let out = match who {
            Some(who) => v.person_ok(who, &["member", "ls", "--json"]).0,
            None => v.ok(&["member", "ls", "--json"]),
        };
        let roster: serde_json::Value = serde_json::from_str(&out).expect("json");
        let bob = roster
            .as_array()
            .expect("array")
            .iter()
            .find(|m| m["name"] == "bob")
            .expect("bob");
        assert_eq!(
            (bob["status"].as_str(), bob["trusted"].as_bool()),
            (Some("removed"), Some(false)),
            "{who:?}: {bob}"
        );
    }
    // He cannot act as a lead: admitting carol is refused, his own client will not even unlock.
    let err = v.person_fail(
        "bob",
        &["member", "approve", "carol", "--fingerprint", &v.fingerprint("carol")],
    );
    assert!(err.contains("you were removed"), "{err}");

    // Deleting the signed removal too: every device that saw it says so.
    db_exec(&v.db(), "DELETE FROM removals");
    let err = v.fail(&["get", "llm-eval/prod/OPENAI_API_KEY"]);
    assert!(err.contains("bob's removal is gone"), "{err}");
    let err = v.person_fail("alice", &["member", "ls"]);
    assert!(err.contains("bob's removal is gone"), "{err}");
}

#[test]
fn a_lead_cannot_take_the_owners_access() {
    let v = team();
    let err = v.person_fail("bob", &["access", "revoke", "ada", "llm-eval/prod"]);
    assert!(err.contains("the owner keeps access"), "{err}");
    assert_eq!(v.get("llm-eval/prod/OPENAI_API_KEY"), PROD.as_bytes());
}

#[test]
fn names_that_steer_programs_are_refused_at_set_and_import() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    for name in ["LD_PRELOAD", "BASH_ENV", "PATH", "PYTHONPATH", "NODE_OPTIONS"] {
        let err = set_fails_named(&v, &format!("llm-eval/dev/{name}"));
        assert!(
            err.contains(name) && err.contains("not allowed as a secret name"),
            "{err}"
        );
    }
    let env = v.dir.path().join("evil.env");
    std::fs::write(&env, "OPENAI_API_KEY=sk-fine\nBASH_ENV=/tmp/x.sh\n").expect("write");
    let err = v.fail(&["import", env.to_str().expect("path"), "--scope", "llm-eval/dev"]);
    assert!(err.contains("line 2") && err.contains("BASH_ENV"), "{err}");
    // All or nothing: the good line was not imported either.
    assert!(!v.ok(&["ls", "llm-eval/dev"]).contains("OPENAI_API_KEY"));
}

fn set_fails_named(v: &Vault, path: &str) -> String {
    let out = with_stdin(v.cmd(&["set", path]), "/tmp/evil.so");
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn rotate(v: &Vault, who: Option<&str>, extra: &[&str], value: &str) -> std::process::Output {
    let mut args = vec!["rotate", "llm-eval/prod/OPENAI_API_KEY"];
    args.extend_from_slice(extra);
    let cmd = match who {
        Some(who) => v.person_cmd(who, &args),
        None => v.cmd(&args),
    };
    with_stdin(cmd, value)
}

#[test]
fn a_saved_check_runs_only_when_an_entitled_holder_saved_it_and_this_device_agreed() {
    let v = team();
    let marker = v.dir.path().join("the-check-ran");
    let check = format!("touch {}", marker.display());
    v.remember("sk-proj-RotatedValue0000000000000");

    // alice holds prod but may not decide it: she cannot save a check for others to run (one
    // signed by her anyway is refused: see the core's staged tests).
    let out = rotate(
        &v,
        Some("alice"),
        &["--check", &check, "--save-check"],
        "sk-proj-AliceStaged000000000000000",
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("only the owner or a lead of llm-eval saves checks"),
        "{said}"
    );
    assert!(!marker.exists(), "nothing ran");

    // bob leads llm-eval and holds prod: his check counts, but ada's device asks before running
    // someone else's command, and without a terminal to ask on, it does not run.
    let out = rotate(
        &v,
        Some("bob"),
        &["--check", &check, "--save-check"],
        "sk-proj-BobStaged00000000000000000",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(&marker).expect("his own check ran for him");
    let out = rotate(&v, None, &[], "sk-proj-RotatedValue0000000000000");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("saved by bob and has not been confirmed on this device"),
        "{said}"
    );
    assert!(!marker.exists());

    // Once bob loses prod, his check goes with him; written back, it is refused again.
    let before = snapshot(&v, "before-revoke.db");
    v.ok(&["access", "revoke", "bob", "llm-eval/prod"]);
    let has_check = "SELECT COUNT(*) FROM secrets WHERE check_command IS NOT NULL";
    assert_eq!(common::db_query_i64(&v.db(), has_check), 0);
    db_exec(
        &v.db(),
        &format!(
            "ATTACH '{}' AS old; UPDATE secrets SET check_command = (SELECT check_command FROM old.secrets o WHERE o.id = secrets.id), check_by = (SELECT check_by FROM old.secrets o WHERE o.id = secrets.id), check_signature = (SELECT check_signature FROM old.secrets o WHERE o.id = secrets.id);",
            before.display()
        ),
    );
    // Refused twice over: bob no longer holds prod, and the check is outside the sealed state.
    let out = rotate(&v, None, &[], "sk-proj-RotatedValue0000000000000");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("is not signed by a member this device trusts") || said.contains("failed authentication"),
        "{said}"
    );
    assert!(!marker.exists());
}

fn get_refused(v: &Vault) -> String {
    let out = v.cmd(&["get", "llm-eval/prod/OPENAI_API_KEY"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no value from a tampered state");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The team, with prod's key rotated at once after a leak (the old value retired, overlap 0).
fn rotated_after_a_leak() -> Vault {
    let v = team();
    let new = "sk-proj-RotatedValue0000000000000";
    v.remember(new);
    assert!(rotate(&v, None, &[], new).status.success());
    v.ok(&["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY", "--overlap", "0"]);
    v
}

#[test]
fn a_retired_value_cannot_be_made_current_by_editing_version_states() {
    let v = rotated_after_a_leak();
    db_exec(
        &v.db(),
        "UPDATE secret_versions SET state = 'retired' WHERE state = 'current';
         UPDATE secret_versions SET state = 'current' WHERE version = 1;",
    );
    let err = get_refused(&v);
    assert!(
        err.contains("state of secret llm-eval/prod/OPENAI_API_KEY") && err.contains("failed authentication"),
        "{err}"
    );
    let err = v.fail(&["history", "llm-eval/prod/OPENAI_API_KEY"]);
    assert!(err.contains("failed authentication"), "{err}");
    let out = v
        .cmd(&["run", "--scope", "llm-eval/prod", "--", "env"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(PROD));
}

#[test]
fn the_check_gate_cannot_be_skipped_by_editing_its_outcome() {
    let v = rotated_after_a_leak();
    let out = rotate(
        &v,
        None,
        &["--check", "false", "--save-check"],
        "sk-proj-Candidate00000000000000000",
    );
    assert_eq!(out.status.code(), Some(1), "the check refused the candidate");
    db_exec(
        &v.db(),
        "UPDATE secret_versions SET check_status = 'passed' WHERE state = 'pending'",
    );
    let out = v
        .cmd(&["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY"])
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("failed authentication"), "{said}");
}

#[test]
fn exposed_cannot_be_cleared_without_the_key() {
    let v = team();
    v.ok(&["access", "revoke", "alice", "llm-eval/prod"]);
    assert!(v.ok(&["ls", "llm-eval/prod"]).contains("EXPOSED"));
    db_exec(&v.db(), "UPDATE secrets SET exposed_at = NULL, exposed_reason = NULL");
    let err = get_refused(&v);
    assert!(err.contains("failed authentication"), "{err}");
    // Nor does the listing show it cleared once the vault opens (here with the passphrase).
    let err = v.fail(&["ls", "llm-eval/prod"]);
    assert!(err.contains("failed authentication"), "{err}");
}

#[test]
fn deleting_a_scopes_key_records_launders_nothing() {
    let v = rotated_after_a_leak();
    // The retired (leaked) value made current, then the records deleted, hoping that the next
    // owner device to open the scope writes a fresh record and seals what it finds.
    db_exec(
        &v.db(),
        "UPDATE secret_versions SET state = 'retired' WHERE state = 'current';
         UPDATE secret_versions SET state = 'current' WHERE version = 1;
         DELETE FROM scope_epochs;",
    );
    // ada on a new device (no memory of the vault): refused, nothing sealed.
    std::fs::remove_file(v.dir.path().join("config").join("seen.json")).expect("forget");
    let err = get_refused(&v);
    assert!(err.contains("has no signed key record"), "{err}");
    assert_eq!(common::db_query_i64(&v.db(), "SELECT COUNT(*) FROM scope_epochs"), 0);
}

#[test]
fn clearing_a_saved_check_does_not_open_the_gate() {
    let v = team();
    let out = rotate(
        &v,
        None,
        &["--check", "false", "--save-check"],
        "sk-proj-Candidate00000000000000000",
    );
    assert_eq!(out.status.code(), Some(1), "the check refused the candidate");
    db_exec(
        &v.db(),
        "UPDATE secrets SET check_command = NULL, check_by = NULL, check_signature = NULL",
    );
    let out = v
        .cmd(&["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY"])
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("failed authentication"), "{said}");
    // Reads refuse the edited state too: nothing hands out the unchecked candidate.
    let err = get_refused(&v);
    assert!(err.contains("failed authentication"), "{err}");
}

#[test]
fn status_and_role_columns_cannot_lock_the_owner_out() {
    let v = team();
    db_exec(
        &v.db(),
        "UPDATE members SET status = 'removed', role = 'member' WHERE name = 'ada'",
    );
    assert_eq!(v.get("llm-eval/prod/OPENAI_API_KEY"), PROD.as_bytes());
    let roster: serde_json::Value = serde_json::from_str(&v.ok(&["member", "ls", "--json"])).expect("json");
    let ada = roster
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == "ada")
        .expect("ada");
    assert_eq!(
        (ada["role"].as_str(), ada["trusted"].as_bool()),
        (Some("owner"), Some(true)),
        "{ada}"
    );
}

/// Writes back one secret's rows (its row and every version) from an older copy: a state that was
/// authentic then, under the same key epoch. A secret deleted since comes back.
fn write_back_secret(v: &Vault, old: &Path, name: &str) {
    db_exec(
        &v.db(),
        &format!(
            "PRAGMA foreign_keys = OFF; ATTACH '{}' AS old;
             DELETE FROM main.secret_versions WHERE secret_id IN (SELECT id FROM old.secrets WHERE name = '{name}');
             INSERT OR REPLACE INTO main.secrets SELECT * FROM old.secrets WHERE name = '{name}';
             INSERT INTO main.secret_versions SELECT * FROM old.secret_versions
               WHERE secret_id IN (SELECT id FROM old.secrets WHERE name = '{name}');",
            old.display()
        ),
    );
}

#[test]
fn a_promotion_cannot_be_undone_by_writing_back_one_secret_within_its_key_epoch() {
    let v = team();
    let new = "sk-proj-RotatedValue0000000000000";
    v.remember(new);
    assert!(rotate(&v, None, &[], new).status.success());
    let before = snapshot(&v, "before-promote.db");
    // The leaked value is retired at once; no rekey happens, so the old rows are still authentic
    // under the scope's key.
    v.ok(&["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY", "--overlap", "0"]);
    v.person_ok("bob", &["get", "llm-eval/prod/OPENAI_API_KEY"]);

    write_back_secret(&v, &before, "OPENAI_API_KEY");
    for who in [None, Some("bob")] {
        let err = set_fails(&v, who, AFTER);
        assert!(err.contains("do not match their sealed set"), "{who:?}: {err}");
    }
    let err = get_refused(&v);
    assert!(err.contains("llm-eval/prod do not match their sealed set"), "{err}");

    // The scope's seal written back too: the whole scope as it was. Every device that used the
    // scope since remembers a newer seal.
    write_back_seals(&v, &before);
    for who in [None, Some("bob")] {
        let err = set_fails(&v, who, AFTER);
        assert!(
            err.contains("went back to an older state") && err.contains("secrets of llm-eval/prod are back at state"),
            "{who:?}: {err}"
        );
    }
    let out = v
        .cmd(&["run", "--scope", "llm-eval/prod", "--", "env"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(PROD),
        "the retired value is not handed out"
    );
}

/// The scope's chain of seals as the older copy had it.
fn write_back_seals(v: &Vault, old: &Path) {
    db_exec(
        &v.db(),
        &format!(
            "ATTACH '{}' AS old; DELETE FROM main.scope_state_seals;
             INSERT INTO main.scope_state_seals SELECT * FROM old.scope_state_seals;",
            old.display()
        ),
    );
}

#[test]
fn a_scope_written_back_and_then_written_on_by_a_device_that_never_saw_the_newer_state_is_refused() {
    let v = team();
    let before = snapshot(&v, "before-promote.db");
    let new = "sk-proj-RotatedValue0000000000000";
    v.remember(new);
    assert!(rotate(&v, None, &[], new).status.success());
    v.ok(&["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY", "--overlap", "0"]);
    v.person_ok("bob", &["get", "llm-eval/prod/OPENAI_API_KEY"]);

    // The whole scope as it was before the rotation; alice's device never saw the newer state,
    // so it takes the old one and writes on it, past the seal numbers ada and bob remember.
    write_back_secret(&v, &before, "OPENAI_API_KEY");
    write_back_seals(&v, &before);
    for value in [
        "hf_AliceWritesOn0000000000001",
        "hf_AliceWritesOn0000000000002",
        "hf_AliceWritesOn0000000000003",
    ] {
        v.remember(value);
        let out = with_stdin(v.person_cmd("alice", &["set", "llm-eval/prod/HF_TOKEN"]), value);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for who in [None, Some("bob")] {
        let cmd = match who {
            Some(who) => v.person_cmd(who, &["get", "llm-eval/prod/OPENAI_API_KEY"]),
            None => v.cmd(&["get", "llm-eval/prod/OPENAI_API_KEY"]),
        };
        let out = with_stdin(cmd, "");
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{who:?}: {said}");
        assert!(out.stdout.is_empty(), "the retired value is not handed out");
        assert!(said.contains("do not descend from state"), "{who:?}: {said}");
    }
}

#[test]
fn a_removed_secret_cannot_be_brought_back_from_an_older_copy() {
    let v = team();
    let old = "sk-proj-OldTokenRemoved0000000000";
    v.set("llm-eval/prod/OLD_TOKEN", old);
    let before = snapshot(&v, "before-rm.db");
    v.ok(&["rm", "llm-eval/prod/OLD_TOKEN"]);

    write_back_secret(&v, &before, "OLD_TOKEN");
    let out = v
        .cmd(&["run", "--scope", "llm-eval/prod", "--", "env"])
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("do not match their sealed set"), "{said}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(old));
    let out = v.cmd(&["get", "llm-eval/prod/OLD_TOKEN"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_grant_deleted_from_the_file_is_reported_as_tampering_not_as_no_access() {
    let v = team();
    // Without a grant, the unlocked listing would show the scope as the file holds it.
    db_exec(
        &v.db(),
        "DELETE FROM grants WHERE member_id = (SELECT id FROM members WHERE name = 'ada')",
    );
    let err = get_refused(&v);
    assert!(err.contains("the grant for llm-eval/prod failed verification"), "{err}");
}

#[test]
fn deleting_the_newest_seal_of_a_scope_is_refused() {
    let v = team();
    let new = "sk-proj-RotatedValue0000000000000";
    v.remember(new);
    assert!(rotate(&v, None, &[], new).status.success());
    // The seal of the staged state goes; the one before names another set of states.
    db_exec(
        &v.db(),
        "DELETE FROM scope_state_seals WHERE seq = (SELECT MAX(seq) FROM scope_state_seals)",
    );
    let err = get_refused(&v);
    assert!(err.contains("do not match their sealed set"), "{err}");
}
