//! Machines: CI jobs, training runs and serving hosts as cryptographic members of their own.
//!
//! A machine is a member row with its own identity, admitted with a signed admission whose role
//! is `machine` (so a writer of the file cannot make it a member or a lead), and granted exactly
//! the scopes it was created for, with their expiry. Its token's secret is its account's recovery
//! key: opening it is the recovery path, HKDF and no Argon2. A machine's session reads and
//! writes nothing but the audit entries of its reads, under its own name and workload.

use serde::Serialize;

use crate::crypto::{signing, AccountKey, Identity, MachineToken};
use crate::duration::Duration;
use crate::error::{Error, Result};
use crate::scan::Finding;
use crate::session::Session;
use crate::store::audit::ChainEntry;
use crate::store::members::Admission;
use crate::store::Conn;
use crate::team::members::{self, Role};
use crate::team::revoke::Revoked;
use crate::team::roster::{self, admission_message, RosterEntry};
use crate::vault::projects::resolve_scope;
use crate::vault::{acquire, check_label, ScopePath, Vault};

/// The audit action of a machine's token found in clear.
const TOKEN_FOUND: &str = "machine.token-found";

/// The audit actions that make a machine (its target: "NAME: scopes until …").
const MADE: [&str; 2] = ["machine.add", "machine.rotate"];

/// The shortest expiry a machine is given: one training run.
const SHORTEST: i64 = 3_600;

/// One machine as `machine ls` shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Machine {
    pub name: String,
    /// `project/environment` of each scope it holds a grant of at the current key.
    pub scopes: Vec<String>,
    pub created_by: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub created_at: Option<i64>,
    /// When its grants expire (`None`: until revoked).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<i64>,
    /// Its newest read: when, and the workload it ran in.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_used_at: Option<i64>,
    pub last_used_from: Option<String>,
    /// Where its token was found in clear since it was made (a scan's finding): rotate it.
    pub exposed: Option<String>,
}

/// What a new machine is: its name, its scopes, how long it may read them.
pub struct NewMachine<'a> {
    pub name: &'a str,
    pub scopes: &'a [ScopePath],
    pub expires_in: Option<Duration>,
}

