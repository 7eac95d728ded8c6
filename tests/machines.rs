//! Machine identities from the CLI: a token made by `machine add`, used by a job in a clean
//! environment (no config dir, no keychain, no passphrase, a read-only empty home), on the vault
//! file or, under .ci/with-postgres, a database.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{db_exec, db_query_i64, Vault};

const DEV: &str = "sk-proj-DevForTheJob0000000000000";
const PROD: &str = "sk-proj-ProdNotForTheJob000000000";
const VISION: &str = "hf_VisionNotForTheJob0000000000";

fn vault() -> Vault {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.ok(&["project", "add", "vision", "--env", "dev"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", DEV);
    v.set("llm-eval/prod/OPENAI_API_KEY", PROD);
    v.set("vision/dev/HF_TOKEN", VISION);
    v
}

/// `name`'s row of `member ls --json`.
fn roster_row(v: &Vault, name: &str) -> serde_json::Value {
    let roster: serde_json::Value = serde_json::from_str(&v.ok(&["member", "ls", "--json"])).expect("json");
    roster
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} is not in the roster"))
}

/// `machine add` as the owner: the token alone on stdout, remembered so no stderr may show it.
fn add(v: &Vault, args: &[&str]) -> String {
    let mut all = vec!["machine", "add"];
    all.extend_from_slice(args);
    let (token, said) = v.ok_with_stderr(&all);
    assert!(said.contains("shown this once"), "{said}");
    let token = token.trim().to_owned();
    // Never printed, even when this fails: test output is a log too.
    assert!(
        token.starts_with("ksm1_") && !token.contains(char::is_whitespace),
        "stdout did not hold a token alone"
    );
    v.remember(&token);
    token
}

/// A job's command: only PATH, KEYSHELF_VAULT, KEYSHELF_TOKEN and HOME (an empty directory it
/// cannot write), plus `extra`. A PostgreSQL vault's server login is passed on as a job's would be.
fn job(home: &Path, vault: &Path, token: &str, extra: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = Command::new(common::bin());
    cmd.args(args);
    job_env(&mut cmd, home, vault, token, extra);
    cmd
}

fn job_env(cmd: &mut Command, home: &Path, vault: &Path, token: &str, extra: &[(&str, &str)]) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("KEYSHELF_VAULT", vault)
        .env("KEYSHELF_TOKEN", token)
        .env("HOME", home)
        .stdin(Stdio::null());
    for (name, value) in std::env::vars().filter(|(n, _)| n.starts_with("PG")) {
        cmd.env(name, value);
    }
    for (name, value) in extra {
        cmd.env(name, value);
    }
}

fn read_only_home(v: &Vault) -> std::path::PathBuf {
    let home = v.dir.path().join("job-home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    home
}

/// Runs a job; its stderr never holds the token or a value it was not meant to print.
fn run(cmd: &mut Command, token: &str) -> Output {
    let out = cmd.output().expect("run keyshelf");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in [token, &token[5..], DEV, PROD, VISION] {
        assert!(!stderr.contains(secret), "a secret reached stderr: {stderr}");
    }
    out
}

fn refused(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "should be refused: {stderr}");
    assert!(out.stdout.is_empty(), "a refused command printed: {:?}", out.stdout);
    assert_eq!(stderr.trim().lines().count(), 1, "errors are one line: {stderr}");
    stderr
}

fn audit_count(v: &Vault) -> i64 {
    db_query_i64(&v.db(), "SELECT COUNT(*) FROM audit")
}

