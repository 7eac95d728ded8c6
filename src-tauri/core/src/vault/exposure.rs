//! Exposure: a secret whose value may be known outside the vault (read by someone whose access
//! ended, or found in clear in a notebook) is flagged so that it gets rotated at the provider.
//! `flag_exposed` is the one way a flag is set; the leak scan's side lives here too (the values
//! a scan searches for, a vault secret found in a notebook). The scanner itself (`scan`) knows
//! nothing of the vault; this is where its findings become vault state.

use zeroize::Zeroizing;

use super::path::ScopeRow;
use super::{ScopePath, SecretPath};
use crate::crypto::ScopeKey;
use crate::error::{Error, Result};
use crate::scan::{Finding, KnownSecret};
use crate::session::Session;
use crate::store::Conn;

/// What a scan flagged.
#[derive(Debug, Default)]
pub struct Leaks {
    /// Vault secrets (`project/env/NAME`) found in notebooks, now flagged exposed.
    pub secrets: Vec<String>,
    /// Machines whose token was found, now shown as exposed until rotated.
    pub machines: Vec<String>,
}

impl Session {
    /// Decrypts every secret this member can open, for a scan (one `scope.scan` audit entry per
    /// scope).
    pub async fn scan_secrets(&self) -> Result<Vec<KnownSecret>> {
        let mut known = Vec::new();
        for label in self.accessible_scopes().await? {
            let scope: ScopePath = label.parse()?;
            for secret in self.read_scope_for_scan(&scope).await? {
                known.push(KnownSecret {
                    path: format!("{label}/{}", secret.name),
                    value: Zeroizing::new(secret.value.expose().to_vec()),
                });
            }
        }
        Ok(known)
    }

    /// What a scan's `findings` show to have leaked, flagged: every vault secret found in a
    /// notebook (exposed), and every machine of this vault whose token was found anywhere.
    pub async fn flag_leaks(&self, findings: &[Finding]) -> Result<Leaks> {
        Ok(Leaks {
            secrets: self.flag_notebook_leaks(findings).await?,
            machines: self.flag_found_tokens(findings).await?,
        })
    }

    /// Flags every vault secret found in a notebook among `findings` exposed (each secret holding
    /// the value), and returns their paths. Findings outside notebooks flag nothing: a key in a
    /// local .env is where keys live before Keyshelf; one in a notebook has been shared.
    async fn flag_notebook_leaks(&self, findings: &[Finding]) -> Result<Vec<String>> {
        let mut leaks: Vec<(String, String)> = findings
            .iter()
            .filter_map(|f| Some((f, f.cell?)))
            .flat_map(|(f, cell)| {
                let place = format!("{} (cell {cell})", f.file);
                f.secret
                    .iter()
                    .chain(&f.other_secrets)
                    .map(move |secret| (secret.clone(), place.clone()))
            })
            .collect();
        leaks.sort();
        leaks.dedup();
        for (secret, place) in &leaks {
            self.mark_leaked(&secret.parse()?, place).await?;
        }
        let mut flagged: Vec<String> = leaks.into_iter().map(|(secret, _)| secret).collect();
        flagged.dedup();
        Ok(flagged)
    }

    /// The one way a secret becomes exposed (a leak found, or read by someone whose access ended):
    /// flags `names` of `scope` with `reason` and seals their new state under `key`, inside the
    /// caller's transaction, on states verified before. Returns the names that exist.
    pub(crate) async fn flag_exposed(
        &self,
        conn: &mut dyn Conn,
        key: &ScopeKey,
        scope: &ScopeRow,
        names: &[String],
        reason: &str,
    ) -> Result<Vec<String>> {
        let now = crate::clock::now();
        let (mut flagged, mut ids) = (Vec::new(), Vec::new());
        for name in names {
            if let Some(id) = conn.flag_secret_exposed(&scope.id, name, now, reason).await? {
                flagged.push(name.clone());
                ids.push(id);
            }
        }
        // Only the flagged states are sealed anew: the others were not verified for this.
        if !ids.is_empty() {
            self.seal_states(conn, key, scope, Some(&ids)).await?;
        }
        Ok(flagged)
    }

