//! Storage: the one seam between the vault's domain and a database engine.
//!
//! Each table family is a trait of typed reads and writes in this folder (`projects`,
//! `secrets`, `audit`, ...); an engine implements every one of them on its connection type,
//! one file per family (`sqlite/`). The domain modules above hold no SQL: they take a
//! `&mut dyn Conn` and call these functions, so verification, crypto and access rules are
//! written once whatever the engine, and an engine only stores and fetches rows. An engine
//! is never trusted with integrity: everything that decides access or what a client uses is
//! signed or sealed above this seam and checked there.

pub(crate) mod audit;
pub(crate) mod epochs;
pub(crate) mod members;
pub(crate) mod meta;
mod postgres;
pub(crate) mod projects;
pub(crate) mod requests;
pub(crate) mod rotation;
pub(crate) mod seals;
pub(crate) mod secrets;
mod sqlite;

use std::ops::{Deref, DerefMut};
use std::path::Path;

use crate::error::{Error, Result};

pub use sqlite::FORMAT;

/// A connection of any engine: every table family. Domain code takes `&mut dyn Conn`.
pub(crate) trait Conn:
    audit::AuditRows
    + epochs::EpochRows
    + meta::MetaRows
    + members::MemberRows
    + projects::ProjectRows
    + requests::RequestRows
    + rotation::RotationRows
    + secrets::SecretRows
    + seals::SealRows
    + Send
{
}

impl<T> Conn for T where
    T: audit::AuditRows
        + epochs::EpochRows
        + meta::MetaRows
        + members::MemberRows
        + projects::ProjectRows
        + requests::RequestRows
        + rotation::RotationRows
        + secrets::SecretRows
        + seals::SealRows
        + Send
{
}

/// An opened vault database.
#[derive(Debug, Clone)]
pub struct Store {
    engine: Engine,
}

#[derive(Debug, Clone)]
enum Engine {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl Store {
    /// Creates a new vault with the current schema: a 0600 file, or the schema in an empty
    /// PostgreSQL database (`postgres://…`). Refuses to touch an existing one.
    pub async fn create(location: &Path) -> Result<Store> {
        let engine = match engine_of(location)? {
            Kind::Sqlite => Engine::Sqlite(sqlite::Sqlite::create(location).await?),
            Kind::Postgres => Engine::Postgres(postgres::Postgres::create(location).await?),
        };
        Ok(Store { engine })
    }

    /// Opens an existing vault, checking that it is one and that this build reads its format,
    /// then applies any newer migrations this build has.
    pub async fn open(location: &Path) -> Result<Store> {
        let engine = match engine_of(location)? {
            Kind::Sqlite => Engine::Sqlite(sqlite::Sqlite::open(location).await?),
            Kind::Postgres => Engine::Postgres(postgres::Postgres::open(location).await?),
        };
        Ok(Store { engine })
    }

    /// The vault's location as shown: the file, or the database URL without a password.
    pub fn path(&self) -> &Path {
        match &self.engine {
            Engine::Sqlite(db) => db.path(),
            Engine::Postgres(db) => db.path(),
        }
    }

    /// A connection for reads outside a transaction (each statement sees the newest commit).
    pub(crate) async fn read(&self) -> Result<ReadConn> {
        match &self.engine {
            Engine::Sqlite(db) => Ok(ReadConn(ReadInner::Sqlite(db.acquire().await?))),
            Engine::Postgres(db) => Ok(ReadConn(ReadInner::Postgres(db.acquire().await?))),
        }
    }

    /// A read transaction: every statement sees the same state of the vault.
    pub(crate) async fn snapshot(&self) -> Result<Tx> {
        match &self.engine {
            Engine::Sqlite(db) => Ok(Tx(TxInner::Sqlite(db.begin_read().await?))),
            Engine::Postgres(db) => Ok(Tx(TxInner::Postgres(db.begin_read().await?))),
        }
    }

