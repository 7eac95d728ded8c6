//! Access requests: a member asks for a scope (project × environment) with a reason and a
//! duration; a trusted owner, or a trusted lead of the project who holds the scope key, approves
//! (which writes the grant, with its expiry) or denies with a reason. Requests are signed by the
//! requester and decisions by the decider, so rows edited in the file are caught and refused.

use serde::Serialize;

use crate::crypto::{self, signing};
use crate::duration::Duration;
use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::requests::{Decision, NewRequest};
use crate::store::Conn;
use crate::team::members;
use crate::team::roster::{self, RosterEntry};
use crate::vault::path::ScopeRow;
use crate::vault::projects::resolve_scope;
use crate::vault::ScopePath;

/// One request as this device sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AccessRequest {
    pub id: String,
    pub member: String,
    pub scope: String,
    pub reason: String,
    /// Asked for, in seconds; `None` asks until revoked.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub duration_secs: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub decided_at: Option<i64>,
    /// The reason given for a denial.
    pub decision_note: Option<String>,
    /// When an approved grant ends; `None` lasts until revoked.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<i64>,
    /// Whether the signatures check out against the trusted roster.
    pub verified: bool,
    pub problem: Option<String>,
    /// Whether the member who asked for the list is one who decides it: pending, not their own,
    /// and they are a trusted owner or lead of its project. Approving also needs `verified`.
    pub may_decide: bool,
}

#[allow(clippy::too_many_arguments)]
fn request_message(
    vault_id: &str,
    id: &str,
    member_id: &str,
    scope_id: &str,
    scope_label: &str,
    reason: &str,
    duration_secs: Option<i64>,
    created_at: i64,
) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/access-request",
        &[
            vault_id.as_bytes(),
            id.as_bytes(),
            member_id.as_bytes(),
            scope_id.as_bytes(),
            scope_label.as_bytes(),
            reason.as_bytes(),
            &duration_secs.unwrap_or(-1).to_be_bytes(),
            &created_at.to_be_bytes(),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn decision_message(
    vault_id: &str,
    id: &str,
    status: &str,
    decided_by: &str,
    decided_at: i64,
    note: Option<&str>,
    expires_at: Option<i64>,
) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/access-decision",
        &[
            vault_id.as_bytes(),
            id.as_bytes(),
            status.as_bytes(),
            decided_by.as_bytes(),
            &decided_at.to_be_bytes(),
            note.unwrap_or("").as_bytes(),
            &expires_at.unwrap_or(-1).to_be_bytes(),
        ],
    )
}

/// A request row with what is needed to verify it.
struct Row {
    view: AccessRequest,
    member_id: String,
    scope_id: String,
    project: String,
    signature: Vec<u8>,
    decided_by_id: Option<String>,
    decision_signature: Option<Vec<u8>>,
}

async fn rows(conn: &mut dyn Conn, only: Option<&str>) -> Result<Vec<Row>> {
    Ok(conn
        .access_request_rows(only)
        .await?
        .into_iter()
        .map(|r| Row {
            view: AccessRequest {
                id: r.id,
                member: r.member_name,
                scope: format!("{}/{}", r.project, r.environment),
                reason: r.reason,
                duration_secs: r.duration_secs,
                created_at: r.created_at,
                status: r.status,
                decided_by: None,
                decided_at: r.decided_at,
                decision_note: r.decision_note,
                expires_at: r.expires_at,
                verified: false,
                problem: None,
                may_decide: false,
            },
            member_id: r.member_id,
            scope_id: r.scope_id,
            project: r.project,
            signature: r.signature,
            decided_by_id: r.decided_by,
            decision_signature: r.decision_signature,
        })
        .collect())
}

