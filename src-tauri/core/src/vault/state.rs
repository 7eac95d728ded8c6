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
//! scope's set of secret states is sealed too, in a chain of seals each covering the one before
//! (`seal_set`, checked whenever the scope's key is used). A secret's state written back from an
//! older copy or a deleted secret re-inserted no longer matches the set; a whole scope written
//! back, or written on after being written back, no longer descends from the seal the device
//! remembers.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::path::ScopeRow;
use crate::crypto::{self, ScopeKey};
use crate::error::{Error, Result};
use crate::session::{Session, Written};
use crate::store::seals::SealRow;
use crate::store::secrets::SecretStateRow;
use crate::store::Conn;

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
    /// The sealed note (nonce and ciphertext), or none: an older note written back, or the note
    /// removed, must not pass either.
    note: Option<(Vec<u8>, Vec<u8>)>,
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
        optional_bytes(
            state
                .note
                .as_ref()
                .map(|(nonce, ciphertext)| crypto::aad("", &[nonce, ciphertext]))
                .as_deref(),
        ),
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
    optional_bytes(text.map(str::as_bytes))
}

fn optional_bytes(bytes: Option<&[u8]>) -> Vec<u8> {
    bytes.map_or_else(|| vec![0], |b| [&[1u8][..], b].concat())
}

fn optional_number(n: Option<i64>) -> Vec<u8> {
    n.map_or_else(|| vec![0], |n| [&[1u8][..], &n.to_be_bytes()[..]].concat())
}

/// The states of `ids` in `scope` (every secret of the scope when `None`), by secret id. One
/// query: a `get` pays for it on every read.
async fn load(conn: &mut dyn Conn, scope: &ScopeRow, ids: Option<&[String]>) -> Result<HashMap<String, SecretState>> {
    let one = ids.filter(|ids| ids.len() == 1).map(|ids| ids[0].as_str());
    let rows = conn.secret_states(&scope.id, one).await?;
    let wanted: Option<std::collections::HashSet<&str>> = ids.map(|ids| ids.iter().map(String::as_str).collect());
    let mut out: HashMap<String, SecretState> = HashMap::new();
    for SecretStateRow {
        id,
        name,
        kind,
        file_name,
        exposed_at,
        exposed_reason,
        state_tag: tag,
        check_command,
        check_by,
        version,
        state,
        retire_at,
        check_status: check,
        note_nonce,
        note_ciphertext,
    } in rows
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
            note: note_nonce.zip(note_ciphertext),
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
    mac: &crypto::StateMac,
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
        note: None,
        tag: None,
        versions: vec![(version, "current".to_owned(), None, None)],
    };
    mac.tag(&message(vault_id, scope, secret_id, &state))
}

