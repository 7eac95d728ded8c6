//! Cryptography: every primitive Keyshelf uses, behind types that say what each key is for.
//!
//! The hierarchy (docs/ARCHITECTURE.md has the picture):
//! passphrase --Argon2id--> [`Kek`] --unwraps--> [`AccountKey`] --opens--> member identity
//! ([`Identity`]: X25519 for sealed grants, Ed25519 for signatures); a [`ScopeKey`] per
//! project x environment is sealed to each member's X25519 key; values are XChaCha20-Poly1305
//! under the scope key with an AAD that names the row.
//!
//! A machine's token ([`MachineToken`]) carries a recovery-key-like secret for its account.
//!
//! Keys are distinct types, so the compiler refuses a scope key where an account key belongs.
//! None is `Copy`, `Clone`, `Serialize` or printable: `Debug` says `<redacted>`, and the bytes
//! are zeroized on drop.

pub mod aead;
pub mod kdf;
pub mod keys;
pub mod lineage;
pub mod recovery;
pub mod sealing;
pub mod signing;
pub mod token;

pub use aead::Sealed;
pub use kdf::KdfParams;
pub use keys::{AccountKey, Identity, Kek, Plaintext, ScopeKey};
pub use lineage::{KeyToken, StateMac};
pub use recovery::RecoveryKey;
pub use token::MachineToken;

/// Builds associated data from labelled parts. Each part is length-prefixed so that
/// ("ab", "c") and ("a", "bc") can never produce the same bytes.
pub fn aad(domain: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(domain.len() + parts.iter().map(|p| p.len() + 4).sum::<usize>() + 4);
    for part in std::iter::once(domain.as_bytes()).chain(parts.iter().copied()) {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// Fills a fresh array from the OS CSPRNG.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use rand_core::RngCore;
    let mut out = [0u8; N];
    rand_core::OsRng.fill_bytes(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::aad;

    #[test]
    fn aad_parts_are_unambiguous() {
        assert_ne!(aad("d", &[b"ab", b"c"]), aad("d", &[b"a", b"bc"]));
        assert_ne!(aad("d1", &[b"x"]), aad("d", &[b"1x"]));
    }
}
