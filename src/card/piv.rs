//! The PIV commands of NIST SP 800-73-4 the app needs: SELECT, VERIFY PIN, GET DATA for the
//! certificates of slots 9A and 9C and the CHUID, GENERAL AUTHENTICATE with ECC P-256.

use std::fmt;

use super::apdu::{Apdu, Response, StatusWord};
use super::der;
use super::keys;
use super::transport::{exchange, Transport, TransportError};

/// The PIV application identifier (its truncated form, which every PIV card accepts).
pub const PIV_AID: &[u8] = &[0xA0, 0x00, 0x00, 0x03, 0x08];

pub const INS_SELECT: u8 = 0xA4;
pub const INS_VERIFY: u8 = 0x20;
pub const INS_GET_DATA: u8 = 0xCB;
pub const INS_GENERAL_AUTHENTICATE: u8 = 0x87;

/// Key reference of the PIV card application PIN.
pub const PIN_REF: u8 = 0x80;
/// Cryptographic mechanism: ECC curve P-256.
pub const ALG_ECC_P256: u8 = 0x11;
/// Card Holder Unique Identifier.
pub const OBJ_CHUID: u32 = 0x5FC102;

/// The two key slots the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// 9A, PIV Authentication: login challenges.
    Authentication,
    /// 9C, Digital Signature: approvals; the PIN is needed right before every signature.
    Signature,
}

