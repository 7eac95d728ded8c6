use async_trait::async_trait;
use sqlx::query_builder::Separated;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::error;
use crate::error::Result;
use crate::store::dump::{self, columns, DumpRows, IdHighWater, VaultDump};

/// PostgreSQL's bound on the values of one statement (the protocol counts them in 16 bits).
const MAX_PARAMS: usize = 65535;

#[async_trait]
impl DumpRows for PgConnection {
    async fn dump_vault(&mut self) -> Result<VaultDump> {
        let vault = sqlx::query_as(&format!("SELECT {} FROM vault", columns::VAULT))
            .fetch_one(&mut *self)
            .await
            .map_err(|e| error("reading the vault", e))?;
        let dump = VaultDump {
            vault,
            members: all(self, "members", columns::MEMBERS).await?,
            key_envelopes: all(self, "key_envelopes", columns::KEY_ENVELOPES).await?,
            projects: all(self, "projects", columns::PROJECTS).await?,
            environments: all(self, "environments", columns::ENVIRONMENTS).await?,
            scopes: all(self, "scopes", columns::SCOPES).await?,
            grants: all(self, "grants", columns::GRANTS).await?,
            secrets: all(self, "secrets", columns::SECRETS).await?,
            secret_versions: all(self, "secret_versions", columns::SECRET_VERSIONS).await?,
            audit: all(self, "audit", columns::AUDIT).await?,
            access_requests: all(self, "access_requests", columns::ACCESS_REQUESTS).await?,
            deployments: all(self, "deployments", columns::DEPLOYMENTS).await?,
            rotation_overrides: all(self, "rotation_overrides", columns::ROTATION_OVERRIDES).await?,
            scope_epochs: all(self, "scope_epochs", columns::SCOPE_EPOCHS).await?,
            removals: all(self, "removals", columns::REMOVALS).await?,
            scope_state_seals: all(self, "scope_state_seals", columns::SCOPE_STATE_SEALS).await?,
            ids: IdHighWater {
                projects: high_water(self, "projects").await?,
                environments: high_water(self, "environments").await?,
            },
        };
        Ok(dump.canonical())
    }

