//! Exposure from a leak scan's side: the values a scan searches for, and the flag on a vault
//! secret found in clear in a notebook (a leaked key must be rotated at the provider, not just
//! deleted). The scanner itself (`scan`) knows nothing of the vault; this is where its findings
//! become vault state.

use zeroize::Zeroizing;

use super::{ScopePath, SecretPath};
use crate::error::{Error, Result};
use crate::scan::{Finding, KnownSecret};
use crate::session::Session;

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

    /// Flags every vault secret found in a notebook among `findings` exposed (each secret holding
    /// the value), and returns their paths. Findings outside notebooks flag nothing: a key in a
    /// local .env is where keys live before Keyshelf; one in a notebook has been shared.
    pub async fn flag_notebook_leaks(&self, findings: &[Finding]) -> Result<Vec<String>> {
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

    /// Records that a vault secret was found in clear at `place` (a notebook) and flags it
    /// exposed: a leaked key must be rotated at the provider, not just deleted. Audited.
    pub async fn mark_leaked(&self, path: &SecretPath, place: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // Exposure is sealed state: flagging it takes the scope's key, as any change of state does.
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM secrets WHERE scope_id = ? AND name = ?")
            .bind(&scope.id)
            .bind(&path.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| Error::db("flagging a leaked secret", e))?;
        let id = [id.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?];
        super::state::verify(&mut tx, &self.vault.id, &key, &scope, Some(&id)).await?;
        let updated =
            sqlx::query("UPDATE secrets SET exposed_at = ?, exposed_reason = ? WHERE scope_id = ? AND name = ?")
                .bind(crate::clock::now())
                .bind(format!("found in clear in {place}"))
                .bind(&scope.id)
                .bind(&path.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::db("flagging a leaked secret", e))?;
        if updated.rows_affected() == 0 {
            return Err(Error::UnknownSecret { path: path.to_string() });
        }
        self.seal_states(&mut tx, &key, &scope, Some(&id)).await?;
        self.audit(&mut tx, "secret.leak-found", &format!("{path} in {place}"))
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
            start: 0,
            end: 1,
        }
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
