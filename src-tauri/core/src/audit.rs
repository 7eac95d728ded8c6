//! The audit log: append-only, hash-chained, each entry signed by its actor.
//!
//! An entry is written in the same transaction as the change or read it records, so a read
//! whose entry cannot be written returns no value (fail closed). SQLite triggers refuse UPDATE
//! and DELETE; someone editing the file directly can still drop them, which [`verify`] detects:
//! every entry's hash covers the previous entry's hash, and its signature covers its hash.

use sha2::{Digest, Sha256};

use crate::crypto::{self, signing, Identity};
use crate::error::{Error, Result};
pub use crate::store::audit::AuditEntry;
use crate::store::audit::{ChainEntry, NewEntry};
use crate::store::Conn;

/// Who is acting: the unlocked member on this device.
pub(crate) struct Actor<'a> {
    pub member_id: &'a str,
    pub device: &'a str,
    pub identity: &'a Identity,
}

fn entry_hash(prev: &[u8], seq: i64, at: i64, actor: &str, device: &str, action: &str, target: &str) -> [u8; 32] {
    let data = crypto::aad(
        "keyshelf/v1/audit",
        &[
            prev,
            &seq.to_be_bytes(),
            &at.to_be_bytes(),
            actor.as_bytes(),
            device.as_bytes(),
            action.as_bytes(),
            target.as_bytes(),
        ],
    );
    Sha256::digest(&data).into()
}

/// Appends one entry. Call inside the write transaction of the thing being recorded. With
/// what a device saw (`seen`), refuses first a log that no longer holds it. Returns the entry's
/// sequence number and hash.
pub(crate) async fn append(
    conn: &mut dyn Conn,
    actor: &Actor<'_>,
    action: &str,
    target: &str,
    seen: Option<&crate::seen::Seen>,
) -> Result<(i64, Vec<u8>)> {
    let last = match seen {
        Some(seen) => check_still_holds(&mut *conn, seen).await?,
        None => conn.audit_head().await?,
    };
    let (seq, prev) = match last {
        None => (1, vec![0u8; 32]),
        Some((s, h)) => (
            s.checked_add(1).ok_or_else(|| Error::Corrupt {
                context: "the audit log's sequence number is at its maximum".into(),
            })?,
            h,
        ),
    };
    let at = crate::clock::now();
    let hash = entry_hash(&prev, seq, at, actor.member_id, actor.device, action, target);
    let signature = signing::sign(actor.identity, &hash);
    conn.insert_audit_entry(&NewEntry {
        seq,
        at,
        actor: actor.member_id,
        device: actor.device,
        action,
        target,
        prev_hash: &prev,
        hash: &hash,
        signature: &signature,
    })
    .await?;
    Ok((seq, hash.to_vec()))
}

/// Checks the whole chain. `Ok(count)` when intact; otherwise the first broken position.
pub(crate) async fn verify(conn: &mut dyn Conn) -> Result<i64> {
    let rows = conn.audit_chain().await?;
    let mut prev = vec![0u8; 32];
    let mut expected_seq = 1;
    for entry in rows {
        let ChainEntry {
            seq,
            at,
            actor,
            device,
            action,
            target,
            prev_hash,
            hash,
            signature,
            signing_public: public,
        } = entry;
        let broken = |problem: &str| Error::AuditBroken {
            position: expected_seq,
            problem: problem.to_owned(),
        };
        if seq != expected_seq {
            return Err(broken("is missing (entries were deleted)"));
        }
        if prev_hash != prev {
            return Err(broken(
                "does not follow the entry before it (the chain was cut or reordered)",
            ));
        }
        let computed = entry_hash(&prev, seq, at, &actor, &device, &action, &target);
        if computed[..] != hash[..] {
            return Err(broken("was edited (its hash does not match its content)"));
        }
        let public = public.ok_or_else(|| broken("names an actor who is not a member"))?;
        if !signing::verify(&public, &hash, &signature) {
            return Err(broken("has a signature that does not verify"));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(expected_seq - 1)
}

/// A member whose signatures this device accepts (the roster says who): trusted now, or removed
/// after a trusted admission (what they did while members stays theirs) up to their removal's
/// audit entry.
pub(crate) struct Vouched {
    pub id: String,
    /// Entries after this audit seq are not theirs to sign (`None`: no limit known).
    pub until_seq: Option<i64>,
    /// A machine's: it signs reads only (its session refuses to write anything else).
    pub machine: bool,
}

/// What a member who is not (yet) vouched for may record: their own joining.
const UNVOUCHED_ACTIONS: [&str; 1] = ["member.join"];

/// Checks that every entry's actor is someone this device vouches for (`vouched`: members
/// trusted through the pinned owner key, or removed after a trusted admission, then only up to
/// their removal). A member row added to the file by hand can sign a well-formed chain; it
/// cannot get itself vouched for, and a removed member's key signs nothing new.
pub(crate) async fn verify_actors(conn: &mut dyn Conn, vouched: &[Vouched]) -> Result<()> {
    for (seq, actor, action, name) in conn.audit_actors().await? {
        let who = vouched.iter().find(|v| v.id == actor);
        if UNVOUCHED_ACTIONS.contains(&action.as_str()) {
            continue;
        }
        let problem = match who {
            None => "whom no admission trusted by this device vouches for (a member added to the file by hand?)",
            Some(v) if v.until_seq.is_some_and(|until| seq > until) => "after their removal",
            Some(v) if v.machine && !action.starts_with("secret.read") => {
                "a machine, which only reads (an entry made with its token outside Keyshelf?)"
            }
            Some(_) => continue,
        };
        return Err(Error::AuditBroken {
            position: seq,
            problem: format!("({action}) was signed by {} {problem}", name.unwrap_or(actor)),
        });
    }
    Ok(())
}

/// Refuses a log that no longer holds the entry this device saw last (a truncated tail, or a
/// file restored from an older copy), and returns the newest entry: one query for both, since
/// every commit asks.
pub(crate) async fn check_still_holds(conn: &mut dyn Conn, seen: &crate::seen::Seen) -> Result<Option<(i64, Vec<u8>)>> {
    let (seen_hash, head) = conn.audit_hash_and_head(seen.audit_seq).await?;
    if seen.audit_seq == 0 {
        return Ok(head);
    }
    match seen_hash {
        Some(h) if hex::encode(&h) == seen.audit_hash => Ok(head),
        Some(_) => Err(Error::RolledBack {
            what: format!(
                "audit entry {} is not the one this device recorded (the log was rewritten)",
                seen.audit_seq
            ),
        }),
        None => Err(Error::RolledBack {
            what: format!(
                "the audit log ends before entry {}, which this device recorded (its tail was cut, or the file restored from an older copy)",
                seen.audit_seq
            ),
        }),
    }
}

/// The names of the secrets of `scope_label` that `actor` read through Keyshelf (a value, a
/// previous value, a check's candidate, an export or a run), from the targets this log writes
/// (`project/env/NAME v3 …`): what a revocation flags as exposed.
pub(crate) async fn names_read(conn: &mut dyn Conn, actor: &str, scope_label: &str) -> Result<Vec<String>> {
    let prefix = format!("{scope_label}/");
    let targets = conn.read_targets(actor, &prefix).await?;
    let mut names: Vec<String> = targets
        .iter()
        .filter_map(|t| t.strip_prefix(&prefix))
        .filter_map(|rest| rest.split(' ').next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The newest `limit` entries, newest first.
pub(crate) async fn recent(conn: &mut dyn Conn, limit: i64) -> Result<Vec<AuditEntry>> {
    conn.recent_audit(limit).await
}
