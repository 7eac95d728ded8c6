//! Test harness: a vault in a temp dir and the `keyshelf` binary run against it.
//!
//! Every value stored through [`Vault::set`] is remembered, and every command's stderr (and
//! every failing command's output) is checked not to contain any of them: errors must never
//! carry a secret.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const OPENAI: &str = "sk-proj-T3stKeyDoNotUse0123456789abcdef";

/// The `keyshelf` CLI: Cargo's path in the CLI's own suites; in the desktop suite, the CLI the
/// workspace build put beside the app.
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        match (
            option_env!("CARGO_BIN_EXE_keyshelf"),
            option_env!("CARGO_BIN_EXE_keyshelf-desktop"),
        ) {
            (Some(cli), _) => cli.to_owned(),
            (None, Some(app)) => Path::new(app).with_file_name("keyshelf").display().to_string(),
            (None, None) => panic!("no keyshelf binary known to this test crate"),
        }
    })
}

pub struct Vault {
    pub dir: TempDir,
    pub recovery_key: String,
    keychain: bool,
    values: RefCell<Vec<String>>,
}

impl Vault {
    /// A fresh vault with the keychain switched off, so tests never share keychain state.
    pub fn init() -> Self {
        Self::create(false)
    }

    /// A fresh vault using the real OS keychain.
    pub fn init_with_keychain() -> Self {
        Self::create(true)
    }

    /// A temp dir where a vault will be (`db()`, config `config/`), not created yet: the desktop
    /// app's first run makes it.
    pub fn empty() -> Self {
        Vault {
            dir: tempfile::tempdir().expect("tempdir"),
            recovery_key: String::new(),
            keychain: false,
            values: RefCell::new(vec![OPENAI.to_owned()]),
        }
    }

    /// The owner's device config dir.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    fn create(keychain: bool) -> Self {
        let mut vault = Vault {
            keychain,
            ..Self::empty()
        };
        let out = vault.run(vault.cmd(&["init", "--name", "ml-team", "--user", "ada"]));
        assert!(
            out.status.success(),
            "init failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        vault.recovery_key = String::from_utf8(out.stdout).expect("utf8").trim().to_owned();
        vault.values.borrow_mut().push(vault.recovery_key.clone());
        vault
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }

    pub fn vault_files(&self) -> Vec<PathBuf> {
        ["vault.db", "vault.db-wal", "vault.db-shm"]
            .iter()
            .map(|f| self.dir.path().join(f))
            .filter(|p| p.exists())
            .collect()
    }

    /// `program` with this vault's environment, no passphrase.
    pub fn cmd_raw(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("KEYSHELF_VAULT", self.db())
            .env("KEYSHELF_CONFIG_DIR", self.config())
            .env_remove("KEYSHELF_PASSPHRASE")
            .env_remove("KEYSHELF_RECOVERY_KEY")
            .stdin(Stdio::null());
        if self.keychain {
            cmd.env_remove("KEYSHELF_KEYCHAIN");
        } else {
            cmd.env("KEYSHELF_KEYCHAIN", "off");
        }
        cmd
    }