    async fn restore_vault(&mut self, d: &VaultDump) -> Result<()> {
        sqlx::query("INSERT INTO vault (singleton, id, name, format, created_at) VALUES (1, $1, $2, $3, $4)")
            .bind(&d.vault.id)
            .bind(&d.vault.name)
            .bind(d.vault.format)
            .bind(d.vault.created_at)
            .execute(&mut *self)
            .await
            .map_err(|e| error("copying the vault row", e))?;
        let members = d.members_in_insert_order();
        insert(
            self,
            "members",
            columns::MEMBERS,
            &members,
            |_| 0,
            |mut b, m| {
                b.push_bind(&m.id)
                    .push_bind(&m.name)
                    .push_bind(&m.role)
                    .push_bind(&m.status)
                    .push_bind(&m.sealing_public)
                    .push_bind(&m.signing_public)
                    .push_bind(&m.identity_nonce)
                    .push_bind(&m.identity_ciphertext)
                    .push_bind(m.created_at)
                    .push_bind(&m.lead_of)
                    .push_bind(&m.approved_by)
                    .push_bind(m.approved_at)
                    .push_bind(&m.approval_signature);
            },
        )
        .await?;
        insert(
            self,
            "key_envelopes",
            columns::KEY_ENVELOPES,
            &d.key_envelopes,
            |_| 0,
            |mut b, k| {
                b.push_bind(&k.member_id)
                    .push_bind(&k.kind)
                    .push_bind(k.kdf_m_kib)
                    .push_bind(k.kdf_t)
                    .push_bind(k.kdf_p)
                    .push_bind(&k.salt)
                    .push_bind(&k.nonce)
                    .push_bind(&k.ciphertext)
                    .push_bind(k.created_at);
            },
        )
        .await?;
        insert(
            self,
            "projects",
            columns::PROJECTS,
            &d.projects,
            |_| 0,
            |mut b, p| {
                b.push_bind(p.id).push_bind(&p.name).push_bind(p.created_at);
            },
        )
        .await?;
        insert(
            self,
            "environments",
            columns::ENVIRONMENTS,
            &d.environments,
            |_| 0,
            |mut b, e| {
                b.push_bind(e.id)
                    .push_bind(e.project_id)
                    .push_bind(&e.name)
                    .push_bind(e.created_at);
            },
        )
        .await?;
        insert(
            self,
            "scopes",
            columns::SCOPES,
            &d.scopes,
            |_| 0,
            |mut b, s| {
                b.push_bind(&s.id)
                    .push_bind(s.environment_id)
                    .push_bind(s.key_epoch)
                    .push_bind(s.created_at);
            },
        )
        .await?;
        insert(
            self,
            "grants",
            columns::GRANTS,
            &d.grants,
            |_| 0,
            |mut b, g| {
                b.push_bind(&g.scope_id)
                    .push_bind(&g.member_id)
                    .push_bind(g.key_epoch)
                    .push_bind(&g.sealed_key)
                    .push_bind(&g.granted_by)
                    .push_bind(g.granted_at)
                    .push_bind(g.expires_at)
                    .push_bind(&g.signature);
            },
        )
        .await?;
        insert(
            self,
            "secrets",
            columns::SECRETS,
            &d.secrets,
            dump::SecretRow::payload,
            |mut b, s| {
                b.push_bind(&s.id)
                    .push_bind(&s.scope_id)
                    .push_bind(&s.name)
                    .push_bind(&s.kind)
                    .push_bind(s.is_file)
                    .push_bind(&s.file_name)
                    .push_bind(&s.note_nonce)
                    .push_bind(&s.note_ciphertext)
                    .push_bind(s.rotate_every_secs)
                    .push_bind(s.last_rotated_at)
                    .push_bind(s.created_at)
                    .push_bind(s.updated_at)
                    .push_bind(s.exposed_at)
                    .push_bind(&s.exposed_reason)
                    .push_bind(&s.policy)
                    .push_bind(&s.check_command)
                    .push_bind(&s.check_by)
                    .push_bind(&s.check_signature)
                    .push_bind(&s.state_tag);
            },
        )
        .await?;
        insert(
            self,
            "secret_versions",
            columns::SECRET_VERSIONS,
            &d.secret_versions,
            dump::VersionRow::payload,
            |mut b, v| {
                b.push_bind(&v.secret_id)
                    .push_bind(v.version)
                    .push_bind(&v.state)
                    .push_bind(v.key_epoch)
                    .push_bind(&v.nonce)
                    .push_bind(&v.ciphertext)
                    .push_bind(&v.created_by)
                    .push_bind(v.created_at)
                    .push_bind(v.retire_at)
                    .push_bind(&v.check_status);
            },
        )
        .await?;
        insert(
            self,
            "audit",
            columns::AUDIT,
            &d.audit,
            |_| 0,
            |mut b, a| {
                b.push_bind(a.seq)
                    .push_bind(a.at)
                    .push_bind(&a.actor)
                    .push_bind(&a.device)
                    .push_bind(&a.action)
                    .push_bind(&a.target)
                    .push_bind(&a.prev_hash)
                    .push_bind(&a.hash)
                    .push_bind(&a.signature);
            },
        )
        .await?;
        insert(
            self,
            "access_requests",
            columns::ACCESS_REQUESTS,
            &d.access_requests,
            |_| 0,
            |mut b, r| {
                b.push_bind(&r.id)
                    .push_bind(&r.member_id)
                    .push_bind(&r.scope_id)
                    .push_bind(&r.reason)
                    .push_bind(r.duration_secs)
                    .push_bind(r.created_at)
                    .push_bind(&r.signature)
                    .push_bind(&r.status)
                    .push_bind(&r.decided_by)
                    .push_bind(r.decided_at)
                    .push_bind(&r.decision_note)
                    .push_bind(r.expires_at)
                    .push_bind(&r.decision_signature);
            },
        )
        .await?;
        insert(
            self,
            "deployments",
            columns::DEPLOYMENTS,
            &d.deployments,
            |_| 0,
            |mut b, p| {
                b.push_bind(&p.scope_id)
                    .push_bind(p.at)
                    .push_bind(&p.member_id)
                    .push_bind(&p.note);
            },
        )
        .await?;
        insert(
            self,
            "rotation_overrides",
            columns::ROTATION_OVERRIDES,
            &d.rotation_overrides,
            |_| 0,
            |mut b, o| {
                b.push_bind(o.project_id)
                    .push_bind(o.environment_id)
                    .push_bind(o.max_every_secs)
                    .push_bind(&o.set_by)
                    .push_bind(o.set_at);
            },
        )
        .await?;
        insert(
            self,
            "scope_epochs",
            columns::SCOPE_EPOCHS,
            &d.scope_epochs,
            |_| 0,
            |mut b, e| {
                b.push_bind(&e.scope_id)
                    .push_bind(e.epoch)
                    .push_bind(&e.key_id)
                    .push_bind(&e.link_nonce)
                    .push_bind(&e.link_ciphertext)
                    .push_bind(&e.signed_by)
                    .push_bind(e.signed_at)
                    .push_bind(&e.signature);
            },
        )
        .await?;
        insert(
            self,
            "removals",
            columns::REMOVALS,
            &d.removals,
            |_| 0,
            |mut b, r| {
                b.push_bind(&r.member_id)
                    .push_bind(&r.removed_by)
                    .push_bind(r.removed_at)
                    .push_bind(r.audit_seq)
                    .push_bind(&r.signature);
            },
        )
        .await?;
        insert(
            self,
            "scope_state_seals",
            columns::SCOPE_STATE_SEALS,
            &d.scope_state_seals,
            |_| 0,
            |mut b, s| {
                b.push_bind(&s.scope_id)
                    .push_bind(s.seq)
                    .push_bind(s.epoch)
                    .push_bind(&s.digest)
                    .push_bind(&s.prev_seal)
                    .push_bind(&s.seal);
            },
        )
        .await?;
        set_high_water(self, "projects", d.ids.projects).await?;
        set_high_water(self, "environments", d.ids.environments).await
    }
}