#[test]
fn a_job_with_only_the_token_reads_its_scope_and_nothing_else() {
    let v = vault();
    let token = add(&v, &["ci-dev", "--scope", "llm-eval/dev"]);
    let home = read_only_home(&v);
    let github = [("GITHUB_REPOSITORY", "acme/llm-eval"), ("GITHUB_RUN_ID", "4242")];

    let out = run(
        &mut job(&home, &v.db(), &token, &github, &["get", "llm-eval/dev/OPENAI_API_KEY"]),
        &token,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, DEV.as_bytes());

    for path in ["llm-eval/prod/OPENAI_API_KEY", "vision/dev/HF_TOKEN"] {
        let err = refused(&run(&mut job(&home, &v.db(), &token, &[], &["get", path]), &token));
        assert!(err.contains("no access to"), "{err}");
    }

    // `run`: the child gets the scope's secrets, never the token.
    let script = r#"printf '%s|%s' "$OPENAI_API_KEY" "${KEYSHELF_TOKEN-gone}""#;
    let out = run(
        &mut job(
            &home,
            &v.db(),
            &token,
            &github,
            &["run", "--scope", "llm-eval/dev", "--", "sh", "-c", script],
        ),
        &token,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{DEV}|gone"));

    let out = run(
        &mut job(&home, &v.db(), &token, &github, &["export", "--scope", "llm-eval/dev"]),
        &token,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(DEV));

    // Nothing was written to the job's home.
    assert_eq!(std::fs::read_dir(&home).expect("home").count(), 0);

    // The reads are audited under the machine, with its workload.
    let audit = v.ok(&["audit", "ls", "--limit", "10"]);
    let line = audit
        .lines()
        .find(|l| l.contains("ci-dev") && l.contains("secret.read"))
        .unwrap_or_else(|| panic!("no read by ci-dev in {audit}"));
    assert!(
        line.contains("github acme/llm-eval run 4242") && line.contains("host "),
        "{line}"
    );
    let listed: serde_json::Value = serde_json::from_str(&v.ok(&["machine", "ls", "--json"])).expect("json");
    let ci = &listed[0];
    assert_eq!(
        (ci["name"].as_str(), ci["created_by"].as_str()),
        (Some("ci-dev"), Some("ada"))
    );
    assert_eq!(ci["scopes"], serde_json::json!(["llm-eval/dev"]));
    assert!(ci["expires_at"].is_null());
    assert!(
        ci["last_used_from"]
            .as_str()
            .is_some_and(|w| w.contains("acme/llm-eval")),
        "{ci}"
    );
    assert!(v.ok(&["machine", "ls"]).contains("ci-dev"));
    let row = roster_row(&v, "ci-dev");
    assert_eq!(
        (row["role"].as_str(), row["trusted"].as_bool()),
        (Some("machine"), Some(true))
    );
}

#[test]
fn a_token_writes_nothing() {
    let v = vault();
    let token = add(&v, &["ci-dev", "--scope", "llm-eval/dev"]);
    let home = read_only_home(&v);
    let before = audit_count(&v);
    for args in [
        &["set", "llm-eval/dev/OPENAI_API_KEY"][..],
        &["rm", "llm-eval/dev/OPENAI_API_KEY"],
        &["import", "-", "--scope", "llm-eval/dev"],
        &["rotate", "llm-eval/dev/OPENAI_API_KEY"],
        &["access", "request", "llm-eval/prod", "--reason", "more"],
        &["member", "ls"],
        &["machine", "add", "other", "--scope", "llm-eval/dev"],
        &["machine", "revoke", "ci-dev"],
        &["project", "add", "new"],
        &["init"],
    ] {
        let err = refused(&run(&mut job(&home, &v.db(), &token, &[], args), &token));
        assert!(err.contains("a machine token only reads values"), "{args:?}: {err}");
    }
    assert_eq!(audit_count(&v), before, "nothing was written");
    assert_eq!(v.get("llm-eval/dev/OPENAI_API_KEY"), DEV.as_bytes());
}

#[test]
fn wrong_truncated_and_tampered_tokens_are_one_line_and_write_nothing() {
    let v = vault();
    let token = add(&v, &["ci-dev", "--scope", "llm-eval/dev"]);
    let home = read_only_home(&v);
    let other = vault();
    let foreign = add(&other, &["ci-other", "--scope", "llm-eval/dev"]);
    let before = audit_count(&v);
    let mut tampered: Vec<char> = token.chars().collect();
    tampered[40] = if tampered[40] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    for (given, says) in [
        (token[..token.len() - 4].to_owned(), "truncated"),
        (tampered, "checksum does not match"),
        ("hunter2".to_owned(), "not a Keyshelf machine token"),
        (foreign.clone(), "it is for another vault"),
    ] {
        let out = job(&home, &v.db(), &given, &[], &["get", "llm-eval/dev/OPENAI_API_KEY"])
            .output()
            .expect("run");
        let err = refused(&out);
        assert!(err.contains(says), "{err}");
        for part in [&token[5..], &foreign[5..], &given[..]] {
            assert!(!err.contains(part), "the token reached stderr: {err}");
        }
    }
    assert_eq!(audit_count(&v), before);
}

#[test]
fn an_expired_machine_is_refused_and_an_expiry_is_at_least_an_hour() {
    let v = vault();
    let err = v.fail(&["machine", "add", "short", "--scope", "llm-eval/dev", "--expires", "30m"]);
    assert!(err.contains("at least 1h"), "{err}");
    let token = add(&v, &["one-run", "--scope", "llm-eval/dev", "--expires", "1h"]);
    let home = read_only_home(&v);
    let get = ["get", "llm-eval/dev/OPENAI_API_KEY"];
    let out = run(&mut job(&home, &v.db(), &token, &[], &get), &token);
    assert_eq!(out.stdout, DEV.as_bytes());
    let later = [("KEYSHELF_CLOCK_OFFSET_SECS", "7200")];
    let err = refused(&run(&mut job(&home, &v.db(), &token, &later, &get), &token));
    assert!(err.contains("machine one-run's access expired"), "{err}");
}

#[test]
fn a_revoked_machine_with_an_old_copy_decrypts_nothing_written_after() {
    let v = vault();
    let token = add(&v, &["ci-dev", "--scope", "llm-eval/dev"]);
    let home = read_only_home(&v);
    let get = ["get", "llm-eval/dev/OPENAI_API_KEY"];
    run(&mut job(&home, &v.db(), &token, &[], &get), &token);
    let old = v.dir.path().join("old-copy.db");
    v.ok(&["vault", "copy", &v.db().to_string_lossy(), &old.to_string_lossy()]);

    let (_, said) = v.ok_with_stderr(&["machine", "revoke", "ci-dev"]);
    assert!(said.contains("llm-eval/dev: rekeyed"), "{said}");
    assert!(
        said.contains("flagged exposed (rotate at the provider): OPENAI_API_KEY"),
        "{said}"
    );
    const AFTER: &str = "sk-proj-WrittenAfterTheRevoke000";
    v.set("llm-eval/dev/OPENAI_API_KEY", AFTER);
    let err = refused(&run(&mut job(&home, &v.db(), &token, &[], &get), &token));
    assert!(err.contains("its machine was revoked"), "{err}");
    assert!(!v.ok(&["machine", "ls"]).contains("ci-dev"));

    // The old copy still opens for the old token: what it could read then, it can read.
    let out = run(&mut job(&home, &old, &token, &[], &get), &token);
    assert_eq!(out.stdout, DEV.as_bytes());

    // The machine's holder takes the vault as it is now and puts back all that made it a
    // machine (its envelope, no removal): its own keys open nothing written after.
    let now = v.dir.path().join("now.db");
    v.ok(&["vault", "copy", &v.db().to_string_lossy(), &now.to_string_lossy()]);
    db_exec(
        &now,
        &format!(
            "PRAGMA foreign_keys = OFF; ATTACH '{}' AS old;
             DELETE FROM main.removals;
             UPDATE main.members SET status = 'active' WHERE name = 'ci-dev';
             INSERT OR REPLACE INTO main.key_envelopes SELECT * FROM old.key_envelopes;
             INSERT OR REPLACE INTO main.grants SELECT * FROM old.grants;",
            old.display()
        ),
    );
    let out = job(&home, &now, &token, &[], &get).output().expect("run");
    assert_ne!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(AFTER));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(AFTER));
}

