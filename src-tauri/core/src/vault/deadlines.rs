//! What decides deadlines besides a secret's own policy: deployments (for on-deploy secrets) and
//! stricter intervals set on a project or an environment. And the question every reminder asks:
//! what is due, within which window, among the scopes this member can see.

use std::collections::HashSet;

use serde::Serialize;

use super::path::{check_label, ScopePath};
use super::projects::resolve_scope;
use super::{acquire, SecretSummary, Vault};
use crate::duration::Duration;
use crate::error::{Error, Result};
use crate::rotation;
use crate::session::Session;
use crate::team::members::Role;

/// A stricter rotation interval for a project, or one of its environments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RotationOverride {
    pub project: String,
    /// `None`: every environment of the project.
    pub environment: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub every_secs: i64,
    pub set_by: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub set_at: i64,
}

/// A recorded deployment of a scope.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Deployment {
    pub scope: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
    pub by: String,
    pub note: String,
    /// On-deploy secrets of the scope that this deployment made due.
    pub now_due: Vec<String>,
}

/// The secrets among `secrets` that `visible` shows and that need rotating within `within`,
/// most urgent first.
fn needing_rotation(
    mut secrets: Vec<SecretSummary>,
    visible: &Visible,
    within: Duration,
    now: i64,
) -> Vec<SecretSummary> {
    secrets.retain(|s| visible.sees(&s.project, &s.environment));
    for secret in &mut secrets {
        secret.rotation = rotation::status(secret.due_at, secret.exposed_at.is_some(), now, within);
    }
    secrets.retain(|s| s.rotation.needs_attention());
    secrets.sort_by(|a, b| {
        (a.rotation, a.due_at.unwrap_or(i64::MIN), a.path()).cmp(&(b.rotation, b.due_at.unwrap_or(i64::MIN), b.path()))
    });
    secrets
}

/// A `due --scope` filter as the listing's project and environment.
fn filter_parts(filter: Option<&ScopeFilter>) -> (Option<&str>, Option<&str>) {
    filter.map_or((None, None), |f| (Some(f.project.as_str()), f.environment.as_deref()))
}

impl Vault {
    /// What [`Session::due`] lists, from metadata alone, for reminders while the app is locked:
    /// everything for the owner, every scope of a project a trusted lead leads, and scopes where
    /// the member holds an unexpired grant row at the current key epoch. The grant is not opened
    /// (that takes the member's key), which is enough for a reminder: names and dates only. A
    /// member this device does not trust through `pinned_owner` gets nothing.
    pub async fn due_without_keys(
        &self,
        member_id: &str,
        pinned_owner: &[u8],
        within: Duration,
        filter: Option<&ScopeFilter>,
    ) -> Result<Vec<SecretSummary>> {
        let now = crate::clock::now();
        let visible = {
            let mut conn = acquire(self).await?;
            let roster = crate::team::roster::load(&mut *conn, &self.id, pinned_owner).await?;
            let Some(me) = roster.into_iter().find(|e| e.id == member_id && e.trusted) else {
                return Ok(Vec::new());
            };
            if me.role == Role::Owner {
                Visible::All
            } else {
                let scopes = conn.unexpired_grant_labels(member_id, now).await?;
                let led = if me.role == Role::Lead {
                    me.lead_of.into_iter().collect()
                } else {
                    HashSet::new()
                };
                Visible::Some {
                    scopes: scopes.into_iter().collect(),
                    led,
                }
            }
        };
        let (project, environment) = filter_parts(filter);
        let secrets = self.secrets(project, environment).await?;
        Ok(needing_rotation(secrets, &visible, within, now))
    }

    /// Every project/environment interval override.
    pub async fn rotation_overrides(&self) -> Result<Vec<RotationOverride>> {
        let rows = acquire(self).await?.rotation_overrides().await?;
        Ok(rows
            .into_iter()
            .map(|(project, environment, every_secs, set_by, set_at)| RotationOverride {
                project,
                environment,
                every_secs,
                set_by,
                set_at,
            })
            .collect())
    }
}

impl Session {
    /// Records a deployment of a scope: its on-deploy secrets fall due now. Needs access to the
    /// scope (a CI job deploying it has that). One transaction, audited.
    pub async fn mark_deploy(&self, scope_path: &ScopePath, note: &str) -> Result<Deployment> {
        let now = crate::clock::now();
        let mut tx = self.begin().await?;
        let (scope, _key) = self.open_scope(&mut *tx, scope_path).await?;
        tx.insert_deployment(&scope.id, now, &self.member.id, note.trim())
            .await?;
        let now_due = tx.on_deploy_secret_names_rotated_before(&scope.id, now).await?;
        self.audit(&mut *tx, "scope.deploy", &scope_path.to_string()).await?;
        self.commit(tx, "recording a deployment").await?;
        Ok(Deployment {
            scope: scope_path.to_string(),
            at: now,
            by: self.member.name.clone(),
            note: note.trim().to_owned(),
            now_due: now_due.into_iter().map(|n| format!("{scope_path}/{n}")).collect(),
        })
    }

