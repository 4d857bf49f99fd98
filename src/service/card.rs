//! The USB key in use: binding a card to an operator (SY2, K §3.7.5), unbinding it with the
//! payment password, and logging in with the card (B1): a fresh challenge signed by slot 9A
//! and checked with the key kept at binding.
//!
//! Card exchanges happen before the database transaction opens, so no write lock is held
//! while the operator fumbles with the PIN; the outcome and its audit row are written in one
//! transaction afterwards. The exchanges that belong together run in one card transaction.
//!
//! A card may be slow (a key that waits for a touch takes seconds): the card part of login is
//! also offered on its own ([`CardLogin`]: `begin` reads the database, `run` talks to the card
//! and may run on a worker thread, `finish` records the outcome), so a screen can keep
//! drawing while the card works.

use std::fmt;

use rand::RngCore;

use crate::card::keys::Algorithm;
use crate::card::mgmt::{self, MgmtAlgorithm};
use crate::card::piv::{self, SetupOptions, Slot};
pub use crate::card::piv::{CardError, CardIdentity};
use crate::card::transport::in_transaction;
use crate::card::{keys, Transport};
use crate::domain::function::Function;
use crate::store::cards::{self, NewBinding};
use crate::store::{merchants, operators};

use super::audit::{record, Actor};
use super::auth::actor_of;
use super::error::Problem;
use super::kernel::{Needs, Who};
use super::{password, Env, ServiceError, Session};

/// The setting that names the PC/SC reader to use (chosen by name, never "the first one").
pub const SETTING_READER: &str = "card_reader";
/// The setting of who logs in with a card: `bound` (default: operators with a bound card) or
/// `required` (every operator).
pub const SETTING_LOGIN_POLICY: &str = "card_login_policy";

/// What the card use cases answer instead of a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardServiceError {
    /// Permission, validation, database: as every use case.
    #[error("{0}")]
    Service(ServiceError),
    /// The card or the reader: wrong PIN (tries left), PIN blocked, card removed, no reader,
    /// pcscd not running, ...
    #[error("{0}")]
    Card(CardError),
    /// The card is bound to another operator (their login).
    #[error("the card is bound to operator {0}")]
    CardInUse(String),
    /// The operator has another card bound; unbind it first.
    #[error("the operator has another card bound; unbind it first")]
    AlreadyBound,
    /// The operator has no card bound.
    #[error("the operator has no card bound")]
    NotBound,
    /// The card's signature does not verify with the operator's bound key: another card.
    #[error("this is not the card bound to the operator")]
    WrongCard,
    /// The decision needs the card, and no PIN was given.
    #[error("this needs the card and its PIN")]
    PinNeeded,
}

pub type CardServiceResult<T> = Result<T, CardServiceError>;

impl From<ServiceError> for CardServiceError {
    fn from(e: ServiceError) -> Self {
        CardServiceError::Service(e)
    }
}

impl From<crate::store::StoreError> for CardServiceError {
    fn from(e: crate::store::StoreError) -> Self {
        CardServiceError::Service(e.into())
    }
}

/// The function check of the kernel, for the card use cases whose exchanges with the card happen
/// before their transaction opens.
fn gate(env: &Env, session: &Session, f: Function) -> super::ServiceResult<()> {
    env.query(Who::Operator(session), Needs::function(&f), "card", |_| {
        Ok(())
    })
}

impl From<CardError> for CardServiceError {
    fn from(e: CardError) -> Self {
        match e {
            CardError::BadSignature => CardServiceError::WrongCard,
            e => CardServiceError::Card(e),
        }
    }
}

/// What the operators screen shows of a bound card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundCardInfo {
    pub serial: String,
    pub auth_fpr: String,
    pub sign_fpr: String,
}

fn info_of(c: &cards::BoundCard) -> BoundCardInfo {
    BoundCardInfo {
        serial: c.serial.clone(),
        auth_fpr: c.auth_fpr.clone(),
        sign_fpr: c.sign_fpr.clone(),
    }
}

