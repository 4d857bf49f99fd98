//! P-256 public keys as the app keeps them (65-byte uncompressed points), their fingerprints,
//! and ECDSA verification over a SHA-256 digest.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use super::der;

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

/// A key's fingerprint: lowercase hex SHA-256 of its 65-byte uncompressed point.
pub fn fingerprint(public_key: &[u8]) -> String {
    hex::encode(sha256(public_key))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    BadKey,
    BadEncoding(String),
    /// Well-formed, but not made by this key over this digest.
    Mismatch,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::BadKey => write!(f, "the public key is not a P-256 point"),
            VerifyError::BadEncoding(e) => write!(f, "the signature is malformed: {e}"),
            VerifyError::Mismatch => write!(f, "the signature does not match"),
        }
    }
}

/// Checks a DER ECDSA signature over a 32-byte digest with a P-256 public key. High-S
/// signatures (as real cards make them) are accepted: s is normalized first.
pub fn verify_digest(
    public_key: &[u8],
    digest: &[u8; 32],
    signature_der: &[u8],
) -> Result<(), VerifyError> {
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|_| VerifyError::BadKey)?;
    let (r, s) = der::decode_ecdsa_signature(signature_der)
        .map_err(|e| VerifyError::BadEncoding(e.to_string()))?;
    let sig = Signature::from_scalars(r, s)
        .map_err(|_| VerifyError::BadEncoding("r or s out of range".into()))?;
    let sig = sig.normalize_s();
    key.verify_prehash(digest, &sig)
        .map_err(|_| VerifyError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::ecdsa::SigningKey;

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
}
