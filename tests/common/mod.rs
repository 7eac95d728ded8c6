//! Test harness: a vault in a temp dir and the `keyshelf` binary run against it.
//!
//! Every value stored through [`Vault::set`] is remembered, and every command's stderr (and
//! every failing command's output) is checked not to contain any of them: errors must never
//! carry a secret.
//!
//! The engine: a SQLite file in the temp dir, or, when `KEYSHELF_TEST_POSTGRES` holds a URL
//! template with `{db}` (`postgres://postgres@localhost/{db}?host=/tmp/pg&port=5432`, a user that
//! may create databases), a fresh PostgreSQL database per vault, dropped with it. `.ci/with-postgres`
//! starts a private server and sets it. The config dirs stay in the temp dir either way.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, SqliteConnection};
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

/// The URL template of the PostgreSQL server to test against, if any (`KEYSHELF_TEST_POSTGRES`).
fn postgres_template() -> Option<String> {
    let template = std::env::var("KEYSHELF_TEST_POSTGRES").ok().filter(|t| !t.is_empty())?;
    assert!(
        template.contains("{db}"),
        "KEYSHELF_TEST_POSTGRES must be a URL template with {{db}} where the database name goes: {template}"
    );
    Some(template)
}

/// Whether the vaults of this run are PostgreSQL databases rather than SQLite files.
pub fn engine_is_postgres() -> bool {
    postgres_template().is_some()
}

