//! The PIV commands of NIST SP 800-73-4 the app needs: SELECT, VERIFY, CHANGE REFERENCE DATA,
//! RESET RETRY COUNTER, GET DATA and PUT DATA, GENERAL AUTHENTICATE (signatures with
//! ECC P-256, P-384 and RSA-2048; the management key's challenge-response), GENERATE
//! ASYMMETRIC KEY PAIR; and what is built of them: reading a card's identity, proving that
//! it holds the keys of its certificates, and setting up a blank card.
//!
//! Every function that sends more than one command expects to run inside one card
//! transaction (`transport::in_transaction`); the `*_session` helpers at the end open it.

use std::fmt;
use std::io::Read;

use rand::RngCore;

use super::apdu::{Apdu, Response, StatusWord};
use super::der;
use super::keys::{self, Algorithm};
use super::mgmt::{self, MgmtAlgorithm};
use super::transport::{exchange, in_transaction, Transport, TransportError};

/// The PIV application identifier with its version (SP 800-73-4 part 1 §2.2):
/// A0 00 00 03 08 (NIST RID, PIX 00 00 10 00) and version 01 00. SELECT sends it whole; a card
/// also accepts its right-truncated 9-byte form [`PIV_AID_TRUNCATED`], and nothing shorter.
pub const PIV_AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
];
/// The PIV AID without its version bytes.
pub const PIV_AID_TRUNCATED: &[u8] = &[0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00];

pub const INS_SELECT: u8 = 0xA4;
pub const INS_VERIFY: u8 = 0x20;
pub const INS_CHANGE_REFERENCE_DATA: u8 = 0x24;
pub const INS_RESET_RETRY_COUNTER: u8 = 0x2C;
pub const INS_GENERATE_KEY_PAIR: u8 = 0x47;
pub const INS_GET_DATA: u8 = 0xCB;
pub const INS_PUT_DATA: u8 = 0xDB;
pub const INS_GENERAL_AUTHENTICATE: u8 = 0x87;
/// YubiKey extensions (also in Nitrokey's piv-authenticator): SET MANAGEMENT KEY, GET
/// METADATA, GET SERIAL, GET VERSION.
pub const INS_YK_SET_MANAGEMENT_KEY: u8 = 0xFF;
pub const INS_YK_GET_METADATA: u8 = 0xF7;
pub const INS_YK_GET_SERIAL: u8 = 0xF8;
pub const INS_YK_GET_VERSION: u8 = 0xFD;

/// Key reference of the PIV card application PIN.
pub const PIN_REF: u8 = 0x80;
/// Key reference of the PIN unblocking key (PUK).
pub const PUK_REF: u8 = 0x81;
/// Key reference of the card management key.
pub const MGMT_REF: u8 = 0x9B;
/// Cryptographic mechanism: ECC curve P-256.
pub const ALG_ECC_P256: u8 = 0x11;
/// Card Holder Unique Identifier.
pub const OBJ_CHUID: u32 = 0x5FC102;
/// Card Capability Container.
pub const OBJ_CCC: u32 = 0x5FC107;
/// Discovery object.
pub const OBJ_DISCOVERY: u32 = 0x7E;

/// The PIN and PUK of a new card.
pub const DEFAULT_PIN: &str = "123456";
pub const DEFAULT_PUK: &str = "12345678";

/// The two key slots the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// 9A, PIV Authentication: login challenges.
    Authentication,
    /// 9C, Digital Signature: approvals; the PIN is needed right before every signature.
    Signature,
}

impl Slot {
    pub const BOTH: [Slot; 2] = [Slot::Authentication, Slot::Signature];

    pub fn key_ref(self) -> u8 {
        match self {
            Slot::Authentication => 0x9A,
            Slot::Signature => 0x9C,
        }
    }

    /// The data object holding the slot's certificate.
    pub fn certificate_object(self) -> u32 {
        match self {
            Slot::Authentication => 0x5FC105,
            Slot::Signature => 0x5FC10A,
        }
    }

    pub fn from_key_ref(r: u8) -> Option<Slot> {
        match r {
            0x9A => Some(Slot::Authentication),
            0x9C => Some(Slot::Signature),
            _ => None,
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X}", self.key_ref())
    }
}

/// What can go wrong talking to a PIV card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardError {
    Transport(TransportError),
    /// The card has no PIV application.
    NotPiv,
    /// Wrong PIN (63Cx).
    WrongPin {
        tries_left: u8,
    },
    /// The PIN is blocked (6983): it needs the PUK or an administrator.
    PinBlocked,
    /// The PIN is not 6 to 8 characters, so it was not sent.
    BadPinFormat,
    /// The card refused the PIN's format (6A80 on VERIFY: e.g. a card that wants digits only
    /// or a longer PIN).
    PinFormatRefused,
    /// The card wants the PIN first (6982).
    PinRequired,
    /// Wrong PUK (63Cx on RESET RETRY COUNTER).
    WrongPuk {
        tries_left: u8,
    },
    /// The PUK is blocked too: only a reset of the PIV application helps.
    PukBlocked,
    /// The management key was refused.
    WrongManagementKey,
    /// The operation needs the management key first (6982 on PUT DATA or GENERATE).
    ManagementKeyRequired,
    /// The slot holds no certificate.
    NoCertificate(Slot),
    BadCertificate(Slot, String),
    /// The certificate's key is of an algorithm the app does not support (named).
    UnsupportedAlgorithm(Slot, String),
    /// The card's key in the slot is not the key of the slot's certificate.
    KeyMismatch(Slot),
    BadResponse(String),
    /// Any other status word, with the command that got it.
    Status {
        command: &'static str,
        sw: StatusWord,
    },
    /// The card's signature does not verify with the expected key: another card.
    BadSignature,
}

