//! A virtual PIV card: P-256 keys for slots 9A and 9C derived from a seed, small self-signed
//! certificates, a CHUID, and a PIN with three tries. 9A needs the PIN verified in the session;
//! 9C needs a VERIFY right before every signature (PIN always).
//!
//! The card plugs in-process into a [`VirtualReader`] (whose [`VirtualTransport`] implements
//! [`Transport`]), or into vpcd over TCP (`card::vpcd`) so the real pcscd stack sees it.

use std::sync::{Arc, Mutex, MutexGuard};

use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{Signature, SigningKey};

use super::apdu::{Apdu, Response, StatusWord};
use super::der;
use super::keys::{fingerprint, sha256};
use super::piv::{
    CardIdentity, Slot, ALG_ECC_P256, INS_GENERAL_AUTHENTICATE, INS_GET_DATA, INS_SELECT,
    INS_VERIFY, OBJ_CHUID, PIN_REF, PIV_AID,
};
use super::transport::{Transport, TransportError, INS_GET_RESPONSE};

pub const DEFAULT_PIN: &str = "123456";
pub const PIN_TRIES: u8 = 3;

/// The full PIV AID with version, as the card reports it.
const FULL_AID: &[u8] = &[
    0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00,
];

/// The applet: non-volatile state (keys, PIN counter) and session state (selection, PIN
/// verified, a pending long response).
pub struct PivApplet {
    seed: String,
    pin: [u8; 8],
    tries_left: u8,
    auth_key: SigningKey,
    sign_key: SigningKey,
    auth_cert: Vec<u8>,
    sign_cert: Vec<u8>,
    guid: [u8; 16],
    chuid: Vec<u8>,
    selected: bool,
    pin_verified: bool,
    /// Set by a good VERIFY; the next command may be a 9C signature, and only that one.
    sign_armed: bool,
    pending: Vec<u8>,
}

fn derive_key(seed: &str, label: &[u8]) -> SigningKey {
    let mut counter = 0u8;
    loop {
        let mut input = b"merchant-desk virtual PIV/".to_vec();
        input.extend_from_slice(seed.as_bytes());
        input.push(0);
        input.extend_from_slice(label);
        input.push(counter);
        // A hash that is zero or not below the group order is astronomically unlikely; try the
        // next counter then.
        if let Ok(k) = SigningKey::from_slice(&sha256(&input)) {
            return k;
        }
        counter += 1;
    }
}

fn public_point(k: &SigningKey) -> [u8; 65] {
    let mut out = [0u8; 65];
    out.copy_from_slice(k.verifying_key().to_sec1_point(false).as_bytes());
    out
}

fn sign_der(k: &SigningKey, digest: &[u8; 32]) -> Vec<u8> {
    // RFC 6979 deterministic, not normalized: about half the signatures are high-S, as real
    // cards produce them.
    let sig: Signature = k.sign_prehash(digest).expect("a 32-byte prehash");
    let (r, s) = sig.split_bytes();
    der::encode_ecdsa_signature(&r, &s)
}

fn self_signed(k: &SigningKey, serial: &[u8], cn: &str) -> Vec<u8> {
    let tbs = der::tbs_certificate(serial, cn, &public_point(k));
    let sig = sign_der(k, &sha256(&tbs));
    der::certificate(&tbs, &sig)
}

impl PivApplet {
    pub fn new(seed: &str, pin: &str) -> PivApplet {
        let pin_block = super::piv::pin_block(pin).expect("the virtual card's PIN: 6 to 8 ASCII");
        let auth_key = derive_key(seed, b"9A");
        let sign_key = derive_key(seed, b"9C");
        let mut guid = [0u8; 16];
        guid.copy_from_slice(&sha256(format!("guid/{seed}").as_bytes())[..16]);
        let auth_cert = self_signed(
            &auth_key,
            &guid[..8],
            &format!("merchant-desk virtual card {seed} PIV Authentication"),
        );
        let sign_cert = self_signed(
            &sign_key,
            &guid[8..],
            &format!("merchant-desk virtual card {seed} Digital Signature"),
        );
        // FASC-N: 25 bytes; a fixed agency code and the GUID's first bytes, good enough here.
        let mut fascn = vec![0xD4, 0x32, 0x10];
        fascn.extend_from_slice(&sha256(format!("fascn/{seed}").as_bytes())[..22]);
        let chuid = [
            der::tlv(0x30, &fascn),
            der::tlv(0x34, &guid),
            der::tlv(0x35, b"20351231"),
            der::tlv(0x3E, &[]),
            der::tlv(0xFE, &[]),
        ]
        .concat();
        PivApplet {
            seed: seed.to_string(),
            pin: pin_block,
            tries_left: PIN_TRIES,
            auth_key,
            sign_key,
            auth_cert,
            sign_cert,
            guid,
            chuid,
            selected: false,
            pin_verified: false,
            sign_armed: false,
            pending: Vec::new(),
        }
    }

    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// The serial the app reads for binding: the CHUID's GUID in hex.
    pub fn serial(&self) -> String {
        hex::encode_upper(self.guid)
    }

