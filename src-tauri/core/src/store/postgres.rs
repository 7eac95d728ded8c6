//! The team engine: a vault in a PostgreSQL database.
//!
//! Writes are serialised as SQLite serialises them: every write transaction first takes one
//! transaction-scoped advisory lock, so a rekey, a grant change and the audit chain's head are
//! never raced, and no transaction needs retrying. Reads that must agree with each other run in
//! one REPEATABLE READ snapshot. The pool gives up on an unreachable server after a few seconds.
//! Every text column is collated `"C"` (migration 0003), so text compares and orders bytewise, as
//! in SQLite, whatever the server's locale: listings come out the same on either engine, and "in
//! id order" means one order. The table families' queries are in `store/<family>.rs`, written
//! once for both engines; this file runs them ([`Sql`]): it binds their values, maps
//! PostgreSQL's errors, and says where its dialect differs.

pub(super) mod login;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgConnection};
use sqlx::{Arguments, PgPool, Postgres as Db, Transaction};

use super::meta::FORMAT;
use super::sql::{self, args, Arg, Record, Sql};
use crate::error::{Error, Result};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The advisory lock every write holds: one writer per vault database at a time.
const WRITE_LOCK: i64 = 0x6b65_7973_6865_6c66; // "keyshelf"

#[derive(Debug, Clone)]
pub(super) struct Postgres {
    pool: PgPool,
    /// The URL as given (its password, if any, removed): what messages and `path()` show.
    shown: PathBuf,
    server: String,
}

/// Whether a vault location names a PostgreSQL database.
pub(super) fn is_url(location: &Path) -> bool {
    let text = location.to_string_lossy();
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

impl Postgres {
    pub(super) async fn create(location: &Path) -> Result<Postgres> {
        let db = Self::connect(location).await?;
        match db.contents().await? {
            Contents::Empty => {}
            Contents::Vault => return Err(Error::VaultExists { path: db.shown.clone() }),
            // Another application's tables: a failed creation would drop what it shares a name with.
            Contents::Other => return Err(Error::NotAVault { path: db.shown.clone() }),
        }
        MIGRATOR.run(&db.pool).await.map_err(|e| Error::Database {
            context: "creating the vault schema".into(),
            message: e.to_string(),
        })?;
        Ok(db)
    }

    pub(super) async fn open(location: &Path) -> Result<Postgres> {
        let db = Self::connect(location).await?;
        match db.contents().await? {
            Contents::Vault => {}
            Contents::Empty => return Err(Error::VaultNotFound { path: db.shown.clone() }),
            Contents::Other => return Err(Error::NotAVault { path: db.shown.clone() }),
        }
        let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let (applied, format): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT (SELECT MAX(version) FROM _sqlx_migrations), (SELECT format FROM vault)")
                .fetch_one(&db.pool)
                .await
                .map_err(|_| Error::NotAVault { path: db.shown.clone() })?;
        let format = format.ok_or_else(|| Error::NotAVault { path: db.shown.clone() })?;
        if applied.unwrap_or(0) > newest_known || format > FORMAT {
            return Err(Error::NewerFormat {
                path: db.shown.clone(),
                found: format.max(applied.unwrap_or(0)),
                supported: FORMAT.max(newest_known),
            });
        }
        if applied.unwrap_or(0) < newest_known {
            MIGRATOR.run(&db.pool).await.map_err(|e| Error::Database {
                context: "upgrading the vault schema".into(),
                message: e.to_string(),
            })?;
        }
        Ok(db)
    }

    /// What the database holds where the vault goes (its current schema): as a SQLite path is
    /// missing, a vault file, or some other file.
    async fn contents(&self) -> Result<Contents> {
        let (vault, anything): (Option<String>, bool) = sqlx::query_as(
            "SELECT to_regclass('vault')::text, EXISTS (SELECT 1 FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.error("opening the vault", e))?;
        Ok(match (vault, anything) {
            (Some(_), _) => Contents::Vault,
            (None, false) => Contents::Empty,
            (None, true) => Contents::Other,
        })
    }

    async fn connect(location: &Path) -> Result<Postgres> {
        let options = login::options(location)?.application_name("keyshelf");
        let server = server_name(&options);
        let shown = PathBuf::from(without_password(&location.to_string_lossy()));
        let pool = login::pool(location, options, &server, &shown).await?;
        Ok(Postgres { pool, shown, server })
    }

    pub(super) fn path(&self) -> &Path {
        &self.shown
    }

    pub(super) async fn acquire(&self) -> Result<PoolConnection<Db>> {
        self.pool
            .acquire()
            .await
            .map_err(|e| unreachable_or(&self.server, "connecting to the vault", e))
    }

    pub(super) async fn begin_read(&self) -> Result<Transaction<'static, Db>> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| unreachable_or(&self.server, "starting a read", e))
    }

    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Db>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| unreachable_or(&self.server, "starting a write", e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(|e| unreachable_or(&self.server, "starting a write", e))?;
        Ok(tx)
    }

    pub(super) async fn close(&self) {
        self.pool.close().await;
    }

    /// Drops the schema a creation made. Only for undoing a creation that did not complete.
    pub(super) async fn destroy(&self) {
        let _ = sqlx::raw_sql(
            "DROP TABLE IF EXISTS scope_state_seals, removals, scope_epochs, rotation_overrides, deployments,
               access_requests, audit, secret_versions, secrets, grants, scopes, environments, projects,
               key_envelopes, members, vault, _sqlx_migrations CASCADE;
             DROP FUNCTION IF EXISTS audit_append_only() CASCADE;",
        )
        .execute(&self.pool)
        .await;
        self.pool.close().await;
    }

    fn error(&self, context: &str, err: sqlx::Error) -> Error {
        unreachable_or(&self.server, context, err)
    }
}

enum Contents {
    /// No table at all: where `init` makes a vault.
    Empty,
    /// A `vault` table (whether it is really one, opening checks).
    Vault,
    /// Tables, none of them `vault`: another application's database.
    Other,
}

/// `host:port/database`, or the socket directory: what an error names.
fn server_name(options: &PgConnectOptions) -> String {
    let host = options
        .get_socket()
        .map_or_else(|| options.get_host().to_owned(), |s| s.display().to_string());
    format!(
        "{host}:{}/{}",
        options.get_port(),
        options.get_database().unwrap_or("postgres")
    )
}

pub(super) fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn unreachable_or(server: &str, context: &str, err: sqlx::Error) -> Error {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => Error::ServerUnreachable {
            server: server.to_owned(),
            problem: err.to_string(),
        },
        other => error(context, other),
    }
}

