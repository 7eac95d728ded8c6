//! Joining and admitting: the flows that change who is in the vault. Whom a device trusts is
//! `roster`'s (pure: rows and signatures in, trust out); this module writes what it checks.

use crate::crypto::{keys, signing, AccountKey, Identity, KdfParams, RecoveryKey};
use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::members::Admission;
use crate::store::Conn;
use crate::team::members::{self, Role};
use crate::team::roster::{self, admission_message, load, RosterEntry};
use crate::vault::{check_label, Vault};

/// What a new member's device learns at `join`: its own fingerprint and the owner's, to compare
/// out of band, and the owner key to pin.
pub struct Joined {
    pub member_id: String,
    pub fingerprint: String,
    pub owner_name: String,
    pub owner_fingerprint: String,
    pub owner_signing_key: Vec<u8>,
    pub recovery_key: RecoveryKey,
}

impl Vault {
    /// The signing key of the vault's first owner: what `init` and `join` pin on the device.
    pub async fn owner_signing_key(&self) -> Result<Vec<u8>> {
        self.owner().await.map(|(_, _, key)| key)
    }

    async fn owner(&self) -> Result<(String, String, Vec<u8>)> {
        let row = crate::vault::acquire(self).await?.first_owner().await?;
        let (name, sealing, signing) = row.ok_or_else(|| Error::Corrupt {
            context: "the vault has no owner".into(),
        })?;
        Ok((name, keys::fingerprint(&sealing, &signing), signing))
    }

    /// Adds this device's person as a pending member: their identity keys (sealed under a new
    /// account key), passphrase and recovery envelopes, and a signed audit entry, in one
    /// transaction. They can read nothing until admitted and granted.
    pub async fn join(&self, name: &str, passphrase: zeroize::Zeroizing<Vec<u8>>, device: &str) -> Result<Joined> {
        check_label("member", name)?;
        if passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        let (owner_name, owner_fingerprint, owner_signing_key) = self.owner().await?;
        let member_id = uuid::Uuid::new_v4().to_string();
        let account_key = AccountKey::generate();
        let identity = Identity::generate();
        let recovery_key = RecoveryKey::generate();
        let mut tx = self.store.write().await?;
        let taken = tx.member_id_by_name(name).await?;
        if taken.is_some() {
            return Err(Error::MemberExists { name: name.to_owned() });
        }
        members::insert(
            &mut *tx,
            &self.id,
            &member_id,
            name,
            Role::Member,
            "pending",
            &identity,
            &account_key,
        )
        .await?;
        members::write_passphrase_envelope(
            &mut *tx,
            &self.id,
            &member_id,
            &account_key,
            passphrase,
            KdfParams::default(),
        )
        .await?;
        members::write_recovery_envelope(&mut *tx, &self.id, &member_id, &account_key, &recovery_key).await?;
        let actor = crate::audit::Actor {
            member_id: &member_id,
            device,
            identity: &identity,
        };
        crate::audit::append(&mut *tx, &actor, "member.join", name, None).await?;
        tx.commit("joining the vault").await?;
        Ok(Joined {
            member_id,
            fingerprint: identity.fingerprint(),
            owner_name,
            owner_fingerprint,
            owner_signing_key,
            recovery_key,
        })
    }
}

impl Session {
    /// This member's roster entry as this device trusts it (`None` when not in the roster).
    pub(crate) async fn trusted_self(&self, conn: &mut dyn Conn) -> Result<Option<RosterEntry>> {
        let roster = load(conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?;
        Ok(roster.into_iter().find(|e| e.id == self.member.id))
    }
}

impl Session {
    /// The roster as this device sees it, trusting the pinned owner key (none pinned: nobody).
    pub async fn roster(&self) -> Result<Vec<RosterEntry>> {
        let roster = load(
            &mut *crate::vault::acquire(&self.vault).await?,
            &self.vault.id,
            self.pinned(),
        )
        .await?;
        self.checked_roster(roster)
    }