    /// Sets (or with `None` removes) the strictest interval for a project or one environment.
    /// Owners, and leads of that project. One transaction, audited.
    pub async fn set_rotation_override(
        &self,
        project: &str,
        environment: Option<&str>,
        every: Option<Duration>,
    ) -> Result<()> {
        check_label("project", project)?;
        let mut tx = self.begin().await?;
        let me = self.trusted_self(&mut *tx).await?;
        if !me.as_ref().is_some_and(|m| m.may_grant(project)) {
            return Err(Error::NotAllowed {
                action: format!("set the rotation policy of {project}"),
                reason: "only the owner and leads of the project can".into(),
            });
        }
        let project_id = tx.project_id(project).await?.ok_or_else(|| Error::UnknownProject {
            project: project.to_owned(),
        })?;
        let environment_id = match environment {
            None => 0,
            Some(env) => {
                // resolve_scope names the missing project or environment precisely.
                resolve_scope(&mut *tx, &ScopePath::new(project, env)?).await?;
                tx.environment_id(project_id, env).await?
            }
        };
        let target = match environment {
            Some(env) => format!("{project}/{env}"),
            None => project.to_owned(),
        };
        match every {
            Some(every) => {
                tx.upsert_rotation_override(
                    project_id,
                    environment_id,
                    every.as_secs(),
                    &self.member.id,
                    crate::clock::now(),
                )
                .await?;
                self.audit(&mut *tx, "rotation.policy.set", &format!("{target} every {every}"))
                    .await?;
            }
            None => {
                tx.delete_rotation_override(project_id, environment_id).await?;
                self.audit(&mut *tx, "rotation.policy.unset", &target).await?;
            }
        }
        self.commit(tx, "changing a rotation policy").await
    }

    /// Secrets that need rotating (exposed, overdue, or due within `within`) in the scopes this
    /// member can see: those they hold a key for, every scope of a project they lead, and
    /// everything for the owner. Most urgent first. Metadata only.
    pub async fn due(&self, within: Duration, filter: Option<&ScopeFilter>) -> Result<Vec<SecretSummary>> {
        let now = crate::clock::now();
        let (project, environment) = filter_parts(filter);
        // Verified where this member holds the key: a cleared exposure does not drop off the list.
        let secrets = self.secrets(project, environment).await?;
        let visible = self.visible_scopes().await?;
        Ok(needing_rotation(secrets, &visible, within, now))
    }

    /// What this member may see, by the signed roster (not the role column of their row).
    async fn visible_scopes(&self) -> Result<Visible> {
        let me = self.trusted_self(&mut *acquire(&self.vault).await?).await?;
        if me.as_ref().is_some_and(|me| me.trusted && me.role == Role::Owner) {
            return Ok(Visible::All);
        }
        let scopes: HashSet<String> = self.accessible_scopes().await?.into_iter().collect();
        let led = match me {
            Some(me) if me.trusted && me.role == Role::Lead => me.lead_of.iter().cloned().collect(),
            _ => HashSet::new(),
        };
        Ok(Visible::Some { scopes, led })
    }
}

/// `PROJECT` or `PROJECT/ENV`, to narrow `due`.
#[derive(Debug, Clone)]
pub struct ScopeFilter {
    pub project: String,
    pub environment: Option<String>,
}

impl std::str::FromStr for ScopeFilter {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self> {
        match input.split_once('/') {
            Some(_) => {
                let scope: ScopePath = input.parse()?;
                Ok(ScopeFilter {
                    project: scope.project,
                    environment: Some(scope.environment),
                })
            }
            None => {
                check_label("project", input)?;
                Ok(ScopeFilter {
                    project: input.to_owned(),
                    environment: None,
                })
            }
        }
    }
}

enum Visible {
    All,
    Some {
        scopes: HashSet<String>,
        led: HashSet<String>,
    },
}

impl Visible {
    fn sees(&self, project: &str, environment: &str) -> bool {
        match self {
            Visible::All => true,
            Visible::Some { scopes, led } => {
                led.contains(project) || scopes.contains(&format!("{project}/{environment}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{SecretOptions, SecretPath};

    #[tokio::test]
    async fn a_locked_device_knows_what_is_due_without_any_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        let options = SecretOptions {
            rotation: Some("1h".parse().expect("policy")),
            ..SecretOptions::default()
        };
        session.set_secret(&path, b"sk-value", options).await.expect("set");
        let owner = session.member().id.clone();
        let pinned = session.vault().owner_signing_key().await.expect("owner key");
        let vault = session.vault().clone();
        drop(session);

        let due = vault
            .due_without_keys(&owner, &pinned, Duration::days(1), None)
            .await
            .expect("due");
        let paths: Vec<String> = due.iter().map(|s| s.path()).collect();
        assert_eq!(paths, ["llm/dev/OPENAI_API_KEY"]);
        assert!(vault
            .due_without_keys("nobody", &pinned, Duration::days(1), None)
            .await
            .expect("due")
            .is_empty());
        // A device that pinned another owner key trusts nobody here.
        assert!(vault
            .due_without_keys(&owner, &[0u8; 32], Duration::days(1), None)
            .await
            .expect("due")
            .is_empty());
    }
}
