//! Just enough DER/BER-TLV: reading PIV data objects, walking an X.509 certificate to its
//! public key (P-256, P-384, RSA-2048), building the virtual card's small self-signed certificates, and the
//! ECDSA signature encoding (`SEQUENCE { INTEGER r, INTEGER s }`).

use std::fmt;

use super::keys::Algorithm;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerError(pub String);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, DerError> {
    Err(DerError(msg.into()))
}

pub const TAG_INTEGER: u32 = 0x02;
pub const TAG_BIT_STRING: u32 = 0x03;
pub const TAG_OID: u32 = 0x06;
pub const TAG_UTF8: u32 = 0x0C;
pub const TAG_UTC_TIME: u32 = 0x17;
pub const TAG_SEQUENCE: u32 = 0x30;
pub const TAG_SET: u32 = 0x31;

/// id-ecPublicKey 1.2.840.10045.2.1
pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// prime256v1 1.2.840.10045.3.1.7
pub const OID_PRIME256V1: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
/// ecdsa-with-SHA256 1.2.840.10045.4.3.2
pub const OID_ECDSA_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
/// commonName 2.5.4.3
pub const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

/// Reads one TLV: (tag, value, rest). Tags of several bytes (BER-TLV, as PIV uses) come back
/// as one number, e.g. `0x5FC105`.
pub fn read_tlv(input: &[u8]) -> Result<(u32, &[u8], &[u8]), DerError> {
    let mut i = 0;
    let first = *input.first().ok_or_else(|| DerError("no data".into()))?;
    let mut tag = first as u32;
    i += 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input
                .get(i)
                .ok_or_else(|| DerError("tag cut short".into()))?;
            tag = (tag << 8) | b as u32;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            if i > 3 {
                return err("tag longer than 3 bytes");
            }
        }
    }
    let l0 = *input
        .get(i)
        .ok_or_else(|| DerError("length missing".into()))?;
    i += 1;
    let len = if l0 < 0x80 {
        l0 as usize
    } else {
        let n = (l0 & 0x7F) as usize;
        if n == 0 || n > 3 {
            return err(format!("unsupported length form {l0:02X}"));
        }
        let bytes = input
            .get(i..i + n)
            .ok_or_else(|| DerError("length cut short".into()))?;
        i += n;
        bytes.iter().fold(0usize, |a, &b| (a << 8) | b as usize)
    };
    let value = input
        .get(i..i + len)
        .ok_or_else(|| DerError(format!("value of tag {tag:X} cut short")))?;
    Ok((tag, value, &input[i + len..]))
}

/// Reads one TLV and requires its tag.
pub fn expect_tlv(input: &[u8], tag: u32) -> Result<(&[u8], &[u8]), DerError> {
    let (t, v, rest) = read_tlv(input)?;
    if t != tag {
        return err(format!("expected tag {tag:X}, found {t:X}"));
    }
    Ok((v, rest))
}

/// The value of the first TLV with `tag` among a run of TLVs, if any.
pub fn find_tlv(mut input: &[u8], tag: u32) -> Result<Option<&[u8]>, DerError> {
    while !input.is_empty() {
        let (t, v, rest) = read_tlv(input)?;
        if t == tag {
            return Ok(Some(v));
        }
        input = rest;
    }
    Ok(None)
}

/// Encodes a length in DER form.
pub fn encode_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len < 0x1_0000 {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
}

/// One TLV; `tag` may have several bytes (`0x5FC105`).
pub fn tlv(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    let tb = tag.to_be_bytes();
    let skip = tb.iter().take_while(|&&b| b == 0).count().min(3);
    out.extend_from_slice(&tb[skip..]);
    encode_len(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(TAG_SEQUENCE, &parts.concat())
}

/// A DER INTEGER of an unsigned big-endian number.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut b: &[u8] = bytes;
    while b.len() > 1 && b[0] == 0 {
        b = &b[1..];
    }
    if b.is_empty() {
        return tlv(TAG_INTEGER, &[0]);
    }
    if b[0] & 0x80 != 0 {
        let mut v = vec![0];
        v.extend_from_slice(b);
        tlv(TAG_INTEGER, &v)
    } else {
        tlv(TAG_INTEGER, b)
    }
}

/// An unsigned DER INTEGER's value, left-padded to `width` bytes.
fn uint_value(v: &[u8], width: usize) -> Result<Vec<u8>, DerError> {
    if v.is_empty() {
        return err("empty INTEGER");
    }
    if v[0] & 0x80 != 0 {
        return err("negative INTEGER");
    }
    let mut b = v;
    while b.len() > 1 && b[0] == 0 {
        b = &b[1..];
    }
    if b.len() > width {
        return err("INTEGER too large");
    }
    let mut out = vec![0; width - b.len()];
    out.extend_from_slice(b);
    Ok(out)
}