    /// `keyshelf ARGS` with KEYSHELF_PASSPHRASE set.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd_no_pass(args);
        cmd.env("KEYSHELF_PASSPHRASE", PASSPHRASE);
        cmd
    }

    pub fn cmd_no_pass(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd_raw(bin());
        cmd.args(args);
        cmd
    }

    fn run(&self, mut cmd: Command) -> Output {
        let out = cmd.output().expect("run keyshelf");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for value in self.values.borrow().iter().filter(|v| !v.is_empty()) {
            assert!(
                !stderr.contains(value.as_str()),
                "a secret value reached stderr: {stderr}"
            );
        }
        out
    }

    fn expect_ok(&self, cmd: Command, what: &[&str]) -> String {
        let out = self.run(cmd);
        assert!(
            out.status.success(),
            "keyshelf {what:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8 stdout")
    }

    /// `keyshelf ARGS` as another person on their own device: their config dir and passphrase,
    /// the same vault file.
    pub fn person_cmd(&self, who: &str, args: &[&str]) -> Command {
        let mut cmd = self.cmd_no_pass(args);
        cmd.env("KEYSHELF_CONFIG_DIR", self.dir.path().join(format!("config-{who}")))
            .env("KEYSHELF_PASSPHRASE", format!("{who}'s own passphrase"));
        cmd
    }

    /// As [`Vault::person_cmd`]; asserts success and returns (stdout, stderr).
    pub fn person_ok(&self, who: &str, args: &[&str]) -> (String, String) {
        let out = self.run(self.person_cmd(who, args));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{who}: keyshelf {args:?} failed: {stderr}");
        (String::from_utf8(out.stdout).expect("utf8 stdout"), stderr)
    }

    /// As [`Vault::person_cmd`]; asserts exit code 1 and returns stderr.
    pub fn person_fail(&self, who: &str, args: &[&str]) -> String {
        let out = self.run(self.person_cmd(who, args));
        assert_eq!(out.status.code(), Some(1), "{who}: keyshelf {args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Runs as the owner and returns (stdout, stderr).
    pub fn ok_with_stderr(&self, args: &[&str]) -> (String, String) {
        let out = self.run(self.cmd(args));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "keyshelf {args:?} failed: {stderr}");
        (String::from_utf8(out.stdout).expect("utf8 stdout"), stderr)
    }

    /// Runs and asserts success; stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.expect_ok(self.cmd(args), args)
    }

    pub fn ok_no_pass(&self, args: &[&str]) -> String {
        self.expect_ok(self.cmd_no_pass(args), args)
    }

    pub fn ok_no_pass_stdin(&self, args: &[&str], input: &str) -> String {
        let out = self.pipe(self.cmd_no_pass(args), input.as_bytes());
        assert!(
            out.status.success(),
            "keyshelf {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Runs and asserts exit code 1 with nothing on stdout and no secret anywhere; stderr.
    pub fn fail(&self, args: &[&str]) -> String {
        self.expect_fail(self.cmd(args), args)
    }

    pub fn fail_with_vault(&self, vault: &Path, args: &[&str]) -> String {
        let mut cmd = self.cmd(args);
        cmd.env("KEYSHELF_VAULT", vault);
        self.expect_fail(cmd, args)
    }

    fn expect_fail(&self, cmd: Command, args: &[&str]) -> String {
        let out = self.run(cmd);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "keyshelf {args:?} should fail: {stderr}");
        assert!(out.stdout.is_empty(), "a failing command printed to stdout");
        assert_eq!(stderr.trim().lines().count(), 1, "errors are one line: {stderr}");
        stderr
    }

    fn pipe(&self, mut cmd: Command, input: &[u8]) -> Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keyshelf");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    /// `keyshelf set PATH` with the value on stdin.
    pub fn set(&self, path: &str, value: &str) {
        self.set_with(&["set", path], value);
    }

    /// `keyshelf ARGS` (a `set` with options) with the value on stdin.
    pub fn set_with(&self, args: &[&str], value: &str) {
        self.values.borrow_mut().push(value.to_owned());
        if let Some(i) = args.iter().position(|a| *a == "--note") {
            self.values.borrow_mut().extend(args.get(i + 1).map(|n| n.to_string()));
        }
        let out = self.pipe(self.cmd(args), value.as_bytes());
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Remembers a value so that no command may print it on stderr.
    pub fn remember(&self, value: &str) {
        self.values.borrow_mut().push(value.to_owned());
    }

    /// `keyshelf ARGS` as the owner with `stdin` piped in and extra environment (e.g. the
    /// debug-only clock offset); the whole output, checked for leaked secrets on stderr.
    pub fn output(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.cmd(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = self.pipe(cmd, stdin.as_bytes());
        let stderr = String::from_utf8_lossy(&out.stderr);
        for value in self.values.borrow().iter().filter(|v| !v.is_empty()) {
            assert!(
                !stderr.contains(value.as_str()),
                "a secret value reached stderr: {stderr}"
            );
        }
        out
    }

    pub fn get(&self, path: &str) -> Vec<u8> {
        let out = self.run(self.cmd(&["get", path]));
        assert!(
            out.status.success(),
            "get {path} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// The keychain tests use the real Secret Service; they must not pass vacuously without one.
pub fn require_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test needs a Secret Service in a D-Bus session: run `make test` (it starts gnome-keyring)"
    );
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// Runs SQL directly on the vault file, as an attacker with the file could.
pub fn db_try_exec(path: &Path, sql: &str) -> Result<(), String> {
    block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        let result = sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string());
        let _ = conn.close().await;
        result
    })
}

pub fn db_exec(path: &Path, sql: &str) {
    db_try_exec(path, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub fn db_query_blob(path: &Path, sql: &str) -> Vec<u8> {
    block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .expect("open");
        let blob: Vec<u8> = sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("query");
        let _ = conn.close().await;
        blob
    })
}

pub fn db_query_i64(path: &Path, sql: &str) -> i64 {
    block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .expect("open");
        let value: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("query");
        let _ = conn.close().await;
        value
    })
}

impl Vault {
    /// `name`'s key fingerprint as the owner's device shows it: what a joiner tells the admitter
    /// out of band, passed to `member approve --fingerprint`.
    pub fn fingerprint(&self, name: &str) -> String {
        let roster: serde_json::Value =
            serde_json::from_str(&self.ok(&["member", "ls", "--json"])).expect("member ls --json");
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
