//! The SQLite file: connection settings, migrations, and write transactions.
//!
//! WAL so that the desktop app and several CLI processes read while one writes; a busy timeout
//! so a writer waits for another instead of failing; `BEGIN IMMEDIATE` for every write so the
//! write lock is taken up front and a read-then-write transaction never fails on an upgrade.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};

/// The vault format this build writes and the newest it reads.
pub const FORMAT: i64 = 1;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub type WriteTx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Creates a new vault file (mode 0600) with the current schema. Refuses to touch an existing file.
    pub async fn create(path: &Path) -> Result<Store> {
        if path.exists() {
            return Err(Error::VaultExists { path: path.into() });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        create_private_file(path)?;
        let created = async {
            let store = Self::connect(path).await?;
            MIGRATOR.run(&store.pool).await.map_err(|e| Error::Database {
                context: "creating the vault schema".into(),
                message: e.to_string(),
            })?;
            Ok(store)
        }
        .await;
        if created.is_err() {
            // A schema-less file must not be left behind to be mistaken for a vault.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        created
    }

    /// Opens an existing vault, checking that it is one and that we can read its format,
    /// then applies any newer migrations this build has.
    pub async fn open(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(Error::VaultNotFound { path: path.into() });
        }
        let store = Self::connect(path).await?;
        let has_vault: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'vault'")
                .fetch_optional(&store.pool)
                .await
                .map_err(|_| Error::NotAVault { path: path.into() })?;
        if has_vault.is_none() {
            return Err(Error::NotAVault { path: path.into() });
        }
        let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        // One query for both: every command opens the vault.
        let (applied, format): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT (SELECT MAX(version) FROM _sqlx_migrations), (SELECT format FROM vault)")
                .fetch_one(&store.pool)
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
            MIGRATOR.run(&store.pool).await.map_err(|e| Error::Database {
                context: "upgrading the vault schema".into(),
                message: e.to_string(),
            })?;
        }
        Ok(store)
    }

    async fn connect(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| Error::db("configuring SQLite", e))?
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
                _ => Error::db("opening the vault", e),
            })?;
        Ok(Store {
            pool,
            path: path.into(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction holding the write lock from its first statement.
    pub async fn write(&self) -> Result<WriteTx> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| Error::db("starting a write", e))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits, mapping failure (disk full, busy) to an error; the transaction then rolls back whole.
pub async fn commit(tx: WriteTx, context: &str) -> Result<()> {
    tx.commit().await.map_err(|e| Error::db(context, e))
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))
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