/// `SEQUENCE { INTEGER r, INTEGER s }` from 32-byte r and s.
pub fn encode_ecdsa_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    seq(&[&uint(r), &uint(s)])
}

/// (r, s), each 32 bytes, from a DER ECDSA P-256 signature.
pub fn decode_ecdsa_signature(der: &[u8]) -> Result<([u8; 32], [u8; 32]), DerError> {
    decode_ecdsa_signature_n::<32>(der)
}

/// (r, s), each `N` bytes (32 for P-256, 48 for P-384), from a DER ECDSA signature.
pub fn decode_ecdsa_signature_n<const N: usize>(
    der: &[u8],
) -> Result<([u8; N], [u8; N]), DerError> {
    let (body, rest) = expect_tlv(der, TAG_SEQUENCE)?;
    if !rest.is_empty() {
        return err("bytes after the signature");
    }
    let (r, body) = expect_tlv(body, TAG_INTEGER)?;
    let (s, body) = expect_tlv(body, TAG_INTEGER)?;
    if !body.is_empty() {
        return err("extra fields in the signature");
    }
    let mut ro = [0u8; N];
    let mut so = [0u8; N];
    ro.copy_from_slice(&uint_value(r, N)?);
    so.copy_from_slice(&uint_value(s, N)?);
    Ok((ro, so))
}

/// rsaEncryption 1.2.840.113549.1.1.1
pub const OID_RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
/// sha256WithRSAEncryption 1.2.840.113549.1.1.11
pub const OID_SHA256_RSA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
/// secp384r1 1.3.132.0.34
pub const OID_SECP384R1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x22];
/// secp521r1 1.3.132.0.35
pub const OID_SECP521R1: &[u8] = &[0x2B, 0x81, 0x04, 0x00, 0x23];
/// Ed25519 1.3.101.112, X25519 1.3.101.110
pub const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];
pub const OID_X25519: &[u8] = &[0x2B, 0x65, 0x6E];

/// Why a certificate's key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Malformed(DerError),
    /// A well-formed key of an algorithm the app does not support (named).
    Unsupported(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Malformed(e) => write!(f, "{e}"),
            KeyError::Unsupported(a) => write!(
                f,
                "its key is {a}; supported are ECC P-256, ECC P-384 and RSA-2048"
            ),
        }
    }
}

impl From<DerError> for KeyError {
    fn from(e: DerError) -> Self {
        KeyError::Malformed(e)
    }
}

/// The DER `SubjectPublicKeyInfo` of a certificate.
pub fn certificate_spki(cert: &[u8]) -> Result<&[u8], DerError> {
    let (certificate, _) = expect_tlv(cert, TAG_SEQUENCE)?;
    let (tbs, _) = expect_tlv(certificate, TAG_SEQUENCE)?;
    let mut rest = tbs;
    // version [0] EXPLICIT, optional
    let (t, _, r) = read_tlv(rest)?;
    if t == 0xA0 {
        rest = r;
    }
    let (_, rest) = expect_tlv(rest, TAG_INTEGER)?; // serialNumber
    let (_, rest) = expect_tlv(rest, TAG_SEQUENCE)?; // signature algorithm
    let (_, rest) = expect_tlv(rest, TAG_SEQUENCE)?; // issuer
    let (_, rest) = expect_tlv(rest, TAG_SEQUENCE)?; // validity
    let (_, rest) = expect_tlv(rest, TAG_SEQUENCE)?; // subject
    let (spki, _) = expect_tlv(rest, TAG_SEQUENCE)?;
    Ok(spki)
}

/// The algorithm and the stored form of a certificate's public key (see `keys`).
pub fn certificate_key(cert: &[u8]) -> Result<(Algorithm, Vec<u8>), KeyError> {
    spki_key(certificate_spki(cert)?)
}

