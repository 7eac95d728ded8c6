//! Members: identities, roles, the envelopes that wrap each member's account key, and grants
//! (a scope key sealed to a member and signed by whoever granted it).

use serde::Serialize;
use zeroize::Zeroizing;

use crate::crypto::{self, kdf, keys, sealing, signing, AccountKey, Identity, KdfParams, Kek, RecoveryKey, ScopeKey};
use crate::error::{Error, Result};
use crate::store::Conn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Lead,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Lead => "lead",
            Role::Member => "member",
        }
    }

    pub(crate) fn parse(s: &str) -> Role {
        match s {
            "owner" => Role::Owner,
            "lead" => Role::Lead,
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

type MemberRow = (String, String, String, String, Vec<u8>, Vec<u8>);

fn to_member((id, name, role, status, sealing_public, signing_public): MemberRow) -> Member {
    Member {
        fingerprint: keys::fingerprint(&sealing_public, &signing_public),
        id,
        name,
        role: Role::parse(&role),
        status,
        sealing_public,
    }
}

const MEMBER_COLUMNS: &str = "id, name, role, status, sealing_public, signing_public";

pub(crate) async fn list(conn: &mut dyn Conn) -> Result<Vec<Member>> {
    let rows: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS} FROM members ORDER BY created_at, name"
    ))
    .fetch_all(conn.sqlite())
    .await
    .map_err(|e| Error::db("listing members", e))?;
    Ok(rows.into_iter().map(to_member).collect())
}

