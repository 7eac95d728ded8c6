//! The embedded engine: one SQLite file.
//!
//! WAL so that the desktop app and several CLI processes read while one writes; a busy timeout
//! so a writer waits for another instead of failing; `BEGIN IMMEDIATE` for every write so the
//! write lock is taken up front and a read-then-write transaction never fails on an upgrade.
//! The table families' queries are in `store/<family>.rs`, written once for both engines; this
//! file runs them ([`Sql`]): it binds their values and maps SQLite's errors.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Arguments, Sqlite as Db, SqlitePool, Transaction};

use super::meta::FORMAT;
use super::sql::{args, Arg, Record, Sql};
use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Debug, Clone)]
pub(super) struct Sqlite {
    pool: SqlitePool,
    path: PathBuf,
    /// Opened read-only (its folder or mount is): see `connect_with`.
    read_only: bool,
}

impl Sqlite {
    pub(super) async fn create(path: &Path) -> Result<Sqlite> {
        if path.exists() {
            return Err(Error::VaultExists { path: path.into() });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::config::create_private_dir(dir)?;
        }
        create_private_file(path)?;
        let created = async {
            let db = Self::connect(path).await?;
            db.migrate("creating the vault schema").await?;
            Ok(db)
        }
        .await;
        if created.is_err() {
            // A schema-less file must not be left behind to be mistaken for a vault.
            remove_files(path);
        }
        created
    }

    pub(super) async fn open(path: &Path) -> Result<Sqlite> {
        if !path.is_file() {
            return Err(Error::VaultNotFound { path: path.into() });
        }
        // SQLite would make an empty file (or any file it can write) into a database on opening
        // it; a file that is not a vault is never modified.
        if !is_sqlite_file(path)? {
            return Err(Error::NotAVault { path: path.into() });
        }
        let db = Self::connect(path).await?;
        let has_vault: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'vault'")
                .fetch_optional(&db.pool)
                .await
                .map_err(|_| Error::NotAVault { path: path.into() })?;
        if has_vault.is_none() {
            return Err(Error::NotAVault { path: path.into() });
        }
        let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        // One query for both: every command opens the vault.
        let (applied, format): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT (SELECT MAX(version) FROM _sqlx_migrations), (SELECT format FROM vault)")
                .fetch_one(&db.pool)
                .await
                .map_err(|_| Error::NotAVault { path: path.into() })?;
        let format = format.ok_or_else(|| Error::NotAVault { path: path.into() })?;
        if applied.unwrap_or(0) > newest_known || format > FORMAT {
            return Err(Error::NewerFormat {
                path: path.into(),
                found: format.max(applied.unwrap_or(0)),
                supported: FORMAT.max(newest_known),
            });
        }
        // Migrating takes the write lock; skip it when the file is already current (the hot path).
        if applied.unwrap_or(0) < newest_known {
            if db.read_only {
                return Err(Error::ReadOnlyVault {
                    context: "upgrading the vault to this build's format".into(),
                });
            }
            db.migrate("upgrading the vault schema").await?;
        }
        Ok(db)
    }

    /// Runs the migrations on a connection of their own with foreign keys off, as SQLite's
    /// table rebuilds need (dropping the old table would otherwise cascade into every table
    /// referring to it), then checks that every reference still holds.
    async fn migrate(&self, context: &str) -> Result<()> {
        let failed = |message: String| Error::Database {
            context: context.into(),
            message,
        };
        let own = Self::connect_with(&self.path, false).await?;
        let migrated = MIGRATOR.run(&own.pool).await.map_err(|e| failed(e.to_string()));
        let dangling: std::result::Result<Vec<(String,)>, _> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&own.pool)
                .await;
        own.close().await;
        migrated?;
        if let Some((table,)) = dangling.map_err(|e| error(context, e))?.first() {
            return Err(failed(format!("a reference from {table} no longer holds")));
        }
        Ok(())
    }

    async fn connect(path: &Path) -> Result<Sqlite> {
        Self::connect_with(path, true).await
    }

    async fn connect_with(path: &Path, foreign_keys: bool) -> Result<Sqlite> {
        let base = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| error("configuring SQLite", e))?
            .filename(path)
            .create_if_missing(false)
            .foreign_keys(foreign_keys)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB page cache: bulk imports insert into random-keyed indexes.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory");
        let options = base
            .clone()
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is corruption-safe under WAL; a power cut may lose the last commit, not the file.
            .synchronous(SqliteSynchronous::Normal);
        // One connection: SQLite has one writer anyway, and every value read writes an audit
        // entry, so more connections would only queue on the lock (and cost an open each).
        let connect = |options: SqliteConnectOptions| SqlitePoolOptions::new().max_connections(1).connect_with(options);
        let opened = match connect(options).await {
            Ok(pool) => Ok((pool, false)),
            // A vault in a read-only folder or mount (a mounted backup, a read-only share): WAL
            // cannot make its -shm beside it. It is read as a snapshot nothing changes; every
            // write, and so every read of a value (each is audited), is refused.
            Err(sqlx::Error::Database(db)) if matches!(db.code().as_deref(), Some("14") | Some("8")) => {
                connect(base.read_only(true).immutable(true))
                    .await
                    .map(|pool| (pool, true))
            }
            Err(e) => Err(e),
        };
        let (pool, read_only) = opened.map_err(|e| match &e {
            sqlx::Error::Database(db) if db.message().contains("not a database") => {
                Error::NotAVault { path: path.into() }
            }
            _ => error("opening the vault", e),
        })?;
        Ok(Sqlite {
            pool,
            path: path.into(),
            read_only,
        })
    }

    #[cfg(test)]
    pub(super) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) async fn acquire(&self) -> Result<PoolConnection<Db>> {
        self.pool
            .acquire()
            .await
            .map_err(|e| error("connecting to the vault", e))
    }

    pub(super) async fn begin_read(&self) -> Result<Transaction<'static, Db>> {
        self.pool.begin().await.map_err(|e| error("starting a read", e))
    }

    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Db>> {
        if self.read_only {
            return Err(Error::ReadOnlyVault {
                context: "this command (every change, and every read of a value, is recorded in its audit log)".into(),
            });
        }
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| match error("starting a write", e) {
                // Waiting for the write lock is where a long write by another process shows.
                Error::Busy { .. } => Error::Busy {
                    holder: holders(&self.path),
                },
                other => other,
            })
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    /// Deletes the vault file and its WAL. Only for undoing a creation that did not complete.
    pub(super) async fn destroy(&self) {
        self.pool.close().await;
        remove_files(&self.path);
    }
}