impl From<TransportError> for CardError {
    fn from(e: TransportError) -> Self {
        CardError::Transport(e)
    }
}

impl CardError {
    /// The card is gone (pulled, or the exchange broke off): the caller may wait for it.
    pub fn is_removal(&self) -> bool {
        matches!(
            self,
            CardError::Transport(
                TransportError::CardRemoved
                    | TransportError::NotTransacted
                    | TransportError::NoCard
            )
        )
    }

    /// The slots are empty: the card can be set up (`setup`).
    pub fn needs_setup(&self) -> bool {
        matches!(self, CardError::NoCertificate(_))
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardError::Transport(e) => write!(f, "{e}"),
            CardError::NotPiv => write!(f, "the card has no PIV application"),
            CardError::WrongPin { tries_left } => {
                write!(f, "wrong PIN, {tries_left} tries left")
            }
            CardError::PinBlocked => write!(f, "the card's PIN is blocked"),
            CardError::BadPinFormat => write!(f, "the PIN must be 6 to 8 characters"),
            CardError::PinFormatRefused => {
                write!(f, "the card does not accept a PIN of this form")
            }
            CardError::PinRequired => write!(f, "the card needs the PIN first"),
            CardError::WrongPuk { tries_left } => {
                write!(f, "wrong PUK, {tries_left} tries left")
            }
            CardError::PukBlocked => write!(f, "the card's PUK is blocked"),
            CardError::WrongManagementKey => write!(f, "the management key is wrong"),
            CardError::ManagementKeyRequired => {
                write!(f, "the card needs the management key first")
            }
            CardError::NoCertificate(s) => write!(f, "the card has no certificate in slot {s}"),
            CardError::BadCertificate(s, e) => {
                write!(f, "the certificate in slot {s} is not usable: {e}")
            }
            CardError::UnsupportedAlgorithm(s, a) => write!(
                f,
                "the key in slot {s} is {a}; supported are ECC P-256, ECC P-384 and RSA-2048"
            ),
            CardError::KeyMismatch(s) => write!(
                f,
                "the certificate in slot {s} does not belong to the card's key in that slot"
            ),
            CardError::BadResponse(e) => write!(f, "the card answered oddly: {e}"),
            CardError::Status { command, sw } => write!(f, "{command}: {sw}"),
            CardError::BadSignature => {
                write!(f, "the card's signature does not match the bound key")
            }
        }
    }
}

impl std::error::Error for CardError {}

pub type CardResult<T> = Result<T, CardError>;

fn run(t: &mut dyn Transport, command: &'static str, apdu: &Apdu) -> CardResult<Response> {
    let r = exchange(t, apdu)?;
    match r.sw {
        StatusWord::Success => Ok(r),
        StatusWord::AuthBlocked => Err(CardError::PinBlocked),
        StatusWord::SecurityStatusNotSatisfied => Err(CardError::PinRequired),
        sw => Err(CardError::Status { command, sw }),
    }
}

/// SELECT the PIV application by its full AID; a card that does not know the version bytes
/// gets the 9-byte right-truncated form next (SP 800-73-4 part 2 §3.1.1 allows both).
/// SELECT starts every operation, so a `CardRemoved` left over from a card pulled and put
/// back since the last one is retried once (then the card answers, or `NoCard`).
pub fn select(t: &mut dyn Transport) -> CardResult<()> {
    let apdu = Apdu::new(INS_SELECT).params(0x04, 0x00).data(PIV_AID).le(0);
    let result = match run(t, "SELECT", &apdu) {
        Err(CardError::Transport(TransportError::CardRemoved)) => run(t, "SELECT", &apdu),
        other => other,
    };
    let result = match result {
        Err(CardError::Status {
            sw: StatusWord::NotFound,
            ..
        }) => {
            let short = Apdu::new(INS_SELECT)
                .params(0x04, 0x00)
                .data(PIV_AID_TRUNCATED)
                .le(0);
            run(t, "SELECT", &short)
        }
        other => other,
    };
    match result {
        Err(CardError::Status {
            sw: StatusWord::NotFound,
            ..
        }) => Err(CardError::NotPiv),
        other => other.map(|_| ()),
    }
}

/// The PIN as VERIFY sends it: its bytes, padded with FF to 8.
pub fn pin_block(pin: &str) -> CardResult<[u8; 8]> {
    let b = pin.as_bytes();
    if !(6..=8).contains(&b.len()) || !pin.is_ascii() {
        return Err(CardError::BadPinFormat);
    }
    let mut out = [0xFFu8; 8];
    out[..b.len()].copy_from_slice(b);
    Ok(out)
}

/// VERIFY the PIN (key reference 80). A wrong PIN reports the tries left, a blocked one
/// `PinBlocked`, a PIN the card does not accept the form of (6A80) `PinFormatRefused`.
pub fn verify_pin(t: &mut dyn Transport, pin: &str) -> CardResult<()> {
    let block = pin_block(pin)?;
    let apdu = Apdu::new(INS_VERIFY)
        .params(0x00, PIN_REF)
        .data(block.to_vec());
    let r = exchange(t, &apdu)?;
    match r.sw {
        StatusWord::Success => Ok(()),
        StatusWord::VerifyFailed { tries_left: 0 } | StatusWord::AuthBlocked => {
            Err(CardError::PinBlocked)
        }
        StatusWord::VerifyFailed { tries_left } => Err(CardError::WrongPin { tries_left }),
        StatusWord::IncorrectData | StatusWord::WrongLength => Err(CardError::PinFormatRefused),
        sw => Err(CardError::Status {
            command: "VERIFY",
            sw,
        }),
    }
}

