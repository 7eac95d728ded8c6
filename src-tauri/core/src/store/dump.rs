//! A whole vault as rows: what `store::copy` reads from one engine and writes into another.
//!
//! Every table of the vault, column for column, in types both engines store alike: ciphertexts,
//! signatures, seals and the audit chain are carried as the bytes they are, and nothing here
//! reads, checks or re-signs them. Rows are kept in primary-key order (`canonical`), so two
//! dumps of the same vault compare equal whatever engine they came from. The engine's own
//! bookkeeping (its migrations table) is not part of a vault: the destination has its own.

use async_trait::async_trait;
use serde::Serialize;
use std::path::PathBuf;

use super::sql::{args, Arg, Record, Sql, Statement};
use crate::error::Result;

#[async_trait]
pub(crate) trait DumpRows {
    /// Every row of the vault. Call in a read snapshot, so the tables agree with each other.
    async fn dump_vault(&mut self) -> Result<VaultDump>;
    /// Writes every row of `dump` into a vault created empty (schema only), keeping ids as
    /// they are. Call in one write transaction: a failure then leaves none of it.
    async fn restore_vault(&mut self, dump: &VaultDump) -> Result<()>;
}

/// All of a vault's rows, in primary-key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VaultDump {
    pub(crate) vault: VaultRow,
    pub(crate) members: Vec<MemberRow>,
    pub(crate) key_envelopes: Vec<EnvelopeRow>,
    pub(crate) projects: Vec<ProjectRow>,
    pub(crate) environments: Vec<EnvironmentRow>,
    pub(crate) scopes: Vec<ScopeRow>,
    pub(crate) grants: Vec<GrantRow>,
    pub(crate) secrets: Vec<SecretRow>,
    pub(crate) secret_versions: Vec<VersionRow>,
    pub(crate) audit: Vec<AuditRow>,
    pub(crate) access_requests: Vec<RequestRow>,
    pub(crate) deployments: Vec<DeploymentRow>,
    pub(crate) rotation_overrides: Vec<OverrideRow>,
    pub(crate) scope_epochs: Vec<EpochRow>,
    pub(crate) removals: Vec<RemovalRow>,
    pub(crate) scope_state_seals: Vec<StateSealRow>,
    /// The highest project and environment ids ever handed out (at least the highest present),
    /// so the copy never hands out again an id a deleted project or environment had.
    pub(crate) ids: IdHighWater,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct IdHighWater {
    pub(crate) projects: i64,
    pub(crate) environments: i64,
}

// Each row type lists its primary key first: `Ord` is then primary-key order.

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct VaultRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) format: i64,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) status: String,
    pub(crate) sealing_public: Vec<u8>,
    pub(crate) signing_public: Vec<u8>,
    pub(crate) identity_nonce: Vec<u8>,
    pub(crate) identity_ciphertext: Vec<u8>,
    pub(crate) created_at: i64,
    pub(crate) lead_of: String,
    pub(crate) approved_by: Option<String>,
    pub(crate) approved_at: Option<i64>,
    pub(crate) approval_signature: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct EnvelopeRow {
    pub(crate) member_id: String,
    pub(crate) kind: String,
    pub(crate) kdf_m_kib: Option<i64>,
    pub(crate) kdf_t: Option<i64>,
    pub(crate) kdf_p: Option<i64>,
    pub(crate) salt: Option<Vec<u8>>,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct ProjectRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct EnvironmentRow {
    pub(crate) id: i64,
    pub(crate) project_id: i64,
    pub(crate) name: String,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct ScopeRow {
    pub(crate) id: String,
    pub(crate) environment_id: i64,
    pub(crate) key_epoch: i64,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct GrantRow {
    pub(crate) scope_id: String,
    pub(crate) member_id: String,
    pub(crate) key_epoch: i64,
    pub(crate) sealed_key: Vec<u8>,
    pub(crate) granted_by: String,
    pub(crate) granted_at: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct SecretRow {
    pub(crate) id: String,
    pub(crate) scope_id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) is_file: bool,
    pub(crate) file_name: Option<String>,
    pub(crate) note_nonce: Option<Vec<u8>>,
    pub(crate) note_ciphertext: Option<Vec<u8>>,
    pub(crate) rotate_every_secs: Option<i64>,
    pub(crate) last_rotated_at: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) exposed_at: Option<i64>,
    pub(crate) exposed_reason: Option<String>,
    pub(crate) policy: String,
    pub(crate) check_command: Option<String>,
    pub(crate) check_by: Option<String>,
    pub(crate) check_signature: Option<Vec<u8>>,
    pub(crate) state_tag: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub(crate) secret_id: String,
    pub(crate) version: i64,
    pub(crate) state: String,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) created_by: String,
    pub(crate) created_at: i64,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) actor: String,
    pub(crate) device: String,
    pub(crate) action: String,
    pub(crate) target: String,
    pub(crate) prev_hash: Vec<u8>,
    pub(crate) hash: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) member_id: String,
    pub(crate) scope_id: String,
    pub(crate) reason: String,
    pub(crate) duration_secs: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) signature: Vec<u8>,
    pub(crate) status: String,
    pub(crate) decided_by: Option<String>,
    pub(crate) decided_at: Option<i64>,
    pub(crate) decision_note: Option<String>,
    pub(crate) expires_at: Option<i64>,
    pub(crate) decision_signature: Option<Vec<u8>>,
}

