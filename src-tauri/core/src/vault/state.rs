//! The state of a secret's versions, authenticated under its scope key.
//!
//! Which version is current, which is previous and until when, which is pending and whether its
//! check passed, and whether the secret is exposed: columns anyone who can write the file could
//! set (a retired, leaked value made current; a check gate skipped; "exposed" cleared). So every
//! write that changes them seals the whole state of the secret with a tag under a key derived
//! from the scope key (`secrets.state_tag`), bound to the scope's epoch, and every read that
//! relies on them checks it first. Only a holder of the scope key can write a state that checks
//! out, and a rekey re-seals every state, so one written back from before the rekey fails.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use super::projects::ScopeRow;
use crate::crypto::{self, ScopeKey};
use crate::error::{Error, Result};

/// One version's decisive columns.
type VersionState = (i64, String, Option<i64>, Option<String>);

struct SecretState {
    name: String,
    kind: String,
    file_name: Option<String>,
    exposed_at: Option<i64>,
    exposed_reason: Option<String>,
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

/// The states of `ids` in `scope` (every secret of the scope when `None`), by secret id.
async fn load(
    conn: &mut SqliteConnection,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<HashMap<String, SecretState>> {
    type SecretRow = (
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<Vec<u8>>,
    );
    type Row = (String, i64, String, Option<i64>, Option<String>);
    let one = ids.filter(|ids| ids.len() == 1).map(|ids| ids[0].as_str());
    let secrets: Vec<SecretRow> = sqlx::query_as(
        "SELECT id, name, kind, file_name, exposed_at, exposed_reason, state_tag FROM secrets
         WHERE scope_id = ?1 AND (?2 IS NULL OR id = ?2)",
    )
    .bind(&scope.id)
    .bind(one)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::db("reading the state of secrets", e))?;
    let versions: Vec<Row> = sqlx::query_as(
        "SELECT v.secret_id, v.version, v.state, v.retire_at, v.check_status FROM secret_versions v
         JOIN secrets s ON s.id = v.secret_id
         WHERE s.scope_id = ?1 AND (?2 IS NULL OR s.id = ?2) ORDER BY v.secret_id, v.version",
    )
    .bind(&scope.id)
    .bind(one)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::db("reading the state of secrets", e))?;
    let wanted = |id: &str| ids.is_none_or(|ids| ids.iter().any(|i| i == id));
    let mut out: HashMap<String, SecretState> = secrets
        .into_iter()
        .filter(|row| wanted(&row.0))
        .map(|(id, name, kind, file_name, exposed_at, exposed_reason, tag)| {
            (
                id,
                SecretState {
                    name,
                    kind,
                    file_name,
                    exposed_at,
                    exposed_reason,
                    tag,
                    versions: Vec::new(),
                },
            )
        })
        .collect();
    for (secret_id, version, state, retire_at, check) in versions {
        if let Some(secret) = out.get_mut(&secret_id) {
            secret.versions.push((version, state, retire_at, check));
        }
    }
    Ok(out)
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
/// change, inside its transaction, and only on state verified before the change.
pub(crate) async fn seal(
    conn: &mut SqliteConnection,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<()> {
    for (id, state) in load(conn, scope, ids).await? {
        let tag = key.state_tag(&message(vault_id, scope, &id, &state));
        sqlx::query("UPDATE secrets SET state_tag = ? WHERE id = ?")
            .bind(&tag[..])
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::db("sealing the state of a secret", e))?;
    }
    Ok(())
}