#[test]
fn rotating_a_machine_replaces_its_token_under_the_same_name_scopes_and_expiry() {
    let v = vault();
    let old = add(
        &v,
        &[
            "ci",
            "--scope",
            "llm-eval/dev",
            "--scope",
            "vision/dev",
            "--expires",
            "30d",
        ],
    );
    let home = read_only_home(&v);
    let get = ["get", "llm-eval/dev/OPENAI_API_KEY"];
    run(&mut job(&home, &v.db(), &old, &[], &get), &old);
    let listed =
        |v: &Vault| -> serde_json::Value { serde_json::from_str(&v.ok(&["machine", "ls", "--json"])).expect("json") };
    let before = listed(&v);

    // A preview says what a revocation would rekey and flag, and changes nothing.
    let audit_before = audit_count(&v);
    let (_, said) = v.ok_with_stderr(&["machine", "revoke", "ci", "--preview"]);
    assert!(
        said.contains("would") && said.contains("llm-eval/dev: rekeyed"),
        "{said}"
    );
    assert_eq!(audit_count(&v), audit_before);
    run(&mut job(&home, &v.db(), &old, &[], &get), &old);

    let (new, said) = v.ok_with_stderr(&["machine", "rotate", "ci"]);
    let new = new.trim().to_owned();
    v.remember(&new);
    assert!(new.starts_with("ksm1_") && new != old, "a new token");
    assert!(
        said.contains("shown this once") && said.contains("vision/dev: rekeyed"),
        "{said}"
    );
    assert!(
        said.contains("flagged exposed (rotate at the provider): OPENAI_API_KEY"),
        "{said}"
    );

    let err = refused(&run(&mut job(&home, &v.db(), &old, &[], &get), &old));
    assert!(err.contains("its machine was revoked"), "{err}");
    let out = run(&mut job(&home, &v.db(), &new, &[], &get), &new);
    assert_eq!(out.stdout, DEV.as_bytes());
    let out = run(
        &mut job(&home, &v.db(), &new, &[], &["get", "vision/dev/HF_TOKEN"]),
        &new,
    );
    assert_eq!(out.stdout, VISION.as_bytes());

    let after = listed(&v);
    assert_eq!(after.as_array().map(Vec::len), Some(1), "one machine named ci: {after}");
    assert_eq!(
        (&after[0]["name"], &after[0]["scopes"], &after[0]["expires_at"]),
        (&before[0]["name"], &before[0]["scopes"], &before[0]["expires_at"])
    );
    assert!(v.ok(&["audit", "ls", "--limit", "5"]).contains("machine.rotate"));
    // Only the owner rotates; a revoked name is not a machine to rotate twice over.
    let err = v.fail(&["machine", "rotate", "nobody"]);
    assert!(err.contains("nobody"), "{err}");
    v.ok(&["machine", "revoke", "ci"]);
    let err = v.fail(&["machine", "rotate", "ci"]);
    assert!(err.contains("already revoked"), "{err}");
}

