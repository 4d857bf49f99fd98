//! A virtual PIV card that behaves as SP 800-73-4 says and as the tools of others expect
//! (yubico-piv-tool, OpenSC): SELECT by the full AID or its 9-byte form, a failed SELECT of
//! another application leaving PIV selected; VERIFY, CHANGE REFERENCE DATA, RESET RETRY
//! COUNTER (PIN 3 tries, PUK 3 tries); GENERAL AUTHENTICATE for signatures (ECC P-256,
//! P-384, RSA-2048 raw over a PKCS#1 block) and for the management key (3DES, AES-128/192/256,
//! mutual or one-way challenge-response); GENERATE ASYMMETRIC KEY PAIR, GET DATA and PUT DATA;
//! command chaining and GET RESPONSE; the YubiKey extension SET MANAGEMENT KEY.
//!
//! Slot 9A needs the PIN verified in the session; 9C needs a VERIFY right before every
//! signature (PIN always); 9D the PIN once; 9E none.
//!
//! The card plugs in-process into a [`VirtualReader`] (whose [`VirtualTransport`] implements
//! [`Transport`]), or into vpcd over TCP (`card::vpcd`) so the real pcscd stack sees it.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::RngCore;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::traits::PublicKeyParts;

use super::apdu::{Apdu, Response, StatusWord};
use super::der;
use super::keys::{fingerprint, sha256, Algorithm};
use super::mgmt::{self, MgmtAlgorithm};
use super::piv::{
    self, CardIdentity, Slot, INS_CHANGE_REFERENCE_DATA, INS_GENERAL_AUTHENTICATE,
    INS_GENERATE_KEY_PAIR, INS_GET_DATA, INS_PUT_DATA, INS_RESET_RETRY_COUNTER, INS_SELECT,
    INS_VERIFY, INS_YK_SET_MANAGEMENT_KEY, MGMT_REF, OBJ_CHUID, OBJ_DISCOVERY, PIN_REF, PIV_AID,
    PIV_AID_TRUNCATED, PUK_REF,
};
use super::transport::{CardStatus, Transport, TransportError, INS_GET_RESPONSE};

pub const DEFAULT_PIN: &str = piv::DEFAULT_PIN;
pub const DEFAULT_PUK: &str = piv::DEFAULT_PUK;
pub const PIN_TRIES: u8 = 3;
pub const PUK_TRIES: u8 = 3;

/// A private key in a slot.
pub enum KeyPair {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(Box<rsa::PrivateKey>),
}

/// The thread's CSPRNG (rand 0.9) for the RSA crate's rand_core 0.10.
struct OsRng;

impl rsa::rand_core::TryRng for OsRng {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand::rng().next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand::rng().next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::rng().fill_bytes(dst);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for OsRng {}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b
}

impl KeyPair {
    /// A new random key.
    pub fn generate(alg: Algorithm) -> KeyPair {
        loop {
            let k = match alg {
                Algorithm::EccP256 => p256::ecdsa::SigningKey::from_slice(&random::<32>())
                    .ok()
                    .map(KeyPair::P256),
                Algorithm::EccP384 => p384::ecdsa::SigningKey::from_slice(&random::<48>())
                    .ok()
                    .map(KeyPair::P384),
                Algorithm::Rsa2048 => rsa::PrivateKey::new(&mut OsRng, 2048)
                    .ok()
                    .map(|k| KeyPair::Rsa(Box::new(k))),
            };
            if let Some(k) = k {
                return k;
            }
        }
    }