/// The PIN tries left without trying one (VERIFY with no data); `None` when the PIN is
/// verified in this session already.
pub fn pin_tries_left(t: &mut dyn Transport) -> CardResult<Option<u8>> {
    let apdu = Apdu::new(INS_VERIFY).params(0x00, PIN_REF);
    let r = exchange(t, &apdu)?;
    match r.sw {
        StatusWord::Success => Ok(None),
        StatusWord::VerifyFailed { tries_left } => Ok(Some(tries_left)),
        StatusWord::AuthBlocked => Ok(Some(0)),
        sw => Err(CardError::Status {
            command: "VERIFY",
            sw,
        }),
    }
}

fn reference_data(
    t: &mut dyn Transport,
    ins: u8,
    command: &'static str,
    key_ref: u8,
    first: &str,
    second: &str,
) -> CardResult<()> {
    let mut data = pin_block(first)?.to_vec();
    data.extend(pin_block(second)?);
    let r = exchange(t, &Apdu::new(ins).params(0x00, key_ref).data(data))?;
    let puk = ins == INS_RESET_RETRY_COUNTER || key_ref == PUK_REF;
    match r.sw {
        StatusWord::Success => Ok(()),
        StatusWord::VerifyFailed { tries_left: 0 } | StatusWord::AuthBlocked if puk => {
            Err(CardError::PukBlocked)
        }
        StatusWord::VerifyFailed { tries_left: 0 } | StatusWord::AuthBlocked => {
            Err(CardError::PinBlocked)
        }
        StatusWord::VerifyFailed { tries_left } if puk => Err(CardError::WrongPuk { tries_left }),
        StatusWord::VerifyFailed { tries_left } => Err(CardError::WrongPin { tries_left }),
        StatusWord::IncorrectData | StatusWord::WrongLength => Err(CardError::PinFormatRefused),
        sw => Err(CardError::Status { command, sw }),
    }
}

/// CHANGE REFERENCE DATA of the PIN: the old PIN, then the new one.
pub fn change_pin(t: &mut dyn Transport, old: &str, new: &str) -> CardResult<()> {
    reference_data(
        t,
        INS_CHANGE_REFERENCE_DATA,
        "CHANGE REFERENCE DATA",
        PIN_REF,
        old,
        new,
    )
}

/// CHANGE REFERENCE DATA of the PUK.
pub fn change_puk(t: &mut dyn Transport, old: &str, new: &str) -> CardResult<()> {
    reference_data(
        t,
        INS_CHANGE_REFERENCE_DATA,
        "CHANGE REFERENCE DATA",
        PUK_REF,
        old,
        new,
    )
}

/// RESET RETRY COUNTER: unblocks the PIN with the PUK and sets a new PIN.
pub fn unblock_pin(t: &mut dyn Transport, puk: &str, new_pin: &str) -> CardResult<()> {
    reference_data(
        t,
        INS_RESET_RETRY_COUNTER,
        "RESET RETRY COUNTER",
        PIN_REF,
        puk,
        new_pin,
    )
}

/// GET DATA of one data object; returns the contents of its `53` wrapper. `Ok(None)` when the
/// card does not have the object.
pub fn get_data(t: &mut dyn Transport, object: u32) -> CardResult<Option<Vec<u8>>> {
    let tag = object_tag(object);
    let apdu = Apdu::new(INS_GET_DATA)
        .params(0x3F, 0xFF)
        .data(der::tlv(0x5C, &tag))
        .le(0);
    let r = match run(t, "GET DATA", &apdu) {
        Err(CardError::Status {
            sw: StatusWord::NotFound,
            ..
        }) => return Ok(None),
        other => other?,
    };
    let outer = if object == OBJ_DISCOVERY { 0x7E } else { 0x53 };
    let (v, _) = der::expect_tlv(&r.data, outer)
        .map_err(|e| CardError::BadResponse(format!("GET DATA {object:06X}: {e}")))?;
    if v.is_empty() {
        return Ok(None);
    }
    Ok(Some(v.to_vec()))
}

fn object_tag(object: u32) -> Vec<u8> {
    let b = object.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count().min(3);
    b[skip..].to_vec()
}

/// PUT DATA of one data object (`body` goes inside its `53` wrapper; chained when long).
/// Needs the management key.
pub fn put_data(t: &mut dyn Transport, object: u32, body: &[u8]) -> CardResult<()> {
    let mut data = der::tlv(0x5C, &object_tag(object));
    data.extend(der::tlv(0x53, body));
    let apdu = Apdu::new(INS_PUT_DATA).params(0x3F, 0xFF).data(data);
    match run(t, "PUT DATA", &apdu) {
        Err(CardError::PinRequired) => Err(CardError::ManagementKeyRequired),
        other => other.map(|_| ()),
    }
}

/// The DER certificate of a slot; a gzip-compressed one (`71 01`) comes back decompressed.
pub fn read_certificate(t: &mut dyn Transport, slot: Slot) -> CardResult<Vec<u8>> {
    let obj = get_data(t, slot.certificate_object())?.ok_or(CardError::NoCertificate(slot))?;
    certificate_of_object(&obj, slot)
}

/// The DER certificate in a certificate object (`70` certificate, `71` CertInfo, `FE`),
/// inflated when CertInfo says it is gzip-compressed.
pub fn certificate_of_object(obj: &[u8], slot: Slot) -> CardResult<Vec<u8>> {
    let bad = |e: String| CardError::BadCertificate(slot, e);
    let cert = der::find_tlv(obj, 0x70)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no certificate in the object".into()))?;
    if cert.is_empty() {
        return Err(CardError::NoCertificate(slot));
    }
    if let Some(info) = der::find_tlv(obj, 0x71).map_err(|e| bad(e.to_string()))? {
        if info.first().is_some_and(|b| b & 0x01 != 0) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(cert)
                .take(64 * 1024)
                .read_to_end(&mut out)
                .map_err(|e| bad(format!("the compressed certificate does not inflate: {e}")))?;
            return Ok(out);
        }
    }
    Ok(cert.to_vec())
}