impl Session {
    /// Creates a machine (the owner, or a lead of every named project): its identity, its
    /// account key wrapped under the token's secret, its signed admission, and grants of exactly
    /// `scopes` with the expiry, in one transaction, audited. The token is returned once and
    /// kept nowhere.
    pub async fn add_machine(&self, new: &NewMachine<'_>) -> Result<MachineToken> {
        let name = new.name;
        self.refuse_machine("add a machine")?;
        let expires_at = match new.expires_in {
            Some(d) if d.as_secs() < SHORTEST => {
                return Err(Error::NotAllowed {
                    action: format!("add machine {name}"),
                    reason: "a machine's expiry is at least 1h".into(),
                })
            }
            Some(d) => Some(crate::clock::now().saturating_add(d.as_secs())),
            None => None,
        };
        let mut tx = self.begin().await?;
        let roster = self
            .checked_roster(roster::load(&mut *tx, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        let (token, labels) = self
            .admit_machine(&mut *tx, &roster, name, new.scopes, expires_at)
            .await?;
        self.audit(
            &mut *tx,
            MADE[0],
            &format!("{name}: {} {}", labels.join(", "), until(expires_at)),
        )
        .await?;
        self.commit(tx, "adding a machine").await?;
        Ok(token)
    }

    /// Replaces a machine's token (the owner): in one transaction the machine is revoked as by
    /// `revoke_machine` (its scopes rekeyed, what it read flagged exposed) and a new machine of
    /// the same name is created with the same scopes and expiry, granted the new keys. The old
    /// token, even with a copy of the vault taken before, opens nothing written afterwards.
    pub async fn rotate_machine(&self, name: &str) -> Result<(MachineToken, Vec<Revoked>)> {
        self.refuse_machine("rotate a machine")?;
        let action = format!("rotate machine {name}");
        let mut tx = self.begin().await?;
        let roster = self.owner_roster(&mut *tx, &action).await?;
        let old = machine_by_name(&roster, name, &action)?;
        // The new machine gets what the old one was granted, as its signed grants say: a grant
        // row slipped into the file (a scope, a longer expiry) is not re-issued under our name.
        let (scopes, expires_at) = signed_scopes(&mut *tx, &self.vault.id, &roster, &old.id).await?;
        let held = tx.scopes_granted_to(&old.id).await?.len();
        if scopes.len() != held {
            return Err(Error::NotAllowed {
                action,
                reason: format!(
                    "{} of {name}'s grant rows carry no valid signature (the vault file was altered?); revoke it and add a new machine",
                    held - scopes.len()
                ),
            });
        }
        if expires_at.is_some_and(|at| at <= crate::clock::now()) {
            return Err(Error::MachineExpired { name: name.to_owned() });
        }
        let revoked = self.remove_in(&mut *tx, &roster, old).await?;
        let (token, labels) = self.admit_machine(&mut *tx, &roster, name, &scopes, expires_at).await?;
        self.audit(
            &mut *tx,
            MADE[1],
            &format!("{name}: {} {}", labels.join(", "), until(expires_at)),
        )
        .await?;
        self.commit(tx, "rotating a machine").await?;
        Ok((token, revoked))
    }

    /// The new machine itself, inside the caller's transaction: identity, envelope under the
    /// token's secret, signed admission, and a grant of each scope's current key.
    async fn admit_machine(
        &self,
        tx: &mut dyn Conn,
        roster: &[RosterEntry],
        name: &str,
        scope_paths: &[ScopePath],
        expires_at: Option<i64>,
    ) -> Result<(MachineToken, Vec<String>)> {
        let refuse = |reason: String| Error::NotAllowed {
            action: format!("add machine {name}"),
            reason,
        };
        check_label("machine", name)?;
        if scope_paths.is_empty() {
            return Err(refuse("a machine needs at least one scope".into()));
        }
        let owner_key = self
            .pinned_owner()
            .ok_or_else(|| refuse("this device has pinned no owner key for its token to pin".into()))?
            .to_vec();
        let me = roster
            .iter()
            .find(|e| e.id == self.member.id)
            .ok_or_else(|| refuse("you are not in this vault's roster".into()))?;
        if let Some(scope) = scope_paths.iter().find(|s| !me.may_grant(&s.project)) {
            return Err(refuse(format!(
                "only the owner or a lead of {} gives a machine its scopes",
                scope.project
            )));
        }
        if tx.member_id_by_name(name).await?.is_some() {
            return Err(Error::MemberExists { name: name.to_owned() });
        }
        let mut scopes = Vec::new();
        for path in scope_paths {
            let scope = resolve_scope(&mut *tx, path).await?;
            let key = self.scope_key(&mut *tx, &scope).await?;
            scopes.push((scope, key));
        }

        let member_id = uuid::Uuid::new_v4().to_string();
        let token = MachineToken::generate(&self.vault.id, &member_id, &owner_key)?;
        let (account_key, identity) = (AccountKey::generate(), Identity::generate());
        members::insert(
            &mut *tx,
            &self.vault.id,
            &member_id,
            name,
            Role::Machine,
            "pending",
            &identity,
            &account_key,
        )
        .await?;
        members::write_recovery_envelope(
            &mut *tx,
            &self.vault.id,
            &member_id,
            &account_key,
            token.account_secret(),
        )
        .await?;
        let at = crate::clock::now();
        let message = admission_message(
            &self.vault.id,
            &member_id,
            name,
            Role::Machine.as_str(),
            "",
            &identity.sealing_public()[..],
            &identity.signing_public()[..],
            &self.member.id,
            at,
        );
        tx.record_admission(&Admission {
            member_id: &member_id,
            role: Role::Machine.as_str(),
            lead_of: "",
            approved_by: &self.member.id,
            approved_at: at,
            signature: &signing::sign(&self.identity, &message),
        })
        .await?;
        let machine = members::by_id(&mut *tx, &member_id).await?;
        for (scope, key) in &scopes {
            members::write_grant(
                &mut *tx,
                &self.vault.id,
                &scope.id,
                &scope.label,
                scope.epoch,
                key,
                &machine,
                &self.member.id,
                &self.identity,
                expires_at,
            )
            .await?;
        }
        Ok((token, scopes.into_iter().map(|(s, _)| s.label).collect()))
    }

    /// The machines this device trusts, with their scopes, expiry and last read.
    pub async fn machines(&self) -> Result<Vec<Machine>> {
        let roster = self.roster().await?;
        let mut conn = acquire(&self.vault).await?;
        let log = conn.audit_chain().await?;
        let mut out = Vec::new();
        for entry in roster
            .iter()
            .filter(|e| e.role == Role::Machine && e.trusted && e.status == "active")
        {
            let (scopes, expires_at) = signed_scopes(&mut *conn, &self.vault.id, &roster, &entry.id).await?;
            let scopes: Vec<String> = scopes.iter().map(ScopePath::to_string).collect();
            let last = log
                .iter()
                .rev()
                .find(|e| e.actor == entry.id && e.action.starts_with("secret.read"));
            let exposed = exposure(&log, &roster, &entry.name);
            out.push(Machine {
                name: entry.name.clone(),
                scopes,
                created_by: entry.admitted_by.clone(),
                created_at: entry.admitted_at,
                expires_at,
                last_used_at: last.map(|e| e.at),
                last_used_from: last.map(|e| e.device.clone()),
                exposed,
            });
        }
        Ok(out)
    }

    /// Flags each current machine of this vault whose token a scan found (`findings`), once:
    /// audited as found, and `machines` shows where until it is rotated. Returns their names.
    pub(crate) async fn flag_found_tokens(&self, findings: &[Finding]) -> Result<Vec<String>> {
        let found: Vec<(&str, &Finding)> = findings
            .iter()
            .filter_map(|f| match &f.machine {
                Some((vault, member)) if *vault == self.vault.id => Some((member.as_str(), f)),
                _ => None,
            })
            .collect();
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let roster = self.roster().await?;
        let known = self.machines().await?;
        // Each current machine once, and none already shown exposed.
        let mut newly: Vec<(&str, String)> = Vec::new();
        for (member, finding) in found {
            let Some(machine) = roster
                .iter()
                .find(|e| e.id == member && e.role == Role::Machine && e.trusted && e.status == "active")
            else {
                continue;
            };
            let name = machine.name.as_str();
            let already = known.iter().any(|m| m.name == name && m.exposed.is_some());
            if already || newly.iter().any(|(n, _)| *n == name) {
                continue;
            }
            let place = match finding.cell {
                Some(cell) => format!("{} (cell {cell})", finding.file),
                None => format!("{} line {}", finding.file, finding.line),
            };
            newly.push((name, place));
        }
        if newly.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        for (name, place) in &newly {
            self.audit(&mut *tx, TOKEN_FOUND, &format!("{name} in {place}")).await?;
        }
        self.commit(tx, "flagging a found machine token").await?;
        Ok(newly.into_iter().map(|(name, _)| name.to_owned()).collect())
    }

    /// Revokes a machine (the owner): as a member's removal, every scope it could open is
    /// rekeyed, what it read is flagged exposed, its envelope is deleted and its signed removal
    /// written, so its token opens nothing current. With `preview`, everything runs and is
    /// rolled back.
    pub async fn revoke_machine(&self, name: &str, preview: bool) -> Result<Vec<Revoked>> {
        self.refuse_machine("revoke a machine")?;
        let action = format!("revoke machine {name}");
        let mut tx = self.begin().await?;
        let roster = self.owner_roster(&mut *tx, &action).await?;
        let target = machine_by_name(&roster, name, &action)?;
        let revoked = self.remove_in(&mut *tx, &roster, target).await?;
        if preview {
            tx.rollback("rolling back a revocation preview").await?;
        } else {
            self.commit(tx, "revoking a machine").await?;
        }
        Ok(revoked)
    }
}

/// The current machine named `name`; a person of that name is not one.
fn machine_by_name<'a>(roster: &'a [RosterEntry], name: &str, action: &str) -> Result<&'a RosterEntry> {
    let target = roster::by_name(roster, name)?;
    if target.role != Role::Machine || target.status == "removed" || !target.trusted {
        return Err(Error::NotAllowed {
            action: action.to_owned(),
            reason: if target.role == Role::Machine && target.status == "removed" {
                format!("{name} was already revoked")
            } else if !target.trusted {
                format!("{name}'s admission does not verify (the vault file was altered?); remove it as a member")
            } else {
                format!("{name} is a person, not a machine; people are removed as members")
            },
        });
    }
    Ok(target)
}

