//! Ed25519 signatures over grants and audit entries, so that rows forged by someone with write
//! access to the vault file (but no member's key) are detected.

use ed25519_dalek::{Signature, Signer, VerifyingKey};

use super::keys::Identity;

pub fn sign(identity: &Identity, message: &[u8]) -> Vec<u8> {
    identity.signing.sign(message).to_bytes().to_vec()
}

/// Strict verification (rejects malleable and small-order forms). False on any malformed input.
pub fn verify(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(public) = <[u8; 32]>::try_from(public) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&public) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reject() {
        let id = Identity::generate();
        let sig = sign(&id, b"grant");
        assert!(verify(&id.signing_public(), b"grant", &sig));
        assert!(!verify(&id.signing_public(), b"grans", &sig));
        assert!(!verify(&Identity::generate().signing_public(), b"grant", &sig));
        assert!(!verify(&id.signing_public(), b"grant", &sig[..63]));
        assert!(!verify(&[0u8; 5], b"grant", &sig));
    }
}