/// The certificate object of a slot as PUT DATA writes it: certificate, CertInfo (00, not
/// compressed), error detection code.
pub fn certificate_object(cert: &[u8]) -> Vec<u8> {
    [
        der::tlv(0x70, cert),
        der::tlv(0x71, &[0x00]),
        der::tlv(0xFE, &[]),
    ]
    .concat()
}

/// The algorithm and public key of a slot, from its certificate; a key of another algorithm
/// is refused with the algorithm named.
pub fn read_public_key(t: &mut dyn Transport, slot: Slot) -> CardResult<(Algorithm, Vec<u8>)> {
    let cert = read_certificate(t, slot)?;
    der::certificate_key(&cert).map_err(|e| match e {
        der::KeyError::Unsupported(a) => CardError::UnsupportedAlgorithm(slot, a),
        der::KeyError::Malformed(e) => CardError::BadCertificate(slot, e.to_string()),
    })
}

/// The CHUID's GUID when it has one that is not all zeros.
pub fn read_guid(t: &mut dyn Transport) -> CardResult<Option<[u8; 16]>> {
    let Some(chuid) = get_data(t, OBJ_CHUID)? else {
        return Ok(None);
    };
    let guid =
        der::find_tlv(&chuid, 0x34).map_err(|e| CardError::BadResponse(format!("CHUID: {e}")))?;
    Ok(match guid {
        Some(g) if g.len() == 16 && g.iter().any(|&b| b != 0) => {
            let mut out = [0u8; 16];
            out.copy_from_slice(g);
            Some(out)
        }
        _ => None,
    })
}

/// The card's identity for binding: the CHUID's GUID (32 hex digits) when present and not
/// zero, else `KEY-` and the fingerprint of the 9A key. Never a hash of a certificate, which
/// changes when a certificate is renewed for the same key.
pub fn serial_of(guid: Option<[u8; 16]>, auth_key: &[u8]) -> String {
    match guid {
        Some(g) => hex::encode_upper(g),
        None => format!("KEY-{}", keys::fingerprint(auth_key)),
    }
}

/// The serial (see [`serial_of`]); reads the 9A certificate only when there is no GUID.
pub fn read_serial(t: &mut dyn Transport) -> CardResult<String> {
    if let Some(g) = read_guid(t)? {
        return Ok(serial_of(Some(g), &[]));
    }
    let (_, key) = read_public_key(t, Slot::Authentication)?;
    Ok(serial_of(None, &key))
}

/// The command data GENERAL AUTHENTICATE signs for a key of `alg` over a SHA-256 digest:
/// ECC the digest itself, RSA-2048 its PKCS#1 v1.5 block (the card does raw RSA).
pub fn signature_input(alg: Algorithm, digest: &[u8; 32]) -> Vec<u8> {
    match alg {
        Algorithm::EccP256 | Algorithm::EccP384 => digest.to_vec(),
        Algorithm::Rsa2048 => keys::pkcs1_v15_block(digest, 256),
    }
}

/// GENERAL AUTHENTICATE: the key in `slot` (of algorithm `alg`) signs a SHA-256 digest;
/// returns the DER ECDSA signature or the 256-byte RSA signature.
pub fn general_authenticate_with(
    t: &mut dyn Transport,
    alg: Algorithm,
    slot: Slot,
    digest: &[u8; 32],
) -> CardResult<Vec<u8>> {
    let mut inner = vec![0x82, 0x00];
    inner.extend(der::tlv(0x81, &signature_input(alg, digest)));
    let apdu = Apdu::new(INS_GENERAL_AUTHENTICATE)
        .params(alg.piv_id(), slot.key_ref())
        .data(der::tlv(0x7C, &inner))
        .le(0);
    let r = run(t, "GENERAL AUTHENTICATE", &apdu)?;
    let bad = |e: String| CardError::BadResponse(format!("GENERAL AUTHENTICATE: {e}"));
    let (template, _) = der::expect_tlv(&r.data, 0x7C).map_err(|e| bad(e.to_string()))?;
    let sig = der::find_tlv(template, 0x82)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no signature (82) in the answer".into()))?;
    match alg {
        Algorithm::EccP256 => der::decode_ecdsa_signature(sig)
            .map(|_| ())
            .map_err(|e| bad(e.to_string()))?,
        Algorithm::EccP384 => der::decode_ecdsa_signature_n::<48>(sig)
            .map(|_| ())
            .map_err(|e| bad(e.to_string()))?,
        Algorithm::Rsa2048 if sig.len() != 256 => {
            return Err(bad(format!("an RSA signature of {} bytes", sig.len())))
        }
        Algorithm::Rsa2048 => {}
    }
    Ok(sig.to_vec())
}

/// GENERAL AUTHENTICATE with ECC P-256 over a 32-byte digest; the DER ECDSA signature.
pub fn general_authenticate(
    t: &mut dyn Transport,
    slot: Slot,
    digest: &[u8; 32],
) -> CardResult<Vec<u8>> {
    general_authenticate_with(t, Algorithm::EccP256, slot, digest)
}

/// What binding reads from a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardIdentity {
    pub serial: String,
    pub auth_alg: Algorithm,
    pub auth_key: Vec<u8>,
    pub sign_alg: Algorithm,
    pub sign_key: Vec<u8>,
}

impl CardIdentity {
    /// The public key of a slot.
    pub fn key(&self, slot: Slot) -> Vec<u8> {
        match slot {
            Slot::Authentication => self.auth_key.clone(),
            Slot::Signature => self.sign_key.clone(),
        }
    }

    pub fn auth_fpr(&self) -> String {
        keys::fingerprint(&self.auth_key)
    }
    pub fn sign_fpr(&self) -> String {
        keys::fingerprint(&self.sign_key)
    }
}