    /// A key derived from a seed and a label (ECC only; RSA keys are random).
    pub fn derive(seed: &str, label: &[u8], alg: Algorithm) -> KeyPair {
        let mut counter = 0u8;
        loop {
            let mut input = b"merchant-desk virtual PIV/".to_vec();
            input.extend_from_slice(seed.as_bytes());
            input.push(0);
            input.extend_from_slice(label);
            input.push(counter);
            // A hash that is zero or not below the group order is astronomically unlikely;
            // try the next counter then.
            let k = match alg {
                Algorithm::EccP256 => p256::ecdsa::SigningKey::from_slice(&sha256(&input))
                    .ok()
                    .map(KeyPair::P256),
                Algorithm::EccP384 => {
                    let mut b = sha256(&input).to_vec();
                    input.push(1);
                    b.extend_from_slice(&sha256(&input)[..16]);
                    p384::ecdsa::SigningKey::from_slice(&b)
                        .ok()
                        .map(KeyPair::P384)
                }
                Algorithm::Rsa2048 => return KeyPair::generate(alg),
            };
            if let Some(k) = k {
                return k;
            }
            counter += 1;
        }
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyPair::P256(_) => Algorithm::EccP256,
            KeyPair::P384(_) => Algorithm::EccP384,
            KeyPair::Rsa(_) => Algorithm::Rsa2048,
        }
    }

    /// The public key in its stored form (see `keys`).
    pub fn public(&self) -> Vec<u8> {
        match self {
            KeyPair::P256(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            KeyPair::P384(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            KeyPair::Rsa(k) => k
                .to_public_key()
                .to_pkcs1_der()
                .expect("an RSA key encodes")
                .as_bytes()
                .to_vec(),
        }
    }

    /// The card's private operation on GENERAL AUTHENTICATE's input: ECDSA over it as a
    /// prehash (RFC 6979, not normalized: about half the signatures are high-S, as real cards
    /// make them); RSA over a PKCS#1 v1.5 type 1 block. `None` when the input does not fit.
    pub fn sign(&self, input: &[u8]) -> Option<Vec<u8>> {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        match self {
            KeyPair::P256(k) => {
                if input.is_empty() || input.len() > 32 {
                    return None;
                }
                let sig: p256::ecdsa::Signature = k.sign_prehash(input).ok()?;
                let (r, s) = sig.split_bytes();
                Some(der::encode_ecdsa_signature(&r, &s))
            }
            KeyPair::P384(k) => {
                if input.is_empty() || input.len() > 48 {
                    return None;
                }
                let sig: p384::ecdsa::Signature = k.sign_prehash(input).ok()?;
                let (r, s) = sig.split_bytes();
                Some(der::encode_ecdsa_signature(&r, &s))
            }
            KeyPair::Rsa(k) => {
                if input.len() != k.size() {
                    return None;
                }
                // 00 01 FF..FF 00 T: sign T (the card's raw RSA gives the same result).
                let rest = input.strip_prefix(&[0x00, 0x01])?;
                let pad = rest.iter().take_while(|&&b| b == 0xFF).count();
                let t = rest[pad..].strip_prefix(&[0x00])?;
                if pad < 8 {
                    return None;
                }
                k.sign(rsa::Pkcs1v15Sign::new_unprefixed(), t).ok()
            }
        }
    }

    /// GENERATE ASYMMETRIC KEY PAIR's answer: `7F49 { 86 point }` or `{ 81 n, 82 e }`.
    fn public_template(&self) -> Vec<u8> {
        match self {
            KeyPair::Rsa(k) => der::tlv(
                0x7F49,
                &[
                    der::tlv(0x81, &k.n().to_be_bytes()),
                    der::tlv(0x82, &k.e().to_be_bytes_trimmed_vartime()),
                ]
                .concat(),
            ),
            other => der::tlv(0x7F49, &der::tlv(0x86, &other.public())),
        }
    }
}

/// A self-signed certificate for `key`, signed by `signer`.
fn self_signed(key: &KeyPair, signer: &KeyPair, serial: &[u8], cn: &str) -> Vec<u8> {
    let tbs = der::tbs_certificate_for(serial, cn, key.algorithm(), &key.public());
    let input = piv::signature_input(signer.algorithm(), &sha256(&tbs));
    let sig = signer.sign(&input).expect("a digest fits every key");
    der::certificate_for(signer.algorithm(), &tbs, &sig)
}

/// Command chaining in progress: the command's header and the data so far.
struct Chain {
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
}

/// The applet: non-volatile state (keys, data objects, PIN and PUK counters, management key)
/// and session state (selection, PIN verified, management key authenticated, a pending long
/// response, a command chain).
pub struct PivApplet {
    seed: String,
    pin: [u8; 8],
    tries_left: u8,
    puk: [u8; 8],
    puk_tries_left: u8,
    mgmt_alg: MgmtAlgorithm,
    mgmt_key: Vec<u8>,
    keys: HashMap<u8, KeyPair>,
    /// Data objects by tag: the contents of their `53` wrapper.
    objects: BTreeMap<u32, Vec<u8>>,
    /// How long a signature takes (a key that waits for a touch).
    touch_delay: Duration,
    /// Whether SELECT takes any right-truncated AID of 5 bytes or more, as YubiKeys do (ISO
    /// 7816-4 partial selection; yubico-piv-tool 2.2 selects with A0 00 00 03 08). Off: only
    /// the full AID or its 9-byte form, as SP 800-73-4 says and Nitrokey's card does.
    partial_aid: bool,
    selected: bool,
    pin_verified: bool,
    /// Set by a good VERIFY; the next command may be a 9C signature, and only that one.
    sign_armed: bool,
    mgmt_authenticated: bool,
    /// The management key protocol in progress: the witness or challenge the card sent.
    mgmt_witness: Option<Vec<u8>>,
    mgmt_challenge: Option<Vec<u8>>,
    pending: Vec<u8>,
    chain: Option<Chain>,
}

fn guid_of(seed: &str) -> [u8; 16] {
    let mut guid = [0u8; 16];
    guid.copy_from_slice(&sha256(format!("guid/{seed}").as_bytes())[..16]);
    guid
}

impl PivApplet {
    /// A card as it comes from the factory: no keys, no certificates, no CHUID; PIN 123456,
    /// PUK 12345678, the default management key (3DES).
    pub fn blank(seed: &str) -> PivApplet {
        PivApplet {
            seed: seed.to_string(),
            pin: piv::pin_block(DEFAULT_PIN).expect("default PIN"),
            tries_left: PIN_TRIES,
            puk: piv::pin_block(DEFAULT_PUK).expect("default PUK"),
            puk_tries_left: PUK_TRIES,
            mgmt_alg: MgmtAlgorithm::TripleDes,
            mgmt_key: mgmt::DEFAULT_MANAGEMENT_KEY.to_vec(),
            keys: HashMap::new(),
            objects: BTreeMap::new(),
            touch_delay: Duration::ZERO,
            partial_aid: false,
            selected: false,
            pin_verified: false,
            sign_armed: false,
            mgmt_authenticated: false,
            mgmt_witness: None,
            mgmt_challenge: None,
            pending: Vec::new(),
            chain: None,
        }
    }

    /// A card set up with keys of `alg` in 9A and 9C derived from the seed, self-signed
    /// certificates and a CHUID whose GUID comes from the seed too.
    pub fn provisioned(seed: &str, pin: &str, alg: Algorithm) -> PivApplet {
        let mut a = PivApplet::blank(seed);
        a.pin = piv::pin_block(pin).expect("the virtual card's PIN: 6 to 8 ASCII");
        let guid = guid_of(seed);
        for (slot, label, serial, purpose) in [
            (
                Slot::Authentication,
                &b"9A"[..],
                &guid[..8],
                "PIV Authentication",
            ),
            (Slot::Signature, &b"9C"[..], &guid[8..], "Digital Signature"),
        ] {
            let key = KeyPair::derive(seed, label, alg);
            let cert = self_signed(
                &key,
                &key,
                serial,
                &format!("merchant-desk virtual card {seed} {purpose}"),
            );
            a.objects
                .insert(slot.certificate_object(), piv::certificate_object(&cert));
            a.keys.insert(slot.key_ref(), key);
        }
        a.objects.insert(OBJ_CHUID, piv::chuid_object(&guid));
        a
    }

    /// A P-256 card as [`PivApplet::provisioned`].
    pub fn new(seed: &str, pin: &str) -> PivApplet {
        PivApplet::provisioned(seed, pin, Algorithm::EccP256)
    }

    pub fn seed(&self) -> &str {
        &self.seed
    }

    /// Stores a data object as is (the contents of its `53` wrapper).
    pub fn put_object(&mut self, object: u32, body: &[u8]) {
        self.objects.insert(object, body.to_vec());
    }

    /// The public key of a slot's private key, if it has one.
    pub fn slot_public_key(&self, slot: Slot) -> Option<Vec<u8>> {
        self.keys.get(&slot.key_ref()).map(KeyPair::public)
    }

    /// The public key of a slot (panics on an empty slot).
    pub fn public_key(&self, slot: Slot) -> Vec<u8> {
        self.slot_public_key(slot).expect("the slot has a key")
    }

    /// The DER certificate of a slot, if any (decompressed).
    pub fn certificate(&self, slot: Slot) -> Option<Vec<u8>> {
        let obj = self.objects.get(&slot.certificate_object())?;
        piv::certificate_of_object(obj, slot).ok()
    }

    fn guid(&self) -> Option<[u8; 16]> {
        let chuid = self.objects.get(&OBJ_CHUID)?;
        let g = der::find_tlv(chuid, 0x34).ok().flatten()?;
        (g.len() == 16 && g.iter().any(|&b| b != 0)).then(|| {
            let mut out = [0u8; 16];
            out.copy_from_slice(g);
            out
        })
    }

    /// The serial the app reads for binding: the CHUID's GUID in hex, else `KEY-` and the 9A
    /// key's fingerprint.
    pub fn serial(&self) -> String {
        piv::serial_of(
            self.guid(),
            &self
                .slot_public_key(Slot::Authentication)
                .unwrap_or_default(),
        )
    }

    /// What binding reads (panics on an empty slot).
    pub fn identity(&self) -> CardIdentity {
        let a = &self.keys[&Slot::Authentication.key_ref()];
        let s = &self.keys[&Slot::Signature.key_ref()];
        CardIdentity {
            serial: self.serial(),
            auth_alg: a.algorithm(),
            auth_key: a.public(),
            sign_alg: s.algorithm(),
            sign_key: s.public(),
        }
    }

    pub fn tries_left(&self) -> u8 {
        self.tries_left
    }

    pub fn puk_tries_left(&self) -> u8 {
        self.puk_tries_left
    }

    /// Power off/on or reset: the session state goes, the rest stays.
    pub fn reset(&mut self) {
        self.selected = false;
        self.pin_verified = false;
        self.sign_armed = false;
        self.mgmt_authenticated = false;
        self.mgmt_witness = None;
        self.mgmt_challenge = None;
        self.pending.clear();
        self.chain = None;
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

    fn ok() -> Response {
        Self::sw(StatusWord::Success)
    }

    fn answer(&mut self, command: &[u8]) -> Response {
        let Some(mut apdu) = Apdu::parse(command) else {
            return Self::sw(StatusWord::WrongLength);
        };
        if apdu.cla & !0x10 != 0x00 {
            return Self::sw(StatusWord::ClaNotSupported);
        }
        if apdu.ins != INS_GET_RESPONSE {
            self.pending.clear();
        }
        // Command chaining: collect the parts, run the whole on the last one.
        if apdu.cla & 0x10 != 0 {
            match &mut self.chain {
                Some(c) if (c.ins, c.p1, c.p2) == (apdu.ins, apdu.p1, apdu.p2) => {
                    c.data.extend_from_slice(&apdu.data)
                }
                _ => {
                    self.chain = Some(Chain {
                        ins: apdu.ins,
                        p1: apdu.p1,
                        p2: apdu.p2,
                        data: apdu.data.clone(),
                    })
                }
            }
            if self.chain.as_ref().is_some_and(|c| c.data.len() > 8192) {
                self.chain = None;
                return Self::sw(StatusWord::WrongLength);
            }
            return Self::ok();
        }
        if let Some(c) = self.chain.take() {
            if (c.ins, c.p1, c.p2) == (apdu.ins, apdu.p1, apdu.p2) {
                let mut data = c.data;
                data.extend_from_slice(&apdu.data);
                apdu.data = data;
            }
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
            INS_CHANGE_REFERENCE_DATA => self.change_reference(&apdu),
            INS_RESET_RETRY_COUNTER => self.reset_retry_counter(&apdu),
            INS_GET_DATA => self.get_data(&apdu),
            INS_PUT_DATA => self.put_data(&apdu),
            INS_GET_RESPONSE => {
                if self.pending.is_empty() {
                    return Self::sw(StatusWord::ConditionsNotSatisfied);
                }
                let rest = std::mem::take(&mut self.pending);
                self.respond(rest, apdu.le)
            }
            INS_GENERAL_AUTHENTICATE => self.general_authenticate(&apdu),
            INS_GENERATE_KEY_PAIR => self.generate(&apdu),
            INS_YK_SET_MANAGEMENT_KEY => self.set_management_key(&apdu),
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

    /// SELECT by AID: the full PIV AID or its 9-byte right-truncated form select PIV (and
    /// answer the application property template); anything else is not found and, as SP
    /// 800-73-4 part 2 §3.1.1 says, leaves the current application selected.
    fn select(&mut self, apdu: &Apdu) -> Response {
        let d = &apdu.data;
        if apdu.p1 != 0x04 {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let shortest = if self.partial_aid {
            5
        } else {
            PIV_AID_TRUNCATED.len()
        };
        if d.len() >= shortest && PIV_AID.starts_with(d) {
            self.selected = true;
            // Application property template: AID (its PIX), the coexistent tag allocation
            // authority.
            let apt = [
                der::tlv(0x4F, &PIV_AID[5..]),
                der::tlv(0x79, &der::tlv(0x4F, &PIV_AID[..5])),
            ]
            .concat();
            self.respond(der::tlv(0x61, &apt), apdu.le)
        } else {
            Self::sw(StatusWord::NotFound)
        }
    }

    /// A PIN block is 6 to 8 bytes padded with FF to 8.
    fn pin_block_ok(b: &[u8]) -> bool {
        if b.len() != 8 {
            return false;
        }
        let len = b.iter().position(|&x| x == 0xFF).unwrap_or(8);
        len >= 6 && b[len..].iter().all(|&x| x == 0xFF) && b[..len].iter().all(|&x| x != 0xFF)
    }

    fn verify(&mut self, apdu: &Apdu) -> Response {
        if apdu.p2 != PIN_REF {
            return Self::sw(StatusWord::ReferenceNotFound);
        }
        if apdu.p1 == 0xFF {
            self.pin_verified = false;
            self.sign_armed = false;
            return Self::ok();
        }
        if apdu.p1 != 0x00 {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if self.tries_left == 0 {
            return Self::sw(StatusWord::AuthBlocked);
        }
        if apdu.data.is_empty() {
            return if self.pin_verified {
                Self::ok()
            } else {
                Self::sw(StatusWord::VerifyFailed {
                    tries_left: self.tries_left,
                })
            };
        }
        if !Self::pin_block_ok(&apdu.data) {
            return Self::sw(StatusWord::IncorrectData);
        }
        if apdu.data == self.pin {
            self.tries_left = PIN_TRIES;
            self.pin_verified = true;
            self.sign_armed = true;
            Self::ok()
        } else {
            self.tries_left -= 1;
            self.pin_verified = false;
            self.sign_armed = false;
            Self::sw(StatusWord::VerifyFailed {
                tries_left: self.tries_left,
            })
        }
    }

    /// CHANGE REFERENCE DATA of the PIN (80) or the PUK (81): old and new, 8 bytes each.
    fn change_reference(&mut self, apdu: &Apdu) -> Response {
        if apdu.p1 != 0x00 {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let (value, tries, max) = match apdu.p2 {
            PIN_REF => (&mut self.pin, &mut self.tries_left, PIN_TRIES),
            PUK_REF => (&mut self.puk, &mut self.puk_tries_left, PUK_TRIES),
            _ => return Self::sw(StatusWord::ReferenceNotFound),
        };
        if *tries == 0 {
            return Self::sw(StatusWord::AuthBlocked);
        }
        if apdu.data.len() != 16 {
            return Self::sw(StatusWord::IncorrectData);
        }
        let (old, new) = apdu.data.split_at(8);
        if !Self::pin_block_ok(old) || !Self::pin_block_ok(new) {
            return Self::sw(StatusWord::IncorrectData);
        }
        if old != value.as_slice() {
            *tries -= 1;
            if apdu.p2 == PIN_REF {
                self.pin_verified = false;
            }
            return Self::sw(StatusWord::VerifyFailed { tries_left: *tries });
        }
        value.copy_from_slice(new);
        *tries = max;
        Self::ok()
    }

    /// RESET RETRY COUNTER: PUK and new PIN, 8 bytes each.
    fn reset_retry_counter(&mut self, apdu: &Apdu) -> Response {
        if (apdu.p1, apdu.p2) != (0x00, PIN_REF) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if self.puk_tries_left == 0 {
            return Self::sw(StatusWord::AuthBlocked);
        }
        if apdu.data.len() != 16 {
            return Self::sw(StatusWord::IncorrectData);
        }
        let (puk, new) = apdu.data.split_at(8);
        if !Self::pin_block_ok(puk) || !Self::pin_block_ok(new) {
            return Self::sw(StatusWord::IncorrectData);
        }
        if puk != self.puk {
            self.puk_tries_left -= 1;
            return Self::sw(StatusWord::VerifyFailed {
                tries_left: self.puk_tries_left,
            });
        }
        self.puk_tries_left = PUK_TRIES;
        self.pin.copy_from_slice(new);
        self.tries_left = PIN_TRIES;
        Self::ok()
    }

    fn object_of(data: &[u8]) -> Option<(u32, &[u8])> {
        match der::expect_tlv(data, 0x5C) {
            Ok((tag, rest)) if (1..=3).contains(&tag.len()) => {
                Some((tag.iter().fold(0u32, |a, &b| (a << 8) | b as u32), rest))
            }
            _ => None,
        }
    }

    fn get_data(&mut self, apdu: &Apdu) -> Response {
        if (apdu.p1, apdu.p2) != (0x3F, 0xFF) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let Some((object, _)) = Self::object_of(&apdu.data) else {
            return Self::sw(StatusWord::IncorrectData);
        };
        if object == OBJ_DISCOVERY {
            // The PIV AID and the PIN usage policy: the application PIN only.
            let body = [der::tlv(0x4F, PIV_AID), der::tlv(0x5F2F, &[0x40, 0x00])].concat();
            return self.respond(der::tlv(0x7E, &body), apdu.le);
        }
        match self.objects.get(&object) {
            Some(body) => {
                let body = der::tlv(0x53, body);
                self.respond(body, apdu.le)
            }
            None => Self::sw(StatusWord::NotFound),
        }
    }

    fn put_data(&mut self, apdu: &Apdu) -> Response {
        if (apdu.p1, apdu.p2) != (0x3F, 0xFF) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if !self.mgmt_authenticated {
            return Self::sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let Some((object, rest)) = Self::object_of(&apdu.data) else {
            return Self::sw(StatusWord::IncorrectData);
        };
        if object >> 8 != 0x5FC1 {
            return Self::sw(StatusWord::IncorrectData);
        }
        match der::expect_tlv(rest, 0x53) {
            Ok(([], [])) => {
                self.objects.remove(&object);
            }
            Ok((body, [])) => {
                self.objects.insert(object, body.to_vec());
            }
            _ => return Self::sw(StatusWord::IncorrectData),
        }
        Self::ok()
    }

    fn general_authenticate(&mut self, apdu: &Apdu) -> Response {
        let Ok((template, _)) = der::expect_tlv(&apdu.data, 0x7C) else {
            return Self::sw(StatusWord::IncorrectData);
        };
        let mut fields: HashMap<u32, Vec<u8>> = HashMap::new();
        let mut rest = template;
        while !rest.is_empty() {
            match der::read_tlv(rest) {
                Ok((t, v, r)) => {
                    fields.insert(t, v.to_vec());
                    rest = r;
                }
                Err(_) => return Self::sw(StatusWord::IncorrectData),
            }
        }
        if apdu.p2 == MGMT_REF {
            return self.management_authenticate(apdu.p1, &fields);
        }
        if !matches!(apdu.p2, 0x9A | 0x9C | 0x9D | 0x9E) {
            return Self::sw(StatusWord::ReferenceNotFound);
        }
        let Some(key) = self.keys.get(&apdu.p2) else {
            return Self::sw(StatusWord::ReferenceNotFound);
        };
        if Algorithm::from_piv_id(apdu.p1) != Some(key.algorithm()) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let input = match (fields.get(&0x82), fields.get(&0x81)) {
            (Some(r), Some(c)) if r.is_empty() && !c.is_empty() => c.clone(),
            _ => return Self::sw(StatusWord::IncorrectData),
        };
        let allowed = match apdu.p2 {
            0x9A | 0x9D => self.pin_verified,
            0x9C => std::mem::take(&mut self.sign_armed),
            _ => true,
        };
        if !allowed {
            return Self::sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let Some(sig) = key.sign(&input) else {
            return Self::sw(StatusWord::IncorrectData);
        };
        if !self.touch_delay.is_zero() {
            std::thread::sleep(self.touch_delay);
        }
        self.respond(der::tlv(0x7C, &der::tlv(0x82, &sig)), apdu.le)
    }

    /// The management key's challenge-response (SP 800-73-4 part 2 appendix A.1, A.2):
    /// `80` empty asks for a witness; `80` decrypted witness with `81` challenge completes
    /// mutual authentication (answered with `82`, our challenge encrypted); `81` empty asks
    /// for a challenge; `82` is the encrypted challenge of one-way authentication.
    fn management_authenticate(&mut self, p1: u8, f: &HashMap<u32, Vec<u8>>) -> Response {
        let alg = self.mgmt_alg;
        let p1_ok = p1 == alg.piv_id() || (p1 == 0x00 && alg == MgmtAlgorithm::TripleDes);
        if !p1_ok {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        let enc = |key: &[u8], b: &[u8]| mgmt::crypt_block(alg, key, b, true);
        let fail = |s: &mut Self| {
            s.mgmt_authenticated = false;
            s.mgmt_witness = None;
            s.mgmt_challenge = None;
            Self::sw(StatusWord::SecurityStatusNotSatisfied)
        };
        let block = alg.block_len();
        match (f.get(&0x80), f.get(&0x81), f.get(&0x82)) {
            (Some(w), None, None) if w.is_empty() => {
                let mut witness = vec![0u8; block];
                rand::rng().fill_bytes(&mut witness);
                let sent = enc(&self.mgmt_key, &witness).expect("lengths match");
                self.mgmt_witness = Some(witness);
                self.mgmt_authenticated = false;
                self.respond(der::tlv(0x7C, &der::tlv(0x80, &sent)), None)
            }
            (Some(w), Some(challenge), None) if !w.is_empty() => {
                let Some(expected) = self.mgmt_witness.take() else {
                    return fail(self);
                };
                if *w != expected || challenge.len() != block {
                    return fail(self);
                }
                self.mgmt_authenticated = true;
                let answer = enc(&self.mgmt_key, challenge).expect("lengths match");
                self.respond(der::tlv(0x7C, &der::tlv(0x82, &answer)), None)
            }
            (None, Some(c), None) if c.is_empty() => {
                let mut challenge = vec![0u8; block];
                rand::rng().fill_bytes(&mut challenge);
                self.mgmt_challenge = Some(challenge.clone());
                self.mgmt_authenticated = false;
                self.respond(der::tlv(0x7C, &der::tlv(0x81, &challenge)), None)
            }
            (None, None, Some(r)) if !r.is_empty() => {
                let Some(challenge) = self.mgmt_challenge.take() else {
                    return fail(self);
                };
                if enc(&self.mgmt_key, &challenge).as_deref() != Some(r.as_slice()) {
                    return fail(self);
                }
                self.mgmt_authenticated = true;
                Self::ok()
            }
            _ => Self::sw(StatusWord::IncorrectData),
        }
    }

    fn generate(&mut self, apdu: &Apdu) -> Response {
        if apdu.p1 != 0x00 || !matches!(apdu.p2, 0x9A | 0x9C | 0x9D | 0x9E) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if !self.mgmt_authenticated {
            return Self::sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let alg = der::expect_tlv(&apdu.data, 0xAC)
            .ok()
            .and_then(|(t, _)| der::find_tlv(t, 0x80).ok().flatten())
            .and_then(|a| a.first().copied())
            .and_then(Algorithm::from_piv_id);
        let Some(alg) = alg else {
            return Self::sw(StatusWord::IncorrectData);
        };
        let key = KeyPair::generate(alg);
        let answer = key.public_template();
        self.keys.insert(apdu.p2, key);
        self.respond(answer, apdu.le)
    }

    /// SET MANAGEMENT KEY (YubiKey): P1 P2 FF FF (or FF FE with touch); data algorithm, 9B,
    /// length, key.
    fn set_management_key(&mut self, apdu: &Apdu) -> Response {
        if apdu.p1 != 0xFF || !matches!(apdu.p2, 0xFF | 0xFE) {
            return Self::sw(StatusWord::IncorrectP1P2);
        }
        if !self.mgmt_authenticated {
            return Self::sw(StatusWord::SecurityStatusNotSatisfied);
        }
        match apdu.data.as_slice() {
            [alg, MGMT_REF, len, key @ ..] if *len as usize == key.len() => {
                match MgmtAlgorithm::from_piv_id(*alg) {
                    Some(a) if a.key_len() == key.len() => {
                        self.mgmt_alg = a;
                        self.mgmt_key = key.to_vec();
                        Self::ok()
                    }
                    _ => Self::sw(StatusWord::IncorrectData),
                }
            }
            _ => Self::sw(StatusWord::IncorrectData),
        }
    }
}

struct CardInner {
    applet: PivApplet,
    /// When set, the card is "pulled" as soon as a command with this INS arrives.
    pull_on_ins: Option<u8>,
    /// Power cycles and resets, and commands answered, since the card was made.
    resets: u64,
    commands: u64,
}

/// A virtual card that can move between readers: a shared handle to one applet.
#[derive(Clone)]
pub struct VirtualCard {
    inner: Arc<Mutex<CardInner>>,
}

impl VirtualCard {
    fn of(applet: PivApplet) -> VirtualCard {
        VirtualCard {
            inner: Arc::new(Mutex::new(CardInner {
                applet,
                pull_on_ins: None,
                resets: 0,
                commands: 0,
            })),
        }
    }

    /// A set-up P-256 card (keys, certificates and GUID from the seed) with this PIN.
    pub fn new(seed: &str, pin: &str) -> VirtualCard {
        VirtualCard::of(PivApplet::new(seed, pin))
    }

    /// A set-up card with the default PIN 123456.
    pub fn from_seed(seed: &str) -> VirtualCard {
        VirtualCard::new(seed, DEFAULT_PIN)
    }

    /// A set-up card with keys of `alg` (RSA keys are random, not from the seed).
    pub fn with_algorithm(seed: &str, alg: Algorithm) -> VirtualCard {
        VirtualCard::of(PivApplet::provisioned(seed, DEFAULT_PIN, alg))
    }

    /// A card fresh from the factory: empty slots, no CHUID, PIN 123456, PUK 12345678, the
    /// default management key.
    pub fn blank(seed: &str) -> VirtualCard {
        VirtualCard::of(PivApplet::blank(seed))
    }

    fn lock(&self) -> MutexGuard<'_, CardInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the applet (for tests that shape a card).
    pub fn with_applet<R>(&self, f: impl FnOnce(&mut PivApplet) -> R) -> R {
        f(&mut self.lock().applet)
    }

    /// Removes the certificates of 9A and 9C, keeping the keys (a card whose keys were
    /// generated with another tool that wrote no certificates).
    pub fn remove_certificates(&self) {
        self.with_applet(|a| {
            for s in Slot::BOTH {
                a.objects.remove(&s.certificate_object());
            }
        })
    }

    /// Replaces the certificate of `slot` by one of another key: the card does not hold
    /// the key of its certificate.
    pub fn put_foreign_certificate(&self, slot: Slot) {
        self.with_applet(|a| {
            let other = KeyPair::generate(Algorithm::EccP256);
            let cert = self_signed(&other, &other, &[1], "someone else's key");
            a.objects
                .insert(slot.certificate_object(), piv::certificate_object(&cert));
        })
    }

    /// Stores the certificates gzip-compressed (CertInfo 71 01), as some issuers do.
    pub fn compress_certificates(&self) {
        self.with_applet(|a| {
            for s in Slot::BOTH {
                if let Some(cert) = a.certificate(s) {
                    let mut gz =
                        flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                    gz.write_all(&cert).expect("in memory");
                    let packed = gz.finish().expect("in memory");
                    let obj = [
                        der::tlv(0x70, &packed),
                        der::tlv(0x71, &[0x01]),
                        der::tlv(0xFE, &[]),
                    ]
                    .concat();
                    a.objects.insert(s.certificate_object(), obj);
                }
            }
        })
    }

    /// Sets the management key (and its algorithm).
    pub fn set_management_key(&self, alg: MgmtAlgorithm, key: &[u8]) {
        assert_eq!(key.len(), alg.key_len());
        self.with_applet(|a| {
            a.mgmt_alg = alg;
            a.mgmt_key = key.to_vec();
        })
    }

    /// SELECT takes a right-truncated AID down to 5 bytes too (as YubiKeys do), so that
    /// yubico-piv-tool 2.2, which selects with A0 00 00 03 08, can talk to the card.
    pub fn accept_partial_aid(&self, on: bool) {
        self.with_applet(|a| a.partial_aid = on)
    }

    /// Every signature takes this long (a key waiting for its touch).
    pub fn set_touch_delay(&self, d: Duration) {
        self.with_applet(|a| a.touch_delay = d)
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

    /// The DER certificate of a slot (panics on an empty slot).
    pub fn certificate(&self, slot: Slot) -> Vec<u8> {
        self.lock()
            .applet
            .certificate(slot)
            .expect("the slot has a certificate")
    }

    pub fn has_certificate(&self, slot: Slot) -> bool {
        self.lock().applet.certificate(slot).is_some()
    }

    pub fn tries_left(&self) -> u8 {
        self.lock().applet.tries_left()
    }

    /// Whether the PIN is `pin` now (it is not read back from a real card; for tests).
    pub fn pin_is(&self, pin: &str) -> bool {
        piv::pin_block(pin).is_ok_and(|b| self.lock().applet.pin == b)
    }

    /// Whether the management key is `key` now (for tests).
    pub fn management_key_is(&self, key: &[u8]) -> bool {
        self.lock().applet.mgmt_key == key
    }

    pub fn power_cycle(&self) {
        let mut inner = self.lock();
        inner.resets += 1;
        inner.applet.reset();
    }

    /// How often the card was powered up or reset (by a reader: insertion, or a program that
    /// disconnected with a reset).
    pub fn resets(&self) -> u64 {
        self.lock().resets
    }

    /// How many commands the card answered.
    pub fn commands(&self) -> u64 {
        self.lock().commands
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
        inner.commands += 1;
        Some(inner.applet.process(command))
    }
}

struct ReaderSlot {
    name: String,
    card: Option<VirtualCard>,
    /// Counts insertions and removals, so a transport notices that its card was swapped.
    generation: u64,
    /// What the card watch remembered of this insertion (see `Transport::remembered`).
    memo: Option<(u64, String)>,
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
                memo: None,
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
        let mut s = self.lock();
        s.generation += 1;
        s.card.take()
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
                slot.generation += 1;
                Err(TransportError::NotTransacted)
            }
        }
    }

    fn status(&mut self) -> Result<CardStatus, TransportError> {
        let s = self.reader.lock();
        Ok(CardStatus {
            present: s.card.is_some(),
            atr: if s.card.is_some() {
                PivApplet::atr()
            } else {
                Vec::new()
            },
            insertion: s.generation,
        })
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError> {
        f(self);
        Ok(())
    }

    fn reader_name(&self) -> String {
        self.reader.name()
    }

    fn remembered(&mut self) -> Option<(u64, String)> {
        self.reader.lock().memo.clone()
    }

    fn remember(&mut self, memo: (u64, String)) {
        self.reader.lock().memo = Some(memo);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::verify_digest;
    use crate::card::mgmt;
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
            assert_eq!(key.to_vec(), card.identity().key(slot));
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
        // A failed SELECT leaves PIV selected.
        assert_eq!(
            a.process(&[0, 0xA4, 4, 0, 5, 0xA0, 0, 0, 3, 9]),
            vec![0x6A, 0x82]
        );
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

    #[test]
    fn select_takes_the_full_and_9_byte_aid_only() {
        let mut a = PivApplet::new("x", DEFAULT_PIN);
        let sel = |aid: &[u8]| {
            Apdu::new(INS_SELECT)
                .params(4, 0)
                .data(aid)
                .le(0)
                .to_bytes()
        };
        assert_eq!(a.process(&sel(&PIV_AID[..5])), vec![0x6A, 0x82]);
        assert_eq!(a.process(&sel(&PIV_AID[..8])), vec![0x6A, 0x82]);
        assert!(a.process(&sel(PIV_AID_TRUNCATED)).ends_with(&[0x90, 0]));
        assert!(a.process(&sel(PIV_AID)).ends_with(&[0x90, 0]));
        a.partial_aid = true;
        assert!(a.process(&sel(&PIV_AID[..5])).ends_with(&[0x90, 0]));
    }

    #[test]
    fn pin_change_and_puk_unblock() {
        let (r, card) = reader_with("alice");
        let mut t = r.transport();
        piv::select(&mut t).unwrap();
        assert_eq!(
            piv::change_pin(&mut t, "000000", "654321"),
            Err(CardError::WrongPin { tries_left: 2 })
        );
        piv::change_pin(&mut t, DEFAULT_PIN, "654321").unwrap();
        assert!(card.pin_is("654321"));
        for _ in 0..3 {
            let _ = piv::verify_pin(&mut t, "000000");
        }
        assert_eq!(
            piv::verify_pin(&mut t, "654321"),
            Err(CardError::PinBlocked)
        );
        assert_eq!(
            piv::unblock_pin(&mut t, "00000000", "111111"),
            Err(CardError::WrongPuk { tries_left: 2 })
        );
        piv::unblock_pin(&mut t, DEFAULT_PUK, "111111").unwrap();
        piv::verify_pin(&mut t, "111111").unwrap();
        assert_eq!(card.tries_left(), 3);
    }

    #[test]
    fn management_key_3des_and_aes_then_generate_and_put_data() {
        for (alg, key) in [
            (
                MgmtAlgorithm::TripleDes,
                mgmt::DEFAULT_MANAGEMENT_KEY.to_vec(),
            ),
            (MgmtAlgorithm::Aes192, mgmt::DEFAULT_MANAGEMENT_KEY.to_vec()),
            (MgmtAlgorithm::Aes256, vec![7u8; 32]),
            (MgmtAlgorithm::Aes128, vec![9u8; 16]),
        ] {
            let r = VirtualReader::new("r");
            let card = VirtualCard::blank("b");
            card.set_management_key(alg, &key);
            r.insert(card.clone());
            let mut t = r.transport();
            piv::select(&mut t).unwrap();
            // Without the management key nothing is written.
            assert_eq!(
                piv::generate_key(&mut t, Slot::Authentication, Algorithm::EccP256),
                Err(CardError::ManagementKeyRequired)
            );
            let wrong = vec![0x55u8; key.len()];
            assert_eq!(
                piv::authenticate_management_key(&mut t, &wrong),
                Err(CardError::WrongManagementKey)
            );
            assert_eq!(piv::authenticate_management_key(&mut t, &key), Ok(alg));
            let public =
                piv::generate_key(&mut t, Slot::Authentication, Algorithm::EccP256).unwrap();
            assert_eq!(
                card.with_applet(|a| a.slot_public_key(Slot::Authentication)),
                Some(public)
            );
            piv::put_data(&mut t, OBJ_CHUID, &piv::chuid_object(&[3; 16])).unwrap();
            assert_eq!(piv::read_guid(&mut t), Ok(Some([3; 16])));
        }
    }

    #[test]
    fn setup_of_a_blank_card_then_proof_of_possession() {
        let r = VirtualReader::new("r");
        let card = VirtualCard::blank("b");
        r.insert(card.clone());
        let mut t = r.transport();
        assert_eq!(
            piv::read_identity(&mut t),
            Err(CardError::NoCertificate(Slot::Authentication))
        );
        let report = piv::setup(&mut t, &piv::SetupOptions::new(DEFAULT_PIN, "test")).unwrap();
        assert_eq!(
            report.generated,
            vec![Slot::Authentication, Slot::Signature]
        );
        assert_eq!(report.identity, card.identity());
        assert_eq!(report.identity.serial.len(), 32);
        piv::prove_possession(&mut t, DEFAULT_PIN, &report.identity).unwrap();
        // Set up again: nothing to do, and the identity stays.
        let again = piv::setup(&mut t, &piv::SetupOptions::new(DEFAULT_PIN, "test")).unwrap();
        assert!(again.generated.is_empty());
        assert_eq!(again.identity, report.identity);
        // A certificate of another key is caught.
        card.put_foreign_certificate(Slot::Signature);
        let id = piv::read_identity(&mut t).unwrap();
        assert_eq!(
            piv::prove_possession(&mut t, DEFAULT_PIN, &id),
            Err(CardError::KeyMismatch(Slot::Signature))
        );
    }

    #[test]
    fn p384_rsa_and_compressed_certificates() {
        for alg in [Algorithm::EccP384, Algorithm::Rsa2048] {
            let r = VirtualReader::new("r");
            let card = VirtualCard::with_algorithm("alg", alg);
            card.compress_certificates();
            r.insert(card.clone());
            let mut t = r.transport();
            let id = piv::read_identity(&mut t).unwrap();
            assert_eq!((id.auth_alg, id.sign_alg), (alg, alg));
            assert_eq!(id, card.identity());
            piv::prove_possession(&mut t, DEFAULT_PIN, &id).unwrap();
            let digest = sha256(b"approve");
            let sig =
                piv::sign_with_pin(&mut t, DEFAULT_PIN, Slot::Signature, &digest, &id.sign_key)
                    .unwrap();
            assert_eq!(verify_digest(&id.sign_key, &digest, &sig), Ok(()));
        }
    }

    #[test]
    fn chained_put_data_and_mutual_auth_one_way() {
        let mut a = PivApplet::blank("c");
        let sel = Apdu::new(INS_SELECT)
            .params(4, 0)
            .data(PIV_AID)
            .le(0)
            .to_bytes();
        assert!(a.process(&sel).ends_with(&[0x90, 0]));
        // One-way: the card's challenge, answered encrypted.
        let ask = Apdu::new(INS_GENERAL_AUTHENTICATE)
            .params(0x03, MGMT_REF)
            .data(vec![0x7C, 0x02, 0x81, 0x00])
            .le(0);
        let r = a.process(&ask.to_bytes());
        let challenge = &r[4..12];
        let enc = mgmt::crypt_block(
            MgmtAlgorithm::TripleDes,
            &mgmt::DEFAULT_MANAGEMENT_KEY,
            challenge,
            true,
        )
        .unwrap();
        let mut answer = vec![0x7C, 0x0A, 0x82, 0x08];
        answer.extend(enc);
        let resp = Apdu::new(INS_GENERAL_AUTHENTICATE)
            .params(0x03, MGMT_REF)
            .data(answer);
        assert_eq!(a.process(&resp.to_bytes()), vec![0x90, 0x00]);
        // A 400-byte object in two chained parts.
        let mut data = der::tlv(0x5C, &[0x5F, 0xC1, 0x0D]);
        data.extend(der::tlv(0x53, &[0x42u8; 400]));
        let mut first = vec![0x10, INS_PUT_DATA, 0x3F, 0xFF, 0xFF];
        first.extend_from_slice(&data[..255]);
        assert_eq!(a.process(&first), vec![0x90, 0x00]);
        let mut last = vec![0x00, INS_PUT_DATA, 0x3F, 0xFF, (data.len() - 255) as u8];
        last.extend_from_slice(&data[255..]);
        assert_eq!(a.process(&last), vec![0x90, 0x00]);
        assert_eq!(a.objects.get(&0x5FC10D).map(|v| v.len()), Some(400));
    }
}
