//! The roster: who is in the vault, and whether this device can trust it.
//!
//! Anyone who can write the vault file can add a member row; what they cannot do is sign it with
//! a key this device trusts. Each device pins the owner's signing key (at `init`, or at `join`
//! after comparing fingerprints out of band), and trusts every other member only through a chain
//! of admission signatures back to that owner: the owner admits anyone, a lead admits members.

use serde::Serialize;

use crate::audit::Vouched;
use crate::crypto::{self, keys, signing};
use crate::error::{Error, Result};
use crate::store::Conn;
use crate::team::members::Role;

/// One member as this device sees them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub status: String,
    /// Projects this member leads (role lead).
    pub lead_of: Vec<String>,
    pub fingerprint: String,
    /// Name of whoever admitted them.
    pub admitted_by: Option<String>,
    /// Whether the chain of admissions leads back to the owner key this device pinned.
    pub trusted: bool,
    /// Why not, when not trusted.
    pub problem: Option<String>,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(crate) signing_public: Vec<u8>,
    /// When admitted (the signed admission's time), for this device's memory of the roster.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(crate) admitted_at: Option<i64>,
    /// The audit entry of a signed removal: entries they sign after it are not theirs to sign.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(crate) removed_at_seq: Option<i64>,
}

/// What an admission signature covers: everything that decides what the member may do.
#[allow(clippy::too_many_arguments)]
pub(crate) fn admission_message(
    vault_id: &str,
    member_id: &str,
    name: &str,
    role: &str,
    lead_of: &str,
    sealing_public: &[u8],
    signing_public: &[u8],
    admitted_by: &str,
    admitted_at: i64,
) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/admission",
        &[
            vault_id.as_bytes(),
            member_id.as_bytes(),
            name.as_bytes(),
            role.as_bytes(),
            lead_of.as_bytes(),
            sealing_public,
            signing_public,
            admitted_by.as_bytes(),
            &admitted_at.to_be_bytes(),
        ],
    )
}

/// What a removal signature covers: who was removed (by id and key), by whom, when, and where
/// in the audit log.
pub(crate) fn removal_message(
    vault_id: &str,
    member_id: &str,
    signing_public: &[u8],
    removed_by: &str,
    removed_at: i64,
    audit_seq: i64,
) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/removal",
        &[
            vault_id.as_bytes(),
            member_id.as_bytes(),
            signing_public,
            removed_by.as_bytes(),
            &removed_at.to_be_bytes(),
            &audit_seq.to_be_bytes(),
        ],
    )
}

/// Member id -> audit seq of their removal, for removals the pinned owner signed. Rows that do
/// not verify are ignored: a forged removal could only lock someone out, and is not believed.
fn signed_removals(
    vault_id: &str,
    rows: &[Row],
    removals: Vec<Removal>,
    pinned_owner: &[u8],
) -> std::collections::HashMap<String, i64> {
    let owner = rows.iter().find(|r| r.2 == "owner" && r.6 == pinned_owner);
    removals
        .into_iter()
        .filter(|(member_id, by, at, seq, signature)| {
            let (Some(owner), Some(row)) = (owner, rows.iter().find(|r| &r.0 == member_id)) else {
                return false;
            };
            let message = removal_message(vault_id, member_id, &row.6, by, *at, *seq);
            &owner.0 == by && signing::verify(pinned_owner, &message, signature)
        })
        .map(|(member_id, _, _, seq, _)| (member_id, seq))
        .collect()
}

/// A removal row: member, removed by, at, audit seq, signature.
type Removal = (String, String, i64, i64, Vec<u8>);

type Row = (
    String,
    String,
    String,
    String,
    String,
    Vec<u8>,
    Vec<u8>,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
);