/// SELECT, then the serial and both slots' public keys. Needs no PIN.
pub fn read_identity(t: &mut dyn Transport) -> CardResult<CardIdentity> {
    select(t)?;
    let guid = read_guid(t)?;
    let (auth_alg, auth_key) = read_public_key(t, Slot::Authentication)?;
    let (sign_alg, sign_key) = read_public_key(t, Slot::Signature)?;
    Ok(CardIdentity {
        serial: serial_of(guid, &auth_key),
        auth_alg,
        auth_key,
        sign_alg,
        sign_key,
    })
}

/// Proves the card holds the keys of its certificates: VERIFY the PIN, 9A signs a fresh
/// random challenge, VERIFY again (9C wants it right before every signature), 9C signs
/// another; both are checked with the certificates' keys (`KeyMismatch` names the slot).
pub fn prove_possession(t: &mut dyn Transport, pin: &str, id: &CardIdentity) -> CardResult<()> {
    for (slot, alg, key) in [
        (Slot::Authentication, id.auth_alg, &id.auth_key),
        (Slot::Signature, id.sign_alg, &id.sign_key),
    ] {
        let mut challenge = [0u8; 32];
        rand::rng().fill_bytes(&mut challenge);
        verify_pin(t, pin)?;
        let sig = match general_authenticate_with(t, alg, slot, &challenge) {
            // No key in the slot, or one of another algorithm than the certificate's.
            Err(CardError::Status {
                sw:
                    StatusWord::ReferenceNotFound
                    | StatusWord::IncorrectP1P2
                    | StatusWord::IncorrectData
                    | StatusWord::NotFound,
                ..
            }) => return Err(CardError::KeyMismatch(slot)),
            other => other?,
        };
        keys::verify_digest(key, &challenge, &sig).map_err(|_| CardError::KeyMismatch(slot))?;
    }
    Ok(())
}

/// SELECT, VERIFY the PIN, then have `slot` sign `digest`, and check the signature with
/// `expected_key` (whose algorithm says how to sign), all in one card transaction. Returns
/// the signature.
pub fn sign_with_pin(
    t: &mut dyn Transport,
    pin: &str,
    slot: Slot,
    digest: &[u8; 32],
    expected_key: &[u8],
) -> CardResult<Vec<u8>> {
    let alg = Algorithm::of_key(expected_key)
        .ok_or_else(|| CardError::BadResponse("the bound key is of no known algorithm".into()))?;
    in_transaction(t, |t| {
        select(t)?;
        verify_pin(t, pin)?;
        let sig = general_authenticate_with(t, alg, slot, digest)?;
        keys::verify_digest(expected_key, digest, &sig).map_err(|_| CardError::BadSignature)?;
        Ok(sig)
    })
}

// ---- the management key and setting up a card ----

/// GET METADATA of the management key (YubiKey 5.3+): its algorithm, when the card says.
fn management_key_algorithm(t: &mut dyn Transport) -> Option<MgmtAlgorithm> {
    let apdu = Apdu::new(INS_YK_GET_METADATA).params(0x00, MGMT_REF).le(0);
    let r = exchange(t, &apdu).ok()?;
    if r.sw != StatusWord::Success {
        return None;
    }
    let alg = der::find_tlv(&r.data, 0x01).ok().flatten()?;
    MgmtAlgorithm::from_piv_id(*alg.first()?)
}

/// Authenticates with the management key (mutual authentication: the card's witness
/// decrypted, the card encrypts our challenge back). The algorithm is asked of the card where
/// it tells (GET METADATA), else tried by the key's length (24 bytes: 3DES, then AES-192).
pub fn authenticate_management_key(t: &mut dyn Transport, key: &[u8]) -> CardResult<MgmtAlgorithm> {
    let candidates = match management_key_algorithm(t) {
        Some(a) if a.key_len() == key.len() => vec![a],
        Some(_) => return Err(CardError::WrongManagementKey),
        None => MgmtAlgorithm::candidates(key.len()),
    };
    if candidates.is_empty() {
        return Err(CardError::WrongManagementKey);
    }
    let mut last = CardError::WrongManagementKey;
    for alg in candidates {
        match mutual_auth(t, alg, key) {
            Ok(()) => return Ok(alg),
            // Not this card's algorithm: try the next.
            Err(
                e @ CardError::Status {
                    sw:
                        StatusWord::IncorrectP1P2
                        | StatusWord::IncorrectData
                        | StatusWord::ReferenceNotFound
                        | StatusWord::WrongLength,
                    ..
                },
            ) => last = e,
            Err(CardError::PinRequired) | Err(CardError::WrongManagementKey) => {
                last = CardError::WrongManagementKey
            }
            Err(e) => return Err(e),
        }
        // A failed attempt may leave the card in the middle of the protocol: start anew.
        select(t)?;
    }
    Err(match last {
        CardError::Status { .. } => CardError::WrongManagementKey,
        e => e,
    })
}

