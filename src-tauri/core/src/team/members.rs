//! Members: identities, roles, the envelopes that wrap each member's account key, and grants
//! (a scope key sealed to a member and signed by whoever granted it).

use serde::Serialize;
use zeroize::Zeroizing;

use crate::crypto::{self, kdf, keys, sealing, signing, AccountKey, Identity, KdfParams, Kek, RecoveryKey, ScopeKey};
use crate::error::{Error, Result};
use crate::store::members::{EnvelopeRow, GrantRow, MemberRow, NewGrant, NewMember};
use crate::store::Conn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Lead,
    Member,
    /// A CI job, training run or serving host (`team::machine`): reads what it is granted,
    /// decides and writes nothing.
    Machine,
}

impl Role {
    /// The role as signed in an admission.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Lead => "lead",
            Role::Member => "member",
            Role::Machine => "machine",
        }
    }

    pub(crate) fn parse(s: &str) -> Role {
        match s {
            "owner" => Role::Owner,
            "lead" => Role::Lead,
            "machine" => Role::Machine,
            _ => Role::Member,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub status: String,
    pub fingerprint: String,
    #[serde(skip)]
    pub(crate) sealing_public: Vec<u8>,
}

fn identity_aad(vault_id: &str, member_id: &str) -> Vec<u8> {
    crypto::aad("keyshelf/v1/identity", &[vault_id.as_bytes(), member_id.as_bytes()])
}

fn envelope_aad(vault_id: &str, member_id: &str, kind: &str) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/envelope",
        &[vault_id.as_bytes(), member_id.as_bytes(), kind.as_bytes()],
    )
}

fn to_member(row: MemberRow) -> Member {
    Member {
        fingerprint: keys::fingerprint(&row.sealing_public, &row.signing_public),
        id: row.id,
        name: row.name,
        role: Role::parse(&row.role),
        status: row.status,
        sealing_public: row.sealing_public,
    }
}

pub(crate) async fn list(conn: &mut dyn Conn) -> Result<Vec<Member>> {
    Ok(conn.all_members().await?.into_iter().map(to_member).collect())
}

pub(crate) async fn by_id(conn: &mut dyn Conn, member_id: &str) -> Result<Member> {
    let row = conn.member_by_id(member_id).await?;
    row.map(to_member).ok_or_else(|| Error::UnknownMember {
        member: member_id.to_owned(),
    })
}

/// Inserts a member with their identity encrypted under their account key.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    name: &str,
    role: Role,
    status: &str,
    identity: &Identity,
    account_key: &AccountKey,
) -> Result<()> {
    let sealed = account_key.seal(&identity.to_bytes(), &identity_aad(vault_id, member_id));
    conn.insert_member(&NewMember {
        id: member_id,
        name,
        role: role.as_str(),
        status,
        sealing_public: &identity.sealing_public()[..],
        signing_public: &identity.signing_public()[..],
        identity_nonce: &sealed.nonce,
        identity_ciphertext: &sealed.ciphertext,
        created_at: crate::clock::now(),
    })
    .await
}

/// Reads a member and decrypts their identity, checking it matches the public keys on record,
/// so a row whose public keys were swapped is caught at unlock. One query: every command pays it.
pub(crate) async fn open_identity(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    account_key: &AccountKey,
) -> Result<(Member, Identity)> {
    let row = conn
        .member_identity(member_id)
        .await?
        .ok_or_else(|| Error::UnknownMember {
            member: member_id.to_owned(),
        })?;
    let (member, nonce, ciphertext) = (row.member, row.identity_nonce, row.identity_ciphertext);
    let tampered = || Error::IdentityTampered {
        member: member_id.to_owned(),
    };
    let bytes = account_key
        .open(
            &crypto::Sealed { nonce, ciphertext },
            &identity_aad(vault_id, member_id),
        )
        .ok_or_else(tampered)?;
    let identity = Identity::from_bytes(&bytes).ok_or_else(tampered)?;
    if identity.sealing_public()[..] != member.sealing_public[..]
        || identity.signing_public()[..] != member.signing_public[..]
    {
        return Err(tampered());
    }
    Ok((to_member(member), identity))
}

/// Wraps the account key under a passphrase (Argon2id, fresh salt) and stores the envelope,
/// replacing any earlier passphrase envelope of this member.
pub(crate) async fn write_passphrase_envelope(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    account_key: &AccountKey,
    passphrase: Zeroizing<Vec<u8>>,
    params: KdfParams,
) -> Result<()> {
    let salt: [u8; kdf::SALT_LEN] = crypto::random_bytes();
    let kek = derive_off_thread(passphrase, salt.to_vec(), params).await?;
    let sealed = kek.wrap(account_key, &envelope_aad(vault_id, member_id, "passphrase"));
    conn.store_passphrase_envelope(
        member_id,
        params,
        &salt[..],
        &sealed.nonce,
        &sealed.ciphertext,
        crate::clock::now(),
    )
    .await
}