/// Deployments have no key: the whole row orders them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct DeploymentRow {
    pub(crate) scope_id: String,
    pub(crate) at: i64,
    pub(crate) member_id: String,
    pub(crate) note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct OverrideRow {
    pub(crate) project_id: i64,
    pub(crate) environment_id: i64,
    pub(crate) max_every_secs: i64,
    pub(crate) set_by: String,
    pub(crate) set_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct EpochRow {
    pub(crate) scope_id: String,
    pub(crate) epoch: i64,
    pub(crate) key_id: Vec<u8>,
    pub(crate) link_nonce: Option<Vec<u8>>,
    pub(crate) link_ciphertext: Option<Vec<u8>>,
    pub(crate) signed_by: String,
    pub(crate) signed_at: i64,
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct RemovalRow {
    pub(crate) member_id: String,
    pub(crate) removed_by: String,
    pub(crate) removed_at: i64,
    pub(crate) audit_seq: i64,
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub(crate) struct StateSealRow {
    pub(crate) scope_id: String,
    pub(crate) seq: i64,
    pub(crate) epoch: i64,
    pub(crate) digest: Vec<u8>,
    pub(crate) prev_seal: Option<Vec<u8>>,
    pub(crate) seal: Vec<u8>,
}

impl SecretRow {
    /// Its bytes of ciphertext, for cutting batches.
    fn payload(&self) -> usize {
        self.note_ciphertext.as_ref().map_or(0, Vec::len)
    }
}

impl VersionRow {
    /// Its bytes of ciphertext, for cutting batches.
    fn payload(&self) -> usize {
        self.ciphertext.len()
    }
}

/// The columns of each table, in the order the row types list them and the engines bind them.
pub(crate) mod columns {
    /// The vault row's (its `singleton` column is always 1, and not carried).
    pub(crate) const VAULT: &str = "id, name, format, created_at";
    pub(crate) const MEMBERS: &str = "id, name, role, status, sealing_public, signing_public, identity_nonce, \
        identity_ciphertext, created_at, lead_of, approved_by, approved_at, approval_signature";
    pub(crate) const KEY_ENVELOPES: &str =
        "member_id, kind, kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext, created_at";
    pub(crate) const PROJECTS: &str = "id, name, created_at";
    pub(crate) const ENVIRONMENTS: &str = "id, project_id, name, created_at";
    pub(crate) const SCOPES: &str = "id, environment_id, key_epoch, created_at";
    pub(crate) const GRANTS: &str =
        "scope_id, member_id, key_epoch, sealed_key, granted_by, granted_at, expires_at, signature";
    pub(crate) const SECRETS: &str = "id, scope_id, name, kind, is_file, file_name, note_nonce, note_ciphertext, \
        rotate_every_secs, last_rotated_at, created_at, updated_at, exposed_at, exposed_reason, policy, \
        check_command, check_by, check_signature, state_tag";
    pub(crate) const SECRET_VERSIONS: &str =
        "secret_id, version, state, key_epoch, nonce, ciphertext, created_by, created_at, retire_at, check_status";
    pub(crate) const AUDIT: &str = "seq, at, actor, device, action, target, prev_hash, hash, signature";
    pub(crate) const ACCESS_REQUESTS: &str = "id, member_id, scope_id, reason, duration_secs, created_at, signature, \
        status, decided_by, decided_at, decision_note, expires_at, decision_signature";
    pub(crate) const DEPLOYMENTS: &str = "scope_id, at, member_id, note";
    pub(crate) const ROTATION_OVERRIDES: &str = "project_id, environment_id, max_every_secs, set_by, set_at";
    pub(crate) const SCOPE_EPOCHS: &str =
        "scope_id, epoch, key_id, link_nonce, link_ciphertext, signed_by, signed_at, signature";
    pub(crate) const REMOVALS: &str = "member_id, removed_by, removed_at, audit_seq, signature";
    pub(crate) const SCOPE_STATE_SEALS: &str = "scope_id, seq, epoch, digest, prev_seal, seal";

    /// Every table of a vault and its columns as carried (a test holds this to the schema).
    #[cfg(test)]
    pub(crate) const TABLES: &[(&str, &str)] = &[
        ("vault", VAULT),
        ("members", MEMBERS),
        ("key_envelopes", KEY_ENVELOPES),
        ("projects", PROJECTS),
        ("environments", ENVIRONMENTS),
        ("scopes", SCOPES),
        ("grants", GRANTS),
        ("secrets", SECRETS),
        ("secret_versions", SECRET_VERSIONS),
        ("audit", AUDIT),
        ("access_requests", ACCESS_REQUESTS),
        ("deployments", DEPLOYMENTS),
        ("rotation_overrides", ROTATION_OVERRIDES),
        ("scope_epochs", SCOPE_EPOCHS),
        ("removals", REMOVALS),
        ("scope_state_seals", SCOPE_STATE_SEALS),
    ];

    /// How many values a row of `list` binds.
    pub(crate) fn count(list: &str) -> usize {
        list.split(',').count()
    }
}

#[async_trait]
impl<C: Sql> DumpRows for C {
    async fn dump_vault(&mut self) -> Result<VaultDump> {
        let vault = self
            .one(
                "reading the vault",
                &format!("SELECT {} FROM vault", columns::VAULT),
                &[],
            )
            .await?;
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
                projects: self.id_high_water("projects").await?,
                environments: self.id_high_water("environments").await?,
            },
        };
        Ok(dump.canonical())
    }

    async fn restore_vault(&mut self, d: &VaultDump) -> Result<()> {
        self.execute(
            "copying the vault row",
            "INSERT INTO vault (singleton, id, name, format, created_at) VALUES (1, $1, $2, $3, $4)",
            &args![&d.vault.id, &d.vault.name, d.vault.format, d.vault.created_at],
        )
        .await?;
        let members = d.members_in_insert_order();
        insert(
            self,
            "members",
            columns::MEMBERS,
            &members,
            |_| 0,
            |m| {
                args![
                    &m.id,
                    &m.name,
                    &m.role,
                    &m.status,
                    &m.sealing_public,
                    &m.signing_public,
                    &m.identity_nonce,
                    &m.identity_ciphertext,
                    m.created_at,
                    &m.lead_of,
                    &m.approved_by,
                    m.approved_at,
                    &m.approval_signature,
                ]
            },
        )
        .await?;
        insert(
            self,
            "key_envelopes",
            columns::KEY_ENVELOPES,
            &d.key_envelopes,
            |_| 0,
            |k| {
                args![
                    &k.member_id,
                    &k.kind,
                    k.kdf_m_kib,
                    k.kdf_t,
                    k.kdf_p,
                    &k.salt,
                    &k.nonce,
                    &k.ciphertext,
                    k.created_at,
                ]
            },
        )
        .await?;
        insert(
            self,
            "projects",
            columns::PROJECTS,
            &d.projects,
            |_| 0,
            |p| args![p.id, &p.name, p.created_at],
        )
        .await?;
        insert(
            self,
            "environments",
            columns::ENVIRONMENTS,
            &d.environments,
            |_| 0,
            |e| args![e.id, e.project_id, &e.name, e.created_at],
        )
        .await?;
        insert(
            self,
            "scopes",
            columns::SCOPES,
            &d.scopes,
            |_| 0,
            |s| args![&s.id, s.environment_id, s.key_epoch, s.created_at],
        )
        .await?;
        insert(
            self,
            "grants",
            columns::GRANTS,
            &d.grants,
            |_| 0,
            |g| {
                args![
                    &g.scope_id,
                    &g.member_id,
                    g.key_epoch,
                    &g.sealed_key,
                    &g.granted_by,
                    g.granted_at,
                    g.expires_at,
                    &g.signature,
                ]
            },
        )
        .await?;
        insert(self, "secrets", columns::SECRETS, &d.secrets, SecretRow::payload, |s| {
            args![
                &s.id,
                &s.scope_id,
                &s.name,
                &s.kind,
                s.is_file,
                &s.file_name,
                &s.note_nonce,
                &s.note_ciphertext,
                s.rotate_every_secs,
                s.last_rotated_at,
                s.created_at,
                s.updated_at,
                s.exposed_at,
                &s.exposed_reason,
                &s.policy,
                &s.check_command,
                &s.check_by,
                &s.check_signature,
                &s.state_tag,
            ]
        })
        .await?;
        insert(
            self,
            "secret_versions",
            columns::SECRET_VERSIONS,
            &d.secret_versions,
            VersionRow::payload,
            |v| {
                args![
                    &v.secret_id,
                    v.version,
                    &v.state,
                    v.key_epoch,
                    &v.nonce,
                    &v.ciphertext,
                    &v.created_by,
                    v.created_at,
                    v.retire_at,
                    &v.check_status,
                ]
            },
        )
        .await?;
        insert(
            self,
            "audit",
            columns::AUDIT,
            &d.audit,
            |_| 0,
            |a| {
                args![
                    a.seq,
                    a.at,
                    &a.actor,
                    &a.device,
                    &a.action,
                    &a.target,
                    &a.prev_hash,
                    &a.hash,
                    &a.signature,
                ]
            },
        )
        .await?;
        insert(
            self,
            "access_requests",
            columns::ACCESS_REQUESTS,
            &d.access_requests,
            |_| 0,
            |r| {
                args![
                    &r.id,
                    &r.member_id,
                    &r.scope_id,
                    &r.reason,
                    r.duration_secs,
                    r.created_at,
                    &r.signature,
                    &r.status,
                    &r.decided_by,
                    r.decided_at,
                    &r.decision_note,
                    r.expires_at,
                    &r.decision_signature,
                ]
            },
        )
        .await?;
        insert(
            self,
            "deployments",
            columns::DEPLOYMENTS,
            &d.deployments,
            |_| 0,
            |p| args![&p.scope_id, p.at, &p.member_id, &p.note],
        )
        .await?;
        insert(
            self,
            "rotation_overrides",
            columns::ROTATION_OVERRIDES,
            &d.rotation_overrides,
            |_| 0,
            |o| args![o.project_id, o.environment_id, o.max_every_secs, &o.set_by, o.set_at],
        )
        .await?;
        insert(
            self,
            "scope_epochs",
            columns::SCOPE_EPOCHS,
            &d.scope_epochs,
            |_| 0,
            |e| {
                args![
                    &e.scope_id,
                    e.epoch,
                    &e.key_id,
                    &e.link_nonce,
                    &e.link_ciphertext,
                    &e.signed_by,
                    e.signed_at,
                    &e.signature,
                ]
            },
        )
        .await?;
        insert(
            self,
            "removals",
            columns::REMOVALS,
            &d.removals,
            |_| 0,
            |r| args![&r.member_id, &r.removed_by, r.removed_at, r.audit_seq, &r.signature],
        )
        .await?;
        insert(
            self,
            "scope_state_seals",
            columns::SCOPE_STATE_SEALS,
            &d.scope_state_seals,
            |_| 0,
            |s| args![&s.scope_id, s.seq, s.epoch, &s.digest, &s.prev_seal, &s.seal],
        )
        .await?;
        for (table, at) in [("projects", d.ids.projects), ("environments", d.ids.environments)] {
            if at > 0 {
                self.set_id_high_water(table, at).await?;
            }
        }
        Ok(())
    }
}

/// Every row of `table` (`VaultDump::canonical` orders them).
async fn all<C: Sql, T: Record>(conn: &mut C, table: &str, columns: &str) -> Result<Vec<T>> {
    conn.all(
        &format!("reading {table}"),
        &format!("SELECT {columns} FROM {table}"),
        &[],
    )
    .await
}

/// Inserts `rows` into `table` in multi-row statements under the engine's bound on values, ids
/// as they are, also into identity columns.
async fn insert<'a, C: Sql, R: Sync, const N: usize>(
    conn: &mut C,
    table: &str,
    columns: &str,
    rows: &'a [R],
    payload: impl Fn(&R) -> usize + Send,
    row: impl Fn(&'a R) -> [Arg<'a>; N] + Send,
) -> Result<()> {
    debug_assert_eq!(columns::count(columns), N, "the columns of {table}");
    let context = format!("copying {table}");
    for batch in batches(rows, N, C::MAX_PARAMS, payload) {
        let mut statement = Statement::new::<C>(
            &format!("INSERT INTO {table} ({columns}){} ", C::EXPLICIT_IDS),
            batch.len() * N,
        );
        statement.values(batch, &row);
        conn.execute(&context, statement.sql(), statement.args()).await?;
    }
    Ok(())
}