/// Every row of `table` (`VaultDump::canonical` orders them).
async fn all<T>(conn: &mut PgConnection, table: &str, columns: &str) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    sqlx::query_as(&format!("SELECT {columns} FROM {table}"))
        .fetch_all(conn)
        .await
        .map_err(|e| error(&format!("reading {table}"), e))
}

/// Inserts `rows` into `table` in multi-row statements under PostgreSQL's bound on values.
/// Ids are inserted as they are, also into identity columns.
async fn insert<'a, R, F>(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    rows: &'a [R],
    payload: impl Fn(&R) -> usize + Send,
    mut bind: F,
) -> Result<()>
where
    R: Sync,
    F: for<'q> FnMut(Separated<'q, 'a, Postgres, &'static str>, &'a R) + Send,
{
    for batch in dump::batches(rows, columns::count(columns), MAX_PARAMS, payload) {
        let mut query: QueryBuilder<'a, Postgres> =
            QueryBuilder::new(format!("INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE "));
        query.push_values(batch, &mut bind);
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(|e| error(&format!("copying {table}"), e))?;
    }
    Ok(())
}

/// The highest id the identity sequence of `table` handed out (0 if none ever was).
async fn high_water(conn: &mut PgConnection, table: &str) -> Result<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass)")
            .bind(table)
            .fetch_one(conn)
            .await
            .map_err(|e| error("reading the id counters", e))?;
    Ok(last.unwrap_or(0))
}

/// Moves the identity sequence of `table` to `at`, so the next id handed out is past every id
/// the source had (inserting explicit ids does not move it).
async fn set_high_water(conn: &mut PgConnection, table: &str, at: i64) -> Result<()> {
    if at <= 0 {
        return Ok(());
    }
    sqlx::query("SELECT setval(pg_get_serial_sequence($1, 'id'), $2)")
        .bind(table)
        .bind(at)
        .execute(conn)
        .await
        .map(drop)
        .map_err(|e| error("copying the id counters", e))
}