    /// Records that a vault secret was found in clear at `place` (a notebook) and flags it
    /// exposed: a leaked key must be rotated at the provider, not just deleted. Audited.
    pub async fn mark_leaked(&self, path: &SecretPath, place: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // Exposure is sealed state: flagging it takes the scope's key, as any change of state does.
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let id = tx.secret_id_by_name(&scope.id, &path.name).await?;
        let id = [id.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?];
        super::state::verify(&mut *tx, &self.vault.id, &key, &scope, Some(&id)).await?;
        let reason = format!("found in clear in {place}");
        if self
            .flag_exposed(&mut *tx, &key, &scope, std::slice::from_ref(&path.name), &reason)
            .await?
            .is_empty()
        {
            return Err(Error::UnknownSecret { path: path.to_string() });
        }
        self.audit(&mut *tx, "secret.leak-found", &format!("{path} in {place}"))
            .await?;
        self.commit(tx, "flagging a leaked secret").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretOptions;

    fn finding(file: &str, cell: Option<usize>, secrets: &[&str]) -> Finding {
        Finding {
            file: file.to_owned(),
            line: 1,
            column: 1,
            cell,
            part: None,
            kind: "vault-secret".into(),
            secret: secrets.first().map(|s| (*s).to_owned()),
            other_secrets: secrets.iter().skip(1).map(|s| (*s).to_owned()).collect(),
            preview: "…".into(),
            machine: None,
            start: 0,
            end: 1,
        }
    }

    #[tokio::test]
    async fn flagging_one_secret_does_not_seal_anew_another_secrets_edited_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let (a, b): (SecretPath, SecretPath) = ("llm/dev/A".parse().expect("a"), "llm/dev/B".parse().expect("b"));
        for path in [&a, &b] {
            session
                .set_secret(path, b"a-long-value", SecretOptions::default())
                .await
                .expect("set");
        }
        session.mark_leaked(&b, "nb.ipynb").await.expect("flag b");
        // Someone without the key clears B's flag; then a leak of A is found.
        sqlx::query("UPDATE secrets SET exposed_at = NULL, exposed_reason = NULL WHERE name = 'B'")
            .execute(session.vault().store.sqlite_pool())
            .await
            .expect("edit");
        session.mark_leaked(&a, "nb.ipynb").await.expect("flag a");
        let err = session.get_secret(&b).await.expect_err("B's edit stays refused");
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
    }

    #[tokio::test]
    async fn only_vault_secrets_found_in_notebooks_are_flagged_each_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        for name in ["A", "B", "C"] {
            let path: SecretPath = format!("llm/dev/{name}").parse().expect("path");
            session
                .set_secret(&path, b"a-long-value", SecretOptions::default())
                .await
                .expect("set");
        }
        let findings = [
            finding("n.ipynb", Some(2), &["llm/dev/A", "llm/dev/B"]),
            finding("m.ipynb", Some(0), &["llm/dev/A"]),
            finding(".env", None, &["llm/dev/C"]),
            finding("n.ipynb", Some(3), &[]),
        ];
        let flagged = session.flag_notebook_leaks(&findings).await.expect("flag");
        assert_eq!(flagged, ["llm/dev/A", "llm/dev/B"]);
        let listed = session.secrets(Some("llm"), Some("dev")).await.expect("list");
        let reasons: Vec<_> = listed
            .iter()
            .map(|s| (s.name.as_str(), s.exposed_reason.as_deref()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("A", Some("found in clear in n.ipynb (cell 2)")),
                ("B", Some("found in clear in n.ipynb (cell 2)")),
                ("C", None)
            ]
        );
    }
}
