//! A scope key's lineage: a public id for each key, and links that prove whoever made a new key
//! held the one before it.
//!
//! Each key yields a one-way token (HKDF); its id is the token's hash, so publishing the id says
//! nothing about the key. A rekey seals the previous key's token under the new key's token: a
//! holder of the newest key can walk back through every earlier token and check each against its
//! signed id, while nobody can forge a link to a key they never held. Tokens open no value, so a
//! member granted today learns nothing about values sealed under yesterday's key.

use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::keys::ScopeKey;
use super::{aead, Sealed};

/// The one-way token of a scope key: knowing it proves a member held the key.
pub struct KeyToken(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for KeyToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyToken(<redacted>)")
    }
}

impl ScopeKey {
    pub fn token(&self) -> KeyToken {
        let hk = Hkdf::<Sha256>::new(None, self.expose());
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's output limit.
        let _ = hk.expand(b"keyshelf/v1/scope-key-token", &mut *out);
        KeyToken(out)
    }

    /// The key's public id: what a signed key record names.
    pub fn id(&self) -> [u8; 32] {
        self.token().id()
    }

    /// A MAC of `message` under a key derived from this one (HMAC-SHA256 by way of HKDF-Expand):
    /// what only a holder of the scope key can make, for state that must not be forged.
    pub fn state_tag(&self, message: &[u8]) -> [u8; 32] {
        self.state_mac().tag(message)
    }

    /// The state MAC, derived once for many tags (a scope's every secret).
    pub fn state_mac(&self) -> StateMac {
        let hk = Hkdf::<Sha256>::new(None, self.expose());
        let mut mac_key = Zeroizing::new([0u8; 32]);
        let _ = hk.expand(b"keyshelf/v1/secret-state-key", &mut *mac_key);
        StateMac(Hkdf::<Sha256>::from_prk(&*mac_key).ok())
    }
}

/// [`ScopeKey::state_tag`] with its key derived once.
pub struct StateMac(Option<Hkdf<Sha256>>);

impl StateMac {
    pub fn tag(&self, message: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        // HKDF-Expand of one block is HMAC(mac_key, message || 0x01): a MAC of the message.
        if let Some(prf) = &self.0 {
            let _ = prf.expand(message, &mut out);
        }
        out
    }
}

impl KeyToken {
    pub fn id(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(b"keyshelf/v1/scope-key-id")
            .chain_update(*self.0)
            .finalize()
            .into()
    }

    /// Seals `previous` under this token: the link a key record carries.
    pub fn link(&self, previous: &KeyToken, aad: &[u8]) -> Sealed {
        aead::encrypt(&self.0, &*previous.0, aad)
    }

    /// Opens a link made by [`KeyToken::link`]; `None` if it was not made with this token.
    pub fn follow(&self, link: &Sealed, aad: &[u8]) -> Option<KeyToken> {
        let bytes = aead::decrypt(&self.0, link, aad)?;
        let array: [u8; 32] = bytes.as_slice().try_into().ok()?;
        Some(KeyToken(Zeroizing::new(array)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_walk_back_and_refuse_strangers() {
        let (old, new, stranger) = (ScopeKey::generate(), ScopeKey::generate(), ScopeKey::generate());
        let link = new.token().link(&old.token(), b"aad");
        let back = new.token().follow(&link, b"aad").expect("follows");
        assert_eq!(back.id(), old.id());
        assert!(stranger.token().follow(&link, b"aad").is_none());
        assert!(new.token().follow(&link, b"other").is_none());
        assert_ne!(old.id(), new.id());
        // The id is stable for a key and is not the key itself.
        assert_eq!(old.id(), old.id());
        assert_ne!(&old.id(), old.expose());
    }

    #[test]
    fn state_tags_depend_on_key_and_message() {
        let (a, b) = (ScopeKey::generate(), ScopeKey::generate());
        assert_eq!(a.state_tag(b"m"), a.state_tag(b"m"));
        assert_ne!(a.state_tag(b"m"), a.state_tag(b"n"));
        assert_ne!(a.state_tag(b"m"), b.state_tag(b"m"));
    }
}
