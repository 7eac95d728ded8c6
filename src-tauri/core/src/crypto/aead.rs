//! XChaCha20-Poly1305 with a fresh 24-byte random nonce per encryption and AAD that names the row.
//!
//! 192-bit random nonces make collisions negligible without a counter to keep in sync across
//! devices sharing one vault file.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

pub const NONCE_LEN: usize = 24;

/// Nonce and ciphertext (with its 16-byte tag), as stored in two columns.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.ciphertext.len())
    }
}

/// Encrypts `plaintext` under `key`, binding `aad`.
pub fn encrypt(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Sealed {
    let nonce: [u8; NONCE_LEN] = super::random_bytes();
    let ciphertext = encrypt_with_nonce(key, &nonce, plaintext, aad);
    Sealed {
        nonce: nonce.to_vec(),
        ciphertext,
    }
}

/// Deterministic encryption for known-answer tests; production code always uses [`encrypt`].
pub(crate) fn encrypt_with_nonce(key: &[u8; 32], nonce: &[u8; NONCE_LEN], plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    // Encryption only fails for inputs beyond 256 GiB, far above any limit we accept.
    cipher
        .encrypt(XNonce::from_slice(nonce), Payload { msg: plaintext, aad })
        .unwrap_or_default()
}

/// Decrypts and authenticates. `None` on any failure: wrong key, wrong AAD (a moved row),
/// a flipped bit, or a malformed nonce. Callers turn `None` into an error naming the row.
pub fn decrypt(key: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.nonce.len() != NONCE_LEN {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(
            XNonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).expect("test vector hex")
    }

    /// Test vector A.3.1 of draft-irtf-cfrg-xchacha-03 (the XChaCha20-Poly1305 AEAD).
    #[test]
    fn known_answer_draft_irtf_cfrg_xchacha() {
        let key: [u8; 32] = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
            .try_into()
            .expect("32");
        let nonce: [u8; 24] = unhex("404142434445464748494a4b4c4d4e4f5051525354555657")
            .try_into()
            .expect("24");
        let aad = unhex("50515253c0c1c2c3c4c5c6c7");
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let expected = unhex(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
             731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
             2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
             21f9664c97637da9768812f615c68b13b52e
             c0875924c1c7987947deafd8780acf49",
        );
        let ct = encrypt_with_nonce(&key, &nonce, plaintext, &aad);
        assert_eq!(ct, expected);
        let sealed = Sealed {
            nonce: nonce.to_vec(),
            ciphertext: ct,
        };
        assert_eq!(decrypt(&key, &sealed, &aad).expect("opens").as_slice(), plaintext);
    }

    /// Wycheproof-style negative cases: every single-bit flip of tag, ciphertext, nonce or AAD fails.
    #[test]
    fn any_bit_flip_fails() {
        let key = [7u8; 32];
        let aad = b"row-1";
        let sealed = encrypt(&key, b"sk-abcdef", aad);
        for i in 0..sealed.ciphertext.len() * 8 {
            let mut bad = sealed.clone();
            bad.ciphertext[i / 8] ^= 1 << (i % 8);
            assert!(decrypt(&key, &bad, aad).is_none(), "ciphertext bit {i}");
        }
        for i in 0..NONCE_LEN * 8 {
            let mut bad = sealed.clone();
            bad.nonce[i / 8] ^= 1 << (i % 8);
            assert!(decrypt(&key, &bad, aad).is_none(), "nonce bit {i}");
        }
        assert!(decrypt(&key, &sealed, b"row-2").is_none());
        assert!(decrypt(&[8u8; 32], &sealed, aad).is_none());
        let truncated = Sealed {
            nonce: sealed.nonce.clone(),
            ciphertext: sealed.ciphertext[..15].to_vec(),
        };
        assert!(decrypt(&key, &truncated, aad).is_none());
        let short_nonce = Sealed {
            nonce: vec![0; 12],
            ciphertext: sealed.ciphertext.clone(),
        };
        assert!(decrypt(&key, &short_nonce, aad).is_none());
    }

    proptest! {
        #[test]
        fn round_trip(key in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..2048),
                      aad in proptest::collection::vec(any::<u8>(), 0..64), other in proptest::collection::vec(any::<u8>(), 0..64)) {
            let sealed = encrypt(&key, &msg, &aad);
            prop_assert_eq!(sealed.ciphertext.len(), msg.len() + 16);
            let opened = decrypt(&key, &sealed, &aad);
            prop_assert_eq!(opened.as_deref().map(|v| v.as_slice()), Some(msg.as_slice()));
            if other != aad {
                prop_assert!(decrypt(&key, &sealed, &other).is_none());
            }
        }
    }
}