/// Refuses `ids` of `scope` (all when `None`) unless each state carries a tag made with `key`.
pub(crate) async fn verify(
    conn: &mut dyn Conn,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<()> {
    let mac = key.state_mac();
    for (id, state) in load(conn, scope, ids).await? {
        let expected = mac.tag(&message(vault_id, scope, &id, &state));
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
    conn: &mut dyn Conn,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    ids: Option<&[String]>,
) -> Result<()> {
    let mac = key.state_mac();
    let tags: Vec<(String, [u8; 32])> = load(conn, scope, ids)
        .await?
        .into_iter()
        .map(|(id, state)| {
            let tag = mac.tag(&message(vault_id, scope, &id, &state));
            (id, tag)
        })
        .collect();
    conn.set_state_tags(&tags).await
}

/// The set of a scope's secrets: each secret's id and sealed state, in id order, hashed. Each
/// secret's own tag cannot tell an older authentic state from the current one; the set can: a
/// secret written back from an older copy, a deleted one re-inserted or a current one removed no
/// longer matches.
fn set_digest(members: &[(String, Option<Vec<u8>>)]) -> [u8; 32] {
    let mut digest = Sha256::new();
    for (id, tag) in members {
        digest.update(crypto::aad("", &[id.as_bytes(), &optional_bytes(tag.as_deref())]));
    }
    digest.finalize().into()
}

/// One seal of a scope's set (`scope_state_seals`): its place in the scope's chain of seals, the
/// set it sealed and the seal before it. A seal covers the one before, so a device that saw seal
/// N can tell whether the current one descends from it, or from a state written back before N
/// that someone (whose device never saw N) then wrote on.
#[derive(Clone)]
pub(crate) struct SetSeal {
    pub seq: i64,
    epoch: i64,
    digest: Vec<u8>,
    prev: Option<Vec<u8>>,
    pub seal: Vec<u8>,
}

impl SetSeal {
    fn message(&self, vault_id: &str, scope: &ScopeRow) -> Vec<u8> {
        crypto::aad(
            "keyshelf/v2/scope-state",
            &[
                vault_id.as_bytes(),
                scope.id.as_bytes(),
                scope.label.as_bytes(),
                &self.epoch.to_be_bytes(),
                &self.seq.to_be_bytes(),
                &self.digest,
                &optional_bytes(self.prev.as_deref()),
            ],
        )
    }

    /// Made with `key` at the scope's current epoch.
    fn holds(&self, vault_id: &str, key: &ScopeKey, scope: &ScopeRow) -> bool {
        self.epoch == scope.epoch && key.state_tag(&self.message(vault_id, scope))[..] == self.seal[..]
    }
}

fn seal_of(row: SealRow) -> SetSeal {
    SetSeal {
        seq: row.seq,
        epoch: row.epoch,
        digest: row.digest,
        prev: row.prev_seal,
        seal: row.seal,
    }
}

/// The scope's newest seal and its secrets' ids and tags in id order.
async fn load_set(conn: &mut dyn Conn, scope_id: &str) -> Result<(Option<SetSeal>, Vec<(String, Option<Vec<u8>>)>)> {
    let newest = conn.newest_state_seal(scope_id).await?;
    let members = conn.secret_state_tags(scope_id).await?;
    Ok((newest.map(seal_of), members))
}

/// Checks that the scope's secrets are the set its newest seal names, and returns that seal. A
/// scope never sealed is accepted only empty (a new scope holds no secrets yet).
pub(crate) async fn verify_set(
    conn: &mut dyn Conn,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
) -> Result<Option<SetSeal>> {
    let (newest, members) = load_set(conn, &scope.id).await?;
    match &newest {
        None if members.is_empty() => Ok(None),
        None => Err(Error::ScopeUnsealed {
            scope: scope.label.clone(),
        }),
        Some(seal) if seal.digest[..] == set_digest(&members)[..] && seal.holds(vault_id, key, scope) => Ok(newest),
        Some(_) => Err(Error::ScopeSetTampered {
            scope: scope.label.clone(),
        }),
    }
}

/// Whether `newest` descends from seal `seen_seq` / `seen_seal` of this epoch: every seal between
/// them made with `key` and covering the one before.
pub(crate) async fn descends(
    conn: &mut dyn Conn,
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    (seen_seq, seen_seal): (i64, &[u8]),
    newest: &SetSeal,
) -> Result<bool> {
    let rows = conn.state_seals_between(&scope.id, seen_seq, newest.seq).await?;
    let mut rows = rows.into_iter().map(seal_of);
    let Some(first) = rows.next() else { return Ok(false) };
    if first.seq != seen_seq || first.seal[..] != seen_seal[..] {
        return Ok(false);
    }
    let mut before = first;
    for seal in rows {
        if seal.seq != before.seq + 1
            || seal.prev.as_deref() != Some(&before.seal[..])
            || !seal.holds(vault_id, key, scope)
        {
            return Ok(false);
        }
        before = seal;
    }
    Ok(before.seq == newest.seq && before.seal == newest.seal)
}

/// Seals the scope's secrets as they are now, one step on from (and covering) the newest seal,
/// and returns the new seal. Call inside the transaction of every change to which secrets a scope
/// holds or to their states, after the change, on a set verified before it. Seals of earlier key
/// epochs go: nobody holding the current key could check them.
pub(crate) async fn seal_set(conn: &mut dyn Conn, vault_id: &str, key: &ScopeKey, scope: &ScopeRow) -> Result<SetSeal> {
    let (newest, members) = load_set(conn, &scope.id).await?;
    let seq = newest
        .as_ref()
        .map_or(Some(1), |n| n.seq.checked_add(1))
        .ok_or_else(|| Error::Corrupt {
            context: "a scope's state counter is at its maximum".into(),
        })?;
    let mut seal = SetSeal {
        seq,
        epoch: scope.epoch,
        digest: set_digest(&members).to_vec(),
        prev: newest.map(|n| n.seal),
        seal: Vec::new(),
    };
    seal.seal = key.state_tag(&seal.message(vault_id, scope)).to_vec();
    conn.delete_state_seals_before_epoch(&scope.id, scope.epoch).await?;
    let row = SealRow {
        seq: seal.seq,
        epoch: seal.epoch,
        digest: seal.digest,
        prev_seal: seal.prev,
        seal: seal.seal,
    };
    conn.insert_state_seal(&scope.id, &row).await?;
    Ok(seal_of(row))
}

impl Session {
    /// A scope's key is used only on the set of secret states its newest seal names, and, when
    /// this device saw a seal of the scope at this key epoch, only if the newest descends from it
    /// (every transaction asks again: the file may change between them). A device that last saw
    /// the scope under an earlier key takes the rekeyed chain from its start.
    pub(crate) async fn verify_scope_set(
        &self,
        conn: &mut dyn Conn,
        scope_id: &str,
        epoch: i64,
        label: &str,
        key: &ScopeKey,
    ) -> Result<()> {
        let scope = ScopeRow {
            id: scope_id.to_owned(),
            epoch,
            label: label.to_owned(),
        };
        let newest = verify_set(conn, &self.vault.id, key, &scope).await?;
        let Some(memory) = &self.memory else { return Ok(()) };
        let seen = memory.snapshot().scope_states.get(scope_id).cloned();
        let newest_seq = newest.as_ref().map_or(0, |n| n.seq);
        let went_back = |what: String| Error::RolledBack { what };
        if let Some((seen_epoch, seen_seq, seen_seal)) = seen.filter(|(e, _, _)| *e == epoch) {
            let seen_seal = hex::decode(&seen_seal).unwrap_or_default();
            let holds = match &newest {
                None => false,
                Some(n) if n.seq == seen_seq => n.seal == seen_seal,
                Some(n) if n.seq > seen_seq => {
                    descends(conn, &self.vault.id, key, &scope, (seen_seq, &seen_seal), n).await?
                }
                Some(_) => false,
            };
            if !holds && newest_seq < seen_seq {
                return Err(went_back(format!(
                    "the secrets of {label} are back at state {newest_seq}; this device has seen state {seen_seq}"
                )));
            }
            if !holds {
                return Err(went_back(format!(
                    "the secrets of {label} at state {newest_seq} do not descend from state {seen_seq} of key epoch {seen_epoch}, which this device saw (written back, then written on)"
                )));
            }
        }
        if let Some(n) = newest {
            memory.update(|s| s.see_scope_state(scope_id.to_owned(), (epoch, n.seq, hex::encode(&n.seal))));
        }
        Ok(())
    }

    /// Seals the states of `ids` of `scope` (all when `None`) and then the scope's set, and has the
    /// device remember the set's new counter once the transaction commits.
    pub(crate) async fn seal_states(
        &self,
        conn: &mut dyn Conn,
        key: &ScopeKey,
        scope: &ScopeRow,
        ids: Option<&[String]>,
    ) -> Result<()> {
        seal(conn, &self.vault.id, key, scope, ids).await?;
        self.seal_scope_set(conn, key, scope).await
    }

    /// Seals the scope's set after secrets were added (sealed in their INSERT) or removed.
    pub(crate) async fn seal_scope_set(&self, conn: &mut dyn Conn, key: &ScopeKey, scope: &ScopeRow) -> Result<()> {
        let seal = seal_set(conn, &self.vault.id, key, scope).await?;
        self.wrote(Written::ScopeState(scope.id.clone(), scope.epoch, seal.seq, seal.seal));
        Ok(())
    }
}