/// Every member row, and the removals among them: one query, since every command reads both.
async fn read_rows(conn: &mut dyn Conn) -> Result<(Vec<Row>, Vec<Removal>)> {
    let joined = conn.roster_rows().await?;
    let mut rows = Vec::with_capacity(joined.len());
    let mut removals = Vec::new();
    for j in joined {
        if let (Some(by), Some(at), Some(seq), Some(signature)) =
            (j.removed_by, j.removed_at, j.removal_audit_seq, j.removal_signature)
        {
            removals.push((j.id.clone(), by, at, seq, signature));
        }
        rows.push((
            j.id,
            j.name,
            j.role,
            j.status,
            j.lead_of,
            j.sealing_public,
            j.signing_public,
            j.approved_by,
            j.approved_at,
            j.approval_signature,
        ));
    }
    Ok((rows, removals))
}

/// The role `row`'s admission signs, when a trusted member allowed to admit that role signed it.
/// A machine's row written before migration 0006 holds `member` in its role column, so the
/// signature is checked over the column's role and over `machine`: which one it covers is the
/// role. Editing the column changes nothing, since no message then matches another role's
/// signature.
fn admitted_by_trusted(vault_id: &str, row: &Row, entries: &[RosterEntry]) -> Option<Role> {
    let (Some(by), Some(at), Some(signature)) = (&row.7, row.8, &row.9) else {
        return None;
    };
    let admitter = entries.iter().find(|e| &e.id == by && e.trusted && e.id != row.0)?;
    let signed = |role: &str| {
        let message = admission_message(vault_id, &row.0, &row.1, role, &row.4, &row.5, &row.6, by, at);
        signing::verify(&admitter.signing_public, &message, signature)
    };
    let role = [Role::parse(&row.2), Role::Machine]
        .into_iter()
        .find(|role| signed(role.as_str()))?;
    // A machine leads nothing: an admission naming projects for it is not one anybody signs.
    let may_admit = match admitter.role {
        Role::Owner => role != Role::Machine || row.4.is_empty(),
        Role::Lead => role == Role::Member || (role == Role::Machine && row.4.is_empty()),
        Role::Member | Role::Machine => false,
    };
    may_admit.then_some(role)
}

/// The entry named `name`, or "no such member". A name is one current member's; a removed one
/// may share it (a rotated machine, a person who joined again) and is found when nobody current
/// has it. Two current rows of one name (a row slipped into the file beside a member, who then
/// made their own untrusted to be passed over) are refused: acting on either could leave the
/// other in place.
pub(crate) fn by_name<'a>(roster: &'a [RosterEntry], name: &str) -> Result<&'a RosterEntry> {
    match current_named(roster, name).as_slice() {
        [one] => Ok(one),
        [] => roster
            .iter()
            .rev()
            .find(|e| e.name == name)
            .ok_or_else(|| Error::UnknownMember {
                member: name.to_owned(),
            }),
        _ => Err(Error::AmbiguousMember { name: name.to_owned() }),
    }
}

/// Every entry named `name` without a signed removal (one, unless the file was edited).
pub(crate) fn current_named<'a>(roster: &'a [RosterEntry], name: &str) -> Vec<&'a RosterEntry> {
    roster
        .iter()
        .filter(|e| e.name == name && e.status != "removed")
        .collect()
}

/// The ids of those who may grant `project`'s scopes: whose signature on a grant counts.
pub(crate) fn granters(roster: &[RosterEntry], project: &str) -> Vec<String> {
    roster
        .iter()
        .filter(|e| e.may_grant(project))
        .map(|e| e.id.clone())
        .collect()
}

/// Reads every member and works out, from the pinned owner key alone, whom to trust. A member
/// is removed when the owner signed their removal (or, for vaults older than signed removals,
/// when their row says so); a status set back to active does not undo a signed removal.
pub(crate) async fn load(conn: &mut dyn Conn, vault_id: &str, pinned_owner: &[u8]) -> Result<Vec<RosterEntry>> {
    Ok(load_with_rows(conn, vault_id, pinned_owner).await?.0)
}