fn mutual_auth(t: &mut dyn Transport, alg: MgmtAlgorithm, key: &[u8]) -> CardResult<()> {
    let ga = |data: Vec<u8>| {
        Apdu::new(INS_GENERAL_AUTHENTICATE)
            .params(alg.piv_id(), MGMT_REF)
            .data(der::tlv(0x7C, &data))
            .le(0)
    };
    let bad = |e: String| CardError::BadResponse(format!("management key: {e}"));
    let r = run(t, "GENERAL AUTHENTICATE", &ga(vec![0x80, 0x00]))?;
    let (tpl, _) = der::expect_tlv(&r.data, 0x7C).map_err(|e| bad(e.to_string()))?;
    let witness = der::find_tlv(tpl, 0x80)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no witness".into()))?;
    let plain = mgmt::crypt_block(alg, key, witness, false)
        .ok_or_else(|| bad(format!("a witness of {} bytes", witness.len())))?;
    let mut challenge = vec![0u8; alg.block_len()];
    rand::rng().fill_bytes(&mut challenge);
    let mut data = der::tlv(0x80, &plain);
    data.extend(der::tlv(0x81, &challenge));
    let r = run(t, "GENERAL AUTHENTICATE", &ga(data))?;
    let (tpl, _) = der::expect_tlv(&r.data, 0x7C).map_err(|e| bad(e.to_string()))?;
    let response = der::find_tlv(tpl, 0x82)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no response".into()))?;
    let expected = mgmt::crypt_block(alg, key, &challenge, true).expect("lengths checked");
    if response != expected.as_slice() {
        // The card knows a key we do not: not the card it claims to be.
        return Err(bad("the card's answer to our challenge is wrong".into()));
    }
    Ok(())
}

/// Sets a new management key (the YubiKey extension SET MANAGEMENT KEY, which Nitrokey's
/// PIV implements too). Needs the management key authenticated first.
pub fn set_management_key(t: &mut dyn Transport, alg: MgmtAlgorithm, key: &[u8]) -> CardResult<()> {
    if key.len() != alg.key_len() {
        return Err(CardError::WrongManagementKey);
    }
    let mut data = vec![alg.piv_id(), MGMT_REF, key.len() as u8];
    data.extend_from_slice(key);
    let apdu = Apdu::new(INS_YK_SET_MANAGEMENT_KEY)
        .params(0xFF, 0xFF)
        .data(data);
    match run(t, "SET MANAGEMENT KEY", &apdu) {
        Err(CardError::PinRequired) => Err(CardError::ManagementKeyRequired),
        other => other.map(|_| ()),
    }
}

/// GENERATE ASYMMETRIC KEY PAIR in `slot`; returns the new public key in its stored form.
/// Needs the management key authenticated first.
pub fn generate_key(t: &mut dyn Transport, slot: Slot, alg: Algorithm) -> CardResult<Vec<u8>> {
    let template = der::tlv(0xAC, &der::tlv(0x80, &[alg.piv_id()]));
    let apdu = Apdu::new(INS_GENERATE_KEY_PAIR)
        .params(0x00, slot.key_ref())
        .data(template)
        .le(0);
    let r = match run(t, "GENERATE ASYMMETRIC KEY PAIR", &apdu) {
        Err(CardError::PinRequired) => return Err(CardError::ManagementKeyRequired),
        other => other?,
    };
    let bad = |e: String| CardError::BadResponse(format!("GENERATE ASYMMETRIC KEY PAIR: {e}"));
    let (body, _) = der::expect_tlv(&r.data, 0x7F49).map_err(|e| bad(e.to_string()))?;
    match alg {
        Algorithm::EccP256 | Algorithm::EccP384 => {
            let point = der::find_tlv(body, 0x86)
                .map_err(|e| bad(e.to_string()))?
                .ok_or_else(|| bad("no point (86)".into()))?;
            if Algorithm::of_key(point) != Some(alg) {
                return Err(bad(format!("a point of {} bytes", point.len())));
            }
            Ok(point.to_vec())
        }
        Algorithm::Rsa2048 => {
            let n = der::find_tlv(body, 0x81)
                .map_err(|e| bad(e.to_string()))?
                .ok_or_else(|| bad("no modulus (81)".into()))?;
            let e = der::find_tlv(body, 0x82)
                .map_err(|e| bad(e.to_string()))?
                .ok_or_else(|| bad("no exponent (82)".into()))?;
            let key = der::tlv(der::TAG_SEQUENCE, &[der::uint(n), der::uint(e)].concat());
            if Algorithm::of_key(&key) != Some(Algorithm::Rsa2048) {
                return Err(bad("not an RSA-2048 key".into()));
            }
            Ok(key)
        }
    }
}

/// A CHUID with `guid`, as `yubico-piv-tool -a set-chuid` writes one: a FASC-N of the
/// "non-federal issuer" form, the GUID, an expiry date, an empty issuer signature.
pub fn chuid_object(guid: &[u8; 16]) -> Vec<u8> {
    const FASCN: [u8; 25] = [
        0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE, 0x73, 0x9D, 0x83, 0x68, 0x58, 0x21,
        0x08, 0x42, 0x10, 0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB,
    ];
    [
        der::tlv(0x30, &FASCN),
        der::tlv(0x34, guid),
        der::tlv(0x35, b"20491231"),
        der::tlv(0x3E, &[]),
        der::tlv(0xFE, &[]),
    ]
    .concat()
}

/// How to set up a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupOptions {
    /// The card's management key now (the default on a new card).
    pub management_key: Vec<u8>,
    /// The card's PIN now (123456 on a new card): the new keys sign their certificates.
    pub pin: String,
    /// The algorithm of the new keys.
    pub algorithm: Algorithm,
    /// The common name in the certificates.
    pub common_name: String,
}

impl SetupOptions {
    pub fn new(pin: &str, common_name: &str) -> SetupOptions {
        SetupOptions {
            management_key: mgmt::DEFAULT_MANAGEMENT_KEY.to_vec(),
            pin: pin.to_string(),
            algorithm: Algorithm::EccP256,
            common_name: common_name.to_string(),
        }
    }
}

/// What `setup` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupReport {
    /// The slots that got a new key and certificate.
    pub generated: Vec<Slot>,
    pub management_algorithm: MgmtAlgorithm,
    pub identity: CardIdentity,
}