    /// A write transaction, holding the engine's write lock from its first statement.
    pub(crate) async fn write(&self) -> Result<Tx> {
        match &self.engine {
            Engine::Sqlite(db) => Ok(Tx(TxInner::Sqlite(db.begin_write().await?))),
            Engine::Postgres(db) => Ok(Tx(TxInner::Postgres(db.begin_write().await?))),
        }
    }

    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(db) => db.close().await,
            Engine::Postgres(db) => db.close().await,
        }
    }

    /// Deletes the vault. Only for undoing a creation that did not complete.
    pub(crate) async fn destroy(&self) {
        match &self.engine {
            Engine::Sqlite(db) => db.destroy().await,
            Engine::Postgres(db) => db.destroy().await,
        }
    }

    /// The SQLite pool, for tests that edit the file as an attacker would.
    #[cfg(test)]
    pub(crate) fn sqlite_pool(&self) -> &sqlx::SqlitePool {
        match &self.engine {
            Engine::Sqlite(db) => db.pool(),
            Engine::Postgres(_) => panic!("not a SQLite vault"),
        }
    }
}

/// A transaction of any engine. Dropped without `commit`, it rolls back whole.
pub(crate) struct Tx(TxInner);

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    /// Commits, mapping failure (disk full, busy) to an error; the transaction then rolls back whole.
    pub(crate) async fn commit(self, context: &str) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.commit().await.map_err(|e| sqlite::error(context, e)),
            TxInner::Postgres(tx) => tx.commit().await.map_err(|e| postgres::error(context, e)),
        }
    }

    /// Rolls back whole (as a drop does), reporting a failure.
    pub(crate) async fn rollback(self, context: &str) -> Result<()> {
        match self.0 {
            TxInner::Sqlite(tx) => tx.rollback().await.map_err(|e| sqlite::error(context, e)),
            TxInner::Postgres(tx) => tx.rollback().await.map_err(|e| postgres::error(context, e)),
        }
    }
}

impl Deref for Tx {
    type Target = dyn Conn;
    fn deref(&self) -> &Self::Target {
        match &self.0 {
            TxInner::Sqlite(tx) => &**tx,
            TxInner::Postgres(tx) => &**tx,
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            TxInner::Sqlite(tx) => &mut **tx,
            TxInner::Postgres(tx) => &mut **tx,
        }
    }
}

/// A pooled connection of any engine, outside a transaction.
pub(crate) struct ReadConn(ReadInner);

enum ReadInner {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl ReadConn {
    /// The SQLite connection, for tests that edit the file as an attacker would.
    #[cfg(test)]
    pub(crate) fn sqlite(&mut self) -> &mut sqlx::SqliteConnection {
        match &mut self.0 {
            ReadInner::Sqlite(conn) => conn,
            ReadInner::Postgres(_) => panic!("not a SQLite vault"),
        }
    }
}

impl Deref for ReadConn {
    type Target = dyn Conn;
    fn deref(&self) -> &Self::Target {
        match &self.0 {
            ReadInner::Sqlite(conn) => &**conn,
            ReadInner::Postgres(conn) => &**conn,
        }
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            ReadInner::Sqlite(conn) => &mut **conn,
            ReadInner::Postgres(conn) => &mut **conn,
        }
    }
}

/// A vault location as it may be shown (in a window, a log, an error): a database URL without
/// its password; a file path as it is.
pub fn shown(location: &Path) -> String {
    if postgres::is_url(location) {
        postgres::without_password(&location.to_string_lossy())
    } else {
        location.display().to_string()
    }
}

enum Kind {
    Sqlite,
    Postgres,
}

/// Which engine a location names: `postgres://` or `postgresql://` a database server, any other
/// `scheme://` is refused (rather than made into a folder named after it), and the rest a file.
fn engine_of(location: &Path) -> Result<Kind> {
    if postgres::is_url(location) {
        return Ok(Kind::Postgres);
    }
    let text = location.to_string_lossy();
    match text.split_once("://") {
        Some((scheme, _))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            Err(Error::UnsupportedLocation {
                location: format!("{scheme}://…"),
            })
        }
        _ => Ok(Kind::Sqlite),
    }
}
