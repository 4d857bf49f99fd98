//! Public keys as the app keeps them, their fingerprints, and signature verification over a
//! SHA-256 digest. Three key algorithms are supported, told apart by the stored bytes:
//!
//! | algorithm | stored as | signature |
//! |---|---|---|
//! | ECC P-256 | 65-byte uncompressed point (04 x y) | DER ECDSA |
//! | ECC P-384 | 97-byte uncompressed point | DER ECDSA over the 32-byte digest |
//! | RSA-2048  | DER `RSAPublicKey` (PKCS#1) | PKCS#1 v1.5 with SHA-256's DigestInfo |

use std::fmt;

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

use super::der;

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

/// A key's fingerprint: lowercase hex SHA-256 of its stored form (for P-256, the 65-byte
/// uncompressed point).
pub fn fingerprint(public_key: &[u8]) -> String {
    hex::encode(sha256(public_key))
}

/// The key algorithms the app binds; PIV's cryptographic mechanism identifiers
/// (SP 800-78-4 table 6-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    EccP256,
    EccP384,
    Rsa2048,
}

impl Algorithm {
    pub const ALL: [Algorithm; 3] = [Algorithm::EccP256, Algorithm::EccP384, Algorithm::Rsa2048];

    pub fn piv_id(self) -> u8 {
        match self {
            Algorithm::EccP256 => 0x11,
            Algorithm::EccP384 => 0x14,
            Algorithm::Rsa2048 => 0x07,
        }
    }

    pub fn from_piv_id(id: u8) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.piv_id() == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EccP256 => "ECC P-256",
            Algorithm::EccP384 => "ECC P-384",
            Algorithm::Rsa2048 => "RSA-2048",
        }
    }

    /// The algorithm of a stored public key, `None` when it is none of the three.
    pub fn of_key(public_key: &[u8]) -> Option<Algorithm> {
        match public_key {
            [0x04, rest @ ..] if rest.len() == 64 => Some(Algorithm::EccP256),
            [0x04, rest @ ..] if rest.len() == 96 => Some(Algorithm::EccP384),
            [0x30, ..] => rsa::PublicKey::from_pkcs1_der(public_key)
                .ok()
                .filter(|k| k.n().bit_width() == 2048)
                .map(|_| Algorithm::Rsa2048),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    BadKey,
    BadEncoding(String),
    /// Well-formed, but not made by this key over this digest.
    Mismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::BadKey => write!(f, "the public key is not a supported key"),
            VerifyError::BadEncoding(e) => write!(f, "the signature is malformed: {e}"),
            VerifyError::Mismatch => write!(f, "the signature does not match"),
        }
    }
}

/// The DER `DigestInfo` prefix of SHA-256 (RFC 8017 §9.2 note 1); the 32-byte digest follows.
pub const SHA256_DIGEST_INFO: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The PKCS#1 v1.5 signature block (EMSA-PKCS1-v1_5) of a SHA-256 digest for a modulus of
/// `len` bytes: `00 01 FF .. FF 00 DigestInfo digest`. A PIV card applies its raw RSA to it.
pub fn pkcs1_v15_block(digest: &[u8; 32], len: usize) -> Vec<u8> {
    let t_len = SHA256_DIGEST_INFO.len() + 32;
    let mut out = vec![0x00, 0x01];
    out.resize(len - t_len - 1, 0xFF);
    out.push(0x00);
    out.extend_from_slice(SHA256_DIGEST_INFO);
    out.extend_from_slice(digest);
    out
}