/// The operator's bound card, if any.
pub fn bound_card(env: &Env, operator_id: i64) -> CardServiceResult<Option<BoundCardInfo>> {
    Ok(cards::bound_card(&env.store.read(), operator_id)?
        .as_ref()
        .map(info_of))
}

/// Whether the operator must log in with the card: one is bound, or the policy says everyone.
pub fn card_required(env: &Env, operator_id: i64) -> CardServiceResult<bool> {
    if cards::bound_card(&env.store.read(), operator_id)?.is_some() {
        return Ok(true);
    }
    Ok(login_policy_required(env))
}

/// Whether the policy demands a card of every operator.
pub fn login_policy_required(env: &Env) -> bool {
    merchants::setting(&env.store.read(), SETTING_LOGIN_POLICY)
        .ok()
        .flatten()
        .is_some_and(|v| v == "required")
}

/// The reader named in the settings, if one is.
pub fn configured_reader(env: &Env) -> Option<String> {
    merchants::setting(&env.store.read(), SETTING_READER)
        .ok()
        .flatten()
        .filter(|s| !s.trim().is_empty())
}

/// Names the reader to use (empty: none). Administrators only; audited.
pub fn set_configured_reader(
    env: &mut Env,
    session: &Session,
    reader: &str,
) -> CardServiceResult<()> {
    gate(env, session, Function::MerchantSettings)?;
    let before = configured_reader(env).unwrap_or_default();
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    merchants::set_setting(&tx.db(), SETTING_READER, reader.trim())?;
    record(
        &tx.db(),
        now,
        actor_of(session, &ws),
        "settings.card_reader",
        "",
        &before,
        reader.trim(),
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets whether every operator must log in with a card. Administrators only; audited.
pub fn set_login_policy(env: &mut Env, session: &Session, required: bool) -> CardServiceResult<()> {
    gate(env, session, Function::MerchantSettings)?;
    let before = if login_policy_required(env) {
        "required"
    } else {
        "bound"
    };
    let after = if required { "required" } else { "bound" };
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    merchants::set_setting(&tx.db(), SETTING_LOGIN_POLICY, after)?;
    record(
        &tx.db(),
        now,
        actor_of(session, &ws),
        "settings.card_login_policy",
        "",
        before,
        after,
    )?;
    tx.commit()?;
    Ok(())
}

/// The audit text of a binding: it keeps the sign key itself, so approvals signed with a card
/// that was later unbound can still be verified against the hash-chained log.
fn binding_record(operator_id: i64, id: &CardIdentity) -> String {
    format!(
        "operator_id={operator_id} serial={} auth_alg={} sign_alg={} auth_fpr={} sign_fpr={} \
         sign_key={}",
        id.serial,
        alg_word(id.auth_alg),
        alg_word(id.sign_alg),
        id.auth_fpr(),
        id.sign_fpr(),
        hex::encode(&id.sign_key)
    )
}

fn alg_word(a: Algorithm) -> &'static str {
    match a {
        Algorithm::EccP256 => "P-256",
        Algorithm::EccP384 => "P-384",
        Algorithm::Rsa2048 => "RSA-2048",
    }
}

/// One field of a binding's audit text.
pub(crate) fn binding_field<'a>(after: &'a str, name: &str) -> Option<&'a str> {
    after.split_whitespace().find_map(|kv| {
        kv.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

fn audit_refusal(
    env: &mut Env,
    operator_id: Option<i64>,
    login: &str,
    action: &str,
    target: &str,
    reason: &str,
) -> CardServiceResult<()> {
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let actor = Actor {
        operator_id,
        login,
        workstation: &ws,
    };
    record(&tx.db(), now, actor, action, target, "", reason)?;
    tx.commit()?;
    Ok(())
}

/// Reads the card's identity and proves it holds the keys of its certificates, in one card
/// transaction: SELECT, the serial (CHUID GUID, else the 9A key's fingerprint) and both
/// slots' keys, then VERIFY the PIN and a fresh challenge signed by 9A and by 9C, each
/// checked with its certificate's key. A slot without a certificate is
/// `CardError::NoCertificate` (the card can be set up: [`setup_card`]); a key of another
/// algorithm than P-256, P-384 or RSA-2048 is `CardError::UnsupportedAlgorithm`, named; a
/// certificate whose key the card does not hold is `CardError::KeyMismatch`.
pub fn read_and_prove(transport: &mut dyn Transport, pin: &str) -> Result<CardIdentity, CardError> {
    piv::pin_block(pin)?;
    in_transaction(transport, |t| {
        let id = piv::read_identity(t)?;
        piv::prove_possession(t, pin, &id)?;
        Ok(id)
    })
}

/// Binds the card in the reader to an operator: reads its serial and the certificates of
/// slots 9A and 9C, proves with the card's PIN that the card holds both keys
/// ([`read_and_prove`]), and only then keeps the public keys and their SHA-256 fingerprints.
/// Administrators only (operator management). A card bound to someone else is refused, and so
/// is an operator who has another card; binding the same card again refreshes its keys.
pub fn bind_card(
    env: &mut Env,
    session: &Session,
    operator_id: i64,
    transport: &mut dyn Transport,
    pin: &str,
) -> CardServiceResult<BoundCardInfo> {
    // Permission and operator first: a card is not touched for nothing.
    gate(env, session, Function::OperatorManage)?;
    operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::NotFound)?;
    let outcome = read_and_prove(transport, pin);
    bind_proven(env, session, operator_id, outcome)
}

/// The database half of [`bind_card`], for a screen that ran [`read_and_prove`] on a worker
/// thread (a key that waits for a touch takes seconds): audits a card that failed, refuses a
/// card bound to someone else or an operator with another card, else binds.
pub fn bind_proven(
    env: &mut Env,
    session: &Session,
    operator_id: i64,
    outcome: Result<CardIdentity, CardError>,
) -> CardServiceResult<BoundCardInfo> {
    gate(env, session, Function::OperatorManage)?;
    let op = operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::NotFound)?;
    let me = (Some(session.operator_id), session.login.as_str());
    let id = match outcome {
        Ok(id) => id,
        Err(e) => {
            audit_refusal(
                env,
                me.0,
                me.1,
                "card.bind_failed",
                &op.login,
                &e.to_string(),
            )?;
            return Err(CardServiceError::Card(e));
        }
    };
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let refusal = {
        let conn = &env.store.read();
        match cards::operator_by_serial(conn, &id.serial)? {
            Some((other, login)) if other != operator_id => {
                Some(CardServiceError::CardInUse(login))
            }
            _ => match cards::bound_card(conn, operator_id)? {
                Some(c) if c.serial != id.serial => Some(CardServiceError::AlreadyBound),
                _ => None,
            },
        }
    };
    if let Some(e) = refusal {
        let reason = format!("serial={} {e}", id.serial);
        audit_refusal(env, me.0, me.1, "card.bind_refused", &op.login, &reason)?;
        return Err(e);
    }
    let tx = env.store.begin()?;
    // Checked again inside the transaction: another workstation may have bound it meanwhile.
    if let Some((other, login)) = cards::operator_by_serial(&tx.db(), &id.serial)? {
        if other != operator_id {
            return Err(CardServiceError::CardInUse(login));
        }
    }
    let before = cards::bound_card(&tx.db(), operator_id)?
        .map(|c| {
            format!(
                "serial={} auth_fpr={} sign_fpr={}",
                c.serial, c.auth_fpr, c.sign_fpr
            )
        })
        .unwrap_or_default();
    let (auth_fpr, sign_fpr) = (id.auth_fpr(), id.sign_fpr());
    cards::bind(
        &tx.db(),
        operator_id,
        &NewBinding {
            serial: &id.serial,
            auth_pubkey: &id.auth_key,
            sign_pubkey: &id.sign_key,
            auth_fpr: &auth_fpr,
            sign_fpr: &sign_fpr,
        },
    )?;
    record(
        &tx.db(),
        now,
        actor_of(session, &ws),
        "card.bind",
        &op.login,
        &before,
        &binding_record(operator_id, &id),
    )?;
    tx.commit()?;
    Ok(BoundCardInfo {
        serial: id.serial,
        auth_fpr,
        sign_fpr,
    })
}