/// PostgreSQL's bound on the values of one statement (the protocol counts them in 16 bits).
const MAX_PARAMS: usize = 65535;

#[async_trait]
impl Sql for PgConnection {
    const MAX_PARAMS: usize = MAX_PARAMS;
    // ILIKE under collation "C" folds ASCII letters only, as SQLite's LIKE does.
    const CASELESS_LIKE: &'static str = "ILIKE";
    // Identity columns are GENERATED ALWAYS: an explicit id must say so.
    const EXPLICIT_IDS: &'static str = " OVERRIDING SYSTEM VALUE";

    fn placeholder(text: &mut String, n: usize) {
        sql::numbered(text, n);
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

    /// The last value of the column's identity sequence.
    async fn id_high_water(&mut self, table: &str) -> Result<i64> {
        let last: Option<i64> = self
            .value(
                "reading the id counters",
                "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass)",
                &args![table],
            )
            .await?;
        Ok(last.unwrap_or(0))
    }

    /// Moves the column's identity sequence to `at` (inserting explicit ids does not move it).
    async fn set_id_high_water(&mut self, table: &str, at: i64) -> Result<()> {
        self.execute(
            "copying the id counters",
            "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)",
            &args![table, at],
        )
        .await
        .map(drop)
    }
}

/// The values of a statement as PostgreSQL binds them.
fn arguments<'q>(context: &str, args: &[Arg<'q>]) -> Result<PgArguments> {
    let mut bound = PgArguments::default();
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
pub(super) fn error(context: &str, err: sqlx::Error) -> Error {
    if matches!(err, sqlx::Error::PoolClosed) {
        return Error::Locked;
    }
    // The connection broke under a statement (the server restarted, the network went away).
    if let sqlx::Error::Io(io) = &err {
        return Error::ServerGone {
            context: context.to_owned(),
            problem: io.to_string(),
        };
    }
    if let sqlx::Error::Database(db) = &err {
        match db.code().as_deref() {
            // serialization_failure, deadlock_detected, lock_not_available
            Some("40001") | Some("40P01") | Some("55P03") => {
                return Error::Busy {
                    holder: "another member's change".into(),
                }
            }
            // disk_full, insufficient_resources
            Some("53100") | Some("53000") => return Error::DiskFull,
            // admin_shutdown, crash_shutdown, cannot_connect_now: restarted or stopped under us.
            Some("57P01") | Some("57P02") | Some("57P03") => {
                return Error::ServerGone {
                    context: context.to_owned(),
                    problem: db.message().to_owned(),
                }
            }
            // data_corrupted, index_corrupted
            Some("XX001") | Some("XX002") => {
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
