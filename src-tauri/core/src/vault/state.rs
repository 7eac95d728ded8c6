//! The state of a secret's versions, authenticated under its scope key.
//!
//! Which version is current, which is previous and until when, which is pending and whether its
//! check passed, which check is saved (or that none is), and whether the secret is exposed: columns anyone who can write the file could
//! set (a retired, leaked value made current; a check gate skipped; "exposed" cleared). So every
//! write that changes them seals the whole state of the secret with a tag under a key derived
//! from the scope key (`secrets.state_tag`), bound to the scope's epoch, and every read that
//! relies on them checks it first. Only a holder of the scope key can write a state that checks
//! out, and a rekey re-seals every state, so one written back from before the rekey fails.
//!
//! Within one key epoch an older state of a secret is as authentic as its current one, so the
//! scope's set of secret states is sealed too, with a counter the device remembers (`seal_set`,
//! checked whenever the scope's key is used): a secret's state written back from an older copy,
//! a deleted secret re-inserted, or the whole scope restored is refused.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::projects::ScopeRow;
use crate::crypto::{self, ScopeKey};
use crate::error::{Error, Result};
use crate::session::{Session, Written};

/// Rows per batched UPDATE (two parameters each, far below SQLite's limit).
const UPDATE_BATCH: usize = 500;

/// One version's decisive columns.
type VersionState = (i64, String, Option<i64>, Option<String>);

struct SecretState {
    name: String,
    kind: String,
    file_name: Option<String>,
    exposed_at: Option<i64>,
    exposed_reason: Option<String>,
    /// The saved check (command and author), or none: its absence must not be forged either.
    check: Option<(String, String)>,
    tag: Option<Vec<u8>>,
    versions: Vec<VersionState>,
}

fn message(vault_id: &str, scope: &ScopeRow, secret_id: &str, state: &SecretState) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = vec![
        vault_id.as_bytes().to_vec(),
        scope.id.as_bytes().to_vec(),
        scope.label.as_bytes().to_vec(),
        scope.epoch.to_be_bytes().to_vec(),
        secret_id.as_bytes().to_vec(),
        state.name.as_bytes().to_vec(),
        state.kind.as_bytes().to_vec(),
        optional_text(state.file_name.as_deref()),
        optional_number(state.exposed_at),
        optional_text(state.exposed_reason.as_deref()),
        optional_text(state.check.as_ref().map(|(command, _)| command.as_str())),
        optional_text(state.check.as_ref().map(|(_, by)| by.as_str())),
    ];
    for (version, name, retire_at, check) in &state.versions {
        parts.push(version.to_be_bytes().to_vec());
        parts.push(name.as_bytes().to_vec());
        parts.push(optional_number(*retire_at));
        parts.push(optional_text(check.as_deref()));
    }
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    crypto::aad("keyshelf/v1/secret-state", &parts)
}

/// `None` and `Some` never encode alike.
fn optional_text(text: Option<&str>) -> Vec<u8> {
    text.map_or_else(|| vec![0], |t| [&[1u8][..], t.as_bytes()].concat())
}

fn optional_number(n: Option<i64>) -> Vec<u8> {
    n.map_or_else(|| vec![0], |n| [&[1u8][..], &n.to_be_bytes()[..]].concat())
}

