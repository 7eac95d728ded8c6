//! A machine token: what a CI job, training run or serving host holds to read the vault as its
//! machine identity. Shown once at `machine add`.
//!
//! Format: `ksm1_` then base64url (no padding) of: a version byte, the vault id and the machine's
//! member id (UUIDs, 16 bytes each), the 32-byte secret, the first 16 bytes of SHA-256 of the
//! owner's signing key (the owner pin a device config would hold), and a 4-byte SHA-256 checksum
//! of all that. The secret is used like a recovery key (HKDF, no Argon2): it has 256 bits of
//! entropy, and a job's `get` must cost what a warm `get` costs.

use data_encoding::BASE64URL_NOPAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::recovery::RecoveryKey;
use crate::error::{Error, Result};

const PREFIX: &str = "ksm1_";
const VERSION: u8 = 1;
const BODY_LEN: usize = 1 + 16 + 16 + 32 + 16;
const LEN: usize = BODY_LEN + 4;

pub struct MachineToken {
    vault_id: uuid::Uuid,
    member_id: uuid::Uuid,
    secret: RecoveryKey,
    owner_pin: [u8; 16],
}

impl MachineToken {
    /// A new token for the machine `member_id` of `vault_id`, pinning `owner_signing_key`.
    pub(crate) fn generate(vault_id: &str, member_id: &str, owner_signing_key: &[u8]) -> Result<Self> {
        Ok(Self {
            vault_id: parse_id(vault_id)?,
            member_id: parse_id(member_id)?,
            secret: RecoveryKey::generate(),
            owner_pin: owner_pin(owner_signing_key),
        })
    }

    /// The printable form. It is a secret: show it once, never log it.
    pub fn display(&self) -> Zeroizing<String> {
        let mut payload = Zeroizing::new(Vec::with_capacity(LEN));
        payload.push(VERSION);
        payload.extend_from_slice(self.vault_id.as_bytes());
        payload.extend_from_slice(self.member_id.as_bytes());
        payload.extend_from_slice(self.secret.secret_bytes());
        payload.extend_from_slice(&self.owner_pin);
        let sum = checksum(&payload);
        payload.extend_from_slice(&sum);
        let mut out = Zeroizing::new(String::from(PREFIX));
        out.push_str(&Zeroizing::new(BASE64URL_NOPAD.encode(&payload)));
        out
    }

    /// Reads a token back; surrounding whitespace (a trailing newline from a secrets store) is
    /// ignored. Each way it can be wrong is said in one line, never with the token in it.
    pub fn parse(text: &str) -> Result<Self> {
        let malformed = |reason| Error::MalformedToken { reason };
        let body = text.trim().strip_prefix(PREFIX).ok_or(malformed(
            "this is not a Keyshelf machine token (they start with ksm1_)",
        ))?;
        let decoded = Zeroizing::new(
            BASE64URL_NOPAD
                .decode(body.as_bytes())
                .map_err(|_| malformed("the machine token is truncated or contains characters it cannot hold"))?,
        );
        if decoded.len() < LEN {
            return Err(malformed("the machine token is truncated"));
        }
        if decoded.len() > LEN {
            return Err(malformed("the machine token is too long (two tokens pasted together?)"));
        }
        if checksum(&decoded[..BODY_LEN]) != decoded[BODY_LEN..] {
            return Err(malformed(
                "the machine token's checksum does not match (altered or mistyped)",
            ));
        }
        if decoded[0] != VERSION {
            return Err(malformed("the machine token is of a version this build does not read"));
        }
        let id = |range: std::ops::Range<usize>| uuid::Uuid::from_slice(&decoded[range]).unwrap_or_default();
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&decoded[33..65]);
        let mut owner_pin = [0u8; 16];
        owner_pin.copy_from_slice(&decoded[65..81]);
        Ok(Self {
            vault_id: id(1..17),
            member_id: id(17..33),
            secret: RecoveryKey::from_secret(secret),
            owner_pin,
        })
    }

    pub fn vault_id(&self) -> String {
        self.vault_id.hyphenated().to_string()
    }

    pub fn member_id(&self) -> String {
        self.member_id.hyphenated().to_string()
    }

    /// Whether `owner_signing_key` is the owner this token pins.
    pub(crate) fn pins(&self, owner_signing_key: &[u8]) -> bool {
        owner_pin(owner_signing_key) == self.owner_pin
    }

    /// The secret as the recovery key of the machine's account: it opens the `recovery` envelope.
    pub(crate) fn account_secret(&self) -> &RecoveryKey {
        &self.secret
    }
}

