//! Storage: the one seam between the vault's domain and a database engine.
//!
//! Each table family is a file in this folder (`projects`, `secrets`, `audit`, ...): its trait
//! of typed reads and writes, its row types, and its SQL, written once for every engine on
//! `sql::Sql`. An engine (`sqlite`, `postgres`) is one file: it opens and migrates a vault,
//! hands out connections and transactions, and implements `Sql` on its connection type (binding
//! values, mapping its errors, its few dialect points). The domain modules above hold no SQL:
//! they take a `&mut dyn Conn` and call these functions, so verification, crypto and access
//! rules are written once whatever the engine, and an engine only stores and fetches rows. An
//! engine is never trusted with integrity: everything that decides access or what a client uses
//! is signed or sealed above this seam and checked there.

pub(crate) mod audit;
pub(crate) mod dump;
pub(crate) mod epochs;
pub(crate) mod members;
pub(crate) mod meta;
mod postgres;
pub(crate) mod projects;
pub(crate) mod requests;
pub(crate) mod rotation;
pub(crate) mod seals;
pub(crate) mod secrets;
mod sql;
mod sqlite;

use std::ops::{Deref, DerefMut};
use std::path::Path;

use crate::error::{Error, Result};

pub use dump::CopySummary;
pub use meta::FORMAT;

/// A connection of any engine: every table family. Domain code takes `&mut dyn Conn`.
pub(crate) trait Conn:
    audit::AuditRows
    + dump::DumpRows
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
        + dump::DumpRows
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