/// Which of the two slots have a certificate (no PIN needed).
pub fn slots_with_certificates(t: &mut dyn Transport) -> CardResult<Vec<Slot>> {
    let mut out = Vec::new();
    for slot in Slot::BOTH {
        match read_certificate(t, slot) {
            Ok(_) => out.push(slot),
            Err(CardError::NoCertificate(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Sets up a card whose slots 9A and 9C are empty (the ones that have a certificate are kept):
/// authenticates with the management key, generates a key pair on the card in each empty
/// slot, has each new key sign its own self-signed certificate (VERIFY right before each
/// signature) and writes it, and writes a CHUID with a fresh random GUID (a card that had
/// both certificates and a GUID keeps its GUID, so a binding of it stays good). Then reads
/// the identity back. Runs in one card transaction.
pub fn setup(t: &mut dyn Transport, opts: &SetupOptions) -> CardResult<SetupReport> {
    pin_block(&opts.pin)?;
    in_transaction(t, |t| {
        select(t)?;
        let have = slots_with_certificates(t)?;
        let empty: Vec<Slot> = Slot::BOTH
            .into_iter()
            .filter(|s| !have.contains(s))
            .collect();
        let management_algorithm = authenticate_management_key(t, &opts.management_key)?;
        let mut guid = [0u8; 16];
        rand::rng().fill_bytes(&mut guid);
        for &slot in &empty {
            let public = generate_key(t, slot, opts.algorithm)?;
            let purpose = match slot {
                Slot::Authentication => "PIV Authentication",
                Slot::Signature => "Digital Signature",
            };
            let mut serial = [0u8; 8];
            rand::rng().fill_bytes(&mut serial);
            serial[0] &= 0x7F;
            let tbs = der::tbs_certificate_for(
                &serial,
                &format!("{} {purpose}", opts.common_name),
                opts.algorithm,
                &public,
            );
            let digest = keys::sha256(&tbs);
            verify_pin(t, &opts.pin)?;
            let sig = general_authenticate_with(t, opts.algorithm, slot, &digest)?;
            keys::verify_digest(&public, &digest, &sig)
                .map_err(|_| CardError::KeyMismatch(slot))?;
            let cert = der::certificate_for(opts.algorithm, &tbs, &sig);
            put_data(t, slot.certificate_object(), &certificate_object(&cert))?;
        }
        // A card whose slots were both set up keeps its identity; new keys get a new one.
        if !empty.is_empty() || read_guid(t)?.is_none() {
            put_data(t, OBJ_CHUID, &chuid_object(&guid))?;
        }
        let identity = read_identity(t)?;
        Ok(SetupReport {
            generated: empty,
            management_algorithm,
            identity,
        })
    })
}

/// Changes the PIN (in its own transaction).
pub fn change_pin_session(t: &mut dyn Transport, old: &str, new: &str) -> CardResult<()> {
    pin_block(new)?;
    in_transaction(t, |t| {
        select(t)?;
        change_pin(t, old, new)
    })
}

/// Replaces the management key: authenticates with the old one, sets the new one with the
/// algorithm the old one had.
pub fn change_management_key_session(
    t: &mut dyn Transport,
    old: &[u8],
    new: &[u8],
) -> CardResult<MgmtAlgorithm> {
    in_transaction(t, |t| {
        select(t)?;
        let alg = authenticate_management_key(t, old)?;
        let alg = if new.len() == alg.key_len() {
            alg
        } else {
            *MgmtAlgorithm::candidates(new.len())
                .last()
                .ok_or(CardError::WrongManagementKey)?
        };
        set_management_key(t, alg, new)?;
        Ok(alg)
    })
}

/// Unblocks the PIN with the PUK (in its own transaction).
pub fn unblock_pin_session(t: &mut dyn Transport, puk: &str, new_pin: &str) -> CardResult<()> {
    in_transaction(t, |t| {
        select(t)?;
        unblock_pin(t, puk, new_pin)
    })
}

/// SELECT and the identity, in one transaction.
pub fn read_identity_session(t: &mut dyn Transport) -> CardResult<CardIdentity> {
    in_transaction(t, read_identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::mock::MockTransport;

    const SELECT: &str = "00A404000BA000000308000010000100 00";

    #[test]
    fn select_and_verify_report_tries_and_block() {
        let pin = "00200080083132333435363738";
        let mut t = MockTransport::new()
            .expect(SELECT, "61114F0600001000010079074F05A0000003089000")
            .expect(pin, "63C2")
            .expect(pin, "63C1")
            .expect(pin, "6983")
            .expect("00200080", "6983");
        select(&mut t).unwrap();
        assert_eq!(
            verify_pin(&mut t, "12345678"),
            Err(CardError::WrongPin { tries_left: 2 })
        );
        assert_eq!(
            verify_pin(&mut t, "12345678"),
            Err(CardError::WrongPin { tries_left: 1 })
        );
        assert_eq!(verify_pin(&mut t, "12345678"), Err(CardError::PinBlocked));
        assert_eq!(pin_tries_left(&mut t), Ok(Some(0)));
        t.assert_done();
    }

    #[test]
    fn pin_is_padded_with_ff_and_checked_locally() {
        let mut t = MockTransport::new().expect("0020008008313233343536FFFF", "9000");
        verify_pin(&mut t, "123456").unwrap();
        assert_eq!(verify_pin(&mut t, "12345"), Err(CardError::BadPinFormat));
        assert_eq!(
            verify_pin(&mut t, "123456789"),
            Err(CardError::BadPinFormat)
        );
        t.assert_done();
    }

    #[test]
    fn no_piv_application() {
        let mut t = MockTransport::new()
            .expect(SELECT, "6A82")
            .expect("00A4040009A0000003080000100000", "6A82");
        assert_eq!(select(&mut t), Err(CardError::NotPiv));
        t.assert_done();
        // A card that takes only the 9-byte form.
        let mut t = MockTransport::new()
            .expect(SELECT, "6A82")
            .expect("00A4040009A0000003080000100000", "9000");
        assert_eq!(select(&mut t), Ok(()));
    }

    #[test]
    fn get_data_follows_61xx_with_get_response() {
        // A 300-byte object arrives in two parts.
        let mut key = [0x22u8; 65];
        key[0] = 4;
        let tbs = der::tbs_certificate(&[1], &"x".repeat(200), &key);
        let cert = der::certificate(&tbs, &[0x30, 0]);
        let mut obj = der::tlv(0x70, &cert);
        obj.extend(der::tlv(0x71, &[0]));
        obj.extend(der::tlv(0xFE, &[]));
        let whole = der::tlv(0x53, &obj);
        let (a, b) = whole.split_at(256);
        let mut first = a.to_vec();
        first.extend([0x61, b.len() as u8]);
        let mut second = b.to_vec();
        second.extend([0x90, 0x00]);
        let mut t = MockTransport::new()
            .expect_bytes(&crate::card::mock::unhex("00CB3FFF055C035FC10500"), first)
            .expect_bytes(&[0x00, 0xC0, 0x00, 0x00, b.len() as u8], second);
        assert_eq!(
            read_public_key(&mut t, Slot::Authentication),
            Ok((Algorithm::EccP256, key.to_vec()))
        );
        t.assert_done();
    }

    #[test]
    fn wrong_le_is_resent() {
        let mut t = MockTransport::new()
            .expect("00CB3FFF055C035FC10200", "6C05")
            .expect("00CB3FFF055C035FC10205", "5303340100 9000");
        assert_eq!(get_data(&mut t, OBJ_CHUID), Ok(Some(vec![0x34, 1, 0])));
        t.assert_done();
    }

    #[test]
    fn missing_object_and_transport_errors() {
        let mut t = MockTransport::new()
            .expect("00CB3FFF055C035FC10A00", "6A82")
            .expect_error("00CB3FFF055C035FC10A00", TransportError::CardRemoved);
        assert_eq!(
            read_certificate(&mut t, Slot::Signature),
            Err(CardError::NoCertificate(Slot::Signature))
        );
        let e = read_certificate(&mut t, Slot::Signature).unwrap_err();
        assert!(e.is_removal());
    }

    #[test]
    fn general_authenticate_parses_7c_82() {
        let digest = [0xABu8; 32];
        let mut cmd = String::from("0087119A267C2482008120");
        cmd.push_str(&"AB".repeat(32));
        cmd.push_str("00");
        let sig = "3006020101020102";
        let mut t = MockTransport::new()
            .expect(&cmd, &format!("7C0A8208{sig}9000"))
            .expect(&cmd, "6982")
            .expect(&cmd, "7C028200 9000");
        assert_eq!(
            general_authenticate(&mut t, Slot::Authentication, &digest),
            Ok(crate::card::mock::unhex(sig))
        );
        assert_eq!(
            general_authenticate(&mut t, Slot::Authentication, &digest),
            Err(CardError::PinRequired)
        );
        assert!(matches!(
            general_authenticate(&mut t, Slot::Authentication, &digest),
            Err(CardError::BadResponse(_))
        ));
        t.assert_done();
    }

    #[test]
    fn serial_from_chuid_guid() {
        let guid = "00112233445566778899AABBCCDDEEFF";
        let mut t = MockTransport::new().expect(
            "00CB3FFF055C035FC10200",
            &format!("5314 3410{guid} FE00 9000"),
        );
        assert_eq!(read_serial(&mut t), Ok(guid.to_string()));
    }

    #[test]
    fn serial_is_the_key_fingerprint_without_a_guid() {
        // A CHUID with a zero GUID: the 9A key's fingerprint, not the certificate's hash.
        let mut key = [0x22u8; 65];
        key[0] = 4;
        let tbs = der::tbs_certificate(&[1], "x", &key);
        let cert = der::certificate(&tbs, &[0x30, 0]);
        let whole = der::tlv(0x53, &certificate_object(&cert));
        let mut answer = whole.clone();
        answer.extend([0x90, 0x00]);
        let zero = format!("5314 3410{} FE00 9000", "00".repeat(16));
        let mut t = MockTransport::new()
            .expect("00CB3FFF055C035FC10200", &zero)
            .expect_bytes(&crate::card::mock::unhex("00CB3FFF055C035FC10500"), answer);
        assert_eq!(
            read_serial(&mut t),
            Ok(format!("KEY-{}", keys::fingerprint(&key)))
        );
        t.assert_done();
    }

    #[test]
    fn long_commands_are_chained() {
        // PUT DATA of 300 bytes: a first part with CLA 10 of 255 bytes, then the rest.
        let body = vec![0xAAu8; 293];
        let mut data = der::tlv(0x5C, &[0x5F, 0xC1, 0x05]);
        data.extend(der::tlv(0x53, &body));
        assert!(data.len() > 255);
        let mut first = vec![0x10, INS_PUT_DATA, 0x3F, 0xFF, 0xFF];
        first.extend_from_slice(&data[..255]);
        let mut last = vec![0x00, INS_PUT_DATA, 0x3F, 0xFF, (data.len() - 255) as u8];
        last.extend_from_slice(&data[255..]);
        let mut t = MockTransport::new()
            .expect_bytes(&first, vec![0x90, 0x00])
            .expect_bytes(&last, vec![0x90, 0x00]);
        put_data(&mut t, Slot::Authentication.certificate_object(), &body).unwrap();
        t.assert_done();
    }

    #[test]
    fn verify_6a80_is_a_refused_pin_format() {
        let mut t = MockTransport::new().expect("0020008008313233343536FFFF", "6A80");
        assert_eq!(
            verify_pin(&mut t, "123456"),
            Err(CardError::PinFormatRefused)
        );
    }
}
