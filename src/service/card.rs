//! The USB key in use: binding a card to an operator (SY2, K §3.7.5), unbinding it with the
//! payment password, and logging in with the card (B1): a fresh challenge signed by slot 9A
//! and checked with the key kept at binding.
//!
//! Card exchanges happen before the database transaction opens, so no write lock is held
//! while the operator fumbles with the PIN; the outcome and its audit row are written in one
//! transaction afterwards.

use std::fmt;

use rand::RngCore;

use crate::card::piv::{self, CardError, CardIdentity, Slot};
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardServiceError {
    /// Permission, validation, database: as every use case.
    Service(ServiceError),
    /// The card or the reader: wrong PIN (tries left), PIN blocked, card removed, no reader,
    /// pcscd not running, ...
    Card(CardError),
    /// The card is bound to another operator (their login).
    CardInUse(String),
    /// The operator has another card bound; unbind it first.
    AlreadyBound,
    /// The operator has no card bound.
    NotBound,
    /// The card's signature does not verify with the operator's bound key: another card.
    WrongCard,
    /// The decision needs the card, and no PIN was given.
    PinNeeded,
}

pub type CardServiceResult<T> = Result<T, CardServiceError>;

impl From<ServiceError> for CardServiceError {
    fn from(e: ServiceError) -> Self {
        CardServiceError::Service(e)
    }
}

impl From<rusqlite::Error> for CardServiceError {
    fn from(e: rusqlite::Error) -> Self {
        CardServiceError::Service(e.into())
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

impl fmt::Display for CardServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardServiceError::Service(e) => write!(f, "{e}"),
            CardServiceError::Card(e) => write!(f, "{e}"),
            CardServiceError::CardInUse(login) => {
                write!(f, "the card is bound to operator {login}")
            }
            CardServiceError::AlreadyBound => {
                write!(f, "the operator has another card bound; unbind it first")
            }
            CardServiceError::NotBound => write!(f, "the operator has no card bound"),
            CardServiceError::WrongCard => {
                write!(f, "this is not the card bound to the operator")
            }
            CardServiceError::PinNeeded => write!(f, "this needs the card and its PIN"),
        }
    }
}

impl std::error::Error for CardServiceError {}

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
        "operator_id={operator_id} serial={} auth_fpr={} sign_fpr={} sign_key={}",
        id.serial,
        id.auth_fpr(),
        id.sign_fpr(),
        hex::encode(id.sign_key)
    )
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

/// Binds the card in the reader to an operator: reads its serial and the certificates of
/// slots 9A and 9C (no PIN needed) and keeps the public keys and their SHA-256 fingerprints.
/// Administrators only (operator management). A card bound to someone else is refused, and so
/// is an operator who has another card; binding the same card again refreshes its keys.
pub fn bind_card(
    env: &mut Env,
    session: &Session,
    operator_id: i64,
    transport: &mut dyn Transport,
) -> CardServiceResult<BoundCardInfo> {
    gate(env, session, Function::OperatorManage)?;
    let op = operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::NotFound)?;
    let me = (Some(session.operator_id), session.login.as_str());
    let id = match piv::read_identity(transport) {
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
            return Err(e.into());
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
    let op = operators::by_id(&env.store.read(), operator_id)?.ok_or(ServiceError::SessionEnded)?;
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
    let outcome = piv::select(transport)
        .and_then(|_| piv::verify_pin(transport, pin))
        .and_then(|_| piv::general_authenticate(transport, Slot::Authentication, &challenge))
        .and_then(|sig| {
            keys::verify_digest(&card.auth_pubkey, &challenge, &sig)
                .map_err(|_| CardError::BadSignature)
        });
    if let Err(e) = outcome {
        let e: CardServiceError = e.into();
        audit_refusal(
            env,
            Some(operator_id),
            &op.login,
            "login.card_refused",
            &op.login,
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
            operator_id: Some(operator_id),
            login: &op.login,
            workstation: &ws,
        },
        "login.card",
        &op.login,
        "",
        &format!("serial={} auth_fpr={}", card.serial, card.auth_fpr),
    )?;
    tx.commit()?;
    Ok(info_of(&card))
}

/// Whether the card now in the reader is the operator's bound card (by its serial; no PIN).
/// For a session that locked when the card was pulled: unlock when this says yes.
pub fn is_bound_card_present(
    env: &Env,
    operator_id: i64,
    transport: &mut dyn Transport,
) -> CardServiceResult<bool> {
    let Some(card) = cards::bound_card(&env.store.read(), operator_id)? else {
        return Err(CardServiceError::NotBound);
    };
    if !transport.card_present().map_err(CardError::from)? {
        return Ok(false);
    }
    match piv::select(transport).and_then(|_| piv::read_serial(transport)) {
        Ok(serial) => Ok(serial == card.serial),
        Err(e) if e.is_removal() => Ok(false),
        Err(e) => Err(e.into()),
    }
}