/// The states of `ids` in `scope` (every secret of the scope when `None`), by secret id. One
/// query: a `get` pays for it on every read.
async fn load(
    conn: &mut SqliteConnection,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<HashMap<String, SecretState>> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<Vec<u8>>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let one = ids.filter(|ids| ids.len() == 1).map(|ids| ids[0].as_str());
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.name, s.kind, s.file_name, s.exposed_at, s.exposed_reason, s.state_tag,
                s.check_command, s.check_by, v.version, v.state, v.retire_at, v.check_status
         FROM secrets s LEFT JOIN secret_versions v ON v.secret_id = s.id
         WHERE s.scope_id = ?1 AND (?2 IS NULL OR s.id = ?2) ORDER BY s.id, v.version",
    )
    .bind(&scope.id)
    .bind(one)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::db("reading the state of secrets", e))?;
    let wanted: Option<std::collections::HashSet<&str>> = ids.map(|ids| ids.iter().map(String::as_str).collect());
    let mut out: HashMap<String, SecretState> = HashMap::new();
    for (
        id,
        name,
        kind,
        file_name,
        exposed_at,
        exposed_reason,
        tag,
        check_command,
        check_by,
        version,
        state,
        retire_at,
        check,
    ) in rows
    {
        if wanted.as_ref().is_some_and(|w| !w.contains(id.as_str())) {
            continue;
        }
        let secret = out.entry(id).or_insert_with(|| SecretState {
            name,
            kind,
            file_name,
            exposed_at,
            exposed_reason,
            check: check_command.zip(check_by),
            tag,
            versions: Vec::new(),
        });
        if let (Some(version), Some(state)) = (version, state) {
            secret.versions.push((version, state, retire_at, check));
        }
    }
    Ok(out)
}

/// The tag of a secret just created with its first version current: known without reading it
/// back, so an import of many new secrets seals each in its INSERT.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fresh_tag(
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    secret_id: &str,
    name: &str,
    kind: &str,
    file_name: Option<&str>,
    version: i64,
) -> [u8; 32] {
    let state = SecretState {
        name: name.to_owned(),
        kind: kind.to_owned(),
        file_name: file_name.map(str::to_owned),
        exposed_at: None,
        exposed_reason: None,
        check: None,
        tag: None,
        versions: vec![(version, "current".to_owned(), None, None)],
    };
    key.state_tag(&message(vault_id, scope, secret_id, &state))
}