    pub fn public_key(&self, slot: Slot) -> [u8; 65] {
        match slot {
            Slot::Authentication => public_point(&self.auth_key),
            Slot::Signature => public_point(&self.sign_key),
        }
    }

    pub fn certificate(&self, slot: Slot) -> &[u8] {
        match slot {
            Slot::Authentication => &self.auth_cert,
            Slot::Signature => &self.sign_cert,
        }
    }

    pub fn identity(&self) -> CardIdentity {
        CardIdentity {
            serial: self.serial(),
            auth_key: self.public_key(Slot::Authentication),
            sign_key: self.public_key(Slot::Signature),
        }
    }

    pub fn tries_left(&self) -> u8 {
        self.tries_left
    }

    /// Power off/on or reset: the session state goes, the PIN counter stays.
    pub fn reset(&mut self) {
        self.selected = false;
        self.pin_verified = false;
        self.sign_armed = false;
        self.pending.clear();
    }

    /// The ATR: T=0 and T=1, historical bytes "MDSKPIV1", and its check byte.
    pub fn atr() -> Vec<u8> {
        let mut atr = vec![0x3B, 0x88, 0x80, 0x01];
        atr.extend_from_slice(b"MDSKPIV1");
        let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
        atr.push(tck);
        atr
    }

    /// Answers one command APDU with the response APDU bytes.
    pub fn process(&mut self, command: &[u8]) -> Vec<u8> {
        self.answer(command).to_bytes()
    }