/// Whether a vault location is a database URL rather than a file.
fn is_postgres_url(location: &Path) -> bool {
    let text = location.to_string_lossy();
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// One of two spellings of the same SQL: the SQLite one, or the PostgreSQL one on that engine.
pub fn sql<'a>(sqlite: &'a str, postgres: &'a str) -> &'a str {
    if engine_is_postgres() {
        postgres
    } else {
        sqlite
    }
}

/// A blob literal of the run's engine from hex digits: `x'00ff'` or `'\x00ff'::bytea`.
pub fn blob(hex: &str) -> String {
    if engine_is_postgres() {
        format!("'\\x{hex}'::bytea")
    } else {
        format!("x'{hex}'")
    }
}

/// `len` zero bytes as a blob literal of the run's engine.
pub fn zero_blob(len: usize) -> String {
    blob(&"00".repeat(len))
}

/// A database of its own on the test server, created empty and dropped (with anything still
/// connected to it) when this is dropped.
pub struct Database {
    name: String,
    url: String,
}

impl Database {
    /// A fresh empty database on the `KEYSHELF_TEST_POSTGRES` server.
    pub fn create() -> Database {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let template = postgres_template().expect(NO_SERVER);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let name = format!(
            "ks_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        admin_exec(&template, &format!("CREATE DATABASE {name}"));
        Database {
            url: template.replace("{db}", &name),
            name,
        }
    }

    pub fn url(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }

    /// The URL as text, for a command line.
    pub fn url_text(&self) -> String {
        self.url.clone()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(template) = postgres_template() {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = admin_try_exec(&template, &sql);
        }
    }
}

/// Runs a statement on the server's `postgres` database (creating and dropping databases).
fn admin_try_exec(template: &str, sql: &str) -> Result<(), String> {
    let url = template.replace("{db}", "postgres");
    block_on(async {
        let mut conn = PgConnection::connect(&url).await.map_err(|e| format!("{url}: {e}"))?;
        let result = sqlx::raw_sql(sql)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(|e| e.to_string());
        let _ = conn.close().await;
        result
    })
}

fn admin_exec(template: &str, sql: &str) {
    admin_try_exec(template, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Runs `;`-separated statements on the test server's `postgres` database as its superuser,
/// each on its own (CREATE and DROP DATABASE refuse a transaction).
pub fn server_exec(sql: &str) {
    let template = postgres_template().expect(NO_SERVER);
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        admin_exec(&template, statement);
    }
}

const NO_SERVER: &str = "KEYSHELF_TEST_POSTGRES is not set: run this test under .ci/with-postgres, which \
    starts a PostgreSQL server and sets it to a URL template with {db} for the database name";

pub struct Vault {
    pub dir: TempDir,
    pub recovery_key: String,
    keychain: bool,
    values: RefCell<Vec<String>>,
    /// The vault's database on the PostgreSQL run; `None` on SQLite (the file `dir/vault.db`).
    database: Option<Database>,
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
    /// app's first run makes it. On PostgreSQL, `db()` is an empty database.
    pub fn empty() -> Self {
        Vault {
            dir: tempfile::tempdir().expect("tempdir"),
            recovery_key: String::new(),
            keychain: false,
            values: RefCell::new(vec![OPENAI.to_owned()]),
            database: engine_is_postgres().then(Database::create),
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

    /// The vault's location as the CLI gets it in `KEYSHELF_VAULT`: the SQLite file, or the
    /// database URL.
    pub fn db(&self) -> PathBuf {
        match &self.database {
            Some(database) => database.url(),
            None => self.dir.path().join("vault.db"),
        }
    }

    /// The SQLite vault's files (the database, its WAL and shared memory); none on PostgreSQL.
    pub fn vault_files(&self) -> Vec<PathBuf> {
        if self.database.is_some() {
            return Vec::new();
        }
        ["vault.db", "vault.db-wal", "vault.db-shm"]
            .iter()
            .map(|f| self.dir.path().join(f))
            .filter(|p| p.exists())
            .collect()
    }

    /// Everything the vault stores, as an attacker with the storage reads it: each SQLite file
    /// whole, or on PostgreSQL every column of every table of the database (`table.column`: a
    /// bytea column's bytes as stored, any other column as text), rows apart by a newline.
    pub fn stored_bytes(&self) -> Vec<(String, Vec<u8>)> {
        if self.database.is_none() {
            return self
                .vault_files()
                .into_iter()
                .map(|path| {
                    let bytes = std::fs::read(&path).expect("read a vault file");
                    (path.display().to_string(), bytes)
                })
                .collect();
        }
        let columns: Vec<(String, String, String)> = pg_query(
            &self.db(),
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             ORDER BY c.table_name, c.ordinal_position",
        );
        columns
            .into_iter()
            .map(|(table, column, data_type)| {
                let sql = if data_type == "bytea" {
                    format!("SELECT COALESCE(string_agg(\"{column}\", '\\x0a'::bytea), ''::bytea) FROM \"{table}\"")
                } else {
                    format!(
                        "SELECT convert_to(COALESCE(string_agg(\"{column}\"::text, E'\\n'), ''), 'UTF8') FROM \"{table}\""
                    )
                };
                (format!("{table}.{column}"), db_query_blob(&self.db(), &sql))
            })
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

    fn pipe(&self, cmd: Command, input: &[u8]) -> Output {
        run_with_stdin(cmd, input)
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

/// Runs `cmd` with `input` on its stdin; the whole output.
pub fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Output {
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

/// The keychain tests use the real Secret Service; they must not pass vacuously without one.
pub fn require_secret_service() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "this test needs a Secret Service in a D-Bus session: run `make test` (it starts gnome-keyring)"
    );
}

/// Runs `f` to completion, also from inside an async test (the desktop suite's, on tokio's
/// multi-threaded runtime): there it blocks in place, as a runtime cannot start another.
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => tokio::task::block_in_place(|| handle.block_on(f)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f),
    }
}

/// A connection to a vault as an attacker with the file (SQLite) or the database (PostgreSQL,
/// as the test server's user) would open it.
enum AttackerConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

async fn attacker_connect(location: &Path) -> Result<AttackerConn, String> {
    if is_postgres_url(location) {
        let url = location.to_string_lossy();
        PgConnection::connect(&url)
            .await
            .map(AttackerConn::Postgres)
            .map_err(|e| e.to_string())
    } else {
        SqliteConnectOptions::new()
            .filename(location)
            .connect()
            .await
            .map(AttackerConn::Sqlite)
            .map_err(|e| e.to_string())
    }
}

impl AttackerConn {
    async fn close(self) {
        let _ = match self {
            AttackerConn::Sqlite(conn) => conn.close().await,
            AttackerConn::Postgres(conn) => conn.close().await,
        };
    }
}

/// Runs SQL (several statements allowed) directly on the vault, as an attacker with the file or
/// the database could. The location picks the engine: a `postgres://` URL or a SQLite file.
pub fn db_try_exec(location: &Path, sql: &str) -> Result<(), String> {
    block_on(async {
        let mut conn = attacker_connect(location).await?;
        let result = match &mut conn {
            AttackerConn::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            AttackerConn::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
        }
        .map_err(|e| e.to_string());
        conn.close().await;
        result
    })
}

pub fn db_exec(location: &Path, sql: &str) {
    db_try_exec(location, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub fn db_query_blob(location: &Path, sql: &str) -> Vec<u8> {
    block_on(async {
        let mut conn = attacker_connect(location).await.expect("open");
        let blob: Vec<u8> = match &mut conn {
            AttackerConn::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await,
            AttackerConn::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await;
        blob
    })
}

pub fn db_query_i64(location: &Path, sql: &str) -> i64 {
    block_on(async {
        let mut conn = attacker_connect(location).await.expect("open");
        let value: i64 = match &mut conn {
            AttackerConn::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await,
            AttackerConn::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await;
        value
    })
}

/// Rows of a query on a PostgreSQL vault database.
fn pg_query<T>(location: &Path, sql: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    block_on(async {
        let url = location.to_string_lossy();
        let mut conn = PgConnection::connect(&url).await.expect("open");
        let rows: Vec<T> = sqlx::query_as(sql)
            .fetch_all(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
        rows
    })
}

impl Vault {
    /// `name`'s key fingerprint as the owner's device shows it: what a joiner tells the admitter
    /// out of band, passed to `member approve --fingerprint`.
    /// The owner admits `name` (joined, pending) as lead of `project`, after comparing fingerprints.
    pub fn approve_lead(&self, name: &str, project: &str) {
        self.ok(&[
            "member",
            "approve",
            name,
            "--fingerprint",
            &self.fingerprint(name),
            "--role",
            "lead",
            "--lead-of",
            project,
        ]);
    }

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
