//! `keyshelf vault copy`: a whole vault moved between engines (a file, a PostgreSQL database)
//! with the same members, keys and audit log, run as the `keyshelf` binary against real files
//! and a real PostgreSQL server.
//!
//! The server comes from `KEYSHELF_TEST_POSTGRES`, a URL template with `{db}` in place of the
//! database name (`.ci/with-postgres` sets it); each test makes its own database on it.

mod common;

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// `postgres://user@host/...` with `password` added after the user.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    match rest.split_once('@') {
        Some((user, host)) if !user.contains('/') => format!("{scheme}://{user}:{password}@{host}"),
        _ => format!("{scheme}://postgres:{password}@{rest}"),
    }
}

/// People on their own devices (config dirs) in one temp dir, running `keyshelf` against any
/// vault location. Values stored are remembered and never allowed on stderr.
struct Team {
    dir: TempDir,
    values: RefCell<Vec<String>>,
}

/// ada owns the vault and keeps her key in the OS keychain; everyone else types a passphrase.
const KEYCHAIN_USER: &str = "ada";

impl Team {
    fn new() -> Self {
        Team {
            dir: tempfile::tempdir().expect("tempdir"),
            values: RefCell::new(Vec::new()),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn passphrase(who: &str) -> String {
        format!("{who}'s own passphrase")
    }

    /// `keyshelf ARGS` as `who` on their device, against the vault at `vault`.
    fn cmd(&self, who: &str, vault: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(common::bin());
        cmd.args(args)
            .env("KEYSHELF_VAULT", vault)
            .env("KEYSHELF_CONFIG_DIR", self.dir.path().join(format!("config-{who}")))
            .env("KEYSHELF_PASSPHRASE", Self::passphrase(who))
            .env_remove("KEYSHELF_RECOVERY_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if who == KEYCHAIN_USER {
            cmd.env_remove("KEYSHELF_KEYCHAIN");
        } else {
            cmd.env("KEYSHELF_KEYCHAIN", "off");
        }
        cmd
    }

    fn run(&self, mut cmd: Command, input: &[u8]) -> Output {
        let mut child = cmd.stdin(Stdio::piped()).spawn().expect("spawn keyshelf");
        child.stdin.take().expect("stdin").write_all(input).expect("stdin");
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for value in self.values.borrow().iter() {
            assert!(
                !stderr.contains(value.as_str()),
                "a secret value reached stderr: {stderr}"
            );
        }
        out
    }

    /// Runs and asserts success: (stdout, stderr).
    fn ok(&self, who: &str, vault: &str, args: &[&str]) -> (String, String) {
        let out = self.run(self.cmd(who, vault, args), b"");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "{who}: keyshelf {args:?} on {vault} failed: {stderr}"
        );
        (String::from_utf8(out.stdout).expect("utf8 stdout"), stderr)
    }

    /// The exact bytes `get` prints.
    fn get(&self, who: &str, vault: &str, path: &str) -> Vec<u8> {
        let out = self.run(self.cmd(who, vault, &["get", path]), b"");
        assert!(
            out.status.success(),
            "{who}: get {path} on {vault} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Runs and asserts exit code 1, nothing on stdout and a one-line error: stderr.
    fn fail(&self, who: &str, vault: &str, args: &[&str]) -> String {
        let out = self.run(self.cmd(who, vault, args), b"");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{who}: keyshelf {args:?} on {vault} should fail: {stderr}"
        );
        assert!(out.stdout.is_empty(), "a failing command printed to stdout");
        assert_eq!(stderr.trim().lines().count(), 1, "errors are one line: {stderr}");
        stderr
    }

    /// `keyshelf set ARGS` as `who` with the value on stdin.
    fn set(&self, who: &str, vault: &str, args: &[&str], value: &str) {
        self.values.borrow_mut().push(value.to_owned());
        let out = self.run(self.cmd(who, vault, args), value.as_bytes());
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `vault copy SRC DST` (run by `who`, though it needs no membership): its one line.
    fn copy(&self, who: &str, src: &str, dst: &str) -> String {
        let (stdout, stderr) = self.ok(who, src, &["vault", "copy", src, dst]);
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        stderr
    }

    fn fingerprint(&self, vault: &str, name: &str) -> String {
        let roster: serde_json::Value =
            serde_json::from_str(&self.ok("ada", vault, &["member", "ls", "--json"]).0).expect("member ls --json");
        roster
            .as_array()
            .expect("array")
            .iter()
            .find(|m| m["name"] == name)
            .and_then(|m| m["fingerprint"].as_str())
            .unwrap_or_else(|| panic!("{name} is not in the roster"))
            .to_owned()
    }
}

fn loc(path: &Path) -> String {
    path.display().to_string()
}

const PROD_KEY: &str = "sk-proj-CopyProd0000000000000000000";
const PROD_KEY_2: &str = "sk-proj-CopyProd1111111111111111111";
const PROD_KEY_PENDING: &str = "sk-proj-CopyProd2222222222222222222";
const HF_TOKEN: &str = "hf_CopyNotedToken000000000000000000";
const HF_NOTE: &str = "billing account 7731, rotate via the org page";
const WANDB: &str = "copy-dev-wandb-key-0000000000000000000000";
const SA_JSON: &str = "{\"type\": \"service_account\", \"private_key\": \"copy-test-key\"}\n";

/// The vault of the issue, in a file: ada (owner, keychain) and alice (member, admitted, granted
/// llm-eval/dev, asking for llm-eval/prod); prod holds a secret with three versions (the newest
/// pending) and one with a note, dev a secret and a file secret.
fn team_vault(t: &Team) -> String {
    let src = loc(&t.file("team.db"));
    let out = t.run(t.cmd("ada", &src, &["init", "--name", "ml-team", "--user", "ada"]), b"");
    assert!(out.status.success(), "init: {}", String::from_utf8_lossy(&out.stderr));
    t.values
        .borrow_mut()
        .push(String::from_utf8_lossy(&out.stdout).trim().to_owned());
    t.ok(
        "ada",
        &src,
        &["project", "add", "llm-eval", "--env", "dev", "--env", "prod"],
    );
    t.set("ada", &src, &["set", "llm-eval/prod/OPENAI_API_KEY"], PROD_KEY);
    t.set("ada", &src, &["set", "llm-eval/prod/OPENAI_API_KEY"], PROD_KEY_2);
    t.set(
        "ada",
        &src,
        &["rotate", "llm-eval/prod/OPENAI_API_KEY"],
        PROD_KEY_PENDING,
    );
    t.values.borrow_mut().push(HF_NOTE.to_owned());
    t.set(
        "ada",
        &src,
        &["set", "llm-eval/prod/HF_TOKEN", "--note", HF_NOTE],
        HF_TOKEN,
    );
    t.set("ada", &src, &["set", "llm-eval/dev/WANDB_API_KEY"], WANDB);
    let sa = t.file("sa.json");
    std::fs::write(&sa, SA_JSON).expect("write sa.json");
    t.values.borrow_mut().push(SA_JSON.trim().to_owned());
    t.ok("ada", &src, &["set", "llm-eval/dev/GCP_SA", "--file", &loc(&sa)]);

    let (recovery, _) = t.ok("alice", &src, &["member", "join", "--name", "alice"]);
    t.values.borrow_mut().push(recovery.trim().to_owned());
    let fingerprint = t.fingerprint(&src, "alice");
    t.ok(
        "ada",
        &src,
        &["member", "approve", "alice", "--fingerprint", &fingerprint],
    );
    let (id, _) = t.ok(
        "alice",
        &src,
        &["access", "request", "llm-eval/dev", "--reason", "eval runs"],
    );
    t.ok("ada", &src, &["access", "approve", id.trim()]);
    t.ok(
        "alice",
        &src,
        &["access", "request", "llm-eval/prod", "--reason", "one prod check"],
    );
    src
}

/// What each member reads of the vault at `vault`: every value they can read (`get`), each
/// scope they can open exported as JSON, the listing and the history of the rotated secret.
fn readings(t: &Team, who: &str, vault: &str) -> Vec<(String, Vec<u8>)> {
    let scopes: &[&str] = if who == "alice" {
        &["llm-eval/dev"]
    } else {
        &["llm-eval/dev", "llm-eval/prod"]
    };
    let mut seen = Vec::new();
    for scope in scopes {
        let listed = t.ok(who, vault, &["ls", scope]).0;
        for name in ["OPENAI_API_KEY", "HF_TOKEN", "WANDB_API_KEY", "GCP_SA"] {
            if listed.contains(name) {
                let path = format!("{scope}/{name}");
                seen.push((format!("get {path}"), t.get(who, vault, &path)));
            }
        }
        let (export, _) = t.ok(who, vault, &["export", "--scope", scope, "--format", "json"]);
        seen.push((format!("export {scope}"), export.into_bytes()));
    }
    seen.push(("ls".into(), t.ok(who, vault, &["ls", "--json"]).0.into_bytes()));
    if who == "ada" {
        let (history, _) = t.ok(who, vault, &["history", "llm-eval/prod/OPENAI_API_KEY", "--json"]);
        seen.push(("history".into(), history.into_bytes()));
    }
    seen
}

#[test]
fn a_file_vault_moves_to_postgres_and_back_readable_by_the_same_members_with_the_same_keys() {
    common::require_secret_service();
    let t = Team::new();
    let src = team_vault(&t);
    let ada_before = readings(&t, "ada", &src);
    let alice_before = readings(&t, "alice", &src);
    assert!(
        ada_before
            .iter()
            .any(|(what, value)| what == "get llm-eval/prod/OPENAI_API_KEY" && value == PROD_KEY_2.as_bytes()),
        "{ada_before:?}"
    );
    assert!(alice_before.iter().any(|(what, _)| what == "get llm-eval/dev/GCP_SA"));

    // SQLite -> PostgreSQL. A password written into a location on the command line is refused
    // before anything runs (ps shows argv to every user), and never repeated.
    let db = common::Database::create();
    let database = db.url_text();
    let password = "hunter2-copy-secret";
    let out = t.run(
        t.cmd(
            "ada",
            &src,
            &["vault", "copy", &src, &with_password(&database, password)],
        ),
        b"",
    );
    let refused = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{refused}");
    assert!(
        refused.contains("visible to every user") && !refused.contains(password),
        "{refused}"
    );
    let said = t.copy("ada", &src, &database);
    assert!(
        said.starts_with("Copied vault \"ml-team\" from ") && said.contains(&src) && said.contains("postgres://"),
        "{said}"
    );
    for count in ["2 members", "2 scopes", "4 secrets", "6 versions", "audit entries"] {
        assert!(said.contains(count), "{count}: {said}");
    }
    // Alice reads from the server what she read from the file.
    assert_eq!(readings(&t, "alice", &database), alice_before);

    // PostgreSQL -> a new file.
    let last = loc(&t.file("moved/back.db"));
    let said = t.copy("alice", &database, &last);
    assert!(
        said.contains(&format!(" to {last}: 2 members, 2 scopes, 4 secrets, 6 versions")),
        "{said}"
    );

    // On the last copy: the chain verifies for both, every value decrypts to the same bytes
    // for whoever could read it, and alice still cannot read prod.
    for who in ["ada", "alice"] {
        let (verified, _) = t.ok(who, &last, &["audit", "verify"]);
        assert!(
            verified.starts_with("audit log intact:") && verified.contains("each by a member this device trusts"),
            "{who}: {verified}"
        );
    }
    assert_eq!(readings(&t, "ada", &last), ada_before);
    assert_eq!(readings(&t, "alice", &last), alice_before);
    let err = t.fail("alice", &last, &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    assert!(err.contains("no access to llm-eval/prod"), "{err}");
    let (requests, _) = t.ok("ada", &last, &["access", "ls", "--pending", "--json"]);
    let requests: serde_json::Value = serde_json::from_str(&requests).expect("access ls --json");
    assert_eq!(requests.as_array().map(Vec::len), Some(1), "{requests}");
    assert_eq!(requests[0]["scope"], "llm-eval/prod", "{requests}");

    // The same keychain entry opens the copy: ada types no passphrase.
    let mut from_keychain = t.cmd("ada", &last, &["get", "llm-eval/prod/HF_TOKEN"]);
    from_keychain.env_remove("KEYSHELF_PASSPHRASE");
    let out = t.run(from_keychain, b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, HF_TOKEN.as_bytes());

    // The pending rotation moved with it: promoting it on the copy makes it current there.
    t.ok("ada", &last, &["rotate", "--promote", "llm-eval/prod/OPENAI_API_KEY"]);
    assert_eq!(
        t.get("ada", &last, "llm-eval/prod/OPENAI_API_KEY"),
        PROD_KEY_PENDING.as_bytes()
    );
    let (previous, _) = t.ok("ada", &last, &["get", "llm-eval/prod/OPENAI_API_KEY", "--previous"]);
    assert_eq!(previous.as_bytes(), PROD_KEY_2.as_bytes());
}

#[test]
fn a_copy_never_lands_on_an_existing_vault_and_a_missing_source_is_named() {
    let t = Team::new();
    let src = team_vault(&t);
    let db = common::Database::create();
    let database = db.url_text();
    t.copy("ada", &src, &database);
    let file = loc(&t.file("copy.db"));
    t.copy("ada", &database, &file);

    // Onto an existing vault, file or database: refused, and the vault is as it was.
    let before_file = std::fs::read(&file).expect("read the copy");
    let (before_db, _) = t.ok("ada", &database, &["audit", "ls", "--json", "--limit", "1000"]);
    for existing in [&file, &database] {
        let err = t.fail("ada", &src, &["vault", "copy", &src, existing]);
        assert!(err.contains("a vault already exists at"), "{err}");
        assert!(err.contains("a copy never overwrites a vault"), "{err}");
    }
    let err = t.fail("ada", &src, &["vault", "copy", &src, &src]);
    assert!(err.contains("a vault already exists at"), "{err}");
    assert_eq!(std::fs::read(&file).expect("read the copy"), before_file);
    let (after_db, _) = t.ok("ada", &database, &["audit", "ls", "--json", "--limit", "1000"]);
    // Reading the log again appended nothing (listing the log is not a value read).
    assert_eq!(after_db, before_db);

    // A source that is not there: said, and nothing is made at the destination.
    let missing = loc(&t.file("missing.db"));
    let target = t.file("never.db");
    let err = t.fail("ada", &src, &["vault", "copy", &missing, &loc(&target)]);
    assert!(
        err.starts_with(&format!(
            "keyshelf: no vault at {missing}: SRC must be an existing vault"
        )),
        "{err}"
    );
    assert!(!target.exists());
    let no_database = database.replacen("/ks_", "/ks_absent_", 1);
    let err = t.fail("ada", &src, &["vault", "copy", &no_database, &loc(&target)]);
    assert!(err.contains("no vault at postgres://"), "{err}");
    assert!(!target.exists());
    // An empty database is no vault either.
    let empty_db = common::Database::create();
    let empty = empty_db.url_text();
    let err = t.fail("ada", &src, &["vault", "copy", &empty, &loc(&target)]);
    assert!(err.contains("no vault at postgres://"), "{err}");
    assert!(!target.exists());
}

/// This device's memory (`seen.json`) is kept by vault id: a copy is the same vault to a device
/// that used the source, and once the device has seen the copy move on, the source and any
/// copy of an older state are the vault gone back, and refused.
#[test]
fn a_device_takes_a_copy_for_the_same_vault_and_refuses_an_older_one() {
    let t = Team::new();
    let src = team_vault(&t);
    let db = common::Database::create();
    let database = db.url_text();
    t.copy("ada", &src, &database);
    let old = loc(&t.file("old.db"));
    t.copy("ada", &src, &old);

    // The same vault to alice's device, which used the file: no join, the same membership.
    let (status, _) = t.ok("alice", &database, &["status"]);
    assert!(status.contains("alice (member)"), "{status}");
    assert_eq!(
        t.get("alice", &database, "llm-eval/dev/WANDB_API_KEY"),
        WANDB.as_bytes()
    );

    // The vault moves on on the server (its new project takes an id past the copied ones), and
    // alice's device sees it there.
    t.ok("ada", &database, &["project", "add", "serving", "--env", "prod"]);
    t.set(
        "ada",
        &database,
        &["set", "llm-eval/dev/NEW_TOKEN"],
        "tok-after-the-copy-0000",
    );
    assert_eq!(
        t.get("alice", &database, "llm-eval/dev/NEW_TOKEN"),
        b"tok-after-the-copy-0000"
    );
    // The file it came from, and a copy of it, are now older than what she saw: refused.
    for older in [&src, &old] {
        let err = t.fail("alice", older, &["get", "llm-eval/dev/WANDB_API_KEY"]);
        assert!(err.contains("went back to an older state"), "{err}");
    }
    // A copy of the newer state is accepted.
    let newer = loc(&t.file("newer.db"));
    t.copy("alice", &database, &newer);
    assert_eq!(
        t.get("alice", &newer, "llm-eval/dev/NEW_TOKEN"),
        b"tok-after-the-copy-0000"
    );
}