/// Checks a request's and its decision's signatures against the trusted roster; fills in the
/// decider's name, `verified` and `problem`.
fn verify(vault_id: &str, row: &mut Row, roster: &[RosterEntry]) {
    let find = |id: &str| roster.iter().find(|e| e.id == id);
    let problem = (|| {
        let requester = find(&row.member_id).ok_or("the requester is not in the roster")?;
        if !requester.trusted {
            return Err("the requester is not a trusted member");
        }
        let message = request_message(
            vault_id,
            &row.view.id,
            &row.member_id,
            &row.scope_id,
            &row.view.scope,
            &row.view.reason,
            row.view.duration_secs,
            row.view.created_at,
        );
        if !signing::verify(requester.signing_key(), &message, &row.signature) {
            return Err("the request's signature does not verify");
        }
        if row.view.status == "pending" {
            return Ok(());
        }
        let (Some(by), Some(at), Some(signature)) = (&row.decided_by_id, row.view.decided_at, &row.decision_signature)
        else {
            return Err("the decision is not signed");
        };
        let decider = find(by).ok_or("the decider is not in the roster")?;
        if !decider.may_grant(&row.project) {
            return Err("the decider may not decide for this project");
        }
        let message = decision_message(
            vault_id,
            &row.view.id,
            &row.view.status,
            by,
            at,
            row.view.decision_note.as_deref(),
            row.view.expires_at,
        );
        if !signing::verify(decider.signing_key(), &message, signature) {
            return Err("the decision's signature does not verify");
        }
        Ok(())
    })();
    row.view.decided_by = row.decided_by_id.as_deref().and_then(find).map(|e| e.name.clone());
    row.view.verified = problem.is_ok();
    row.view.problem = problem.err().map(str::to_owned);
}