/// Unbinds an operator's card. The acting administrator confirms with their payment password
/// (their login password while they have none set, as when changing it).
pub fn unbind_card(
    env: &mut Env,
    session: &Session,
    operator_id: i64,
    pay_password: &str,
) -> CardServiceResult<()> {
    gate(env, session, Function::OperatorManage)?;
    if pay_password.is_empty() {
        return Err(ServiceError::Invalid {
            field: "pay_password",
            problem: Problem::Required,
        }
        .into());
    }
    let me = operators::by_id(&env.store.read(), session.operator_id)?
        .ok_or(ServiceError::SessionEnded)?;
    let op = operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::NotFound)?;
    let hash = me.pay_password_hash.as_deref().unwrap_or(&me.password_hash);
    if !password::verify(hash, pay_password) {
        audit_refusal(
            env,
            Some(session.operator_id),
            &session.login,
            "card.unbind_refused",
            &op.login,
            "wrong payment password",
        )?;
        return Err(ServiceError::Invalid {
            field: "pay_password",
            problem: Problem::WrongPassword,
        }
        .into());
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let Some(card) = cards::bound_card(&tx.db(), operator_id)? else {
        return Err(CardServiceError::NotBound);
    };
    cards::unbind(&tx.db(), operator_id)?;
    record(
        &tx.db(),
        now,
        actor_of(session, &ws),
        "card.unbind",
        &op.login,
        &format!(
            "operator_id={operator_id} serial={} auth_fpr={} sign_fpr={}",
            card.serial, card.auth_fpr, card.sign_fpr
        ),
        "",
    )?;
    tx.commit()?;
    Ok(())
}