    fn pinned(&self) -> &[u8] {
        self.pinned_owner().unwrap_or_default()
    }

    /// Admits a pending member (or, for the owner, changes an admitted member's role), signing
    /// the admission. The owner admits anyone as anything; a lead admits plain members.
    /// `fingerprint` is what the admitter compared with the joiner: the keys signed must be the
    /// ones it names, so keys swapped in the file meanwhile are refused, not admitted. One
    /// transaction, audited.
    pub async fn admit(&self, name: &str, role: Role, lead_of: &[String], fingerprint: &str) -> Result<RosterEntry> {
        let refuse = |reason: String| Error::NotAllowed {
            action: format!("admit {name}"),
            reason,
        };
        if role == Role::Owner {
            return Err(refuse("a vault has one owner; admit as member or lead".into()));
        }
        if role == Role::Machine {
            return Err(refuse(
                "a machine is created with its own keys, not admitted from a person's".into(),
            ));
        }
        if role == Role::Member && !lead_of.is_empty() {
            return Err(refuse("--lead-of needs --role lead".into()));
        }
        for project in lead_of {
            check_label("project", project)?;
        }
        let mut tx = self.begin().await?;
        let roster = load(&mut *tx, &self.vault.id, self.pinned()).await?;
        let me = roster
            .iter()
            .find(|e| e.id == self.member.id)
            .ok_or_else(|| Error::UnknownMember {
                member: self.member.name.clone(),
            })?;
        if !me.trusted {
            return Err(refuse(format!(
                "you are not trusted on this device ({})",
                me.problem.as_deref().unwrap_or("unknown")
            )));
        }
        let target = roster::by_name(&roster, name)?;
        if target.id == self.member.id {
            return Err(refuse("nobody admits themselves".into()));
        }
        match me.role {
            Role::Owner => {}
            Role::Lead if role == Role::Member && target.status == "pending" => {}
            Role::Lead => return Err(refuse("a lead admits pending members as members; ask the owner".into())),
            Role::Member | Role::Machine => return Err(refuse("only the owner or a lead admits members".into())),
        }
        if target.status == "removed" {
            return Err(refuse(format!("{name} was removed; they must join again")));
        }
        for project in lead_of {
            tx.project_id(project).await?.ok_or_else(|| Error::UnknownProject {
                project: project.clone(),
            })?;
        }
        let (sealing_public, signing_public) = tx.member_public_keys(&target.id).await?;
        let signed = keys::fingerprint(&sealing_public, &signing_public);
        if normalize_fingerprint(&signed) != normalize_fingerprint(fingerprint) {
            return Err(refuse(format!(
                "the fingerprint given does not match {name}'s keys ({signed}): compare again with {name}; someone else may have joined under that name"
            )));
        }
        let lead_of = lead_of.join(",");
        let at = crate::clock::now();
        let message = admission_message(
            &self.vault.id,
            &target.id,
            name,
            role.as_str(),
            &lead_of,
            &sealing_public,
            &signing_public,
            &self.member.id,
            at,
        );
        let signature = signing::sign(&self.identity, &message);
        tx.record_admission(&Admission {
            member_id: &target.id,
            role: role.as_str(),
            lead_of: &lead_of,
            approved_by: &self.member.id,
            approved_at: at,
            signature: &signature,
        })
        .await?;
        let what = if lead_of.is_empty() {
            format!("{name} as {}", role.as_str())
        } else {
            format!("{name} as lead of {lead_of}")
        };
        self.audit(&mut *tx, "member.admit", &what).await?;
        let admitted = load(&mut *tx, &self.vault.id, self.pinned())
            .await?
            .into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| Error::UnknownMember {
                member: name.to_owned(),
            })?;
        self.commit(tx, "admitting a member").await?;
        Ok(admitted)
    }
}

/// Fingerprints as people type them: case, spaces and dashes do not matter.
fn normalize_fingerprint(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