pub(crate) async fn write_recovery_envelope(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    account_key: &AccountKey,
    recovery: &RecoveryKey,
) -> Result<()> {
    let kek = recovery.kek(vault_id);
    let sealed = kek.wrap(account_key, &envelope_aad(vault_id, member_id, "recovery"));
    conn.store_recovery_envelope(member_id, &sealed.nonce, &sealed.ciphertext, crate::clock::now())
        .await
}

/// Argon2id takes ~0.2 s and 64 MiB: run it where it cannot stall an async executor.
async fn derive_off_thread(passphrase: Zeroizing<Vec<u8>>, salt: Vec<u8>, params: KdfParams) -> Result<Kek> {
    tokio::task::spawn_blocking(move || kdf::derive_kek(&passphrase, &salt, params))
        .await
        .map_err(|e| {
            Error::io(
                "deriving the key from the passphrase",
                std::io::Error::other(e.to_string()),
            )
        })?
}

async fn read_envelope(conn: &mut dyn Conn, member_id: &str, kind: &str) -> Result<EnvelopeRow> {
    let row = conn.key_envelope(member_id, kind).await?;
    row.ok_or_else(|| Error::EnvelopeTampered {
        member: member_id.to_owned(),
    })
}

/// Unwraps the account key with a passphrase. A wrong passphrase and an altered envelope are
/// indistinguishable to AEAD; we report "wrong passphrase", the likelier cause.
pub(crate) async fn open_with_passphrase(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    passphrase: Zeroizing<Vec<u8>>,
) -> Result<AccountKey> {
    let EnvelopeRow {
        kdf_m_kib: m,
        kdf_t: t,
        kdf_p: p,
        salt,
        nonce,
        ciphertext,
    } = read_envelope(conn, member_id, "passphrase").await?;
    let tampered = || Error::EnvelopeTampered {
        member: member_id.to_owned(),
    };
    let params = KdfParams {
        m_kib: m.ok_or_else(tampered)?,
        t: t.ok_or_else(tampered)?,
        p: p.ok_or_else(tampered)?,
    };
    let salt = salt.filter(|s| s.len() >= 16).ok_or_else(tampered)?;
    let kek = derive_off_thread(passphrase, salt, params).await?;
    kek.unwrap(
        &crypto::Sealed { nonce, ciphertext },
        &envelope_aad(vault_id, member_id, "passphrase"),
    )
    .ok_or(Error::WrongPassphrase)
}

pub(crate) async fn open_with_recovery(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    recovery: &RecoveryKey,
) -> Result<AccountKey> {
    let EnvelopeRow { nonce, ciphertext, .. } = read_envelope(conn, member_id, "recovery").await?;
    recovery
        .kek(vault_id)
        .unwrap(
            &crypto::Sealed { nonce, ciphertext },
            &envelope_aad(vault_id, member_id, "recovery"),
        )
        .ok_or(Error::WrongRecoveryKey)
}

/// What a grant's signature covers: everything that decides who may open which key until when.
#[allow(clippy::too_many_arguments)]
fn grant_message(
    vault_id: &str,
    scope_id: &str,
    scope_label: &str,
    member_id: &str,
    epoch: i64,
    sealed_key: &[u8],
    granted_by: &str,
    granted_at: i64,
    expires_at: Option<i64>,
) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/grant",
        &[
            vault_id.as_bytes(),
            scope_id.as_bytes(),
            scope_label.as_bytes(),
            member_id.as_bytes(),
            &epoch.to_be_bytes(),
            sealed_key,
            granted_by.as_bytes(),
            &granted_at.to_be_bytes(),
            &expires_at.unwrap_or(i64::MAX).to_be_bytes(),
        ],
    )
}

/// Seals `key` to `recipient` and stores the signed grant.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_grant(
    conn: &mut dyn Conn,
    vault_id: &str,
    scope_id: &str,
    scope_label: &str,
    epoch: i64,
    key: &ScopeKey,
    recipient: &Member,
    granter_id: &str,
    granter: &Identity,
    expires_at: Option<i64>,
) -> Result<()> {
    let public: [u8; 32] = recipient
        .sealing_public
        .as_slice()
        .try_into()
        .map_err(|_| Error::UnknownMember {
            member: recipient.name.clone(),
        })?;
    let sealed_key = sealing::seal_scope_key(&public, key);
    let granted_at = crate::clock::now();
    let message = grant_message(
        vault_id,
        scope_id,
        scope_label,
        &recipient.id,
        epoch,
        &sealed_key,
        granter_id,
        granted_at,
        expires_at,
    );
    let signature = signing::sign(granter, &message);
    conn.insert_grant(&NewGrant {
        scope_id,
        member_id: &recipient.id,
        key_epoch: epoch,
        sealed_key: &sealed_key,
        granted_by: granter_id,
        granted_at,
        expires_at,
        signature: &signature,
    })
    .await
}

