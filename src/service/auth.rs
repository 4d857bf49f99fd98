//! Login (B1), lockout (B2), unlocking the screen (B3) and changing one's password (B4, B5).

use crate::domain::function::Function;
use crate::domain::operator::OperatorStatus;
use crate::domain::password::{Failures, PasswordPolicy, PasswordProblem};
use crate::store::{cards, merchants, operators};

use super::audit::{record, Actor};
use super::card::{CardServiceError, CardServiceResult};
use super::error::{invalid, Problem};
use super::kernel::{Needs, Who};
use super::password;
use super::{Env, ServiceError, ServiceResult, Session};

pub fn policy(env: &Env) -> PasswordPolicy {
    let db = env.store.read();
    let get = |k: &str, d: usize| {
        merchants::setting(&db, k)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let d = PasswordPolicy::default();
    PasswordPolicy {
        min_len: get("password_min_len", d.min_len),
        max_len: get("password_max_len", d.max_len),
    }
}

/// Minutes of no keys before the screen locks (0: never).
pub fn idle_lock_minutes(env: &Env) -> i64 {
    merchants::setting(&env.store.read(), "idle_lock_minutes")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// Where a login stands after the password.
#[derive(Debug)]
pub enum LoginStep {
    /// Logged in.
    Done(Session),
    /// The password was right and the operator must prove the card: ask for the PIN and call
    /// `complete_with_card`. Only this module can make one, so no screen can skip the card.
    NeedsCard(PendingLogin),
}

/// A login waiting for the card. Its fields are private to `auth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLogin {
    operator_id: i64,
    login: String,
}

impl LoginStep {
    /// The session when the login is complete; `None` while the card is still to be proven.
    pub fn session(self) -> Option<Session> {
        match self {
            LoginStep::Done(s) => Some(s),
            LoginStep::NeedsCard(_) => None,
        }
    }
}

impl PendingLogin {
    pub fn login(&self) -> &str {
        &self.login
    }
}

/// The first step of a login (B1): the password. An operator with a card bound, or every
/// operator when the policy says so, must then prove the card; if whether a card is needed cannot
/// be read, the login is refused (it fails closed).
pub fn login(env: &mut Env, login: &str, pw: &str) -> ServiceResult<LoginStep> {
    let op = authenticate(env, login, pw, "login")?;
    let needs_card = {
        let db = env.store.read();
        cards::bound_card(&db, op.id)?.is_some()
            || merchants::setting(&db, super::card::SETTING_LOGIN_POLICY)?
                .is_some_and(|v| v == "required")
    };
    if needs_card {
        return Ok(LoginStep::NeedsCard(PendingLogin {
            operator_id: op.id,
            login: op.login,
        }));
    }
    open_session(env, op.id).map(LoginStep::Done)
}

/// The second step for a card operator: the service opens the card in this workstation's reader,
/// VERIFYs the PIN and checks a fresh challenge signed by slot 9A against the bound key.
pub fn complete_with_card(
    env: &mut Env,
    pending: &PendingLogin,
    pin: &str,
) -> CardServiceResult<Session> {
    let mut transport = env
        .open_card()
        .map_err(|e| CardServiceError::Card(e.into()))?;
    super::card::login_with_card(env, pending.operator_id, &mut *transport, pin)?;
    Ok(open_session(env, pending.operator_id)?)
}

/// The card step of a login running on a worker thread, so a key that waits for a touch never
/// blocks the screen: the screen polls it on its ticks.
pub struct CardStep {
    operator_id: i64,
    login: Option<super::card::CardLogin>,
    job: super::card::CardJob<Result<(), super::card::CardError>>,
}

/// Starts the card step: the bound card is read from the database here, the card in this
/// workstation's reader is opened by the service, and PIN + challenge run on a worker.
pub fn start_card_step(
    env: &mut Env,
    pending: &PendingLogin,
    pin: String,
) -> CardServiceResult<CardStep> {
    let login = super::card::CardLogin::begin(env, pending.operator_id)?;
    let mut transport = env
        .open_card()
        .map_err(|e| CardServiceError::Card(e.into()))?;
    let runner = login.clone();
    let job = super::card::CardJob::start(move || runner.run(&mut *transport, &pin));
    Ok(CardStep {
        operator_id: pending.operator_id,
        login: Some(login),
        job,
    })
}

impl CardStep {
    /// `None` while the card works; then the session, or why not (audited either way).
    pub fn poll(&mut self, env: &mut Env) -> Option<CardServiceResult<Session>> {
        let outcome = self.job.poll()?;
        let login = self.login.take()?;
        Some(
            login
                .finish(env, outcome)
                .and_then(|_| Ok(open_session(env, self.operator_id)?)),
        )
    }
}

fn open_session(env: &Env, operator_id: i64) -> ServiceResult<Session> {
    let db = env.store.read();
    let op = operators::by_id(&db, operator_id)?.ok_or(ServiceError::SessionEnded)?;
    let functions = operators::functions_of(&db, op.id)?
        .iter()
        .filter_map(|c| Function::from_code(c))
        .collect();
    let role_names = operators::roles_of(&db, op.id)?
        .into_iter()
        .map(|(_, zh, en)| (zh, en))
        .collect();
    Ok(Session {
        operator_id: op.id,
        login: op.login,
        display_name: op.display_name,
        functions,
        role_names,
        must_change_password: op.must_change_password,
        started_ms: env.now_ms(),
    })
}

/// The audit log keeps a keyed hash of a login name that matches no operator: enough to see
/// repeated tries of one name, never the text (which may be a password typed into the wrong
/// field). The key is this database's own, made on first use.
fn unknown_name_tag(db: &crate::store::Db, name: &str) -> ServiceResult<String> {
    use sha2::{Digest, Sha256};
    const KEY: &str = "audit_name_key";
    let key = match merchants::setting(db, KEY)? {
        Some(k) => k,
        None => {
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            let k = hex::encode(bytes);
            merchants::set_setting(db, KEY, &k)?;
            k
        }
    };
    // HMAC-SHA256 (RFC 2104) with the database's key.
    let key = hex::decode(key).unwrap_or_default();
    let mut block = [0u8; 64];
    block[..key.len().min(64)].copy_from_slice(&key[..key.len().min(64)]);
    let pad = |b: u8| block.iter().map(|k| k ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(name.as_bytes())
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    Ok(format!("name#{}", &hex::encode(outer)[..16]))
}

/// Checks an operator's password for `purpose` ("login", or "unlock" of a locked screen): the
/// operator must exist, be active and not locked out; a wrong password counts towards the
/// lockout. Every outcome is audited as `<purpose>.<what happened>`, a success as `<purpose>`.
/// A wrong name and a wrong password get the same answer.
fn authenticate(
    env: &mut Env,
    login: &str,
    pw: &str,
    purpose: &str,
) -> ServiceResult<operators::OperatorRow> {
    let login = login.trim();
    if login.is_empty() {
        return invalid("login", Problem::Required);
    }
    if pw.is_empty() {
        return invalid("password", Problem::Required);
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let db = tx.db();
    let Some(op) = operators::by_login(&db, login)? else {
        let tag = unknown_name_tag(&db, login)?;
        let actor = Actor {
            operator_id: None,
            login: &tag,
            workstation: &ws,
        };
        record(
            &db,
            now,
            actor,
            &format!("{purpose}.unknown_operator"),
            &tag,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::BadCredentials);
    };
    let actor = Actor {
        operator_id: Some(op.id),
        login: &op.login,
        workstation: &ws,
    };
    if op.status != OperatorStatus::Active {
        record(
            &db,
            now,
            actor,
            &format!("{purpose}.disabled"),
            &op.login,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::Disabled);
    }
    if let Some(until) = op.locked_until_ms.filter(|&u| u > now) {
        record(
            &db,
            now,
            actor,
            &format!("{purpose}.locked"),
            &op.login,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::Locked { until_ms: until });
    }
    if !password::verify(&op.password_hash, pw) {
        // Failures count within a day of the first one; an older count starts again.
        let f = Failures {
            count: op.failed_logins,
            first_ms: op.first_failed_ms,
            blocked_until_ms: op.locked_until_ms,
        }
        .after_wrong(now);
        let (count, locked) = (f.count, f.blocked_until_ms);
        operators::set_failures(&db, op.id, count, f.first_ms, locked)?;
        record(
            &db,
            now,
            actor,
            &format!("{purpose}.wrong_password"),
            &op.login,
            &format!("failed_logins={}", op.failed_logins),
            &format!("failed_logins={count}"),
        )?;
        if let Some(until) = locked {
            record(
                &db,
                now,
                actor,
                "operator.locked",
                &op.login,
                "",
                &format!("until={until}"),
            )?;
            tx.commit()?;
            return Err(ServiceError::Locked { until_ms: until });
        }
        tx.commit()?;
        return Err(ServiceError::BadCredentials);
    }
    operators::record_login(&db, op.id, now)?;
    record(&db, now, actor, purpose, &op.login, "", "")?;
    tx.commit()?;
    Ok(op)
}

pub fn logout(env: &mut Env, session: &Session) -> ServiceResult<()> {
    env.act(Who::Operator(session), Needs::signed_in(), "logout", |uc| {
        uc.audit("logout", &session.login, "", "")
    })
}

pub fn actor_of<'a>(session: &'a Session, ws: &'a str) -> Actor<'a> {
    Actor {
        operator_id: Some(session.operator_id),
        login: &session.login,
        workstation: ws,
    }
}

/// Unlocks a locked screen: the session's own password. Wrong tries count towards the lockout.
pub fn unlock(env: &mut Env, session: &Session, pw: &str) -> ServiceResult<()> {
    authenticate(env, &session.login, pw, "unlock").map(|_| ())
}

fn policy_problem(p: PasswordProblem) -> Problem {
    match p {
        PasswordProblem::TooShort(n) => Problem::TooShort(n),
        PasswordProblem::TooLong(n) => Problem::TooLong(n),
        PasswordProblem::HasSpace => Problem::HasSpace,
        PasswordProblem::Mismatch => Problem::Mismatch,
        PasswordProblem::SameAsOld => Problem::SameAsOld,
    }
}

/// Which password a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Login,
    Payment,
}

/// Changes the session's own login or payment password: the old one once, the new one twice.
/// A payment password that was never set is set with the login password as the "old" one.
pub fn change_password(
    env: &mut Env,
    session: &Session,
    which: Which,
    old: &str,
    new1: &str,
    new2: &str,
) -> ServiceResult<()> {
    if old.is_empty() {
        return invalid("old", Problem::Required);
    }
    let policy = policy(env);
    policy.check(new1).map_err(|p| ServiceError::Invalid {
        field: "new1",
        problem: policy_problem(p),
    })?;
    if new1 != new2 {
        return invalid("new2", Problem::Mismatch);
    }
    let (action, refused) = match which {
        Which::Login => ("password.change", "password.change_refused"),
        Which::Payment => ("pay_password.change", "pay_password.change_refused"),
    };
    let verdict = env.act(Who::Operator(session), Needs::signed_in(), action, |uc| {
        let db = uc.db();
        let op = operators::by_id(&db, uc.operator()?)?.ok_or(ServiceError::SessionEnded)?;
        let current = match which {
            Which::Login => op.password_hash.clone(),
            Which::Payment => op
                .pay_password_hash
                .clone()
                .unwrap_or(op.password_hash.clone()),
        };
        if !password::verify(&current, old) {
            return Ok(Err(Problem::WrongPassword));
        }
        if password::verify(&current, new1) {
            return Ok(Err(Problem::SameAsOld));
        }
        let hashed = password::hash(new1);
        match which {
            Which::Login => operators::set_password(&db, op.id, &hashed, false)?,
            Which::Payment => operators::set_pay_password(&db, op.id, &hashed)?,
        }
        uc.audit(action, &op.login, "", "")?;
        Ok(Ok(()))
    })?;
    match verdict {
        Ok(()) => Ok(()),
        Err(Problem::WrongPassword) => {
            // A wrong old password is kept in the log, though nothing else changes.
            env.act(Who::Operator(session), Needs::signed_in(), refused, |uc| {
                uc.audit(refused, &session.login, "", "")
            })?;
            invalid("old", Problem::WrongPassword)
        }
        Err(p) => invalid("new1", p),
    }
}

/// Whether the operator may use a function; the menus ask this, the services enforce it.
pub fn may(session: &Session, f: Function) -> bool {
    session.has(f)
}