/// Attack: a vault writer who can also read the job's secret store slips a grant of prod in for
/// the machine (its dev grant's row, copied), hoping a rotation re-issues it under the owner's
/// signature. The listing shows only the signed grant, and the rotation refuses.
#[test]
fn a_grant_row_slipped_in_for_a_machine_is_not_reissued_by_its_rotation() {
    let v = vault();
    add(&v, &["ci", "--scope", "llm-eval/dev"]);
    db_exec(
        &v.db(),
        "INSERT INTO grants (scope_id, member_id, key_epoch, sealed_key, granted_by, granted_at, expires_at, signature)
         SELECT prod.id, g.member_id, prod.key_epoch, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature
         FROM grants g
         JOIN members m ON m.id = g.member_id AND m.name = 'ci'
         JOIN scopes prod ON prod.environment_id = (
             SELECT e.id FROM environments e JOIN projects p ON p.id = e.project_id
             WHERE p.name = 'llm-eval' AND e.name = 'prod')",
    );
    let listed: serde_json::Value = serde_json::from_str(&v.ok(&["machine", "ls", "--json"])).expect("json");
    assert_eq!(listed[0]["scopes"], serde_json::json!(["llm-eval/dev"]));
    let err = v.fail(&["machine", "rotate", "ci"]);
    assert!(err.contains("carry no valid signature"), "{err}");
    let granted = "SELECT COUNT(*) FROM grants g JOIN members m ON m.id = g.member_id WHERE m.name = 'ci'";
    assert_eq!(db_query_i64(&v.db(), granted), 2, "nothing was written");
    // Revoking it still works, and takes the slipped-in row's scope along.
    v.ok(&["machine", "revoke", "ci"]);
}

#[test]
fn a_vault_writer_editing_the_machines_role_column_gains_nothing() {
    let v = vault();
    let token = add(&v, &["ci-dev", "--scope", "llm-eval/dev"]);
    let home = read_only_home(&v);
    db_exec(&v.db(), "UPDATE members SET role = 'lead' WHERE name = 'ci-dev'");
    let row = roster_row(&v, "ci-dev");
    assert_eq!(row["role"].as_str(), Some("machine"), "{row}");
    let out = run(
        &mut job(&home, &v.db(), &token, &[], &["get", "llm-eval/dev/OPENAI_API_KEY"]),
        &token,
    );
    assert_eq!(out.stdout, DEV.as_bytes());
    let err = refused(&run(
        &mut job(&home, &v.db(), &token, &[], &["get", "llm-eval/prod/OPENAI_API_KEY"]),
        &token,
    ));
    assert!(err.contains("no access to llm-eval/prod"), "{err}");

    // Naming projects it leads breaks the signed admission: the machine is trusted no more.
    db_exec(&v.db(), "UPDATE members SET lead_of = 'llm-eval' WHERE name = 'ci-dev'");
    let err = refused(&run(
        &mut job(&home, &v.db(), &token, &[], &["get", "llm-eval/dev/OPENAI_API_KEY"]),
        &token,
    ));
    assert!(err.contains("does not verify as a machine's"), "{err}");
}

