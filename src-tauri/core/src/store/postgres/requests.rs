use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::requests::{Decision, NewRequest, RequestRow, RequestRows};

#[async_trait]
impl RequestRows for PgConnection {
    async fn access_request_rows(&mut self, only: Option<&str>) -> Result<Vec<RequestRow>> {
        sqlx::query_as(
            "SELECT r.id, r.member_id, m.name AS member_name, r.scope_id, r.reason, r.duration_secs, r.created_at, r.signature,
                    r.status, r.decided_by, r.decided_at, r.decision_note, r.expires_at, r.decision_signature,
                    p.name AS project, e.name AS environment
             FROM access_requests r
             JOIN members m ON m.id = r.member_id
             JOIN scopes s ON s.id = r.scope_id
             JOIN environments e ON e.id = s.environment_id
             JOIN projects p ON p.id = e.project_id
             WHERE ($1::text IS NULL OR r.id = $1)
             ORDER BY r.created_at, r.id COLLATE \"C\"",
        )
        .bind(only)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading access requests", e))
    }

    async fn pending_access_request(&mut self, member_id: &str, scope_id: &str) -> Result<Option<String>> {
        sqlx::query_scalar(
            "SELECT id FROM access_requests WHERE member_id = $1 AND scope_id = $2 AND status = 'pending'",
        )
        .bind(member_id)
        .bind(scope_id)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading access requests", e))
    }

    async fn insert_access_request(&mut self, request: &NewRequest<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO access_requests (id, member_id, scope_id, reason, duration_secs, created_at, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(request.id)
        .bind(request.member_id)
        .bind(request.scope_id)
        .bind(request.reason)
        .bind(request.duration_secs)
        .bind(request.created_at)
        .bind(request.signature)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("storing an access request", e))
    }

    async fn record_request_decision(&mut self, decision: &Decision<'_>) -> Result<()> {
        sqlx::query(
            "UPDATE access_requests SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, expires_at = $5,
             decision_signature = $6 WHERE id = $7",
        )
        .bind(decision.status)
        .bind(decision.decided_by)
        .bind(decision.decided_at)
        .bind(decision.note)
        .bind(decision.expires_at)
        .bind(decision.signature)
        .bind(decision.request_id)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("recording a decision", e))
    }
}
