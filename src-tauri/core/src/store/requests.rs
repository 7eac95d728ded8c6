//! Storage of access requests and their signed decisions.

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// A request as the file holds it, with its requester's name and its scope's names.
#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub scope_id: String,
    pub reason: String,
    /// Asked for, in seconds; `None` asks until revoked.
    pub duration_secs: Option<i64>,
    pub created_at: i64,
    /// The requester's.
    pub signature: Vec<u8>,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub expires_at: Option<i64>,
    /// The decider's.
    pub decision_signature: Option<Vec<u8>>,
    pub project: String,
    pub environment: String,
}

/// A request to insert (pending).
pub(crate) struct NewRequest<'a> {
    pub id: &'a str,
    pub member_id: &'a str,
    pub scope_id: &'a str,
    pub reason: &'a str,
    pub duration_secs: Option<i64>,
    pub created_at: i64,
    pub signature: &'a [u8],
}

/// A decision to record on a request.
pub(crate) struct Decision<'a> {
    pub request_id: &'a str,
    /// `approved` or `denied`.
    pub status: &'a str,
    pub decided_by: &'a str,
    pub decided_at: i64,
    pub note: Option<&'a str>,
    pub expires_at: Option<i64>,
    pub signature: &'a [u8],
}

#[async_trait]
pub(crate) trait RequestRows {
    /// Every request, or only the one with id `only`, oldest first (then by id).
    async fn access_request_rows(&mut self, only: Option<&str>) -> Result<Vec<RequestRow>>;
    /// The id of `member_id`'s pending request for the scope, if any.
    async fn pending_access_request(&mut self, member_id: &str, scope_id: &str) -> Result<Option<String>>;
    async fn insert_access_request(&mut self, request: &NewRequest<'_>) -> Result<()>;
    /// Records a decision (status, decider, note, expiry, signature) on the request.
    async fn record_request_decision(&mut self, decision: &Decision<'_>) -> Result<()>;
}

#[async_trait]
impl<C: Sql> RequestRows for C {
    async fn access_request_rows(&mut self, only: Option<&str>) -> Result<Vec<RequestRow>> {
        self.all(
            "reading access requests",
            "SELECT r.id, r.member_id, m.name AS member_name, r.scope_id, r.reason, r.duration_secs, r.created_at, r.signature,
                    r.status, r.decided_by, r.decided_at, r.decision_note, r.expires_at, r.decision_signature,
                    p.name AS project, e.name AS environment
             FROM access_requests r
             JOIN members m ON m.id = r.member_id
             JOIN scopes s ON s.id = r.scope_id
             JOIN environments e ON e.id = s.environment_id
             JOIN projects p ON p.id = e.project_id
             WHERE (CAST($1 AS TEXT) IS NULL OR r.id = $1)
             ORDER BY r.created_at, r.id",
            &args![only],
        )
        .await
    }

    async fn pending_access_request(&mut self, member_id: &str, scope_id: &str) -> Result<Option<String>> {
        self.optional_value(
            "reading access requests",
            "SELECT id FROM access_requests WHERE member_id = $1 AND scope_id = $2 AND status = 'pending'",
            &args![member_id, scope_id],
        )
        .await
    }

    async fn insert_access_request(&mut self, request: &NewRequest<'_>) -> Result<()> {
        self.execute(
            "storing an access request",
            "INSERT INTO access_requests (id, member_id, scope_id, reason, duration_secs, created_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &args![
                request.id,
                request.member_id,
                request.scope_id,
                request.reason,
                request.duration_secs,
                request.created_at,
                request.signature,
            ],
        )
        .await
        .map(drop)
    }

    async fn record_request_decision(&mut self, decision: &Decision<'_>) -> Result<()> {
        self.execute(
            "recording a decision",
            "UPDATE access_requests SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, expires_at = $5,
             decision_signature = $6 WHERE id = $7",
            &args![
                decision.status,
                decision.decided_by,
                decision.decided_at,
                decision.note,
                decision.expires_at,
                decision.signature,
                decision.request_id,
            ],
        )
        .await
        .map(drop)
    }
}