#[test]
fn only_the_owner_or_a_lead_of_every_scope_adds_a_machine_and_names_do_not_clash() {
    let v = vault();
    v.person_ok("bob", &["member", "join", "--name", "bob"]);
    v.ok(&["member", "approve", "bob", "--fingerprint", &v.fingerprint("bob")]);
    let err = v.person_fail("bob", &["machine", "add", "ci", "--scope", "llm-eval/dev"]);
    assert!(err.contains("only the owner or a lead of llm-eval"), "{err}");
    let err = v.fail(&["machine", "add", "bob", "--scope", "llm-eval/dev"]);
    assert!(err.contains("already exists"), "{err}");
    let err = v.fail(&["machine", "revoke", "bob"]);
    assert!(err.contains("not a machine"), "{err}");
}

/// A lead who added a machine cuts its access without the owner: revoking it from each scope
/// rekeys the scope, so the token opens nothing written there afterwards.
#[test]
fn a_lead_cuts_a_machines_access_scope_by_scope() {
    let v = vault();
    v.person_ok("bob", &["member", "join", "--name", "bob"]);
    v.approve_lead("bob", "llm-eval");
    let (asked, _) = v.person_ok("bob", &["access", "request", "llm-eval/dev", "--reason", "ci"]);
    v.ok(&["access", "approve", asked.trim()]);
    let (token, _) = v.person_ok("bob", &["machine", "add", "ci", "--scope", "llm-eval/dev"]);
    let token = token.trim().to_owned();
    v.remember(&token);
    let home = read_only_home(&v);
    let get = ["get", "llm-eval/dev/OPENAI_API_KEY"];
    assert_eq!(
        run(&mut job(&home, &v.db(), &token, &[], &get), &token).stdout,
        DEV.as_bytes()
    );

    let err = v.person_fail("bob", &["machine", "revoke", "ci"]);
    assert!(err.contains("only the owner removes"), "{err}");
    let (_, said) = v.person_ok("bob", &["access", "revoke", "ci", "llm-eval/dev"]);
    assert!(
        said.contains("Revoked ci's access to llm-eval/dev: new scope key"),
        "{said}"
    );
    const AFTER: &str = "sk-proj-AfterTheLeadRevoked00000";
    v.set("llm-eval/dev/OPENAI_API_KEY", AFTER);
    let err = refused(&run(&mut job(&home, &v.db(), &token, &[], &get), &token));
    assert!(err.contains("no access to llm-eval/dev"), "{err}");
}

#[test]
fn a_leaked_token_is_found_by_scan_without_being_printed() {
    let v = vault();
    let token = add(&v, &["ci", "--scope", "llm-eval/dev"]);
    let log = v.dir.path().join("ci.log");
    std::fs::write(&log, format!("step 3: export KEYSHELF_TOKEN={token}\nstep 4: ok\n")).expect("write");
    let out = v
        .cmd(&["scan", "--no-vault", log.to_str().expect("utf8")])
        .output()
        .expect("scan");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a finding: {stdout}");
    assert!(
        stdout.contains("keyshelf-machine-token") && stdout.contains(":1"),
        "{stdout}"
    );
    assert!(!stdout.contains(&token[5..]), "the token was printed: {stdout}");
}