/// The card part of a login, in three steps so the card's may run on a worker thread:
/// [`CardLogin::begin`] reads the bound card from the database, [`CardLogin::run`] talks to
/// the card only (it is `Send`; a touch-policy key may take seconds there), and
/// [`CardLogin::finish`] audits the outcome. [`login_with_card`] does the three in a row.
#[derive(Debug, Clone)]
pub struct CardLogin {
    operator_id: i64,
    login: String,
    card: BoundCardInfo,
    auth_key: Vec<u8>,
    challenge: [u8; 32],
}

impl CardLogin {
    /// The operator's bound card and a fresh random 32-byte challenge. An operator without a
    /// card is refused (and audited).
    pub fn begin(env: &mut Env, operator_id: i64) -> CardServiceResult<CardLogin> {
        let op =
            operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::SessionEnded)?;
        if op.status != crate::domain::operator::OperatorStatus::Active {
            return Err(ServiceError::Disabled.into());
        }
        let Some(card) = cards::bound_card(&env.store.read(), operator_id)? else {
            audit_refusal(
                env,
                Some(operator_id),
                &op.login,
                "login.card_refused",
                &op.login,
                "no card bound",
            )?;
            return Err(CardServiceError::NotBound);
        };
        let mut challenge = [0u8; 32];
        rand::rng().fill_bytes(&mut challenge);
        Ok(CardLogin {
            operator_id,
            login: op.login,
            card: info_of(&card),
            auth_key: card.auth_pubkey,
            challenge,
        })
    }

    /// SELECT, VERIFY the PIN, slot 9A signs the challenge (with the bound key's algorithm),
    /// checked with the bound key; one card transaction, no database.
    pub fn run(&self, transport: &mut dyn Transport, pin: &str) -> Result<(), CardError> {
        let alg = Algorithm::of_key(&self.auth_key).ok_or_else(|| {
            CardError::BadResponse("the bound key is of no known algorithm".into())
        })?;
        in_transaction(transport, |t| {
            piv::select(t)?;
            piv::verify_pin(t, pin)?;
            let sig =
                piv::general_authenticate_with(t, alg, Slot::Authentication, &self.challenge)?;
            keys::verify_digest(&self.auth_key, &self.challenge, &sig)
                .map_err(|_| CardError::BadSignature)
        })
    }

    /// Audits the outcome of `run` and passes it on.
    pub fn finish(
        self,
        env: &mut Env,
        outcome: Result<(), CardError>,
    ) -> CardServiceResult<BoundCardInfo> {
        if let Err(e) = outcome {
            let e: CardServiceError = e.into();
            audit_refusal(
                env,
                Some(self.operator_id),
                &self.login,
                "login.card_refused",
                &self.login,
                &e.to_string(),
            )?;
            return Err(e);
        }
        let now = env.now_ms();
        let ws = env.workstation.clone();
        let tx = env.store.begin()?;
        record(
            &tx.db(),
            now,
            Actor {
                operator_id: Some(self.operator_id),
                login: &self.login,
                workstation: &ws,
            },
            "login.card",
            &self.login,
            "",
            &format!(
                "serial={} auth_fpr={}",
                self.card.serial, self.card.auth_fpr
            ),
        )?;
        tx.commit()?;
        Ok(self.card)
    }
}