/// Whether `path` starts with SQLite's file header (a vault has one from its creation on).
fn is_sqlite_file(path: &Path) -> Result<bool> {
    use std::io::Read;
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let mut start = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    match file.read_exact(&mut start) {
        Ok(()) => Ok(&start == HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// SQLite's bound on the values of one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const MAX_PARAMS: usize = 32766;

#[async_trait]
impl Sql for SqliteConnection {
    const MAX_PARAMS: usize = MAX_PARAMS;
    const CASELESS_LIKE: &'static str = "LIKE";
    const EXPLICIT_IDS: &'static str = "";

    /// `?`: SQLite finds a numbered or named parameter by a linear search of the statement's
    /// names, at every bind, which a batch of thousands of values pays quadratically (a 1000-row
    /// insert of 12 columns took 370 ms with `$n` against 4 ms with `?`).
    fn placeholder(sql: &mut String, _n: usize) {
        sql.push('?');
    }

    async fn execute(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<u64> {
        sqlx::query_with(sql, arguments(context, args)?)
            .execute(self)
            .await
            .map(|done| done.rows_affected())
            .map_err(|e| error(context, e))
    }

    async fn all<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        sqlx::query_as_with(sql, arguments(context, args)?)
            .fetch_all(self)
            .await
            .map_err(|e| error(context, e))
    }

    async fn optional<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>> {
        sqlx::query_as_with(sql, arguments(context, args)?)
            .fetch_optional(self)
            .await
            .map_err(|e| error(context, e))
    }

    async fn one<T: Record>(&mut self, context: &str, sql: &str, args: &[Arg<'_>]) -> Result<T> {
        sqlx::query_as_with(sql, arguments(context, args)?)
            .fetch_one(self)
            .await
            .map_err(|e| error(context, e))
    }

    /// AUTOINCREMENT's counter in `sqlite_sequence`.
    async fn id_high_water(&mut self, table: &str) -> Result<i64> {
        let seq: Option<i64> = self
            .optional_value(
                "reading the id counters",
                "SELECT seq FROM sqlite_sequence WHERE name = $1",
                &args![table],
            )
            .await?;
        Ok(seq.unwrap_or(0))
    }

    /// Raises AUTOINCREMENT's counter (inserting explicit ids already moved it past the highest
    /// present).
    async fn set_id_high_water(&mut self, table: &str, at: i64) -> Result<()> {
        const CONTEXT: &str = "copying the id counters";
        self.execute(
            CONTEXT,
            "INSERT INTO sqlite_sequence (name, seq) SELECT $1, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
            &args![table],
        )
        .await?;
        self.execute(
            CONTEXT,
            "UPDATE sqlite_sequence SET seq = MAX(seq, $1) WHERE name = $2",
            &args![at, table],
        )
        .await
        .map(drop)
    }
}

/// The values of a statement as SQLite binds them.
fn arguments<'q>(context: &str, args: &[Arg<'q>]) -> Result<SqliteArguments<'q>> {
    let mut bound = SqliteArguments::default();
    bound.reserve(args.len(), 0);
    for arg in args {
        match *arg {
            Arg::Int(v) => bound.add(v),
            Arg::Text(v) => bound.add(v),
            Arg::Bytes(v) => bound.add(v),
            Arg::Bool(v) => bound.add(v),
        }
        .map_err(|e| error(context, sqlx::Error::Encode(e)))?;
    }
    Ok(bound)
}

/// Maps a database error to the variant a user can act on. `context` says what we were doing.
/// sqlx errors carry SQLite's message and the SQL text, never bound values, so no secret leaks.
pub(super) fn error(context: &str, err: sqlx::Error) -> Error {
    // The desktop closes the pool when it locks; a command still in flight then finds it closed.
    if matches!(err, sqlx::Error::PoolClosed) {
        return Error::Locked;
    }
    if let sqlx::Error::Database(db) = &err {
        // SQLite primary result codes (the low byte of the extended code).
        let primary = db.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
        match primary {
            Some(5) | Some(6) => {
                return Error::Busy {
                    holder: "another process".into(),
                }
            }
            Some(13) => return Error::DiskFull,
            // SQLITE_READONLY: the file, its folder (WAL's -wal and -shm go beside it) or the mount.
            Some(8) => {
                return Error::ReadOnlyVault {
                    context: context.to_owned(),
                }
            }
            // SQLITE_IOERR (e.g. 4874, the shared-memory file could not grow: a full disk).
            Some(10) => {
                return Error::StorageIo {
                    context: context.to_owned(),
                }
            }
            Some(11) => {
                return Error::Corrupt {
                    context: context.to_owned(),
                }
            }
            _ => {}
        }
    }
    Error::Database {
        context: context.to_owned(),
        message: err.to_string(),
    }
}

/// Who has the vault open besides this process, as far as this user may see (`/proc/*/fd`):
/// "keyshelf import (pid 4242)", a program's name alone for anything else (its arguments are
/// not ours to print). SQLite does not say which of them holds the lock, so all are named.
fn holders(path: &Path) -> String {
    let Ok(vault) = path.canonicalize() else {
        return "another process".into();
    };
    let wal = std::path::PathBuf::from(format!("{}-wal", vault.display()));
    let me = std::process::id().to_string();
    let mut named = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if pid == me || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let opened = std::fs::read_dir(entry.path().join("fd"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .any(|target| target == vault || target == wal);
        if !opened {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let mut args = cmdline
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned());
        let program = args
            .next()
            .map(|p| p.rsplit('/').next().unwrap_or_default().to_owned())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "a process".into());
        let what = match args.next().filter(|_| program == "keyshelf") {
            Some(command) if command.bytes().all(|b| b.is_ascii_lowercase()) => format!("keyshelf {command}"),
            _ => program,
        };
        named.push(format!("{what} (pid {pid})"));
    }
    match named.len() {
        0 => "another process".into(),
        1 => named.remove(0),
        _ => format!("one of {}", named.join(", ")),
    }
}

fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .map_err(|e| Error::io(format!("creating {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's own read-only refusal (as on a read-only mount or folder) reaches the user as
    /// what to do about it, not as "(code: 8) attempt to write a readonly database".
    #[tokio::test]
    async fn a_read_only_vault_file_is_named_as_such() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        Sqlite::create(&path).await.expect("create").close().await;
        let options = SqliteConnectOptions::new().filename(&path).read_only(true);
        let mut conn = sqlx::ConnectOptions::connect(&options).await.expect("open read-only");
        let err = conn
            .execute(
                "adding a project",
                "INSERT INTO projects (name, created_at) VALUES ('p', 1)",
                &[],
            )
            .await
            .expect_err("read-only");
        assert!(matches!(err, Error::ReadOnlyVault { .. }), "{err:?}");
        assert!(err.to_string().contains("read-only here"), "{err}");
    }

    /// Waiting for the write lock in vain names who has the vault open: here a python3 process
    /// holding `BEGIN IMMEDIATE` (its arguments, which could be anything, are not printed).
    #[tokio::test]
    async fn a_busy_vault_names_the_process_that_has_it_open() {
        use std::io::{BufRead, Write};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        let db = Sqlite::create(&path).await.expect("create");
        let mut holder = std::process::Command::new("python3")
            .args([
                "-c",
                "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\nprint('held', flush=True)\nsys.stdin.read()",
            ])
            .arg(&path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read");
        assert_eq!(line.trim(), "held");
        let err = db.begin_write().await.map(drop).expect_err("busy");
        let pid = holder.id();
        drop(holder.stdin.take().map(|mut s| s.flush()));
        holder.wait().expect("python3 ends");
        let said = err.to_string();
        assert!(
            said.contains(&format!("python3 (pid {pid}) holds the write lock")),
            "{said}"
        );
        assert!(!said.contains("sqlite3.connect"), "arguments are not printed: {said}");
        // With the lock released, the same store writes.
        db.begin_write().await.expect("free again");
    }
}