/// Bytes of ciphertext per multi-row INSERT at most (a row larger than this goes alone): a
/// vault of many 1 MiB file secrets is not sent as one statement of gigabytes.
const BATCH_BYTES: usize = 8 << 20;

impl VaultDump {
    /// Sorts every table into primary-key order (an engine's own order, or its collation of
    /// text, does not matter then).
    pub(crate) fn canonical(mut self) -> Self {
        self.members.sort();
        self.key_envelopes.sort();
        self.projects.sort();
        self.environments.sort();
        self.scopes.sort();
        self.grants.sort();
        self.secrets.sort();
        self.secret_versions.sort();
        self.audit.sort();
        self.access_requests.sort();
        self.deployments.sort();
        self.rotation_overrides.sort();
        self.scope_epochs.sort();
        self.removals.sort();
        self.scope_state_seals.sort();
        let max_project = self.projects.iter().map(|p| p.id).max().unwrap_or(0);
        let max_environment = self.environments.iter().map(|e| e.id).max().unwrap_or(0);
        self.ids.projects = self.ids.projects.max(max_project);
        self.ids.environments = self.ids.environments.max(max_environment);
        self
    }

    /// Members in an order an engine can insert them in batches: whoever approved a member
    /// (`approved_by` references `members`) comes before them. A cycle, which no vault writes,
    /// is appended as it is (it fails on the foreign key only if it spans two batches).
    fn members_in_insert_order(&self) -> Vec<&MemberRow> {
        let mut placed = std::collections::BTreeSet::new();
        let mut order = Vec::with_capacity(self.members.len());
        let mut waiting: Vec<&MemberRow> = self.members.iter().collect();
        loop {
            let before = waiting.len();
            waiting.retain(|m| {
                let ready = match &m.approved_by {
                    None => true,
                    Some(by) => by == &m.id || placed.contains(by.as_str()),
                };
                if ready {
                    placed.insert(m.id.as_str());
                    order.push(*m);
                }
                !ready
            });
            if waiting.is_empty() || waiting.len() == before {
                break;
            }
        }
        order.extend(waiting);
        order
    }
}