/// The second step of login for an operator with a card: SELECT, VERIFY the PIN, then slot 9A
/// signs a fresh random 32-byte challenge, checked with the key kept at binding. Every
/// outcome is audited. Wrong PIN and blocked PIN come back as
/// `Card(CardError::WrongPin { tries_left })` and `Card(CardError::PinBlocked)`.
pub fn login_with_card(
    env: &mut Env,
    operator_id: i64,
    transport: &mut dyn Transport,
    pin: &str,
) -> CardServiceResult<BoundCardInfo> {
    let job = CardLogin::begin(env, operator_id)?;
    let outcome = job.run(transport, pin);
    job.finish(env, outcome)
}

/// Whether the card now in the reader is the operator's bound card (by its serial; no PIN).
/// For a session that locked when the card was pulled: unlock when this says yes. Called
/// about once a second: it asks the reader's state (presence, ATR, insertion counter; no
/// command to the card, no reconnection) and reads the card's serial only once per insertion.
pub fn is_bound_card_present(
    env: &Env,
    operator_id: i64,
    transport: &mut dyn Transport,
) -> CardServiceResult<bool> {
    let Some(card) = cards::bound_card(&env.store.read(), operator_id)? else {
        return Err(CardServiceError::NotBound);
    };
    let status = transport.status().map_err(CardError::from)?;
    if !status.present {
        return Ok(false);
    }
    if let Some((insertion, serial)) = transport.remembered() {
        if insertion == status.insertion {
            return Ok(serial == card.serial);
        }
    }
    if transport.busy() {
        // A login or a signature is working with this card on another thread (it checks the
        // card's key itself): do not wait for it; look again at the next tick.
        return Ok(true);
    }
    match in_transaction(transport, |t| {
        piv::select(t)?;
        piv::read_serial(t)
    }) {
        Ok(serial) => {
            let same = serial == card.serial;
            transport.remember((status.insertion, serial));
            Ok(same)
        }
        Err(e) if e.is_removal() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

// ---- setting up a card ----

/// How to set up a card from new: the management key it has now (the default on a new
/// card), its PIN now (123456 on a new card), and optionally a new PIN and a new
/// management key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSetup {
    pub management_key: Vec<u8>,
    pub pin: String,
    pub new_pin: Option<String>,
    pub new_management_key: Option<Vec<u8>>,
    pub algorithm: Algorithm,
}

/// What is wrong with the setup form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupField {
    ManagementKey(String),
    NewManagementKey(String),
    Pin,
    NewPin,
}