pub(crate) async fn by_id(conn: &mut dyn Conn, member_id: &str) -> Result<Member> {
    let row: Option<MemberRow> = sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?"))
        .bind(member_id)
        .fetch_optional(conn.sqlite())
        .await
        .map_err(|e| Error::db("reading a member", e))?;
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
    sqlx::query(
        "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(member_id)
    .bind(name)
    .bind(role.as_str())
    .bind(status)
    .bind(&identity.sealing_public()[..])
    .bind(&identity.signing_public()[..])
    .bind(sealed.nonce)
    .bind(sealed.ciphertext)
    .bind(crate::clock::now())
    .execute(conn.sqlite())
    .await
    .map_err(|e| Error::db("adding a member", e))?;
    Ok(())
}

/// Reads a member and decrypts their identity, checking it matches the public keys on record,
/// so a row whose public keys were swapped is caught at unlock. One query: every command pays it.
pub(crate) async fn open_identity(
    conn: &mut dyn Conn,
    vault_id: &str,
    member_id: &str,
    account_key: &AccountKey,
) -> Result<(Member, Identity)> {
    type IdentityRow = (String, String, String, String, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);
    let row: Option<IdentityRow> = sqlx::query_as(&format!(
        "SELECT {MEMBER_COLUMNS}, identity_nonce, identity_ciphertext FROM members WHERE id = ?"
    ))
    .bind(member_id)
    .fetch_optional(conn.sqlite())
    .await
    .map_err(|e| Error::db("reading a member identity", e))?;
    let (id, name, role, status, sealing_public, signing_public, nonce, ciphertext) =
        row.ok_or_else(|| Error::UnknownMember {
            member: member_id.to_owned(),
        })?;
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
    if identity.sealing_public()[..] != sealing_public[..] || identity.signing_public()[..] != signing_public[..] {
        return Err(tampered());
    }
    let member = to_member((id, name, role, status, sealing_public, signing_public));
    Ok((member, identity))
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
    sqlx::query(
        "INSERT OR REPLACE INTO key_envelopes (member_id, kind, kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext, created_at)
         VALUES (?, 'passphrase', ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(member_id)
    .bind(params.m_kib)
    .bind(params.t)
    .bind(params.p)
    .bind(&salt[..])
    .bind(sealed.nonce)
    .bind(sealed.ciphertext)
    .bind(crate::clock::now())
    .execute(conn.sqlite())
    .await
    .map_err(|e| Error::db("storing the passphrase envelope", e))?;
    Ok(())
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
    sqlx::query(
        "INSERT OR REPLACE INTO key_envelopes (member_id, kind, nonce, ciphertext, created_at)
         VALUES (?, 'recovery', ?, ?, ?)",
    )
    .bind(member_id)
    .bind(sealed.nonce)
    .bind(sealed.ciphertext)
    .bind(crate::clock::now())
    .execute(conn.sqlite())
    .await
    .map_err(|e| Error::db("storing the recovery envelope", e))?;
    Ok(())
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

type EnvelopeRow = (Option<u32>, Option<u32>, Option<u32>, Option<Vec<u8>>, Vec<u8>, Vec<u8>);

async fn read_envelope(conn: &mut dyn Conn, member_id: &str, kind: &str) -> Result<EnvelopeRow> {
    let row: Option<EnvelopeRow> = sqlx::query_as(
        "SELECT kdf_m_kib, kdf_t, kdf_p, salt, nonce, ciphertext FROM key_envelopes WHERE member_id = ? AND kind = ?",
    )
    .bind(member_id)
    .bind(kind)
    .fetch_optional(conn.sqlite())
    .await
    .map_err(|e| Error::db("reading a key envelope", e))?;
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
    let (m, t, p, salt, nonce, ciphertext) = read_envelope(conn, member_id, "passphrase").await?;
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
    let (_, _, _, _, nonce, ciphertext) = read_envelope(conn, member_id, "recovery").await?;
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
    sqlx::query(
        "INSERT INTO grants (scope_id, member_id, key_epoch, sealed_key, granted_by, granted_at, expires_at, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(scope_id)
    .bind(&recipient.id)
    .bind(epoch)
    .bind(sealed_key)
    .bind(granter_id)
    .bind(granted_at)
    .bind(expires_at)
    .bind(signature)
    .execute(conn.sqlite())
    .await
    .map_err(|e| Error::db("storing a grant", e))?;
    Ok(())
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
    type Row = (String, Vec<u8>, String, i64, Option<i64>, Vec<u8>, Vec<u8>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT g.member_id, g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public
         FROM grants g JOIN members m ON m.id = g.granted_by
         WHERE g.scope_id = ? AND g.key_epoch = ?",
    )
    .bind(scope_id)
    .bind(epoch)
    .fetch_all(conn.sqlite())
    .await
    .map_err(|e| Error::db("reading grants", e))?;
    let now = crate::clock::now();
    Ok(rows
        .into_iter()
        .filter(
            |(member_id, sealed_key, granted_by, granted_at, expires_at, signature, granter_public)| {
                let message = grant_message(
                    vault_id,
                    scope_id,
                    scope_label,
                    member_id,
                    epoch,
                    sealed_key,
                    granted_by,
                    *granted_at,
                    *expires_at,
                );
                trusted_granters.contains(granted_by)
                    && expires_at.is_none_or(|at| at > now)
                    && signing::verify(granter_public, &message, signature)
            },
        )
        .map(|(member_id, _, _, _, expires_at, _, _)| (member_id, expires_at))
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
    type GrantRow = (Vec<u8>, String, i64, Option<i64>, Vec<u8>, Option<Vec<u8>>);
    let row: Option<GrantRow> = sqlx::query_as(
        "SELECT g.sealed_key, g.granted_by, g.granted_at, g.expires_at, g.signature, m.signing_public
         FROM grants g LEFT JOIN members m ON m.id = g.granted_by
         WHERE g.scope_id = ? AND g.member_id = ? AND g.key_epoch = ?",
    )
    .bind(scope_id)
    .bind(member_id)
    .bind(epoch)
    .fetch_optional(conn.sqlite())
    .await
    .map_err(|e| Error::db("reading a grant", e))?;
    let (sealed_key, granted_by, granted_at, expires_at, signature, granter_public) =
        row.ok_or_else(|| Error::NoAccess {
            scope: scope_label.to_owned(),
        })?;
    Ok(Grant {
        sealed_key,
        granted_by,
        granted_at,
        expires_at,
        signature,
        granter_public,
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