/// The algorithm and stored form of a `SubjectPublicKeyInfo`'s key (its contents, without
/// the outer SEQUENCE header).
pub fn spki_key(spki: &[u8]) -> Result<(Algorithm, Vec<u8>), KeyError> {
    let (alg, rest) = expect_tlv(spki, TAG_SEQUENCE)?;
    let (oid, alg_rest) = expect_tlv(alg, TAG_OID)?;
    let (bits, _) = expect_tlv(rest, TAG_BIT_STRING)?;
    let key = match bits {
        [0, key @ ..] => key,
        _ => return Err(DerError("bad public key bit string".into()).into()),
    };
    if oid == OID_EC_PUBLIC_KEY {
        let (curve, _) = expect_tlv(alg_rest, TAG_OID)
            .map_err(|_| DerError("the certificate's key names no curve".into()))?;
        let (alg, len, name) = if curve == OID_PRIME256V1 {
            (Algorithm::EccP256, 65, "ECC P-256")
        } else if curve == OID_SECP384R1 {
            (Algorithm::EccP384, 97, "ECC P-384")
        } else if curve == OID_SECP521R1 {
            return Err(KeyError::Unsupported("ECC P-521".into()));
        } else {
            return Err(KeyError::Unsupported(format!(
                "ECC on curve {}",
                oid_text(curve)
            )));
        };
        if key.len() != len || key[0] != 0x04 {
            return Err(DerError(format!("the {name} key is not an uncompressed point")).into());
        }
        return Ok((alg, key.to_vec()));
    }
    if oid == OID_RSA_ENCRYPTION {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        let (body, _) = expect_tlv(key, TAG_SEQUENCE)?;
        let (n, _) = expect_tlv(body, TAG_INTEGER)?;
        let n = match n {
            [0, rest @ ..] => rest,
            n => n,
        };
        let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
        if bits != 2048 {
            return Err(KeyError::Unsupported(format!("RSA-{bits}")));
        }
        if Algorithm::of_key(key) != Some(Algorithm::Rsa2048) {
            return Err(DerError("the RSA key does not decode".into()).into());
        }
        return Ok((Algorithm::Rsa2048, key.to_vec()));
    }
    if oid == OID_ED25519 {
        return Err(KeyError::Unsupported("Ed25519".into()));
    }
    if oid == OID_X25519 {
        return Err(KeyError::Unsupported("X25519".into()));
    }
    Err(KeyError::Unsupported(format!(
        "algorithm {}",
        oid_text(oid)
    )))
}