impl fmt::Display for SetupField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupField::ManagementKey(e) => write!(f, "management key: {e}"),
            SetupField::NewManagementKey(e) => write!(f, "new management key: {e}"),
            SetupField::Pin => write!(f, "PIN: 6 to 8 characters"),
            SetupField::NewPin => write!(f, "new PIN: 6 to 8 characters"),
        }
    }
}

impl CardSetup {
    /// From what a form or the command line gives: keys as hex (an empty management key is
    /// the default one, an empty new one keeps it; `random` makes a random AES-or-3DES key of
    /// the current key's length), PINs as typed (an empty PIN is 123456, an empty new PIN
    /// keeps it).
    pub fn parse(
        management_key: &str,
        pin: &str,
        new_pin: &str,
        new_management_key: &str,
    ) -> Result<CardSetup, SetupField> {
        let mk = mgmt::parse_key(management_key).map_err(SetupField::ManagementKey)?;
        let pin = if pin.is_empty() {
            piv::DEFAULT_PIN.to_string()
        } else {
            pin.to_string()
        };
        piv::pin_block(&pin).map_err(|_| SetupField::Pin)?;
        let new_pin = match new_pin {
            "" => None,
            p => {
                piv::pin_block(p).map_err(|_| SetupField::NewPin)?;
                Some(p.to_string())
            }
        };
        let new_mk = match new_management_key.trim() {
            "" => None,
            "random" => {
                let mut k = vec![0u8; mk.len()];
                rand::rng().fill_bytes(&mut k);
                Some(k)
            }
            text => Some(mgmt::parse_key(text).map_err(SetupField::NewManagementKey)?),
        };
        Ok(CardSetup {
            management_key: mk,
            pin,
            new_pin,
            new_management_key: new_mk,
            algorithm: Algorithm::EccP256,
        })
    }

    /// The PIN the card has once set up.
    pub fn final_pin(&self) -> &str {
        self.new_pin.as_deref().unwrap_or(&self.pin)
    }
}

/// What setting up did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupDone {
    pub identity: CardIdentity,
    /// The slots that got new keys and certificates.
    pub generated: Vec<Slot>,
    pub management_algorithm: MgmtAlgorithm,
    pub pin_changed: bool,
    /// The new management key, when one was set (shown once, for the administrator to keep).
    pub new_management_key: Option<Vec<u8>>,
}

/// Sets up the card in the reader, talking to the card only (the command line's
/// `merchant-desk card setup` uses it as is): see `piv::setup` (P-256 keys generated on the
/// card in the empty slots 9A and 9C, self-signed certificates, a CHUID with a fresh GUID),
/// then the PIN and the management key are changed when new ones are given.
pub fn prepare_card(
    transport: &mut dyn Transport,
    setup: &CardSetup,
) -> Result<SetupDone, CardError> {
    let mut opts = SetupOptions::new(&setup.pin, "merchant-desk");
    opts.management_key = setup.management_key.clone();
    opts.algorithm = setup.algorithm;
    let report = piv::setup(transport, &opts)?;
    let mut pin_changed = false;
    if let Some(new) = &setup.new_pin {
        if new != &setup.pin {
            piv::change_pin_session(transport, &setup.pin, new)?;
            pin_changed = true;
        }
    }
    let mut new_management_key = None;
    if let Some(new) = &setup.new_management_key {
        if new != &setup.management_key {
            piv::change_management_key_session(transport, &setup.management_key, new)?;
            new_management_key = Some(new.clone());
        }
    }
    Ok(SetupDone {
        identity: report.identity,
        generated: report.generated,
        management_algorithm: report.management_algorithm,
        pin_changed,
        new_management_key,
    })
}