/// `rows` cut into consecutive batches of at most `max_params / columns` rows and, past the
/// first row of a batch, at most [`BATCH_BYTES`] of payload.
fn batches<T>(rows: &[T], columns: usize, max_params: usize, payload: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let per_batch = (max_params / columns.max(1)).max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < rows.len() && end - start < per_batch {
            let size = payload(&rows[end]);
            if end > start && bytes + size > BATCH_BYTES {
                break;
            }
            bytes += size;
            end += 1;
        }
        out.push(&rows[start..end]);
        start = end;
    }
    out
}

/// What a copy wrote: the vault and the rows of each kind. A copy is not recorded in either
/// vault's audit log: the destination must be the source row for row (its chain, signed by the
/// members, verifies only unchanged, and devices recognise it as the same vault by it), and the
/// source's log already is the vault's history; copying is an operator's action on storage that
/// reads no value and needs no member's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopySummary {
    pub vault_id: String,
    pub team: String,
    /// Where from and where to, as shown (a database URL without its password).
    pub source: PathBuf,
    pub destination: PathBuf,
    pub members: usize,
    pub projects: usize,
    pub scopes: usize,
    pub secrets: usize,
    pub versions: usize,
    pub audit_entries: usize,
    pub access_requests: usize,
}

impl CopySummary {
    pub(crate) fn of(dump: &VaultDump, source: PathBuf, destination: PathBuf) -> Self {
        CopySummary {
            vault_id: dump.vault.id.clone(),
            team: dump.vault.name.clone(),
            source,
            destination,
            members: dump.members.len(),
            projects: dump.projects.len(),
            scopes: dump.scopes.len(),
            secrets: dump.secrets.len(),
            versions: dump.secret_versions.len(),
            audit_entries: dump.audit.len(),
            access_requests: dump.access_requests.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_under_the_parameter_limit_and_the_byte_bound() {
        let rows: Vec<usize> = (0..10).collect();
        let cut = batches(&rows, 3, 10, |_| 0);
        assert_eq!(cut.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![3, 3, 3, 1]);
        assert_eq!(cut.concat(), rows);
        // Two big rows never share a statement; one bigger than the bound still goes alone.
        let sizes = [BATCH_BYTES / 2 + 1, BATCH_BYTES / 2 + 1, 2 * BATCH_BYTES, 1, 1];
        let cut = batches(&sizes, 1, 1000, |s| *s);
        assert_eq!(cut.iter().map(|b| b.len()).collect::<Vec<_>>(), vec![1, 1, 1, 2]);
        assert!(batches(&[] as &[usize], 3, 10, |_| 0).is_empty());
    }

    fn member(id: &str, approved_by: Option<&str>) -> MemberRow {
        MemberRow {
            id: id.into(),
            name: id.into(),
            role: "member".into(),
            status: "active".into(),
            sealing_public: vec![],
            signing_public: vec![],
            identity_nonce: vec![],
            identity_ciphertext: vec![],
            created_at: 0,
            lead_of: String::new(),
            approved_by: approved_by.map(str::to_owned),
            approved_at: None,
            approval_signature: None,
        }
    }

    #[test]
    fn approvers_are_inserted_before_the_members_they_approved() {
        let dump = VaultDump {
            // Sorted by id, a member approved by a lead sorts before both.
            members: vec![
                member("a-member", Some("b-lead")),
                member("b-lead", Some("c-owner")),
                member("c-owner", None),
            ],
            ..empty()
        };
        let order: Vec<&str> = dump.members_in_insert_order().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(order, ["c-owner", "b-lead", "a-member"]);
    }

    fn empty() -> VaultDump {
        VaultDump {
            vault: VaultRow {
                id: "v".into(),
                name: "t".into(),
                format: 1,
                created_at: 0,
            },
            members: vec![],
            key_envelopes: vec![],
            projects: vec![],
            environments: vec![],
            scopes: vec![],
            grants: vec![],
            secrets: vec![],
            secret_versions: vec![],
            audit: vec![],
            access_requests: vec![],
            deployments: vec![],
            rotation_overrides: vec![],
            scope_epochs: vec![],
            removals: vec![],
            scope_state_seals: vec![],
            ids: IdHighWater::default(),
        }
    }
}
