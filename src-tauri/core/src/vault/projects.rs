//! Projects and their environments. Each environment is a scope with its own key, granted to
//! its creator at birth; later grants are what team access is made of.

use serde::Serialize;

use super::path::{check_label, ScopePath, ScopeRow};
use super::Vault;
use crate::crypto::ScopeKey;
use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::projects::ScopeLookup;
use crate::store::Conn;
use crate::team::members::Role;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProjectSummary {
    pub name: String,
    pub environments: Vec<EnvironmentSummary>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EnvironmentSummary {
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub secrets: i64,
}

/// Finds a scope, naming the missing project or environment when there is none.
pub(crate) async fn resolve_scope(conn: &mut dyn Conn, path: &ScopePath) -> Result<ScopeRow> {
    match conn.find_scope(&path.project, &path.environment).await? {
        ScopeLookup::Scope { id, epoch } => Ok(ScopeRow {
            id,
            epoch,
            label: path.to_string(),
        }),
        ScopeLookup::NoProject => Err(Error::UnknownProject {
            project: path.project.clone(),
        }),
        ScopeLookup::NoEnvironment => Err(Error::UnknownEnvironment {
            project: path.project.clone(),
            environment: path.environment.clone(),
        }),
    }
}

impl Session {
    /// The scope at `path` and its key: how every read and write of a scope begins. The key is
    /// used only as the scope's newest signed key, on the set of secret states it sealed
    /// ([`Session::scope_key`]).
    pub(crate) async fn open_scope(
        &self,
        conn: &mut dyn Conn,
        path: &ScopePath,
    ) -> Result<(ScopeRow, std::sync::Arc<ScopeKey>)> {
        let scope = resolve_scope(conn, path).await?;
        let key = self.scope_key(conn, &scope).await?;
        Ok((scope, key))
    }
}

impl Vault {
    /// Every project with its environments and how many secrets each holds.
    pub async fn projects(&self) -> Result<Vec<ProjectSummary>> {
        let rows = self.store.read().await?.project_tree().await?;
        let mut out: Vec<ProjectSummary> = Vec::new();
        for (project, environment, secrets) in rows {
            if out.last().is_none_or(|p| p.name != project) {
                out.push(ProjectSummary {
                    name: project,
                    environments: Vec::new(),
                });
            }
            if let (Some(name), Some(last)) = (environment, out.last_mut()) {
                last.environments.push(EnvironmentSummary { name, secrets });
            }
        }
        Ok(out)
    }
}

impl Session {
    /// Owners and leads add projects; an environment, the owner or a lead of its project. Judged
    /// on the signed roster, not on the role column of this member's row.
    async fn require_lead(&self, conn: &mut dyn Conn, what: &str, project: Option<&str>) -> Result<()> {
        let me = self.trusted_self(conn).await?;
        let allowed = me.is_some_and(|e| match project {
            Some(project) => e.may_grant(project),
            None => e.trusted && e.status == "active" && matches!(e.role, Role::Owner | Role::Lead),
        });
        if allowed {
            Ok(())
        } else {
            Err(Error::NoAccess {
                scope: format!("{what} (only owners and leads can)"),
            })
        }
    }

    /// Adds a project, optionally with environments, in one transaction.
    pub async fn add_project(&self, name: &str, environments: &[String]) -> Result<()> {
        check_label("project", name)?;
        for env in environments {
            check_label("environment", env)?;
        }
        let mut tx = self.begin().await?;
        self.require_lead(&mut *tx, "adding projects", None).await?;
        if !tx.insert_project(name, crate::clock::now()).await? {
            return Err(Error::ProjectExists {
                project: name.to_owned(),
            });
        }
        self.audit(&mut *tx, "project.add", name).await?;
        for env in environments {
            self.insert_environment(&mut *tx, &ScopePath::new(name, env)?).await?;
        }
        self.commit(tx, "adding a project").await
    }

    pub async fn add_environment(&self, scope: &ScopePath) -> Result<()> {
        let mut tx = self.begin().await?;
        self.require_lead(&mut *tx, "adding environments", Some(&scope.project))
            .await?;
        self.insert_environment(&mut *tx, scope).await?;
        self.commit(tx, "adding an environment").await
    }

    /// Creates the environment and its scope, and grants the new scope key to the creator.
    async fn insert_environment(&self, conn: &mut dyn Conn, scope: &ScopePath) -> Result<()> {
        let project_id = conn
            .project_id(&scope.project)
            .await?
            .ok_or_else(|| Error::UnknownProject {
                project: scope.project.clone(),
            })?;
        let now = crate::clock::now();
        let env_id = conn
            .insert_environment(project_id, &scope.environment, now)
            .await?
            .ok_or_else(|| Error::EnvironmentExists {
                project: scope.project.clone(),
                environment: scope.environment.clone(),
            })?;
        let key = ScopeKey::generate();
        let scope_id = crate::epochs::scope_id_for(&self.vault.id, &scope.to_string(), &key.id(), &self.member.id);
        conn.insert_scope(&scope_id, env_id, now).await?;
        crate::team::members::write_grant(
            conn,
            &self.vault.id,
            &scope_id,
            &scope.to_string(),
            1,
            &key,
            &self.member,
            &self.member.id,
            &self.identity,
            None,
        )
        .await?;
        crate::epochs::write(
            conn,
            &self.vault.id,
            &scope_id,
            &scope.to_string(),
            1,
            &key,
            None,
            &self.signer(),
        )
        .await?;
        self.wrote(crate::session::Written::Epoch(scope_id.clone(), 1, key.id()));
        self.audit(conn, "environment.add", &scope.to_string()).await
    }
}