impl Slot {
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
    /// The card wants the PIN first (6982).
    PinRequired,
    /// The slot holds no certificate.
    NoCertificate(Slot),
    BadCertificate(Slot, String),
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
            CardError::PinRequired => write!(f, "the card needs the PIN first"),
            CardError::NoCertificate(s) => write!(f, "the card has no certificate in slot {s}"),
            CardError::BadCertificate(s, e) => {
                write!(f, "the certificate in slot {s} is not usable: {e}")
            }
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

/// SELECT the PIV application.
/// SELECT starts every operation, so a `CardRemoved` left over from a card pulled and put
/// back since the last one is retried once (then the card answers, or `NoCard`).
pub fn select(t: &mut dyn Transport) -> CardResult<()> {
    let apdu = Apdu::new(INS_SELECT).params(0x04, 0x00).data(PIV_AID).le(0);
    let result = match run(t, "SELECT", &apdu) {
        Err(CardError::Transport(TransportError::CardRemoved)) => run(t, "SELECT", &apdu),
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
/// `PinBlocked`.
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

/// GET DATA of one data object; returns the contents of its `53` wrapper. `Ok(None)` when the
/// card does not have the object.
pub fn get_data(t: &mut dyn Transport, object: u32) -> CardResult<Option<Vec<u8>>> {
    let tag = der::tlv(0x5C, &object.to_be_bytes()[1..]);
    let apdu = Apdu::new(INS_GET_DATA).params(0x3F, 0xFF).data(tag).le(0);
    let r = match run(t, "GET DATA", &apdu) {
        Err(CardError::Status {
            sw: StatusWord::NotFound,
            ..
        }) => return Ok(None),
        other => other?,
    };
    let (v, _) = der::expect_tlv(&r.data, 0x53)
        .map_err(|e| CardError::BadResponse(format!("GET DATA {object:06X}: {e}")))?;
    Ok(Some(v.to_vec()))
}

/// The DER certificate of a slot.
pub fn read_certificate(t: &mut dyn Transport, slot: Slot) -> CardResult<Vec<u8>> {
    let obj = get_data(t, slot.certificate_object())?.ok_or(CardError::NoCertificate(slot))?;
    let bad = |e: String| CardError::BadCertificate(slot, e);
    let cert = der::find_tlv(&obj, 0x70)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no certificate in the object".into()))?;
    if let Some(info) = der::find_tlv(&obj, 0x71).map_err(|e| bad(e.to_string()))? {
        if info.first().is_some_and(|b| b & 0x01 != 0) {
            return Err(bad("the certificate is stored compressed".into()));
        }
    }
    Ok(cert.to_vec())
}

/// The 65-byte uncompressed P-256 public key of a slot, from its certificate.
pub fn read_public_key(t: &mut dyn Transport, slot: Slot) -> CardResult<[u8; 65]> {
    let cert = read_certificate(t, slot)?;
    der::certificate_p256_key(&cert).map_err(|e| CardError::BadCertificate(slot, e.to_string()))
}

/// A serial for binding: the CHUID's GUID (32 hex digits) when set, else its FASC-N, else
/// `CERT-` and 16 hex digits of the SHA-256 of the 9A certificate.
pub fn read_serial(t: &mut dyn Transport) -> CardResult<String> {
    if let Some(chuid) = get_data(t, OBJ_CHUID)? {
        let bad = |e: der::DerError| CardError::BadResponse(format!("CHUID: {e}"));
        if let Some(guid) = der::find_tlv(&chuid, 0x34).map_err(bad)? {
            if guid.iter().any(|&b| b != 0) {
                return Ok(hex::encode_upper(guid));
            }
        }
        if let Some(fascn) = der::find_tlv(&chuid, 0x30).map_err(bad)? {
            if !fascn.is_empty() {
                return Ok(format!("FASCN-{}", hex::encode_upper(fascn)));
            }
        }
    }
    let cert = read_certificate(t, Slot::Authentication)?;
    Ok(format!(
        "CERT-{}",
        hex::encode_upper(&keys::sha256(&cert)[..8])
    ))
}

/// GENERAL AUTHENTICATE with ECC P-256 over a 32-byte digest; the DER ECDSA signature.
pub fn general_authenticate(
    t: &mut dyn Transport,
    slot: Slot,
    digest: &[u8; 32],
) -> CardResult<Vec<u8>> {
    let mut inner = vec![0x82, 0x00];
    inner.extend(der::tlv(0x81, digest));
    let apdu = Apdu::new(INS_GENERAL_AUTHENTICATE)
        .params(ALG_ECC_P256, slot.key_ref())
        .data(der::tlv(0x7C, &inner))
        .le(0);
    let r = run(t, "GENERAL AUTHENTICATE", &apdu)?;
    let bad = |e: String| CardError::BadResponse(format!("GENERAL AUTHENTICATE: {e}"));
    let (template, _) = der::expect_tlv(&r.data, 0x7C).map_err(|e| bad(e.to_string()))?;
    let sig = der::find_tlv(template, 0x82)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad("no signature (82) in the answer".into()))?;
    der::decode_ecdsa_signature(sig).map_err(|e| bad(e.to_string()))?;
    Ok(sig.to_vec())
}

/// What binding reads from a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardIdentity {
    pub serial: String,
    pub auth_key: [u8; 65],
    pub sign_key: [u8; 65],
}

impl CardIdentity {
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
    let serial = read_serial(t)?;
    let auth_key = read_public_key(t, Slot::Authentication)?;
    let sign_key = read_public_key(t, Slot::Signature)?;
    Ok(CardIdentity {
        serial,
        auth_key,
        sign_key,
    })
}

/// SELECT, VERIFY the PIN, then have `slot` sign `digest`, and check the signature with
/// `expected_key`. Returns the DER signature.
pub fn sign_with_pin(
    t: &mut dyn Transport,
    pin: &str,
    slot: Slot,
    digest: &[u8; 32],
    expected_key: &[u8],
) -> CardResult<Vec<u8>> {
    select(t)?;
    verify_pin(t, pin)?;
    let sig = general_authenticate(t, slot, digest)?;
    keys::verify_digest(expected_key, digest, &sig).map_err(|_| CardError::BadSignature)?;
    Ok(sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::mock::MockTransport;

    const SELECT: &str = "00A4040005A00000030800";

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
        let mut t = MockTransport::new().expect(SELECT, "6A82");
        assert_eq!(select(&mut t), Err(CardError::NotPiv));
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
        assert_eq!(read_public_key(&mut t, Slot::Authentication), Ok(key));
        t.assert_done();
    }

    #[test]
    fn wrong_le_is_resent() {
        let mut t = MockTransport::new()
            .expect("00CB3FFF055C035FC10200", "6C05")
            .expect("00CB3FFF055C035FC10205", "5303340100 9000");
        assert_eq!(get_data(&mut t, OBJ_CHUID), Ok(Some(vec![0x34, 1, 0])));
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
}
