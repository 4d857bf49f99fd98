//! A logged-in operator, and the environment every use case runs in.

use std::collections::BTreeSet;

use crate::clock::SharedClock;
use crate::domain::function::Function;
use crate::store::{operators, Store};

use super::kernel::{Needs, Who};

use super::ServiceResult;

/// Where the USB key is read: PC/SC readers (the reader named in the settings), or the virtual
/// reader of a scripted run, whose card a tape inserts and pulls.
#[derive(Clone)]
pub enum CardReaders {
    Pcsc,
    Virtual(crate::card::VirtualReader),
}

/// Where use cases run: the database, the clock, the workstation that acts, and its card reader.
pub struct Env {
    pub store: Store,
    pub clock: SharedClock,
    pub workstation: String,
    pub readers: CardReaders,
}

impl Env {
    pub fn new(store: Store, clock: SharedClock) -> Env {
        Env {
            store,
            clock,
            workstation: workstation_name(),
            readers: CardReaders::Pcsc,
        }
    }

    /// Connects to the card in this workstation's reader.
    pub fn open_card(
        &self,
    ) -> Result<Box<dyn crate::card::Transport + Send>, crate::card::TransportError> {
        match &self.readers {
            CardReaders::Virtual(r) => Ok(Box::new(r.transport())),
            CardReaders::Pcsc => {
                let name = super::card::configured_reader(self).ok_or_else(|| {
                    crate::card::TransportError::NoReader {
                        wanted: String::new(),
                        present: crate::card::list_readers().unwrap_or_default(),
                    }
                })?;
                crate::card::open_reader(&name)
            }
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The host name, and the remote address for an SSH session.
pub fn workstation_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    match std::env::var("SSH_CLIENT") {
        Ok(c) => format!(
            "{host} ssh:{}",
            c.split_whitespace().next().unwrap_or_default()
        ),
        Err(_) => host,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub operator_id: i64,
    pub login: String,
    pub display_name: String,
    /// The functions at login; the service re-reads them before every action.
    pub functions: BTreeSet<Function>,
    pub role_names: Vec<(String, String)>,
    pub must_change_password: bool,
    pub started_ms: i64,
}

impl PartialOrd for Function {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Function {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code().cmp(other.code())
    }
}

impl Session {
    pub fn has(&self, f: Function) -> bool {
        self.functions.contains(&f)
    }
}

/// The session as it stands now: the operator's functions and roles re-read, so a role change
/// or a disable takes effect at the operator's next key. A disabled or removed operator gets
/// `SessionEnded`.
pub fn refresh(env: &Env, session: &Session) -> ServiceResult<Session> {
    env.query(
        Who::Operator(session),
        Needs::signed_in(),
        "session.refresh",
        |uc| {
            let db = uc.db();
            let id = uc.operator()?;
            let functions = operators::functions_of(&db, id)?
                .iter()
                .filter_map(|c| Function::from_code(c))
                .collect();
            let role_names = operators::roles_of(&db, id)?
                .into_iter()
                .map(|(_, zh, en)| (zh, en))
                .collect();
            Ok(Session {
                functions,
                role_names,
                ..session.clone()
            })
        },
    )
}

/// Whether the operator sees only some terminal groups (screens say so beside a total).
pub fn is_scoped(env: &Env, session: &Session) -> ServiceResult<bool> {
    env.query(
        Who::Operator(session),
        Needs::signed_in(),
        "session.scope",
        |uc| Ok(uc.scope().is_some()),
    )
}