/// An OID in dotted form, for messages.
pub fn oid_text(oid: &[u8]) -> String {
    let Some(&first) = oid.first() else {
        return String::new();
    };
    let mut parts = vec![
        (first / 40).min(2) as u64,
        (first as u64) - 40 * (first / 40).min(2) as u64,
    ];
    let mut acc = 0u64;
    for &b in &oid[1..] {
        acc = (acc << 7) | (b & 0x7F) as u64;
        if b & 0x80 == 0 {
            parts.push(acc);
            acc = 0;
        }
    }
    parts
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The DER `SubjectPublicKeyInfo` of a stored public key.
pub fn spki(alg: Algorithm, public_key: &[u8]) -> Vec<u8> {
    let mut key_bits = vec![0u8];
    key_bits.extend_from_slice(public_key);
    let alg_id = match alg {
        Algorithm::EccP256 => seq(&[
            &tlv(TAG_OID, OID_EC_PUBLIC_KEY),
            &tlv(TAG_OID, OID_PRIME256V1),
        ]),
        Algorithm::EccP384 => seq(&[
            &tlv(TAG_OID, OID_EC_PUBLIC_KEY),
            &tlv(TAG_OID, OID_SECP384R1),
        ]),
        Algorithm::Rsa2048 => seq(&[&tlv(TAG_OID, OID_RSA_ENCRYPTION), &[0x05, 0x00]]),
    };
    seq(&[&alg_id, &tlv(TAG_BIT_STRING, &key_bits)])
}

/// The signature AlgorithmIdentifier of a certificate signed over SHA-256 by a key of `alg`.
fn signature_alg(alg: Algorithm) -> Vec<u8> {
    match alg {
        Algorithm::EccP256 | Algorithm::EccP384 => seq(&[&tlv(TAG_OID, OID_ECDSA_SHA256)]),
        Algorithm::Rsa2048 => seq(&[&tlv(TAG_OID, OID_SHA256_RSA), &[0x05, 0x00]]),
    }
}

/// The 65-byte uncompressed P-256 point of a certificate's SubjectPublicKeyInfo.
pub fn certificate_p256_key(cert: &[u8]) -> Result<[u8; 65], DerError> {
    match certificate_key(cert) {
        Ok((Algorithm::EccP256, k)) => {
            let mut out = [0u8; 65];
            out.copy_from_slice(&k);
            Ok(out)
        }
        Ok((a, _)) => err(format!("the certificate's key is {a}, not P-256")),
        Err(e) => err(e.to_string()),
    }
}

/// The parts of a self-signed P-256 certificate before it is signed: the DER of
/// `tbsCertificate`.
pub fn tbs_certificate(serial: &[u8], common_name: &str, public_key: &[u8; 65]) -> Vec<u8> {
    tbs_certificate_for(serial, common_name, Algorithm::EccP256, public_key)
}

/// `tbsCertificate` of a self-signed certificate for a key of any supported algorithm, to be
/// signed over its SHA-256 by that same key; valid 2025-01-01 to 2049-12-31.
pub fn tbs_certificate_for(
    serial: &[u8],
    common_name: &str,
    alg: Algorithm,
    public_key: &[u8],
) -> Vec<u8> {
    let name = seq(&[&tlv(
        TAG_SET,
        &seq(&[
            &tlv(TAG_OID, OID_COMMON_NAME),
            &tlv(TAG_UTF8, common_name.as_bytes()),
        ]),
    )]);
    let validity = seq(&[
        &tlv(TAG_UTC_TIME, b"250101000000Z"),
        &tlv(TAG_UTC_TIME, b"491231235959Z"),
    ]);
    let version = tlv(0xA0, &uint(&[2]));
    seq(&[
        &version,
        &uint(serial),
        &signature_alg(alg),
        &name,
        &validity,
        &name,
        &spki(alg, public_key),
    ])
}

/// The whole P-256 certificate from its `tbsCertificate` and the DER ECDSA signature over it.
pub fn certificate(tbs: &[u8], signature_der: &[u8]) -> Vec<u8> {
    certificate_for(Algorithm::EccP256, tbs, signature_der)
}

/// The whole certificate from its `tbsCertificate` and the signature over it.
pub fn certificate_for(alg: Algorithm, tbs: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut sig_bits = vec![0u8];
    sig_bits.extend_from_slice(signature);
    seq(&[tbs, &signature_alg(alg), &tlv(TAG_BIT_STRING, &sig_bits)])
}

/// The `tbsCertificate` bytes and signature of a certificate (to check a self-signature).
pub fn certificate_parts(cert: &[u8]) -> Result<(&[u8], &[u8]), DerError> {
    let (certificate, _) = expect_tlv(cert, TAG_SEQUENCE)?;
    // The tbs as encoded, tag and length included.
    let (_, _, after_tbs) = read_tlv(certificate)?;
    let tbs = &certificate[..certificate.len() - after_tbs.len()];
    let (_, rest) = expect_tlv(after_tbs, TAG_SEQUENCE)?;
    let (bits, _) = expect_tlv(rest, TAG_BIT_STRING)?;
    match bits {
        [0, sig @ ..] => Ok((tbs, sig)),
        _ => err("bad signature bit string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_multibyte_tags() {
        let long = vec![7u8; 300];
        let enc = tlv(0x53, &long);
        assert_eq!(&enc[..4], &[0x53, 0x82, 0x01, 0x2C]);
        let (t, v, rest) = read_tlv(&enc).unwrap();
        assert_eq!((t, v.len(), rest.len()), (0x53, 300, 0));
        let enc = tlv(0x5FC105, &[1, 2]);
        assert_eq!(enc, vec![0x5F, 0xC1, 0x05, 2, 1, 2]);
        assert_eq!(read_tlv(&enc).unwrap().0, 0x5FC105);
        assert!(read_tlv(&[0x30, 0x05, 1]).is_err());
        assert!(read_tlv(&[]).is_err());
    }

    #[test]
    fn ecdsa_signature_round_trip() {
        let mut r = [0u8; 32];
        r[31] = 5;
        let mut s = [0xFFu8; 32];
        s[0] = 0x80;
        let der = encode_ecdsa_signature(&r, &s);
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x05]);
        assert_eq!(decode_ecdsa_signature(&der).unwrap(), (r, s));
        assert!(decode_ecdsa_signature(&der[..der.len() - 1]).is_err());
    }

    #[test]
    fn certificate_key_round_trip() {
        let mut key = [0x11u8; 65];
        key[0] = 4;
        let tbs = tbs_certificate(&[0x81, 2, 3], "test", &key);
        let cert = certificate(&tbs, &[0x30, 0]);
        assert_eq!(certificate_p256_key(&cert).unwrap(), key);
        let (t, sig) = certificate_parts(&cert).unwrap();
        assert_eq!(t, &tbs[..]);
        assert_eq!(sig, &[0x30, 0]);
        // An RSA key is refused.
        let bad = cert
            .windows(OID_EC_PUBLIC_KEY.len())
            .position(|w| w == OID_EC_PUBLIC_KEY)
            .unwrap();
        let mut rsa = cert.clone();
        rsa[bad + 6] = 0x09;
        assert!(certificate_p256_key(&rsa).is_err());
    }
}