impl Session {
    /// Asks for access to a scope. Signed and audited; the requester must be an admitted member
    /// without access to it and without a pending request for it.
    pub async fn request_access(
        &self,
        scope_path: &ScopePath,
        reason: &str,
        duration: Option<Duration>,
    ) -> Result<AccessRequest> {
        // A machine's scopes are fixed when it is made: it asks for nothing.
        self.refuse_machine("request access")?;
        let refuse = |why: String| Error::NotAllowed {
            action: format!("request access to {scope_path}"),
            reason: why,
        };
        if reason.trim().is_empty() {
            return Err(Error::EmptyValue {
                what: "the reason".into(),
            });
        }
        let mut tx = self.begin().await?;
        let scope = resolve_scope(&mut *tx, scope_path).await?;
        let roster = self
            .checked_roster(roster::load(&mut *tx, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        if !roster.iter().any(|e| e.id == self.member.id && e.trusted) {
            return Err(refuse(
                "you are not admitted yet: ask the owner or a lead to approve you".into(),
            ));
        }
        if self.scope_key(&mut *tx, &scope).await.is_ok() {
            return Err(refuse("you already have access".into()));
        }
        let pending = tx.pending_access_request(&self.member.id, &scope.id).await?;
        if let Some(id) = pending {
            return Err(refuse(format!("your request {id} is still waiting for a decision")));
        }
        let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        let created_at = crate::clock::now();
        let duration_secs = duration.map(Duration::as_secs);
        let message = request_message(
            &self.vault.id,
            &id,
            &self.member.id,
            &scope.id,
            &scope.label,
            reason,
            duration_secs,
            created_at,
        );
        tx.insert_access_request(&NewRequest {
            id: &id,
            member_id: &self.member.id,
            scope_id: &scope.id,
            reason,
            duration_secs,
            created_at,
            signature: &signing::sign(&self.identity, &message),
        })
        .await?;
        self.audit(&mut *tx, "access.request", &format!("{} {id}", scope.label))
            .await?;
        let request = self.one_request(&mut *tx, &id).await?;
        self.commit(tx, "requesting access").await?;
        Ok(request)
    }

    /// The scopes (`project/env`) this member can open now: a valid grant at the current key.
    pub async fn accessible_scopes(&self) -> Result<Vec<String>> {
        let mut conn = crate::vault::acquire(&self.vault).await?;
        let scopes = conn.scopes_granted_to(&self.member.id).await?;
        let mut open = Vec::new();
        for (id, epoch, label) in scopes {
            let scope = ScopeRow { id, epoch, label };
            if self.scope_key(&mut *conn, &scope).await.is_ok() {
                open.push(scope.label);
            }
        }
        Ok(open)
    }

    /// Every request (or only pending ones), verified against the trusted roster.
    pub async fn access_requests(&self, pending_only: bool) -> Result<Vec<AccessRequest>> {
        let mut conn = crate::vault::acquire(&self.vault).await?;
        let roster = self
            .checked_roster(roster::load(&mut *conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        let mut rows = rows(&mut *conn, None).await?;
        for row in &mut rows {
            verify(&self.vault.id, row, &roster);
            row.view.may_decide =
                row.view.status == "pending" && self.decider_refusal(row, &roster, "decide").is_none();
        }
        Ok(rows
            .into_iter()
            .map(|r| r.view)
            .filter(|r| !pending_only || r.status == "pending")
            .collect())
    }

    async fn one_request(&self, conn: &mut dyn Conn, id: &str) -> Result<AccessRequest> {
        Ok(self.checked_request(conn, id).await?.view)
    }

    async fn checked_request(&self, conn: &mut dyn Conn, id: &str) -> Result<Row> {
        let roster =
            self.checked_roster(roster::load(conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        let mut row = rows(conn, Some(id))
            .await?
            .pop()
            .ok_or_else(|| Error::UnknownRequest { id: id.to_owned() })?;
        verify(&self.vault.id, &mut row, &roster);
        Ok(row)
    }

    /// Checks that this member may decide `row`, naming why not.
    async fn may_decide(&self, conn: &mut dyn Conn, row: &Row, action: &str) -> Result<()> {
        let roster =
            self.checked_roster(roster::load(conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        if !row.view.verified {
            return Err(Error::RequestForged {
                id: row.view.id.clone(),
                problem: row.view.problem.clone().unwrap_or_default(),
            });
        }
        if row.view.status != "pending" {
            return Err(Error::NotAllowed {
                action: format!("{action} request {}", row.view.id),
                reason: format!("it was already {}", row.view.status),
            });
        }
        self.decider_refusal(row, &roster, action).map_or(Ok(()), Err)
    }

    /// Why this member is not one who decides `row` (their own request, or not a trusted owner or
    /// lead of its project in `roster`), or `None` when they are.
    fn decider_refusal(&self, row: &Row, roster: &[roster::RosterEntry], action: &str) -> Option<Error> {
        let refuse = |why: String| {
            Some(Error::NotAllowed {
                action: format!("{action} request {}", row.view.id),
                reason: why,
            })
        };
        if row.member_id == self.member.id {
            return refuse("nobody decides their own request".into());
        }
        let me = roster.iter().find(|e| e.id == self.member.id);
        if !me.is_some_and(|e| e.may_grant(&row.project)) {
            return refuse(format!(
                "only the owner or a lead of {} decides access to {}",
                row.project, row.view.scope
            ));
        }
        None
    }

    /// Approves a pending request: seals the scope key to the requester with an expiry (the
    /// requested duration unless `duration` overrides it), signs the decision. One transaction,
    /// audited.
    pub async fn approve_access(&self, id: &str, duration: Option<Duration>) -> Result<AccessRequest> {
        let mut tx = self.begin().await?;
        let row = self.checked_request(&mut *tx, id).await?;
        self.may_decide(&mut *tx, &row, "approve").await?;
        let epoch = tx.scope_epoch(&row.scope_id).await?;
        let scope = ScopeRow {
            id: row.scope_id.clone(),
            epoch,
            label: row.view.scope.clone(),
        };
        let key = match self.scope_key(&mut *tx, &scope).await {
            Ok(key) => key,
            Err(Error::NoAccess { .. }) => {
                return Err(Error::NotAllowed {
                    action: format!("approve request {id}"),
                    reason: format!("you do not hold the key of {} yourself", row.view.scope),
                })
            }
            Err(e) => return Err(e),
        };
        let now = crate::clock::now();
        let expires_at = duration
            .map(Duration::as_secs)
            .or(row.view.duration_secs)
            .map(|secs| now.saturating_add(secs));
        let requester = members::by_id(&mut *tx, &row.member_id).await?;
        // An earlier grant of the same key (expired, say) makes way for the new one.
        tx.delete_grant(&row.scope_id, &row.member_id, epoch).await?;
        members::write_grant(
            &mut *tx,
            &self.vault.id,
            &row.scope_id,
            &row.view.scope,
            epoch,
            &key,
            &requester,
            &self.member.id,
            &self.identity,
            expires_at,
        )
        .await?;
        self.decide(&mut *tx, &row, "approved", now, None, expires_at).await?;
        let until = expires_at.map_or("until revoked".to_owned(), |at| format!("until {at}"));
        self.audit(
            &mut *tx,
            "access.approve",
            &format!("{} {id} for {} {until}", row.view.scope, row.view.member),
        )
        .await?;
        let request = self.one_request(&mut *tx, id).await?;
        self.commit(tx, "approving access").await?;
        Ok(request)
    }

    /// Denies a pending request with a reason. Signed, audited.
    pub async fn deny_access(&self, id: &str, reason: &str) -> Result<AccessRequest> {
        if reason.trim().is_empty() {
            return Err(Error::EmptyValue {
                what: "the reason".into(),
            });
        }
        let mut tx = self.begin().await?;
        let row = self.checked_request(&mut *tx, id).await?;
        self.may_decide(&mut *tx, &row, "deny").await?;
        self.decide(&mut *tx, &row, "denied", crate::clock::now(), Some(reason), None)
            .await?;
        self.audit(
            &mut *tx,
            "access.deny",
            &format!("{} {id} for {}", row.view.scope, row.view.member),
        )
        .await?;
        let request = self.one_request(&mut *tx, id).await?;
        self.commit(tx, "denying access").await?;
        Ok(request)
    }

    async fn decide(
        &self,
        conn: &mut dyn Conn,
        row: &Row,
        status: &str,
        at: i64,
        note: Option<&str>,
        expires_at: Option<i64>,
    ) -> Result<()> {
        let message = decision_message(
            &self.vault.id,
            &row.view.id,
            status,
            &self.member.id,
            at,
            note,
            expires_at,
        );
        conn.record_request_decision(&Decision {
            request_id: &row.view.id,
            status,
            decided_by: &self.member.id,
            decided_at: at,
            note,
            expires_at,
            signature: &signing::sign(&self.identity, &message),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After a revocation, the revoked member's old grant is gone from the file, and the old key
    /// (which she may have kept, with a copy of the file) decrypts none of the scope's current
    /// ciphertexts: read straight from the file.
    #[tokio::test]
    async fn each_request_says_whether_this_member_may_decide_it() {
        use crate::session::{test_member, test_owner_session};
        use crate::team::members::Role;
        let dir = tempfile::tempdir().expect("tempdir");
        let ada = test_owner_session(dir.path()).await;
        let owner_key = ada.vault().owner_signing_key().await.expect("owner key");
        let ada = ada.with_pinned_owner(owner_key);
        ada.add_project("llm", &["prod".into()]).await.expect("project");
        ada.add_project("vision", &["prod".into()]).await.expect("project");
        let alice = test_member(dir.path(), &ada, "alice", Role::Member, &[]).await;
        let vic = test_member(dir.path(), &ada, "vic", Role::Lead, &["vision".into()]).await;
        let scope: ScopePath = "llm/prod".parse().expect("scope");
        alice.request_access(&scope, "eval", None).await.expect("request");

        let decides = |list: Vec<AccessRequest>| list.iter().map(|r| r.may_decide).collect::<Vec<_>>();
        assert_eq!(decides(ada.access_requests(true).await.expect("ada")), [true]);
        assert_eq!(
            decides(alice.access_requests(true).await.expect("alice")),
            [false],
            "not one's own"
        );
        assert_eq!(
            decides(vic.access_requests(true).await.expect("vic")),
            [false],
            "a lead of another project"
        );
    }
}