/// Checks a signature over a 32-byte SHA-256 digest with a stored public key (any of the
/// three algorithms). ECDSA: high-S signatures (as real cards make them) are accepted.
pub fn verify_digest(
    public_key: &[u8],
    digest: &[u8; 32],
    signature: &[u8],
) -> Result<(), VerifyError> {
    match Algorithm::of_key(public_key).ok_or(VerifyError::BadKey)? {
        Algorithm::EccP256 => {
            use p256::ecdsa::{Signature, VerifyingKey};
            let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| VerifyError::BadKey)?;
            let (r, s) = der::decode_ecdsa_signature(signature)
                .map_err(|e| VerifyError::BadEncoding(e.to_string()))?;
            let sig = Signature::from_scalars(r, s)
                .map_err(|_| VerifyError::BadEncoding("r or s out of range".into()))?;
            key.verify_prehash(digest, &sig.normalize_s())
                .map_err(|_| VerifyError::Mismatch)
        }
        Algorithm::EccP384 => {
            use p384::ecdsa::{Signature, VerifyingKey};
            let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| VerifyError::BadKey)?;
            let (r, s) = der::decode_ecdsa_signature_n::<48>(signature)
                .map_err(|e| VerifyError::BadEncoding(e.to_string()))?;
            let sig = Signature::from_scalars(r, s)
                .map_err(|_| VerifyError::BadEncoding("r or s out of range".into()))?;
            key.verify_prehash(digest, &sig.normalize_s())
                .map_err(|_| VerifyError::Mismatch)
        }
        Algorithm::Rsa2048 => {
            let key =
                rsa::PublicKey::from_pkcs1_der(public_key).map_err(|_| VerifyError::BadKey)?;
            if signature.len() != 256 {
                return Err(VerifyError::BadEncoding(format!(
                    "an RSA-2048 signature has 256 bytes, not {}",
                    signature.len()
                )));
            }
            let mut t = SHA256_DIGEST_INFO.to_vec();
            t.extend_from_slice(digest);
            key.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &t, signature)
                .map_err(|_| VerifyError::Mismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::ecdsa::{Signature, SigningKey};

    fn key() -> SigningKey {
        SigningKey::from_slice(&sha256(b"test key")).unwrap()
    }

    fn der_of(sig: &Signature) -> Vec<u8> {
        let (r, s) = sig.split_bytes();
        der::encode_ecdsa_signature(&r, &s)
    }

    #[test]
    fn verifies_low_and_high_s() {
        let sk = key();
        let public = sk.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        assert_eq!(public.len(), 65);
        assert_eq!(Algorithm::of_key(&public), Some(Algorithm::EccP256));
        let digest = sha256(b"approve refund 1");
        let sig: Signature = sk.sign_prehash(&digest).unwrap();
        // The other of the two valid s values, n - s.
        let neg_s = -*sig.s().as_ref();
        let flipped = Signature::from_scalars(sig.r().to_bytes(), neg_s.to_bytes()).unwrap();
        assert_ne!(der_of(&sig), der_of(&flipped));
        assert_eq!(verify_digest(&public, &digest, &der_of(&sig)), Ok(()));
        assert_eq!(verify_digest(&public, &digest, &der_of(&flipped)), Ok(()));
        let other = sha256(b"approve refund 2");
        assert_eq!(
            verify_digest(&public, &other, &der_of(&sig)),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify_digest(&public[..64], &digest, &der_of(&sig)),
            Err(VerifyError::BadKey)
        );
        assert!(matches!(
            verify_digest(&public, &digest, &[0x30, 0]),
            Err(VerifyError::BadEncoding(_))
        ));
        assert_eq!(fingerprint(&public).len(), 64);
    }

    #[test]
    fn verifies_p384() {
        use p384::ecdsa::SigningKey as Sk384;
        let sk = Sk384::from_slice(&[7u8; 48]).unwrap();
        let public = sk.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        assert_eq!(Algorithm::of_key(&public), Some(Algorithm::EccP384));
        let digest = sha256(b"p384");
        let sig: p384::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let (r, s) = sig.split_bytes();
        let der = der::encode_ecdsa_signature(&r, &s);
        assert_eq!(verify_digest(&public, &digest, &der), Ok(()));
        assert_eq!(
            verify_digest(&public, &sha256(b"other"), &der),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn pkcs1_block_layout() {
        let b = pkcs1_v15_block(&[0xAB; 32], 256);
        assert_eq!(b.len(), 256);
        assert_eq!(&b[..3], &[0, 1, 0xFF]);
        assert_eq!(b[256 - 52], 0);
        assert_eq!(&b[256 - 51..256 - 32], SHA256_DIGEST_INFO);
    }
}
