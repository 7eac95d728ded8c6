//! Key and plaintext types. Each wraps zeroizing storage and refuses to be printed.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

macro_rules! symmetric_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(Zeroizing<[u8; 32]>);

        impl $name {
            /// A fresh random key from the OS CSPRNG.
            pub fn generate() -> Self {
                Self(Zeroizing::new(super::random_bytes::<32>()))
            }

            /// Wraps existing key bytes (from an unwrapped envelope or the keychain).
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(Zeroizing::new(bytes))
            }

            /// Takes key bytes from a slice, zeroizing the caller's copy is the caller's job.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                let arr: [u8; 32] = bytes.try_into().ok()?;
                Some(Self::from_bytes(arr))
            }

            /// The raw bytes: for the code of this module only. The rest of the core seals and
            /// opens with the key ([`Self::seal`], [`Self::open`]) and never holds its bytes.
            #[allow(dead_code)] // not every key type needs its bytes outside its tests
            pub(in crate::crypto) fn expose(&self) -> &[u8; 32] {
                &self.0
            }

            /// Encrypts `plaintext` under this key (XChaCha20-Poly1305, a fresh random nonce),
            /// bound to `aad`.
            pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> super::Sealed {
                super::aead::encrypt(&self.0, plaintext, aad)
            }

            /// Decrypts what [`Self::seal`] made with the same `aad`; `None` when it does not
            /// authenticate (another key, another row, an edited byte).
            pub fn open(&self, sealed: &super::Sealed, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
                super::aead::decrypt(&self.0, sealed, aad)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

symmetric_key!(
    /// Key-encryption key derived from a passphrase (Argon2id) or a recovery key (HKDF).
    /// It only ever wraps or unwraps an [`AccountKey`].
    Kek
);
symmetric_key!(
    /// A member's random 32-byte account key. Cached in the OS keychain; encrypts the
    /// member's identity secrets.
    AccountKey
);

impl Kek {
    /// Wraps an account key (a key envelope), bound to `aad`.
    pub fn wrap(&self, key: &AccountKey, aad: &[u8]) -> super::Sealed {
        self.seal(key.expose(), aad)
    }

    /// Unwraps what [`Kek::wrap`] made; `None` when it does not authenticate.
    pub fn unwrap(&self, sealed: &super::Sealed, aad: &[u8]) -> Option<AccountKey> {
        self.open(sealed, aad).and_then(|bytes| AccountKey::from_slice(&bytes))
    }
}

impl AccountKey {
    /// The key's bytes for the OS keychain, the one place they leave this module: the keychain
    /// caches the account key so that unlocking needs no passphrase.
    pub fn keychain_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(*self.0)
    }
}
symmetric_key!(
    /// The random 32-byte key of one project x environment. Encrypts secret values and notes.
    ScopeKey
);

/// A member's private identity: X25519 for opening sealed grants, Ed25519 for signing.
pub struct Identity {
    pub(crate) sealing: crypto_box::SecretKey,
    pub(crate) signing: ed25519_dalek::SigningKey,
}

impl Identity {
    pub fn generate() -> Self {
        let seal_bytes = Zeroizing::new(super::random_bytes::<32>());
        let sign_bytes = Zeroizing::new(super::random_bytes::<32>());
        Self {
            sealing: crypto_box::SecretKey::from(*seal_bytes),
            signing: ed25519_dalek::SigningKey::from_bytes(&sign_bytes),
        }
    }

    /// 64 bytes: X25519 secret then Ed25519 secret, for encryption under the account key.
    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(64));
        out.extend_from_slice(&self.sealing.to_bytes());
        out.extend_from_slice(self.signing.as_bytes());
        out
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 64 {
            return None;
        }
        let mut seal = [0u8; 32];
        let mut sign = [0u8; 32];
        seal.copy_from_slice(&bytes[..32]);
        sign.copy_from_slice(&bytes[32..]);
        let identity = Self {
            sealing: crypto_box::SecretKey::from(seal),
            signing: ed25519_dalek::SigningKey::from_bytes(&sign),
        };
        seal.zeroize();
        sign.zeroize();
        Some(identity)
    }

    pub fn sealing_public(&self) -> [u8; 32] {
        *self.sealing.public_key().as_bytes()
    }

    pub fn signing_public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// A short, human-comparable fingerprint of both public keys.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.sealing_public(), &self.signing_public())
    }
}

/// Fingerprint of a member's public keys: the first 10 bytes of SHA-256 over both, in groups.
pub fn fingerprint(sealing_public: &[u8], signing_public: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(sealing_public)
        .chain_update(signing_public)
        .finalize();
    let hex = hex::encode(&digest[..10]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(":")
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Identity(<redacted>)")
    }
}

/// A decrypted secret value. Zeroized on drop; `Debug` never shows it.
pub struct Plaintext(Zeroizing<Vec<u8>>);

impl Plaintext {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Zeroizing<Vec<u8>>> for Plaintext {
    fn from(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for Plaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plaintext(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_key_material() {
        let key = ScopeKey::from_bytes([0xAB; 32]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "ScopeKey(<redacted>)");
        assert!(!shown.to_lowercase().contains("ab, ab"));
        let p = Plaintext::new(b"sk-live-123".to_vec());
        assert!(!format!("{p:?}").contains("sk-live"));
        assert!(!format!("{:?}", Identity::generate()).contains('['));
    }

    #[test]
    fn identity_bytes_round_trip() {
        let id = Identity::generate();
        let back = Identity::from_bytes(&id.to_bytes()).expect("64 bytes");
        assert_eq!(id.sealing_public(), back.sealing_public());
        assert_eq!(id.signing_public(), back.signing_public());
        assert!(Identity::from_bytes(&[0u8; 63]).is_none());
    }

    #[test]
    fn fingerprint_is_grouped_hex() {
        let fp = fingerprint(&[1; 32], &[2; 32]);
        assert_eq!(fp.len(), 24);
        assert_eq!(fp.matches(':').count(), 4);
    }
}