/// The grants of a scope at `epoch` that still count: signed by one of `trusted_granters`
/// (signature checked), not expired. Member ids with their expiry; used when rekeying, so that
/// a grant row slipped into the file is never re-issued under a real lead's signature.
pub(crate) async fn valid_grants(
    conn: &mut dyn Conn,
    vault_id: &str,
    scope_id: &str,
    scope_label: &str,
    epoch: i64,
    trusted_granters: &[String],
) -> Result<Vec<(String, Option<i64>)>> {
    let now = crate::clock::now();
    let mut signed = signed_grants(conn, vault_id, scope_id, scope_label, epoch, trusted_granters).await?;
    signed.retain(|(_, expires_at)| expires_at.is_none_or(|at| at > now));
    Ok(signed)
}

/// The grants of a scope at `epoch` signed by one of `trusted_granters` (signature checked),
/// expired or not: what a grant row says is believed only through its signature.
pub(crate) async fn signed_grants(
    conn: &mut dyn Conn,
    vault_id: &str,
    scope_id: &str,
    scope_label: &str,
    epoch: i64,
    trusted_granters: &[String],
) -> Result<Vec<(String, Option<i64>)>> {
    let rows = conn.scope_grants(scope_id, epoch).await?;
    Ok(rows
        .into_iter()
        .filter(|g| {
            let message = grant_message(
                vault_id,
                scope_id,
                scope_label,
                &g.member_id,
                epoch,
                &g.sealed_key,
                &g.granted_by,
                g.granted_at,
                g.expires_at,
            );
            trusted_granters.contains(&g.granted_by)
                && g.granter_public
                    .as_deref()
                    .is_some_and(|public| signing::verify(public, &message, &g.signature))
        })
        .map(|g| (g.member_id, g.expires_at))
        .collect())
}

/// A member's grant of a scope at one key epoch, as the file holds it: nothing in it is
/// believed until [`Grant::open`] checked its signature against a trusted granter.
pub(crate) struct Grant {
    sealed_key: Vec<u8>,
    pub granted_by: String,
    granted_at: i64,
    expires_at: Option<i64>,
    signature: Vec<u8>,
    granter_public: Option<Vec<u8>>,
}

/// Reads `member_id`'s grant of the scope at `epoch`; none is "no access".
pub(crate) async fn read_grant(
    conn: &mut dyn Conn,
    scope_id: &str,
    epoch: i64,
    member_id: &str,
    scope_label: &str,
) -> Result<Grant> {
    let row: GrantRow = conn
        .grant_for(scope_id, member_id, epoch)
        .await?
        .ok_or_else(|| Error::NoAccess {
            scope: scope_label.to_owned(),
        })?;
    Ok(Grant {
        sealed_key: row.sealed_key,
        granted_by: row.granted_by,
        granted_at: row.granted_at,
        expires_at: row.expires_at,
        signature: row.signature,
        granter_public: row.granter_public,
    })
}

impl Grant {
    /// Opens the scope key when the grant is `member_id`'s own or signed by one of
    /// `trusted_granters`, its signature holds and it has not expired; with its expiry.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn open(
        self,
        vault_id: &str,
        scope_id: &str,
        epoch: i64,
        member_id: &str,
        identity: &Identity,
        scope_label: &str,
        trusted_granters: &[String],
    ) -> Result<(ScopeKey, Option<i64>)> {
        let tampered = || Error::GrantTampered {
            scope: scope_label.to_owned(),
        };
        // A granter's public key read from the file proves nothing by itself: someone with write
        // access could add a member and sign a grant of a key they know. Only this member's own
        // grants, and those of members the signed roster says may grant this scope, count.
        if self.granted_by != member_id && !trusted_granters.contains(&self.granted_by) {
            return Err(tampered());
        }
        let message = grant_message(
            vault_id,
            scope_id,
            scope_label,
            member_id,
            epoch,
            &self.sealed_key,
            &self.granted_by,
            self.granted_at,
            self.expires_at,
        );
        let granter_public = self.granter_public.ok_or_else(tampered)?;
        if !signing::verify(&granter_public, &message, &self.signature) {
            return Err(tampered());
        }
        if self.expires_at.is_some_and(|at| at <= crate::clock::now()) {
            return Err(Error::NoAccess {
                scope: scope_label.to_owned(),
            });
        }
        let key = sealing::open_scope_key(identity, &self.sealed_key).ok_or_else(tampered)?;
        Ok((key, self.expires_at))
    }
}
