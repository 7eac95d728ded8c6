//! The printable recovery key: 32 random bytes that unwrap the account key when both the
//! keychain entry and the passphrase are lost. Shown once at `init`.
//!
//! Format: `KSR1-` then base32 of the 32 bytes plus a 2-byte SHA-256 checksum, in groups of
//! five. The checksum catches typos before an unwrap is attempted; case, spaces and dashes
//! are ignored when reading it back.

use data_encoding::BASE32_NOPAD;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::keys::Kek;
use crate::error::{Error, Result};

const PREFIX: &str = "KSR1";

pub struct RecoveryKey(Zeroizing<[u8; 32]>);

impl RecoveryKey {
    pub fn generate() -> Self {
        Self(Zeroizing::new(super::random_bytes()))
    }

    /// A machine token's secret works as its account's recovery key (`token`).
    pub(super) fn from_secret(secret: Zeroizing<[u8; 32]>) -> Self {
        Self(secret)
    }

    pub(super) fn secret_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The printable form. It is a secret: show it to the user once, never log it.
    pub fn display(&self) -> Zeroizing<String> {
        let mut payload = Zeroizing::new(Vec::with_capacity(34));
        payload.extend_from_slice(&*self.0);
        payload.extend_from_slice(&checksum(&self.0[..]));
        let encoded = Zeroizing::new(BASE32_NOPAD.encode(&payload));
        let mut out = Zeroizing::new(String::from(PREFIX));
        for chunk in encoded.as_bytes().chunks(5) {
            out.push('-');
            out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        }
        out
    }

    pub fn parse(text: &str) -> Result<Self> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let body = cleaned.strip_prefix(PREFIX).ok_or(Error::MalformedRecoveryKey {
            reason: "it must start with KSR1-",
        })?;
        let decoded =
            Zeroizing::new(
                BASE32_NOPAD
                    .decode(body.as_bytes())
                    .map_err(|_| Error::MalformedRecoveryKey {
                        reason: "it contains characters outside A-Z and 2-7",
                    })?,
            );
        if decoded.len() != 34 {
            return Err(Error::MalformedRecoveryKey {
                reason: "it has the wrong length",
            });
        }
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&decoded[..32]);
        if checksum(&key[..]) != decoded[32..] {
            return Err(Error::MalformedRecoveryKey {
                reason: "its checksum does not match (a typo?)",
            });
        }
        Ok(Self(key))
    }

    /// The key that wraps the account key. The recovery key has 256 bits of entropy, so a
    /// fast KDF (HKDF-SHA256, salted with the vault id) is enough; no Argon2 needed.
    pub fn kek(&self, vault_id: &str) -> Kek {
        let hk = Hkdf::<Sha256>::new(Some(vault_id.as_bytes()), &*self.0);
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 8160-byte output limit.
        let _ = hk.expand(b"keyshelf/v1/recovery-kek", &mut *out);
        Kek::from_bytes(*out)
    }
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

fn checksum(bytes: &[u8]) -> [u8; 2] {
    let digest = Sha256::digest(bytes);
    [digest[0], digest[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_parse_round_trip_tolerates_case_and_spacing() {
        let key = RecoveryKey::generate();
        let shown = key.display();
        assert!(shown.starts_with("KSR1-"));
        let back = RecoveryKey::parse(&shown).expect("parses");
        assert_eq!(*back.0, *key.0);
        let sloppy = shown.to_lowercase().replace('-', " ");
        assert_eq!(*RecoveryKey::parse(&sloppy).expect("parses").0, *key.0);
    }

    #[test]
    fn typos_are_caught_by_the_checksum() {
        let shown = RecoveryKey::generate().display();
        let mut chars: Vec<char> = shown.chars().collect();
        let i = 7;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert!(matches!(
            RecoveryKey::parse(&typo),
            Err(Error::MalformedRecoveryKey { .. })
        ));
        assert!(matches!(
            RecoveryKey::parse("hello"),
            Err(Error::MalformedRecoveryKey { .. })
        ));
        assert!(matches!(
            RecoveryKey::parse("KSR1-0000"),
            Err(Error::MalformedRecoveryKey { .. })
        ));
    }

    #[test]
    fn kek_depends_on_vault() {
        let key = RecoveryKey::generate();
        assert_ne!(key.kek("a").expose(), key.kek("b").expose());
    }
}