    fn sw(sw: StatusWord) -> Response {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    fn answer(&mut self, command: &[u8]) -> Response {
        let Some(apdu) = Apdu::parse(command) else {
            return Self::sw(StatusWord::WrongLength);
        };
        if apdu.cla != 0x00 {
            return Self::sw(StatusWord::ClaNotSupported);
        }
        if apdu.ins != INS_GET_RESPONSE {
            self.pending.clear();
        }
        let signing = apdu.ins == INS_GENERAL_AUTHENTICATE && apdu.p2 == Slot::Signature.key_ref();
        if apdu.ins != INS_VERIFY && !signing {
            self.sign_armed = false;
        }
        if apdu.ins == INS_SELECT {
            return self.select(&apdu);
        }
        if !self.selected {
            return Self::sw(StatusWord::InsNotSupported);
        }
        match apdu.ins {
            INS_VERIFY => self.verify(&apdu),
            INS_GET_DATA => self.get_data(&apdu),
            INS_GET_RESPONSE => {
                if self.pending.is_empty() {
                    return Self::sw(StatusWord::ConditionsNotSatisfied);
                }
                let rest = std::mem::take(&mut self.pending);
                self.respond(rest, apdu.le)
            }
            INS_GENERAL_AUTHENTICATE => self.general_authenticate(&apdu),
            _ => Self::sw(StatusWord::InsNotSupported),
        }
    }

    /// Sends `data`, at most Le (256 for 00) bytes now, the rest through GET RESPONSE.
    fn respond(&mut self, mut data: Vec<u8>, le: Option<u8>) -> Response {
        let limit = match le {
            Some(0) | None => 256,
            Some(n) => n as usize,
        };
        if data.len() <= limit {
            return Response {
                data,
                sw: StatusWord::Success,
            };
        }
        self.pending = data.split_off(limit);
        let left = self.pending.len().min(256) as u8; // 256 or more: 00
        Response {
            data,
            sw: StatusWord::BytesRemaining(left),
        }
    }

    fn select(&mut self, apdu: &Apdu) -> Response {
        let d = &apdu.data;
        if apdu.p1 == 0x04 && d.len() >= PIV_AID.len() && FULL_AID.starts_with(d) {
            self.selected = true;
            // Application property template: AID and the coexistent tag allocation authority.
            let apt = [
                der::tlv(0x4F, &FULL_AID[5..]),
                der::tlv(0x79, &der::tlv(0x4F, PIV_AID)),
            ]
            .concat();
            Response {
                data: der::tlv(0x61, &apt),
                sw: StatusWord::Success,
            }
        } else {
            self.selected = false;
            Self::sw(StatusWord::NotFound)
        }
    }

    fn verify(&mut self, apdu: &Apdu) -> Response {
        if apdu.p2 != PIN_REF {
            return Self::sw(StatusWord::ReferenceNotFound);
        }
        if apdu.p1 == 0xFF {
            self.pin_verified = false;
            self.sign_armed = false;
            return Self::sw(StatusWord::Success);
        }
        if apdu.p1 != 0x00 {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if self.tries_left == 0 {
            return Self::sw(StatusWord::AuthBlocked);
        }
        if apdu.data.is_empty() {
            return if self.pin_verified {
                Self::sw(StatusWord::Success)
            } else {
                Self::sw(StatusWord::VerifyFailed {
                    tries_left: self.tries_left,
                })
            };
        }
        if apdu.data.len() != 8 {
            return Self::sw(StatusWord::IncorrectData);
        }
        if apdu.data == self.pin {
            self.tries_left = PIN_TRIES;
            self.pin_verified = true;
            self.sign_armed = true;
            Self::sw(StatusWord::Success)
        } else {
            self.tries_left -= 1;
            self.pin_verified = false;
            self.sign_armed = false;
            Self::sw(StatusWord::VerifyFailed {
                tries_left: self.tries_left,
            })
        }
    }

    fn get_data(&mut self, apdu: &Apdu) -> Response {
        if (apdu.p1, apdu.p2) != (0x3F, 0xFF) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let object = match der::expect_tlv(&apdu.data, 0x5C) {
            Ok((tag, _)) if (1..=3).contains(&tag.len()) => {
                tag.iter().fold(0u32, |a, &b| (a << 8) | b as u32)
            }
            _ => return Self::sw(StatusWord::IncorrectData),
        };
        let cert_object = |cert: &[u8]| {
            [
                der::tlv(0x70, cert),
                der::tlv(0x71, &[0x00]),
                der::tlv(0xFE, &[]),
            ]
            .concat()
        };
        let body = if object == Slot::Authentication.certificate_object() {
            cert_object(&self.auth_cert)
        } else if object == Slot::Signature.certificate_object() {
            cert_object(&self.sign_cert)
        } else if object == OBJ_CHUID {
            self.chuid.clone()
        } else {
            return Self::sw(StatusWord::NotFound);
        };
        self.respond(der::tlv(0x53, &body), apdu.le)
    }

    fn general_authenticate(&mut self, apdu: &Apdu) -> Response {
        if apdu.p1 != ALG_ECC_P256 {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let Some(slot) = Slot::from_key_ref(apdu.p2) else {
            return Self::sw(StatusWord::ReferenceNotFound);
        };
        let challenge = match der::expect_tlv(&apdu.data, 0x7C) {
            Ok((template, _)) => {
                let has_response_slot = matches!(der::find_tlv(template, 0x82), Ok(Some([])));
                match der::find_tlv(template, 0x81) {
                    Ok(Some(c)) if has_response_slot && c.len() == 32 => c.to_vec(),
                    _ => return Self::sw(StatusWord::IncorrectData),
                }
            }
            Err(_) => return Self::sw(StatusWord::IncorrectData),
        };
        let allowed = match slot {
            Slot::Authentication => self.pin_verified,
            Slot::Signature => std::mem::take(&mut self.sign_armed),
        };
        if !allowed {
            return Self::sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&challenge);
        let key = match slot {
            Slot::Authentication => &self.auth_key,
            Slot::Signature => &self.sign_key,
        };
        let sig = sign_der(key, &digest);
        self.respond(der::tlv(0x7C, &der::tlv(0x82, &sig)), apdu.le)
    }
}

struct CardInner {
    applet: PivApplet,
    /// When set, the card is "pulled" as soon as a command with this INS arrives.
    pull_on_ins: Option<u8>,
}

/// A virtual card that can move between readers: a shared handle to one applet.
#[derive(Clone)]
pub struct VirtualCard {
    inner: Arc<Mutex<CardInner>>,
}

impl VirtualCard {
    pub fn new(seed: &str, pin: &str) -> VirtualCard {
        VirtualCard {
            inner: Arc::new(Mutex::new(CardInner {
                applet: PivApplet::new(seed, pin),
                pull_on_ins: None,
            })),
        }
    }

    /// A card with the default PIN 123456.
    pub fn from_seed(seed: &str) -> VirtualCard {
        VirtualCard::new(seed, DEFAULT_PIN)
    }

    fn lock(&self) -> MutexGuard<'_, CardInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn serial(&self) -> String {
        self.lock().applet.serial()
    }

    pub fn identity(&self) -> CardIdentity {
        self.lock().applet.identity()
    }

    pub fn auth_fpr(&self) -> String {
        fingerprint(&self.lock().applet.public_key(Slot::Authentication))
    }

    pub fn sign_fpr(&self) -> String {
        fingerprint(&self.lock().applet.public_key(Slot::Signature))
    }

    pub fn certificate(&self, slot: Slot) -> Vec<u8> {
        self.lock().applet.certificate(slot).to_vec()
    }

    pub fn tries_left(&self) -> u8 {
        self.lock().applet.tries_left()
    }

    pub fn power_cycle(&self) {
        self.lock().applet.reset();
    }

    /// Arms (or, with `None`, disarms) a pull: the next command with this INS finds the card
    /// gone, as if the operator pulled it while the card worked. The trigger fires once.
    pub fn pull_on(&self, ins: Option<u8>) {
        self.lock().pull_on_ins = ins;
    }

    /// Answers a command, or `None` when the armed pull fires.
    pub fn process(&self, command: &[u8]) -> Option<Vec<u8>> {
        let mut inner = self.lock();
        if inner.pull_on_ins.is_some() && command.get(1).copied() == inner.pull_on_ins {
            inner.pull_on_ins = None;
            inner.applet.reset();
            return None;
        }
        Some(inner.applet.process(command))
    }
}

struct ReaderSlot {
    name: String,
    card: Option<VirtualCard>,
    /// Counts insertions, so a transport notices that its card was swapped.
    generation: u64,
}

/// An in-process reader for virtual cards; clones share the slot, so a tape or a test can
/// insert and pull the card while the app holds a transport.
#[derive(Clone)]
pub struct VirtualReader {
    slot: Arc<Mutex<ReaderSlot>>,
}

impl VirtualReader {
    pub fn new(name: &str) -> VirtualReader {
        VirtualReader {
            slot: Arc::new(Mutex::new(ReaderSlot {
                name: name.to_string(),
                card: None,
                generation: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReaderSlot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn name(&self) -> String {
        self.lock().name.clone()
    }

    /// Puts a card in (taking out any other); it powers up fresh.
    pub fn insert(&self, card: VirtualCard) {
        card.power_cycle();
        let mut s = self.lock();
        s.card = Some(card);
        s.generation += 1;
    }

    /// Takes the card out.
    pub fn remove(&self) -> Option<VirtualCard> {
        self.lock().card.take()
    }

    pub fn card(&self) -> Option<VirtualCard> {
        self.lock().card.clone()
    }

    pub fn is_present(&self) -> bool {
        self.lock().card.is_some()
    }

    pub fn transport(&self) -> VirtualTransport {
        VirtualTransport {
            reader: self.clone(),
            connected: None,
        }
    }
}

/// A connection to whatever card is in a [`VirtualReader`]. Like PC/SC: a card pulled since
/// the connection was made answers `CardRemoved` once; a card pulled mid-command answers
/// `NotTransacted`; the next command connects to the card in the reader, if any.
pub struct VirtualTransport {
    reader: VirtualReader,
    connected: Option<u64>,
}

impl Transport for VirtualTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut slot = self.reader.lock();
        let Some(card) = slot.card.clone() else {
            return match self.connected.take() {
                Some(_) => Err(TransportError::CardRemoved),
                None => Err(TransportError::NoCard),
            };
        };
        match self.connected {
            Some(g) if g == slot.generation => {}
            Some(_) => {
                self.connected = None;
                return Err(TransportError::CardRemoved);
            }
            None => self.connected = Some(slot.generation),
        }
        match card.process(command) {
            Some(r) => Ok(r),
            None => {
                slot.card = None;
                Err(TransportError::NotTransacted)
            }
        }
    }

    fn card_present(&mut self) -> Result<bool, TransportError> {
        Ok(self.reader.is_present())
    }

    fn reader_name(&self) -> String {
        self.reader.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::verify_digest;
    use crate::card::piv::{self, CardError};

    fn reader_with(seed: &str) -> (VirtualReader, VirtualCard) {
        let r = VirtualReader::new("Virtual test reader");
        let c = VirtualCard::from_seed(seed);
        r.insert(c.clone());
        (r, c)
    }

    #[test]
    fn certificates_carry_the_keys_and_are_self_signed() {
        let (r, card) = reader_with("alice");
        let mut t = r.transport();
        let id = piv::read_identity(&mut t).unwrap();
        assert_eq!(id, card.identity());
        assert_eq!(id.serial.len(), 32);
        assert_ne!(id.auth_key, id.sign_key);
        for slot in [Slot::Authentication, Slot::Signature] {
            let cert = card.certificate(slot);
            assert!(cert.len() > 256, "long enough to need GET RESPONSE");
            let (tbs, sig) = der::certificate_parts(&cert).unwrap();
            let key = der::certificate_p256_key(&cert).unwrap();
            assert_eq!(verify_digest(&key, &sha256(tbs), sig), Ok(()));
        }
        // Deterministic from the seed; another seed gives other keys.
        assert_eq!(VirtualCard::from_seed("alice").identity(), id);
        assert_ne!(
            VirtualCard::from_seed("bob").identity().auth_key,
            id.auth_key
        );
    }

    #[test]
    fn pin_tries_then_blocked() {
        let (r, card) = reader_with("alice");
        let mut t = r.transport();
        piv::select(&mut t).unwrap();
        assert_eq!(piv::pin_tries_left(&mut t), Ok(Some(3)));
        assert_eq!(
            piv::verify_pin(&mut t, "000000"),
            Err(CardError::WrongPin { tries_left: 2 })
        );
        // A good PIN resets the counter.
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        assert_eq!(piv::pin_tries_left(&mut t), Ok(None));
        for left in [2, 1] {
            assert_eq!(
                piv::verify_pin(&mut t, "000000"),
                Err(CardError::WrongPin { tries_left: left })
            );
        }
        assert_eq!(
            piv::verify_pin(&mut t, "000000"),
            Err(CardError::PinBlocked)
        );
        assert_eq!(
            piv::verify_pin(&mut t, DEFAULT_PIN),
            Err(CardError::PinBlocked)
        );
        assert_eq!(card.tries_left(), 0);
        // Blocked survives a power cycle.
        r.insert(card.clone());
        let mut t = r.transport();
        piv::select(&mut t).unwrap();
        assert_eq!(
            piv::verify_pin(&mut t, DEFAULT_PIN),
            Err(CardError::PinBlocked)
        );
    }

    #[test]
    fn slot_9a_needs_pin_in_session_9c_before_every_signature() {
        let (r, card) = reader_with("alice");
        let mut t = r.transport();
        let id = card.identity();
        let digest = sha256(b"challenge");
        piv::select(&mut t).unwrap();
        assert_eq!(
            piv::general_authenticate(&mut t, Slot::Authentication, &digest),
            Err(CardError::PinRequired)
        );
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        for _ in 0..2 {
            let sig = piv::general_authenticate(&mut t, Slot::Authentication, &digest).unwrap();
            assert_eq!(verify_digest(&id.auth_key, &digest, &sig), Ok(()));
            assert!(verify_digest(&id.sign_key, &digest, &sig).is_err());
        }
        // 9C: PIN verified in the session is not enough.
        assert_eq!(
            piv::general_authenticate(&mut t, Slot::Signature, &digest),
            Err(CardError::PinRequired)
        );
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        let sig = piv::general_authenticate(&mut t, Slot::Signature, &digest).unwrap();
        assert_eq!(verify_digest(&id.sign_key, &digest, &sig), Ok(()));
        assert_eq!(
            piv::general_authenticate(&mut t, Slot::Signature, &digest),
            Err(CardError::PinRequired)
        );
        // Any command between VERIFY and the signature disarms it.
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        piv::read_serial(&mut t).unwrap();
        assert_eq!(
            piv::general_authenticate(&mut t, Slot::Signature, &digest),
            Err(CardError::PinRequired)
        );
        // sign_with_pin does it in order and checks the key.
        let sig = piv::sign_with_pin(&mut t, DEFAULT_PIN, Slot::Signature, &digest, &id.sign_key)
            .unwrap();
        assert_eq!(verify_digest(&id.sign_key, &digest, &sig), Ok(()));
    }

    #[test]
    fn another_cards_signature_does_not_verify() {
        let (r, _alice) = reader_with("alice");
        let bob = VirtualCard::from_seed("bob");
        let alice_key = r.card().unwrap().identity().sign_key;
        r.insert(bob);
        let mut t = r.transport();
        let digest = sha256(b"approve");
        assert_eq!(
            piv::sign_with_pin(&mut t, DEFAULT_PIN, Slot::Signature, &digest, &alice_key),
            Err(CardError::BadSignature)
        );
    }

    #[test]
    fn pulling_and_swapping_cards() {
        let (r, card) = reader_with("alice");
        let mut t = r.transport();
        piv::select(&mut t).unwrap();
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        assert!(t.card_present().unwrap());
        r.remove();
        assert!(!t.card_present().unwrap());
        assert_eq!(
            piv::pin_tries_left(&mut t),
            Err(CardError::Transport(TransportError::CardRemoved))
        );
        assert_eq!(
            piv::select(&mut t),
            Err(CardError::Transport(TransportError::NoCard))
        );
        // Back in: a fresh session, the PIN is needed again.
        r.insert(card.clone());
        piv::select(&mut t).unwrap();
        assert_eq!(piv::pin_tries_left(&mut t), Ok(Some(3)));
        // Pulled in the middle of a signature.
        card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
        piv::verify_pin(&mut t, DEFAULT_PIN).unwrap();
        let e = piv::general_authenticate(&mut t, Slot::Authentication, &[0; 32]).unwrap_err();
        assert_eq!(e, CardError::Transport(TransportError::NotTransacted));
        assert!(e.is_removal());
        assert!(!r.is_present());
        assert_eq!(
            piv::select(&mut t),
            Err(CardError::Transport(TransportError::NoCard))
        );
        // A swapped card is noticed too; SELECT, which starts afresh, goes on with it.
        r.insert(card.clone());
        piv::select(&mut t).unwrap();
        r.insert(VirtualCard::from_seed("bob"));
        assert_eq!(
            piv::pin_tries_left(&mut t),
            Err(CardError::Transport(TransportError::CardRemoved))
        );
        piv::select(&mut t).unwrap();
    }

    #[test]
    fn malformed_commands() {
        let mut a = PivApplet::new("x", DEFAULT_PIN);
        assert_eq!(a.process(&[0, 0x87]), vec![0x67, 0x00]);
        assert_eq!(a.process(&[0, 0xCB, 0x3F, 0xFF, 0]), vec![0x6D, 0x00]);
        assert_eq!(
            a.process(&[0, 0xA4, 4, 0, 5, 0xA0, 0, 0, 3, 9]),
            vec![0x6A, 0x82]
        );
        let sel = Apdu::new(INS_SELECT).params(4, 0).data(PIV_AID).to_bytes();
        assert!(a.process(&sel).ends_with(&[0x90, 0]));
        assert_eq!(a.process(&[0x80, 0xCB, 0x3F, 0xFF]), vec![0x6E, 0x00]);
        assert_eq!(a.process(&[0, 0xC0, 0, 0, 0]), vec![0x69, 0x85]);
        let get = Apdu::new(INS_GET_DATA)
            .params(0x3F, 0xFF)
            .data(vec![0x5C, 3, 0x5F, 0xC1, 0x01])
            .le(0);
        assert_eq!(a.process(&get.to_bytes()), vec![0x6A, 0x82]);
        assert_eq!(
            a.process(
                &Apdu::new(0x87)
                    .params(0x07, 0x9A)
                    .data(vec![0x7C, 0])
                    .to_bytes()
            ),
            vec![0x6A, 0x86]
        );
        assert_eq!(
            a.process(
                &Apdu::new(0x87)
                    .params(0x11, 0x9E)
                    .data(vec![0x7C, 0])
                    .to_bytes()
            ),
            vec![0x6A, 0x88]
        );
        assert_eq!(
            a.process(
                &Apdu::new(0x87)
                    .params(0x11, 0x9A)
                    .data(vec![0x7C, 0])
                    .to_bytes()
            ),
            vec![0x6A, 0x80]
        );
        assert_eq!(PivApplet::atr().len(), 13);
    }
}