/// Where the current machine named `name` had its token found: the newest `machine.token-found`
/// entry since the machine was made (its add or rotate entry; a rotation makes a new machine
/// and so ends it). Only entries by trusted people count, the making ones by an owner or lead:
/// a machine signs reads only.
fn exposure(log: &[ChainEntry], roster: &[RosterEntry], name: &str) -> Option<String> {
    let (found_prefix, made_prefix) = (format!("{name} in "), format!("{name}: "));
    let by = |e: &ChainEntry, lead: bool| {
        roster.iter().any(|m| {
            m.id == e.actor
                && m.trusted
                && m.role != Role::Machine
                && (!lead || matches!(m.role, Role::Owner | Role::Lead))
        })
    };
    log.iter()
        .rev()
        .take_while(|e| !(MADE.contains(&e.action.as_str()) && e.target.starts_with(&made_prefix) && by(e, true)))
        .find(|e| e.action == TOKEN_FOUND && e.target.starts_with(&found_prefix) && by(e, false))
        .map(|e| e.target[found_prefix.len()..].to_owned())
}

/// The scopes `member_id` holds a grant of at the current key signed by someone entitled to
/// grant it (the owner or a lead of its project, trusted), and the earliest of their expiries.
async fn signed_scopes(
    conn: &mut dyn Conn,
    vault_id: &str,
    roster: &[RosterEntry],
    member_id: &str,
) -> Result<(Vec<ScopePath>, Option<i64>)> {
    let (mut scopes, mut expires_at) = (Vec::new(), None);
    for (scope_id, epoch, label) in conn.scopes_granted_to(member_id).await? {
        let scope: ScopePath = label.parse()?;
        let granters = roster::granters(roster, &scope.project);
        let signed = members::signed_grants(conn, vault_id, &scope_id, &label, epoch, &granters).await?;
        if let Some((_, expiry)) = signed.iter().find(|(id, _)| id == member_id) {
            expires_at = earliest(expires_at, *expiry);
            scopes.push(scope);
        }
    }
    Ok((scopes, expires_at))
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn until(expires_at: Option<i64>) -> String {
    expires_at.map_or("until revoked".to_owned(), |at| {
        format!("until {}", crate::clock::rfc3339(at))
    })
}

impl Vault {
    /// Opens the vault as the machine `token` names, in `workload` (what its reads are audited
    /// from): the token must be for this vault and pin its owner; the machine must be trusted
    /// through its signed admission, a machine, neither removed nor expired; then its identity
    /// opens through its envelope, and the session reads as any member's does, verified the same
    /// way. No device memory: a token host keeps nothing between runs.
    pub async fn unlock_with_token(self, token: &MachineToken, workload: &str) -> Result<Session> {
        let refused = |reason: &str| Error::TokenRefused {
            reason: reason.to_owned(),
        };
        if token.vault_id() != self.id {
            return Err(refused("it is for another vault"));
        }
        let owner_key = self.owner_signing_key().await?;
        if !token.pins(&owner_key) {
            return Err(refused(
                "this vault's owner key is not the one it pins (the vault file was altered?)",
            ));
        }
        let member_id = token.member_id();
        let mut conn = acquire(&self).await?;
        let roster = roster::load(&mut *conn, &self.id, &owner_key).await?;
        let entry = roster
            .iter()
            .find(|e| e.id == member_id)
            .ok_or_else(|| refused("its machine is not in this vault"))?;
        if entry.status == "removed" {
            return Err(refused("its machine was revoked"));
        }
        if !entry.trusted || entry.role != Role::Machine {
            return Err(refused(
                "its machine's admission does not verify as a machine's (the vault file was altered?)",
            ));
        }
        let name = entry.name.clone();
        let account_key = members::open_with_recovery(&mut *conn, &self.id, &member_id, token.account_secret())
            .await
            .map_err(|e| match e {
                Error::WrongRecoveryKey | Error::EnvelopeTampered { .. } => {
                    refused("it does not open its machine's keys (an old token, or the vault file was altered)")
                }
                other => other,
            })?;
        // Expiry is each grant's, signed and enforced at every read; this only says it plainly.
        let now = crate::clock::now();
        if !conn.scopes_granted_to(&member_id).await?.is_empty()
            && conn.unexpired_grant_labels(&member_id, now).await?.is_empty()
        {
            return Err(Error::MachineExpired { name });
        }
        drop(conn);
        let mut session = self.unlock_with_key(&member_id, account_key, workload).await?;
        session.member.role = Role::Machine;
        Ok(session.with_pinned_owner(owner_key).machine_session())
    }
}

/// Where a machine's reads come from, for its audit entries: the host name, and the CI's or
/// scheduler's identifiers when it sets them.
pub fn workload() -> String {
    workload_from(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

fn workload_from(var: impl Fn(&str) -> Option<String>) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| var("HOSTNAME"))
        .unwrap_or_else(|| "unknown-host".to_owned());
    let mut parts = vec![format!("host {host}")];
    let pair = |a: &str, b: &str, label: &str| match (var(a), var(b)) {
        (Some(x), Some(y)) => Some(format!("{label} {x} run {y}")),
        (Some(x), None) => Some(format!("{label} {x}")),
        _ => None,
    };
    parts.extend(pair("GITHUB_REPOSITORY", "GITHUB_RUN_ID", "github"));
    parts.extend(pair("CI_PROJECT_PATH", "CI_JOB_ID", "gitlab"));
    parts.extend(var("SLURM_JOB_ID").map(|id| format!("slurm job {id}")));
    parts.extend(
        var("KUBERNETES_SERVICE_HOST")
            .and(var("POD_NAME").or_else(|| var("HOSTNAME")))
            .map(|pod| format!("k8s pod {pod}")),
    );
    // The device column is one line of plain text; a variable cannot break it.
    parts.join(", ").chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attack: whoever holds a machine's token can sign with its key outside Keyshelf (a
    /// machine's session refuses to). An entry other than a read, signed so, is refused by
    /// `audit verify`, and does not end the machine's exposure either.
    #[tokio::test]
    async fn a_machine_signs_reads_only_whatever_its_token_holder_appends() {
        let dir = tempfile::tempdir().expect("tempdir");
        let owner = crate::session::test_owner_session(dir.path()).await;
        let owner_key = owner.vault().owner_signing_key().await.expect("owner key");
        let owner = owner.with_pinned_owner(owner_key.clone());
        owner.add_project("llm", &["dev".into()]).await.expect("project");
        let scopes = ["llm/dev".parse().expect("scope")];
        let token = owner
            .add_machine(&NewMachine {
                name: "ci",
                scopes: &scopes,
                expires_in: None,
            })
            .await
            .expect("add");
        let found = crate::scan::Finding {
            file: "ci.log".into(),
            line: 3,
            column: 1,
            cell: None,
            part: None,
            kind: crate::scan::patterns::MACHINE_TOKEN.into(),
            secret: None,
            other_secrets: Vec::new(),
            preview: "ksm1…".into(),
            machine: Some((token.vault_id(), token.member_id())),
            start: 0,
            end: 1,
        };
        assert_eq!(owner.flag_found_tokens(&[found]).await.expect("flag"), ["ci"]);
        let machine = Vault::open(&dir.path().join("v.db"))
            .await
            .expect("open")
            .unlock_with_token(&token, "host test")
            .await
            .expect("the token opens");
        let mut conn = acquire(machine.vault()).await.expect("conn");
        crate::audit::append(&mut *conn, &machine.actor(), MADE[0], "ci: llm/dev until revoked", None)
            .await
            .expect("a raw append");
        drop(conn);

        let listed = owner.machines().await.expect("machines");
        assert_eq!(listed[0].exposed.as_deref(), Some("ci.log line 3"), "still exposed");
        let err = owner
            .vault()
            .verify_audit(Some(&owner_key), None)
            .await
            .expect_err("refused");
        assert!(err.to_string().contains("a machine, which only reads"), "{err}");
    }

    #[test]
    fn the_workload_names_the_ci_or_scheduler_it_finds() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let github = workload_from(env(&[("GITHUB_REPOSITORY", "org/repo"), ("GITHUB_RUN_ID", "42")]));
        assert!(
            github.starts_with("host ") && github.ends_with("github org/repo run 42"),
            "{github}"
        );
        let slurm = workload_from(env(&[("SLURM_JOB_ID", "7\n")]));
        assert!(slurm.ends_with("slurm job 7"), "{slurm}");
        let pod = workload_from(env(&[
            ("KUBERNETES_SERVICE_HOST", "10.0.0.1"),
            ("POD_NAME", "train-abc"),
        ]));
        assert!(pod.ends_with("k8s pod train-abc"), "{pod}");
        assert!(!workload_from(env(&[])).contains(','));
    }
}
