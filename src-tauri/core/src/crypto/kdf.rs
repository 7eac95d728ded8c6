//! Argon2id passphrase stretching, with the parameters stored beside the envelope and a floor
//! that stored parameters must meet. A vault file edited to weaken the KDF is refused, not used.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::Kek;
use crate::error::{Error, Result};

pub const SALT_LEN: usize = 16;

/// Argon2id cost parameters. The defaults are also the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl KdfParams {
    /// OWASP's first recommended Argon2id setting, and our minimum: 64 MiB, 3 passes, 4 lanes.
    pub const FLOOR: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };

    /// Refuses parameters below the floor, and ones above 1 GiB, 16 passes or 16 lanes.
    pub fn check(self) -> Result<Self> {
        let floor = Self::FLOOR;
        // A tampered file must not make unlock allocate gigabytes or run for minutes either.
        if self.m_kib > 1024 * 1024 || self.t > 16 || self.p > 16 {
            return Err(Error::KdfTooCostly {
                m_kib: self.m_kib,
                t: self.t,
                p: self.p,
            });
        }
        if self.m_kib < floor.m_kib || self.t < floor.t || self.p < floor.p {
            return Err(Error::KdfTooWeak {
                m_kib: self.m_kib,
                t: self.t,
                p: self.p,
                min_m_kib: floor.m_kib,
                min_t: floor.t,
                min_p: floor.p,
            });
        }
        Ok(self)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::FLOOR
    }
}

/// Derives the key-encryption key from a passphrase. Checks the floor first.
pub fn derive_kek(passphrase: &[u8], salt: &[u8], params: KdfParams) -> Result<Kek> {
    let params = params.check()?;
    if passphrase.is_empty() {
        return Err(Error::EmptyPassphrase);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    // Parameters passed `check`; what remains is a malformed salt from an altered file.
    argon2id(passphrase, salt, params, &mut *out).map_err(|_| Error::Corrupt {
        context: "the passphrase envelope's salt is malformed".into(),
    })?;
    Ok(Kek::from_bytes(*out))
}

fn argon2id(passphrase: &[u8], salt: &[u8], params: KdfParams, out: &mut [u8]) -> Result<(), argon2::Error> {
    let params = Params::new(params.m_kib, params.t, params.p, Some(out.len()))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(passphrase, salt, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9106 section 5.3, the Argon2id test vector (it uses a secret and associated data,
    /// which our KDF does not, so it is checked against the primitive our KDF calls).
    #[test]
    fn rfc9106_argon2id_known_answer() {
        let params = argon2::ParamsBuilder::new()
            .m_cost(32)
            .t_cost(3)
            .p_cost(4)
            .output_len(32)
            .data(argon2::AssociatedData::new(&[4u8; 12]).expect("ad"))
            .build()
            .expect("params");
        let argon = Argon2::new_with_secret(&[3u8; 8], Algorithm::Argon2id, Version::V0x13, params).expect("argon2");
        let mut out = [0u8; 32];
        argon
            .hash_password_into(&[1u8; 32], &[2u8; 16], &mut out)
            .expect("hash");
        assert_eq!(
            hex::encode(out),
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
        );
    }

    /// Our exact configuration (Argon2id v1.3, no secret, no AD, 32-byte tag) against libargon2,
    /// the reference C implementation, through Python's argon2-cffi:
    /// `hash_secret_raw(b"password", b"somesaltsomesalt", 3, 65536, 4, 32, Type.ID)`.
    #[test]
    fn reference_implementation_known_answer() {
        let mut out = [0u8; 32];
        argon2id(b"password", b"somesaltsomesalt", KdfParams::FLOOR, &mut out).expect("hash");
        assert_eq!(
            hex::encode(out),
            "81db97a7e67a891784a2599bc879f957cb3512d273984bd97d8a18fc59ff01e2"
        );
    }

    #[test]
    fn floor_is_enforced_without_panicking() {
        for weak in [
            KdfParams {
                m_kib: 1024,
                t: 3,
                p: 4,
            },
            KdfParams {
                m_kib: 65536,
                t: 1,
                p: 4,
            },
            KdfParams {
                m_kib: 65536,
                t: 3,
                p: 1,
            },
            KdfParams { m_kib: 0, t: 0, p: 0 },
        ] {
            let err = derive_kek(b"pw", &[0; 16], weak).expect_err("must refuse");
            assert!(matches!(err, Error::KdfTooWeak { .. }), "{err}");
        }
        for costly in [
            KdfParams {
                m_kib: u32::MAX,
                t: 3,
                p: 4,
            },
            KdfParams {
                m_kib: 65536,
                t: 1000,
                p: 4,
            },
        ] {
            let err = derive_kek(b"pw", &[0; 16], costly).expect_err("must refuse");
            assert!(matches!(err, Error::KdfTooCostly { .. }), "{err}");
        }
    }

    #[test]
    fn same_input_same_key_different_salt_different_key() {
        let a = derive_kek(b"correct horse", &[1; 16], KdfParams::FLOOR).expect("kdf");
        let b = derive_kek(b"correct horse", &[1; 16], KdfParams::FLOOR).expect("kdf");
        let c = derive_kek(b"correct horse", &[2; 16], KdfParams::FLOOR).expect("kdf");
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
        assert!(matches!(
            derive_kek(b"", &[1; 16], KdfParams::FLOOR),
            Err(Error::EmptyPassphrase)
        ));
    }
}