/// Copies the whole vault in `src` into a new vault at `dst`, of either engine (a file, or an
/// empty `postgres://` database): every row of every table as it is (same vault id, ids,
/// ciphertexts, signatures, seals and audit chain), read in one snapshot and written in one
/// transaction. An existing vault at `dst` is refused (`VaultExists`), and a copy that fails
/// leaves no vault there. It reads no value and needs no key; it is not audited (see
/// [`CopySummary`]).
pub async fn copy(src: &Store, dst: &Path) -> Result<CopySummary> {
    let dump = {
        let mut snapshot = src.snapshot().await?;
        if snapshot.vault_identity().await?.is_none() {
            return Err(Error::NotAVault {
                path: src.path().into(),
            });
        }
        let dump = snapshot.dump_vault().await?;
        snapshot.rollback("reading the vault").await?;
        dump
    };
    let target = Store::create(dst).await?;
    let written = async {
        let mut tx = target.write().await?;
        tx.restore_vault(&dump).await?;
        tx.commit("copying the vault").await
    }
    .await;
    match written {
        Ok(()) => {
            let summary = CopySummary::of(&dump, src.path().into(), target.path().into());
            target.close().await;
            Ok(summary)
        }
        Err(e) => {
            // Half a vault must not be left behind to be mistaken for the copy.
            target.destroy().await;
            Err(e)
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

/// How many connections a team server's pool may open in this process. The desktop app keeps a
/// few (it reads while a background look writes); see [`use_one_server_connection`].
static SERVER_CONNECTIONS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(4);

/// For a process that runs one flow at a time (a CLI command): one connection to a team server.
/// Each new server backend loads its catalog caches cold, and sqlx returns a connection to its
/// pool from a spawned task, so with more allowed a command opens two or three backends and warms
/// each; with one, every statement runs on the same backend (a `get` took a third less time).
pub fn use_one_server_connection() {
    SERVER_CONNECTIONS.store(1, std::sync::atomic::Ordering::Relaxed);
}

fn server_connections() -> u32 {
    SERVER_CONNECTIONS.load(std::sync::atomic::Ordering::Relaxed)
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

/// Checks that `location` names a vault this build can open (a file path, or a `postgres://`
/// / `postgresql://` URL) without touching it: any other `scheme://` is `UnsupportedLocation`.
/// Returns whether it is a database server.
pub fn check_location(location: &Path) -> Result<bool> {
    engine_of(location).map(|kind| matches!(kind, Kind::Postgres))
}

/// Keeps the database password of a team server's login in the OS keychain, once the server
/// has accepted it (a wrong one is never stored), so no URL, argv or environment needs to hold
/// it. Returns the login, `user@host:port/database`.
pub async fn remember_password(location: &Path, password: &str) -> Result<String> {
    match engine_of(location)? {
        Kind::Postgres => postgres::login::remember(location, password).await,
        Kind::Sqlite => Err(no_login(location)),
    }
}

/// Removes the password kept for the login of `location`: the login, and whether there was one.
pub fn forget_password(location: &Path) -> Result<(String, bool)> {
    match engine_of(location)? {
        Kind::Postgres => postgres::login::forget(location),
        Kind::Sqlite => Err(no_login(location)),
    }
}

/// The login a team server's password belongs to (`user@host:port/database`), for a prompt.
pub fn login_of(location: &Path) -> Result<String> {
    match engine_of(location)? {
        Kind::Postgres => postgres::login::login_of(location),
        Kind::Sqlite => Err(no_login(location)),
    }
}

/// `location` without a password written into it, and that password: a shell that is handed a
/// URL with one keeps the password in the OS keychain ([`remember_password`]) and saves the rest.
pub fn split_password(location: &Path) -> (std::path::PathBuf, Option<zeroize::Zeroizing<String>>) {
    if postgres::is_url(location) {
        postgres::login::split_password(location)
    } else {
        (location.to_owned(), None)
    }
}

fn no_login(location: &Path) -> Error {
    Error::NoLogin {
        location: shown(location),
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

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::crypto::KdfParams;
    use crate::duration::Duration;
    use crate::team::members::Role;
    use crate::vault::{NewVault, SecretOptions, SecretPath, Vault};

    const ADA: &[u8] = b"ada's unit test passphrase";
    const ALICE: &[u8] = b"alice's unit test passphrase";

    async fn dump(store: &Store) -> dump::VaultDump {
        let mut tx = store.snapshot().await.expect("snapshot");
        tx.dump_vault().await.expect("dump")
    }

    /// A vault with a row in every table: two members (one admitted, one removed), two scopes
    /// (one rekeyed), versions in every state, a note, a file secret, requests in every state,
    /// a deployment, a rotation override, and project ids with a gap.
    async fn populated(path: &Path) -> (Vault, String) {
        let new = NewVault {
            team: "t".into(),
            owner: "ada".into(),
            passphrase: Zeroizing::new(ADA.to_vec()),
            kdf: KdfParams::default(),
        };
        let ada = Vault::create(path, new, "d1").await.expect("create").session;
        let owner_key = ada.vault().owner_signing_key().await.expect("owner key");
        let ada = ada.with_pinned_owner(owner_key.clone());
        ada.add_project("llm", &["dev".into(), "prod".into()])
            .await
            .expect("project");
        let key: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        let noted = SecretOptions {
            note: Some(Zeroizing::new("billing account 7".into())),
            ..SecretOptions::default()
        };
        ada.set_secret(&key, b"sk-one", noted).await.expect("set");
        ada.set_secret(&key, b"sk-two", SecretOptions::default())
            .await
            .expect("set");
        ada.stage_rotation(&key, b"sk-three", false).await.expect("stage");
        ada.promote(&key, None, Duration::from_secs(3600))
            .await
            .expect("promote");
        ada.stage_rotation(&key, b"sk-four", false).await.expect("stage");
        let file = SecretOptions {
            file_name: Some("sa.json".into()),
            ..SecretOptions::default()
        };
        let sa: SecretPath = "llm/dev/GCP_SA".parse().expect("path");
        ada.set_secret(&sa, b"{\"k\": 1}\n", file).await.expect("file secret");
        ada.mark_deploy(&"llm/prod".parse().expect("scope"), "v1.2")
            .await
            .expect("deploy");
        ada.set_rotation_override("llm", Some("prod"), Some(Duration::days(30)))
            .await
            .expect("override");

        let joined = Vault::open(path)
            .await
            .expect("open")
            .join("alice", Zeroizing::new(ALICE.to_vec()), "d2")
            .await
            .expect("join");
        ada.admit("alice", Role::Member, &[], &joined.fingerprint)
            .await
            .expect("admit");
        let alice = Vault::open(path)
            .await
            .expect("open")
            .unlock_with_passphrase(&joined.member_id, Zeroizing::new(ALICE.to_vec()), "d2")
            .await
            .expect("alice unlocks")
            .with_pinned_owner(owner_key);
        let request = alice
            .request_access(&"llm/prod".parse().expect("scope"), "eval", None)
            .await
            .expect("request");
        ada.approve_access(&request.id, None).await.expect("approve");
        let request = alice
            .request_access(&"llm/dev".parse().expect("scope"), "debug", None)
            .await
            .expect("request");
        ada.deny_access(&request.id, "not now").await.expect("deny");
        alice
            .request_access(&"llm/dev".parse().expect("scope"), "again", None)
            .await
            .expect("request");
        ada.remove_member("alice", false).await.expect("remove");

        // A project made and deleted: the next id handed out must stay past it.
        sqlx::raw_sql(
            "INSERT INTO projects (name, created_at) VALUES ('gone', 0); DELETE FROM projects WHERE name = 'gone';",
        )
        .execute(ada.vault().store.sqlite_pool())
        .await
        .expect("gap");
        (ada.vault().clone(), ada.member().id.clone())
    }

    /// A vault written before migration 0006 (names unique forever, no 'machine' role) upgrades
    /// row for row: the rebuild of `members` cascades into none of the tables referring to it,
    /// and a removed member's name may then be taken again.
    #[tokio::test]
    async fn a_vault_from_before_per_current_member_names_upgrades_row_for_row() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        let (vault, _) = populated(&path).await;
        let before = dump(&vault.store).await;
        vault.store.close().await;
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .foreign_keys(false);
        let mut conn = sqlx::ConnectOptions::connect(&options).await.expect("connect");
        sqlx::raw_sql(
            "CREATE TABLE old_members (
                 id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                 role TEXT NOT NULL CHECK (role IN ('owner', 'lead', 'member')),
                 status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'removed')),
                 sealing_public BLOB NOT NULL, signing_public BLOB NOT NULL,
                 identity_nonce BLOB NOT NULL, identity_ciphertext BLOB NOT NULL,
                 created_at INTEGER NOT NULL, lead_of TEXT NOT NULL DEFAULT '',
                 approved_by TEXT REFERENCES members(id), approved_at INTEGER,
                 approval_signature BLOB);
             INSERT INTO old_members SELECT * FROM members;
             DROP TABLE members;
             ALTER TABLE old_members RENAME TO members;
             DELETE FROM _sqlx_migrations WHERE version = 6;",
        )
        .execute(&mut conn)
        .await
        .expect("write the vault as the previous build left it");
        drop(conn);

        let upgraded = Vault::open(&path).await.expect("open upgrades");
        assert_eq!(dump(&upgraded.store).await, before, "row for row");
        let joined = upgraded
            .join("alice", Zeroizing::new(ALICE.to_vec()), "d3")
            .await
            .expect("a removed member's name is free again");
        assert_ne!(
            Some(&joined.member_id),
            before.members.iter().find(|m| m.name == "alice").map(|m| &m.id)
        );
    }

    #[tokio::test]
    async fn a_copy_holds_every_row_as_it_was_and_opens_with_the_same_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (source, ada) = populated(&dir.path().join("src.db")).await;
        let before = dump(&source.store).await;
        for table in [
            before.members.len(),
            before.key_envelopes.len(),
            before.grants.len(),
            before.secret_versions.len(),
            before.access_requests.len(),
            before.deployments.len(),
            before.rotation_overrides.len(),
            before.scope_epochs.len(),
            before.removals.len(),
            before.scope_state_seals.len(),
        ] {
            assert!(table > 0, "the fixture fills every table: {before:?}");
        }
        assert!(before.ids.projects > before.projects.iter().map(|p| p.id).max().unwrap_or(0));

        let target = dir.path().join("nested").join("copy.db");
        let copied = copy(&source.store, &target).await.expect("copy");
        assert_eq!(
            (copied.members, copied.secrets, copied.versions, copied.audit_entries),
            (
                before.members.len(),
                before.secrets.len(),
                before.secret_versions.len(),
                before.audit.len()
            )
        );
        assert_eq!(copied.destination, target);
        let copy_vault = Vault::open(&target).await.expect("open the copy");
        assert_eq!(
            dump(&copy_vault.store).await,
            before,
            "row for row, and the id counters"
        );
        assert_eq!(dump(&source.store).await, before, "the source is unchanged");

        // The same passphrase opens it, the chain verifies, and the values decrypt.
        let owner_key = copy_vault.owner_signing_key().await.expect("owner key");
        assert_eq!(
            copy_vault.verify_audit(Some(&owner_key), None).await.expect("verify") as usize,
            before.audit.len()
        );
        let session = copy_vault
            .clone()
            .unlock_with_passphrase(&ada, Zeroizing::new(ADA.to_vec()), "d1")
            .await
            .expect("ada unlocks the copy")
            .with_pinned_owner(owner_key);
        let key: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        assert_eq!(session.get_secret(&key).await.expect("get").expose(), b"sk-three");
        assert_eq!(session.get_previous(&key).await.expect("previous").expose(), b"sk-two");
        assert_eq!(
            session
                .get_note(&key)
                .await
                .expect("note")
                .as_deref()
                .map(String::as_str),
            Some("billing account 7")
        );
        let sa: SecretPath = "llm/dev/GCP_SA".parse().expect("path");
        assert_eq!(session.get_secret(&sa).await.expect("file").expose(), b"{\"k\": 1}\n");
        // New rows continue after the source's ids, never reusing one.
        session.add_project("next", &["dev".into()]).await.expect("add");
        let next: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE name = 'next'")
            .fetch_one(copy_vault.store.sqlite_pool())
            .await
            .expect("id");
        assert_eq!(next, before.ids.projects + 1);

        // Onto an existing vault: refused, and it is left as it was.
        let existing = dump(&copy_vault.store).await;
        let err = copy(&source.store, &target).await.expect_err("exists");
        assert!(matches!(err, Error::VaultExists { .. }), "{err}");
        assert_eq!(dump(&copy_vault.store).await, existing);
    }

    /// A column a later migration adds must be carried by a copy, or copies would drop it.
    #[tokio::test]
    async fn the_dump_carries_every_column_of_every_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::create(&dir.path().join("v.db")).await.expect("create");
        let pool = store.sqlite_pool();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT IN ('_sqlx_migrations', 'sqlite_sequence') ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        let mut carried: Vec<&str> = dump::columns::TABLES.iter().map(|(t, _)| *t).collect();
        carried.sort_unstable();
        assert_eq!(tables, carried);
        for (table, columns) in dump::columns::TABLES {
            let mut schema: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                .bind(table)
                .fetch_all(pool)
                .await
                .expect("columns");
            schema.retain(|c| !(*table == "vault" && c == "singleton"));
            schema.sort_unstable();
            let mut listed: Vec<String> = columns.split(',').map(|c| c.trim().to_owned()).collect();
            listed.sort_unstable();
            assert_eq!(schema, listed, "{table}");
        }
    }

    #[tokio::test]
    async fn a_copy_that_fails_leaves_no_vault_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (source, _) = populated(&dir.path().join("src.db")).await;
        // A row the destination's foreign keys refuse, written with them off.
        let mut conn = source.store.read().await.expect("conn");
        sqlx::raw_sql(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO deployments (scope_id, at, member_id, note) VALUES ('no-such-scope', 1, 'nobody', '');
             PRAGMA foreign_keys = ON;",
        )
        .execute(conn.sqlite())
        .await
        .expect("orphan");
        drop(conn);
        let target = dir.path().join("copy.db");
        let err = copy(&source.store, &target).await.expect_err("refused");
        assert!(matches!(err, Error::Database { .. }), "{err}");
        assert!(
            std::fs::read_dir(dir.path()).expect("dir").all(|f| !f
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .starts_with("copy.db")),
            "nothing of the copy is left"
        );

        let err = Vault::copy(&dir.path().join("missing.db"), &target)
            .await
            .expect_err("no source");
        assert!(matches!(err, Error::VaultNotFound { .. }), "{err}");
        assert!(!target.exists());
    }
}