async fn load_with_rows(
    conn: &mut dyn Conn,
    vault_id: &str,
    pinned_owner: &[u8],
) -> Result<(Vec<RosterEntry>, Vec<Row>)> {
    let (rows, removals) = read_rows(conn).await?;
    let removals = signed_removals(vault_id, &rows, removals, pinned_owner);
    let name_of = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone());
    // Neither the status nor, for the owner, the role column decides anything: the pinned key
    // is the owner, a signed admission makes a member, a signed removal ends one.
    let removed = |r: &Row| removals.contains_key(&r.0);
    let is_owner = |r: &Row| !pinned_owner.is_empty() && r.6 == pinned_owner;
    let status = |r: &Row| {
        if removed(r) {
            "removed"
        } else if is_owner(r) || r.9.is_some() || r.3 == "active" {
            "active"
        } else {
            "pending"
        }
    };
    let mut entries: Vec<RosterEntry> = rows
        .iter()
        .map(|r| RosterEntry {
            id: r.0.clone(),
            name: r.1.clone(),
            role: if is_owner(r) { Role::Owner } else { Role::parse(&r.2) },
            status: status(r).into(),
            lead_of: split_projects(&r.4),
            fingerprint: keys::fingerprint(&r.5, &r.6),
            admitted_by: r.7.as_deref().and_then(name_of),
            trusted: is_owner(r) && !removed(r),
            problem: None,
            signing_public: r.6.clone(),
            admitted_at: r.8,
            removed_at_seq: removals.get(&r.0).copied(),
        })
        .collect();
    // Trust spreads one admission at a time; a chain is at most as long as the roster.
    loop {
        let mut grew = false;
        for (i, row) in rows.iter().enumerate() {
            if entries[i].trusted || removed(row) {
                continue;
            }
            if let Some(role) = admitted_by_trusted(vault_id, row, &entries) {
                entries[i].trusted = true;
                entries[i].role = role;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    for (entry, row) in entries.iter_mut().zip(&rows) {
        if !entry.trusted {
            entry.problem = Some(match entry.status.as_str() {
                "removed" => "removed".into(),
                "pending" => "waiting to be admitted by an owner or lead".into(),
                _ => untrusted_reason(row, pinned_owner),
            });
        }
    }
    Ok((entries, rows))
}

pub(crate) async fn vouched(conn: &mut dyn Conn, vault_id: &str, pinned_owner: &[u8]) -> Result<Vec<Vouched>> {
    let (entries, rows) = load_with_rows(conn, vault_id, pinned_owner).await?;
    let mut out: Vec<Vouched> = entries
        .iter()
        .filter(|e| e.trusted)
        .map(|e| Vouched {
            id: e.id.clone(),
            until_seq: None,
            machine: e.role == Role::Machine,
        })
        .collect();
    for (entry, row) in entries.iter().zip(&rows) {
        if let (Some(until), Some(role)) = (entry.removed_at_seq, admitted_by_trusted(vault_id, row, &entries)) {
            out.push(Vouched {
                id: entry.id.clone(),
                until_seq: Some(until),
                machine: role == Role::Machine,
            });
        }
    }
    Ok(out)
}

impl RosterEntry {
    pub(crate) fn signing_key(&self) -> &[u8] {
        &self.signing_public
    }

    /// Whether this member may grant access to `project`'s scopes: a trusted, active owner, or a
    /// trusted lead of that project.
    pub fn may_grant(&self, project: &str) -> bool {
        self.trusted
            && self.status == "active"
            && (self.role == Role::Owner || (self.role == Role::Lead && self.lead_of.iter().any(|p| p == project)))
    }
}

fn untrusted_reason(row: &Row, pinned_owner: &[u8]) -> String {
    match row.2.as_str() {
        "owner" if row.6 != pinned_owner => "owner key differs from the one this device pinned".into(),
        _ if row.9.is_none() => "never admitted (no admission signature)".into(),
        _ => "admission signature does not verify against a trusted owner or lead".into(),
    }
}

fn split_projects(text: &str) -> Vec<String> {
    text.split(',').filter(|p| !p.is_empty()).map(str::to_owned).collect()
}
