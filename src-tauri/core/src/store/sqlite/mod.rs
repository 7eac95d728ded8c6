//! The embedded engine: one SQLite file.
//!
//! WAL so that the desktop app and several CLI processes read while one writes; a busy timeout
//! so a writer waits for another instead of failing; `BEGIN IMMEDIATE` for every write so the
//! write lock is taken up front and a read-then-write transaction never fails on an upgrade.
//! Each table family's queries are in the file of its name.

mod audit;
mod dump;
mod epochs;
mod members;
mod meta;
mod projects;
mod requests;
mod rotation;
mod seals;
mod secrets;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite as Db, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// The vault format this build writes and the newest it reads.
pub const FORMAT: i64 = 1;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

#[derive(Debug, Clone)]
pub(super) struct Sqlite {
    pool: SqlitePool,
    path: PathBuf,
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
            MIGRATOR.run(&db.pool).await.map_err(|e| Error::Database {
                context: "creating the vault schema".into(),
                message: e.to_string(),
            })?;
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
            MIGRATOR.run(&db.pool).await.map_err(|e| Error::Database {
                context: "upgrading the vault schema".into(),
                message: e.to_string(),
            })?;
        }
        Ok(db)
    }

    async fn connect(path: &Path) -> Result<Sqlite> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| error("configuring SQLite", e))?
            .filename(path)
            .create_if_missing(false)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is corruption-safe under WAL; a power cut may lose the last commit, not the file.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB page cache: bulk imports insert into random-keyed indexes.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory");
        // One connection: SQLite has one writer anyway, and every value read writes an audit
        // entry, so more connections would only queue on the lock (and cost an open each).
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.message().contains("not a database") => {
                    Error::NotAVault { path: path.into() }
                }
                _ => error("opening the vault", e),
            })?;
        Ok(Sqlite {
            pool,
            path: path.into(),
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
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| error("starting a write", e))
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

fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
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
            Some(5) | Some(6) => return Error::Busy,
            Some(13) => return Error::DiskFull,
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
