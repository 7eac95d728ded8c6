//! Storage of access requests and their signed decisions.

use async_trait::async_trait;

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
