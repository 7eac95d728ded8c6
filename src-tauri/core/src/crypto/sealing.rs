//! Sealed boxes: a scope key encrypted to one member's X25519 public key, openable only with
//! that member's secret key. libsodium's `crypto_box_seal` construction (ephemeral X25519 +
//! XSalsa20-Poly1305) through the `crypto_box` crate, so grants interoperate with libsodium.

use zeroize::Zeroizing;

use super::keys::{Identity, ScopeKey};

/// Seals `key` to the holder of `recipient_public` (an X25519 public key).
pub fn seal_scope_key(recipient_public: &[u8; 32], key: &ScopeKey) -> Vec<u8> {
    let public = crypto_box::PublicKey::from(*recipient_public);
    // Sealing fails only on allocation errors in the AEAD; an empty result then fails to open,
    // which surfaces as a tampered grant rather than a panic.
    public.seal(&mut rand_core::OsRng, key.expose()).unwrap_or_default()
}

/// Opens a sealed scope key. `None` when it was not sealed to this identity or was altered.
pub fn open_scope_key(identity: &Identity, sealed: &[u8]) -> Option<ScopeKey> {
    let opened = Zeroizing::new(identity.sealing.unseal(sealed).ok()?);
    ScopeKey::from_slice(&opened)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_the_recipient_opens() {
        let alice = Identity::generate();
        let mallory = Identity::generate();
        let key = ScopeKey::generate();
        let sealed = seal_scope_key(&alice.sealing_public(), &key);
        assert_eq!(open_scope_key(&alice, &sealed).expect("opens").expose(), key.expose());
        assert!(open_scope_key(&mallory, &sealed).is_none());
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(open_scope_key(&alice, &bad).is_none());
        assert!(open_scope_key(&alice, &[]).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn seal_round_trip(bytes in any::<[u8; 32]>()) {
            let id = Identity::generate();
            let key = ScopeKey::from_bytes(bytes);
            let sealed = seal_scope_key(&id.sealing_public(), &key);
            prop_assert_eq!(open_scope_key(&id, &sealed).map(|k| *k.expose()), Some(bytes));
        }
    }
}