#[test]
fn a_token_found_by_a_vault_scan_marks_its_machine_exposed_until_rotated() {
    let v = vault();
    let token = add(&v, &["ci", "--scope", "llm-eval/dev"]);
    let log = v.dir.path().join("ci.log");
    std::fs::write(&log, format!("step 3: export KEYSHELF_TOKEN={token}\n")).expect("write");
    let exposed = |v: &Vault| -> serde_json::Value {
        let listed: serde_json::Value = serde_json::from_str(&v.ok(&["machine", "ls", "--json"])).expect("json");
        listed[0]["exposed"].clone()
    };
    assert!(exposed(&v).is_null());

    let out = v.cmd(&["scan", log.to_str().expect("utf8")]).output().expect("scan");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Machine ci's token was found in clear: rotate it"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token[5..]), "the token was printed: {stderr}");
    let place = exposed(&v);
    assert!(place.as_str().is_some_and(|p| p.ends_with("ci.log line 1")), "{place}");
    assert!(v.ok(&["audit", "ls", "--limit", "3"]).contains("machine.token-found"));

    // Found again: already flagged, one audit entry is enough.
    v.cmd(&["scan", log.to_str().expect("utf8")]).output().expect("scan");
    let found = "SELECT COUNT(*) FROM audit WHERE action = 'machine.token-found'";
    assert_eq!(db_query_i64(&v.db(), found), 1);

    let (new, _) = v.ok_with_stderr(&["machine", "rotate", "ci"]);
    v.remember(new.trim());
    assert!(
        exposed(&v).is_null(),
        "the rotated machine's new token was not found anywhere"
    );
}

/// A runner's own variables.
type Vars = [(&'static str, &'static str)];

/// The recipes of docs/MACHINES.md, run as their CI or scheduler would run them (with only the
/// two variables, the scheduler's own, and a read-only home): each job's script gets the key.
#[test]
fn the_documented_ci_and_scheduler_recipes_run_with_only_the_two_variables() {
    let v = vault();
    let token = add(&v, &["train", "--scope", "llm-eval/dev", "--scope", "llm-eval/prod"]);
    let home = read_only_home(&v);
    let work = v.dir.path().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    let script = "import os\nprint('key of', len(os.environ['OPENAI_API_KEY']), 'characters')\n";
    for name in ["train.py", "eval.py"] {
        std::fs::write(work.join(name), script).expect("script");
    }
    let recipes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/recipes");
    let read = |name: &str| std::fs::read_to_string(recipes.join(name)).expect("recipe");
    // The line a CI runs (`- run: …` / `- …` under script:), and the Job's command array.
    let step = |text: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| {
                l.strip_prefix("- run: ")
                    .or_else(|| l.strip_prefix("- keyshelf").map(|_| &l[2..]))
            })
            .expect("a keyshelf step")
            .to_owned()
    };
    let k8s: Vec<String> = read("kubernetes-job.yaml")
        .lines()
        .find_map(|l| l.trim().strip_prefix("command: "))
        .map(|json| serde_json::from_str(json).expect("command array"))
        .expect("a command");
    let bin_dir = Path::new(common::bin()).parent().expect("bin dir");
    let path = format!("{}:/usr/bin:/bin", bin_dir.display());
    let jobs: [(Vec<String>, &Vars, &str); 4] = [
        (
            vec!["sh".into(), "-c".into(), step(&read("github-actions.yml"))],
            &[("GITHUB_REPOSITORY", "acme/llm"), ("GITHUB_RUN_ID", "11")],
            "github acme/llm run 11",
        ),
        (
            vec!["sh".into(), "-c".into(), step(&read("gitlab-ci.yml"))],
            &[("CI_PROJECT_PATH", "acme/llm"), ("CI_JOB_ID", "12")],
            "gitlab acme/llm run 12",
        ),
        (
            vec!["bash".into(), recipes.join("slurm-train.sbatch").display().to_string()],
            &[("SLURM_JOB_ID", "13")],
            "slurm job 13",
        ),
        (
            k8s,
            &[("KUBERNETES_SERVICE_HOST", "10.0.0.1"), ("POD_NAME", "train-x7")],
            "k8s pod train-x7",
        ),
    ];
    // Each job: its argv, the runner's own variables, and the workload the audit then names.
    for (argv, extra, workload) in jobs {
        let mut cmd = Command::new(&argv[0]);
        cmd.args(&argv[1..]).current_dir(&work);
        job_env(&mut cmd, &home, &v.db(), &token, extra);
        cmd.env("PATH", &path);
        let out = run(&mut cmd, &token);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{argv:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let length = if argv.iter().any(|a| a == "llm-eval/prod") {
            PROD.len()
        } else {
            DEV.len()
        };
        assert_eq!(stdout.trim(), format!("key of {length} characters"), "{argv:?}");
        let audit = v.ok(&["audit", "ls", "--limit", "3"]);
        assert!(audit.contains(workload), "{workload} not in {audit}");
    }
}