impl std::fmt::Debug for MachineToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MachineToken(<redacted>)")
    }
}

fn parse_id(id: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| Error::Corrupt {
        context: format!("{id:?} is not an id"),
    })
}

fn owner_pin(owner_signing_key: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(owner_signing_key);
    let mut pin = [0u8; 16];
    pin.copy_from_slice(&digest[..16]);
    pin
}

fn checksum(bytes: &[u8]) -> [u8; 4] {
    let digest = Sha256::digest(bytes);
    [digest[0], digest[1], digest[2], digest[3]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VAULT: &str = "0b6f6d1e-8a52-4a55-9f0e-2f1f3c6c9a01";
    const MEMBER: &str = "5d2c7c43-1b7e-4b8e-a0a4-9c1f6a1d2e77";

    fn token() -> MachineToken {
        MachineToken::generate(VAULT, MEMBER, b"owner signing key").expect("token")
    }

    fn reason(text: &str) -> &'static str {
        match MachineToken::parse(text) {
            Err(Error::MalformedToken { reason }) => reason,
            other => panic!("expected a malformed token, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_keeps_ids_pin_and_secret() {
        let token = token();
        let shown = token.display();
        assert!(shown.starts_with("ksm1_"), "{}", &shown[..5]);
        let back = MachineToken::parse(&format!("  {}\n", &*shown)).expect("parses");
        assert_eq!(
            (back.vault_id(), back.member_id()),
            (VAULT.to_owned(), MEMBER.to_owned())
        );
        assert!(back.pins(b"owner signing key") && !back.pins(b"someone else"));
        assert_eq!(back.secret.secret_bytes(), token.secret.secret_bytes());
        assert_eq!(*back.display(), *shown);
    }

    #[test]
    fn truncated_tampered_and_foreign_tokens_say_which() {
        let shown = token().display();
        assert!(reason(&shown[..shown.len() - 3]).contains("truncated"));
        assert!(reason(&shown[..20]).contains("truncated"));
        let mut chars: Vec<char> = shown.chars().collect();
        chars[30] = if chars[30] == 'A' { 'B' } else { 'A' };
        assert!(reason(&chars.into_iter().collect::<String>()).contains("checksum"));
        assert!(reason("KSR1-AAAA").contains("not a Keyshelf machine token"));
        assert!(reason("").contains("not a Keyshelf machine token"));
        assert!(reason("ksm1_!!!!").contains("truncated or contains"));
        assert!(reason(&format!("{}{}", &*shown, &shown[5..])).contains("too long"));
    }

    #[test]
    fn debug_is_redacted() {
        let token = token();
        let debug = format!("{token:?}");
        assert_eq!(debug, "MachineToken(<redacted>)");
        assert!(!token.display().contains(&debug));
    }

    proptest! {
        #[test]
        fn any_vault_member_and_pin_round_trip(vault in any::<u128>(), member in any::<u128>(), owner in proptest::collection::vec(any::<u8>(), 0..64)) {
            let (vault, member) = (uuid::Uuid::from_u128(vault).to_string(), uuid::Uuid::from_u128(member).to_string());
            let token = MachineToken::generate(&vault, &member, &owner).expect("token");
            let back = MachineToken::parse(&token.display()).expect("parses");
            prop_assert_eq!(back.vault_id(), vault);
            prop_assert_eq!(back.member_id(), member);
            prop_assert!(back.pins(&owner));
            prop_assert_eq!(back.secret.secret_bytes(), token.secret.secret_bytes());
        }

        #[test]
        fn any_single_change_is_caught(position in 5usize..114, replacement in "[A-Za-z0-9_-]") {
            let shown = token().display();
            let mut chars: Vec<char> = shown.chars().collect();
            prop_assume!(position < chars.len());
            let new = replacement.chars().next().unwrap_or('A');
            prop_assume!(chars[position] != new);
            chars[position] = new;
            let altered: String = chars.into_iter().collect();
            prop_assert!(MachineToken::parse(&altered).is_err());
        }

        #[test]
        fn parse_never_panics(text in ".{0,200}") {
            let _ = MachineToken::parse(&text);
            let _ = MachineToken::parse(&format!("ksm1_{text}"));
        }
    }
}