/// Refuses `ids` of `scope` (all when `None`) unless each state carries a tag made with `key`.
pub(crate) async fn verify(
    conn: &mut SqliteConnection,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<()> {
    for (id, state) in load(conn, scope, ids).await? {
        let expected = key.state_tag(&message(vault_id, scope, &id, &state));
        if state.tag.as_deref() != Some(&expected[..]) {
            return Err(Error::StateTampered {
                path: format!("{}/{}", scope.label, state.name),
            });
        }
    }
    Ok(())
}

/// Seals the current state of `ids` of `scope` (all when `None`) under `key`. Call after a
/// change, inside its transaction, and only on state verified before the change; callers use
/// [`Session::seal_states`], which seals the scope's set too.
async fn seal(
    conn: &mut SqliteConnection,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<()> {
    let tags: Vec<(String, [u8; 32])> = load(conn, scope, ids)
        .await?
        .into_iter()
        .map(|(id, state)| {
            let tag = key.state_tag(&message(vault_id, scope, &id, &state));
            (id, tag)
        })
        .collect();
    // One statement per chunk: a rekey seals every secret of the scope, and a round trip per row
    // would cost more than the sealing.
    for chunk in tags.chunks(UPDATE_BATCH) {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE secrets SET state_tag = v.column2 FROM (");
        query.push_values(chunk, |mut row, (id, tag)| {
            row.push_bind(id).push_bind(&tag[..]);
        });
        query.push(") AS v WHERE secrets.id = v.column1");
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::db("sealing the state of secrets", e))?;
    }
    Ok(())
}

/// The set of a scope's secrets: each secret's id and sealed state, in id order, with a counter
/// that every change moves forward, sealed under the scope key (`scopes.state_seq`,
/// `scopes.state_seal`). Each secret's own tag cannot tell an older authentic state from the
/// current one; the set can: a secret written back from an older copy, a deleted one re-inserted
/// or a current one removed no longer matches, and a whole scope written back has an older
/// counter than the device remembers (`Seen::scope_states`).
fn set_message(vault_id: &str, scope: &ScopeRow, seq: i64, members: &[(String, Option<Vec<u8>>)]) -> Vec<u8> {
    let mut digest = Sha256::new();
    for (id, tag) in members {
        let tag = tag.as_deref().map_or_else(|| vec![0], |t| [&[1u8][..], t].concat());
        digest.update(crypto::aad("", &[id.as_bytes(), &tag]));
    }
    let digest: [u8; 32] = digest.finalize().into();
    crypto::aad(
        "keyshelf/v1/scope-state",
        &[
            vault_id.as_bytes(),
            scope.id.as_bytes(),
            scope.label.as_bytes(),
            &scope.epoch.to_be_bytes(),
            &seq.to_be_bytes(),
            &digest,
        ],
    )
}

/// The scope's counter and seal, and its secrets' ids and tags in id order: one query.
async fn load_set(
    conn: &mut SqliteConnection,
    scope_id: &str,
) -> Result<(i64, Option<Vec<u8>>, Vec<(String, Option<Vec<u8>>)>)> {
    type Row = (i64, Option<Vec<u8>>, Option<String>, Option<Vec<u8>>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT sc.state_seq, sc.state_seal, s.id, s.state_tag FROM scopes sc
         LEFT JOIN secrets s ON s.scope_id = sc.id WHERE sc.id = ? ORDER BY s.id",
    )
    .bind(scope_id)
    .fetch_all(conn)
    .await
    .map_err(|e| Error::db("reading the secrets of a scope", e))?;
    let (seq, seal) = rows
        .first()
        .map(|(seq, seal, _, _)| (*seq, seal.clone()))
        .ok_or_else(|| Error::Corrupt {
            context: "a scope named by its key record is missing".into(),
        })?;
    let members = rows
        .into_iter()
        .filter_map(|(_, _, id, tag)| id.map(|id| (id, tag)))
        .collect();
    Ok((seq, seal, members))
}

/// Checks that the scope's secrets are the set its seal names, and returns the set's counter. A
/// scope never sealed is accepted only empty (a new scope holds no secrets yet).
pub(crate) async fn verify_set(
    conn: &mut SqliteConnection,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
) -> Result<i64> {
    let (seq, seal, members) = load_set(conn, &scope.id).await?;
    let holds = match &seal {
        None => seq == 0 && members.is_empty(),
        Some(seal) => key.state_tag(&set_message(vault_id, scope, seq, &members))[..] == seal[..],
    };
    if !holds {
        return Err(Error::ScopeSetTampered {
            scope: scope.label.clone(),
        });
    }
    Ok(seq)
}

/// Seals the scope's secrets as they are now, one step on from the last seal, and returns the new
/// counter. Call inside the transaction of every change to which secrets a scope holds or to their
/// states, after the change, on a set verified before it.
pub(crate) async fn seal_set(
    conn: &mut SqliteConnection,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
) -> Result<i64> {
    let (seq, _, members) = load_set(conn, &scope.id).await?;
    let seq = seq.checked_add(1).ok_or_else(|| Error::Corrupt {
        context: "a scope's state counter is at its maximum".into(),
    })?;
    let seal = key.state_tag(&set_message(vault_id, scope, seq, &members));
    sqlx::query("UPDATE scopes SET state_seq = ?, state_seal = ? WHERE id = ?")
        .bind(seq)
        .bind(&seal[..])
        .bind(&scope.id)
        .execute(conn)
        .await
        .map_err(|e| Error::db("sealing the secrets of a scope", e))?;
    Ok(seq)
}

impl Session {
    /// Seals the states of `ids` of `scope` (all when `None`) and then the scope's set, and has the
    /// device remember the set's new counter once the transaction commits.
    pub(crate) async fn seal_states(
        &self,
        conn: &mut SqliteConnection,
        key: &ScopeKey,
        scope: &ScopeRow,
        ids: Option<&[String]>,
    ) -> Result<()> {
        seal(conn, &self.vault.id, key, scope, ids).await?;
        self.seal_scope_set(conn, key, scope).await
    }

    /// Seals the scope's set after secrets were added (sealed in their INSERT) or removed.
    pub(crate) async fn seal_scope_set(
        &self,
        conn: &mut SqliteConnection,
        key: &ScopeKey,
        scope: &ScopeRow,
    ) -> Result<()> {
        let seq = seal_set(conn, &self.vault.id, key, scope).await?;
        self.wrote(Written::ScopeState(scope.id.clone(), seq));
        Ok(())
    }
}