/// Sets up the card in the reader for binding (administrators only, audited; no secret goes
/// into the log): [`prepare_card`]. The caller then binds it with [`bind_card`] and the
/// card's PIN (`setup.final_pin()`).
pub fn setup_card(
    env: &mut Env,
    session: &Session,
    transport: &mut dyn Transport,
    setup: &CardSetup,
) -> CardServiceResult<SetupDone> {
    gate(env, session, Function::OperatorManage)?;
    let outcome = prepare_card(transport, setup);
    setup_recorded(env, session, outcome)
}

/// The database half of [`setup_card`], for a screen that ran [`prepare_card`] on a worker
/// thread: audits the outcome (no secret goes into the log) and passes it on.
pub fn setup_recorded(
    env: &mut Env,
    session: &Session,
    outcome: Result<SetupDone, CardError>,
) -> CardServiceResult<SetupDone> {
    gate(env, session, Function::OperatorManage)?;
    let done = match outcome {
        Ok(d) => d,
        Err(e) => {
            audit_refusal(
                env,
                Some(session.operator_id),
                &session.login,
                "card.setup_failed",
                "",
                &e.to_string(),
            )?;
            return Err(CardServiceError::Card(e));
        }
    };
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let slots: Vec<String> = done.generated.iter().map(|s| s.to_string()).collect();
    record(
        &tx.db(),
        now,
        actor_of(session, &ws),
        "card.setup",
        &done.identity.serial,
        "",
        &format!(
            "serial={} generated={} auth_fpr={} sign_fpr={} pin_changed={} \
             management_key_changed={}",
            done.identity.serial,
            if slots.is_empty() {
                "-".to_string()
            } else {
                slots.join(",")
            },
            done.identity.auth_fpr(),
            done.identity.sign_fpr(),
            done.pin_changed,
            done.new_management_key.is_some()
        ),
    )?;
    tx.commit()?;
    Ok(done)
}

// ---------------------------------------------------------------- card work for screens
//
// Screens never hold the card: they ask here, and a slow card (one that waits for a touch) runs
// on a worker thread the screen polls on its ticks.

pub use crate::card::transport::TransportError;
pub use crate::card::worker::CardJob;
pub use crate::card::StatusWord;

/// The outcome of setting up a blank card and then proving it for binding.
pub type SetupOutcome = (
    Result<SetupDone, CardError>,
    Result<CardIdentity, CardError>,
);

/// Opens this workstation's reader and proves the card in it (PIN, both slots sign a fresh
/// challenge) on a worker thread; `bind_proven` stores the binding from the outcome.
pub fn start_read_and_prove(
    env: &Env,
    pin: String,
) -> CardServiceResult<CardJob<Result<CardIdentity, CardError>>> {
    let mut t = env
        .open_card()
        .map_err(|e| CardServiceError::Card(e.into()))?;
    Ok(CardJob::start(move || read_and_prove(&mut *t, &pin)))
}

/// Opens this workstation's reader, sets up the blank card in it and proves it, on a worker
/// thread; `setup_recorded` and `bind_proven` store the outcome.
pub fn start_setup_and_prove(
    env: &Env,
    setup: CardSetup,
) -> CardServiceResult<CardJob<SetupOutcome>> {
    let mut t = env
        .open_card()
        .map_err(|e| CardServiceError::Card(e.into()))?;
    Ok(CardJob::start(move || {
        let done = prepare_card(&mut *t, &setup);
        let proof = match &done {
            Ok(_) => read_and_prove(&mut *t, setup.final_pin()),
            Err(_) => Err(CardError::NoCertificate(Slot::Authentication)),
        };
        (done, proof)
    }))
}

/// Whether the operator's bound card is in this workstation's reader now (the once-a-second
/// watch of a card session). Any error counts as "not there", which locks the screen.
pub fn bound_card_in_reader(env: &Env, operator_id: i64) -> bool {
    env.open_card()
        .ok()
        .and_then(|mut t| is_bound_card_present(env, operator_id, &mut *t).ok())
        .unwrap_or(false)
}

/// The PC/SC readers this workstation has, for the settings screen.
pub fn readers() -> Result<Vec<String>, TransportError> {
    crate::card::list_readers()
}
