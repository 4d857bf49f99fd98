//! The real thing: a card in a PC/SC reader (pcscd), chosen by name.
//!
//! One connection per reader for the whole process, kept open (every [`PcscTransport`] of a
//! reader shares it), connected in shared mode on the first command and disconnected only with
//! `LEAVE_CARD` — never with a reset, which would throw away the card's PIN state and every
//! other program's session. Operations that belong together (SELECT, VERIFY, sign) run inside
//! one `SCardBeginTransaction`. Presence, ATR and the insertion counter come from
//! `SCardGetStatusChange` with a zero timeout on a context of their own, so the once-a-second
//! card watch neither reconnects nor waits for a card that is busy signing.

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

use super::transport::{CardStatus, Transport, TransportError};

fn map_err(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped | E::NoReadersAvailable => TransportError::NoService,
        E::NoSmartcard => TransportError::NoCard,
        E::RemovedCard | E::ResetCard | E::UnpoweredCard => TransportError::CardRemoved,
        E::NotTransacted | E::CommDataLost => TransportError::NotTransacted,
        E::SharingViolation => TransportError::InUse,
        other => TransportError::Other(other.to_string()),
    }
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(|e| match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => TransportError::NoService,
        other => TransportError::Other(other.to_string()),
    })
}

fn readers_of(ctx: &Context) -> Result<Vec<String>, TransportError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_err(e)),
    }
}

/// The names of the connected readers (empty when none is). `NoService` without pcscd.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    readers_of(&establish()?)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Disconnects leaving the card as it is (the pcsc crate's `Drop` would reset it).
fn leave(card: Card) {
    if let Err((card, _)) = card.disconnect(Disposition::LeaveCard) {
        // Could not disconnect cleanly (service gone): forget the handle rather than let
        // `Drop` reset the card.
        std::mem::forget(card);
    }
}

/// The connection to one reader's card.
struct Connection {
    ctx: Option<Context>,
    card: Option<Card>,
    /// The reader's insertion counter when the card was connected, if known.
    insertion: Option<u64>,
}

/// What the handles of one reader share.
struct Shared {
    conn: Mutex<Connection>,
    /// The context of `status` (a context is used by one thread at a time).
    watch: Mutex<Option<Context>>,
    memo: Mutex<Option<(u64, String)>>,
}

fn pool() -> &'static Mutex<HashMap<String, Arc<Shared>>> {
    static POOL: OnceLock<Mutex<HashMap<String, Arc<Shared>>>> = OnceLock::new();
    POOL.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A reader by name, connected to its card on the first command; handles of the same reader
/// share one connection.
pub struct PcscTransport {
    name: String,
    cname: CString,
    shared: Arc<Shared>,
}

fn is_stale_context(e: pcsc::Error) -> bool {
    matches!(
        e,
        pcsc::Error::InvalidHandle | pcsc::Error::ServiceStopped | pcsc::Error::NoService
    )
}

impl PcscTransport {
    /// Opens the reader called `name` exactly. Fails at once with `NoService` when pcscd is not
    /// running and `NoReader` (listing the readers there are) when it is not connected. Does
    /// not touch the card.
    pub fn open(name: &str) -> Result<PcscTransport, TransportError> {
        let cname = CString::new(name).map_err(|_| TransportError::NoReader {
            wanted: name.to_string(),
            present: Vec::new(),
        })?;
        let shared = lock(pool())
            .entry(name.to_string())
            .or_insert_with(|| {
                Arc::new(Shared {
                    conn: Mutex::new(Connection {
                        ctx: None,
                        card: None,
                        insertion: None,
                    }),
                    watch: Mutex::new(None),
                    memo: Mutex::new(None),
                })
            })
            .clone();
        let mut t = PcscTransport {
            name: name.to_string(),
            cname,
            shared,
        };
        // The reader must be there now.
        t.status()?;
        Ok(t)
    }

    fn no_reader(&self, ctx: Option<&Context>) -> TransportError {
        let present = match ctx {
            Some(c) => readers_of(c).unwrap_or_default(),
            None => list_readers().unwrap_or_default(),
        };
        TransportError::NoReader {
            wanted: self.name.clone(),
            present,
        }
    }

    fn map(&self, e: pcsc::Error) -> TransportError {
        match e {
            pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => self.no_reader(None),
            other => map_err(other),
        }
    }

    /// Connects the shared connection to the card when it is not (shared mode; a card held
    /// exclusively by another program is `InUse`).
    fn connect<'a>(&self, c: &'a mut Connection) -> Result<&'a mut Card, TransportError> {
        if c.card.is_none() {
            if c.ctx.is_none() {
                c.ctx = Some(establish()?);
            }
            let ctx = c.ctx.as_ref().expect("just set");
            let card = match ctx.connect(&self.cname, ShareMode::Shared, Protocols::ANY) {
                Err(e) if is_stale_context(e) => {
                    // pcscd restarted since the context was made: a new one, once.
                    let ctx = establish()?;
                    let r = ctx.connect(&self.cname, ShareMode::Shared, Protocols::ANY);
                    c.ctx = Some(ctx);
                    r
                }
                other => other,
            }
            .map_err(|e| self.map(e))?;
            c.card = Some(card);
        }
        Ok(c.card.as_mut().expect("just connected"))
    }

    /// Whether this error means the handle is of no more use (the card went, was reset, or the
    /// reader or service vanished): the next command connects afresh.
    fn handle_lost(e: pcsc::Error) -> bool {
        matches!(
            e,
            pcsc::Error::RemovedCard
                | pcsc::Error::ResetCard
                | pcsc::Error::InvalidHandle
                | pcsc::Error::UnpoweredCard
                | pcsc::Error::ReaderUnavailable
                | pcsc::Error::UnknownReader
                | pcsc::Error::ServiceStopped
        )
    }

    fn drop_card(c: &mut Connection) {
        c.insertion = None;
        if let Some(card) = c.card.take() {
            leave(card);
        }
    }
}

/// The transport inside a transaction: the card handle, borrowed.
struct InTransaction<'a> {
    card: &'a Card,
    name: &'a str,
    /// Set when the handle turned out lost, so the connection is dropped afterwards.
    lost: bool,
    status: CardStatus,
}

fn transmit_on(card: &Card, command: &[u8]) -> Result<Vec<u8>, pcsc::Error> {
    let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    card.transmit(command, &mut buf).map(|r| r.to_vec())
}

impl Transport for InTransaction<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        match transmit_on(self.card, command) {
            // A reader driver whose card vanished mid-command may answer nothing at all
            // (vpcd does): the exchange broke off.
            Ok(r) if r.len() < 2 => {
                self.lost = true;
                Err(TransportError::NotTransacted)
            }
            Ok(r) => Ok(r),
            Err(e) => {
                if PcscTransport::handle_lost(e) || e == pcsc::Error::NotTransacted {
                    self.lost = true;
                }
                Err(map_err(e))
            }
        }
    }

    fn status(&mut self) -> Result<CardStatus, TransportError> {
        Ok(self.status.clone())
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError> {
        f(self);
        Ok(())
    }

    fn reader_name(&self) -> String {
        self.name.to_string()
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let shared = self.shared.clone();
        let mut c = lock(&shared.conn);
        let result = transmit_on(self.connect(&mut c)?, command);
        match result {
            Ok(r) if r.len() < 2 => Err(TransportError::NotTransacted),
            Ok(r) => Ok(r),
            Err(e) => {
                // A card that was pulled or reset is reconnected on the next command; after
                // `NotTransacted` the handle is kept, so a pull shows as `CardRemoved` next.
                if Self::handle_lost(e) {
                    Self::drop_card(&mut c);
                }
                Err(self.map(e))
            }
        }
    }

    fn status(&mut self) -> Result<CardStatus, TransportError> {
        let shared = self.shared.clone();
        let mut w = lock(&shared.watch);
        let mut states = [ReaderState::new(self.cname.clone(), State::UNAWARE)];
        let mut tried_fresh = false;
        loop {
            if w.is_none() {
                *w = Some(establish()?);
                tried_fresh = true;
            }
            let ctx = w.as_ref().expect("just set");
            match ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => break,
                Err(e) if is_stale_context(e) && !tried_fresh => {
                    // pcscd restarted: a new context, once.
                    *w = None;
                }
                Err(pcsc::Error::UnknownReader) => return Err(self.no_reader(w.as_ref())),
                Err(e) => return Err(self.map(e)),
            }
        }
        let s = states[0].event_state();
        if s.intersects(State::UNKNOWN | State::UNAVAILABLE) {
            return Err(self.no_reader(w.as_ref()));
        }
        let present = s.contains(State::PRESENT) && !s.contains(State::MUTE);
        let insertion = states[0].event_count() as u64;
        drop(w);
        // The card of our connection is gone (pulled, or another one put in): let the handle
        // go now, so no stale handle of ours keeps another program from the new card. Never
        // waits for a connection that is busy with the card.
        if let Ok(mut c) = shared.conn.try_lock() {
            let stale = !present || c.insertion.is_some_and(|i| i != insertion);
            if stale && c.card.is_some() {
                Self::drop_card(&mut c);
            }
        }
        Ok(CardStatus {
            present,
            atr: if present {
                states[0].atr().to_vec()
            } else {
                Vec::new()
            },
            insertion,
        })
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError> {
        let status = self.status()?;
        let shared = self.shared.clone();
        let mut c = lock(&shared.conn);
        let mut retried = false;
        loop {
            let outcome = {
                if c.card.is_none() {
                    c.insertion = Some(status.insertion);
                }
                let card = self.connect(&mut c)?;
                match card.transaction() {
                    Ok(tx) => {
                        let mut inner = InTransaction {
                            card: &tx,
                            name: &self.name,
                            lost: false,
                            status: status.clone(),
                        };
                        f(&mut inner);
                        let lost = inner.lost;
                        if let Err((tx, _)) = tx.end(Disposition::LeaveCard) {
                            // Its Drop ends it leaving the card too.
                            drop(tx);
                        }
                        Ok(lost)
                    }
                    Err(e) => Err(e),
                }
            };
            match outcome {
                Ok(lost) => {
                    if lost {
                        Self::drop_card(&mut c);
                    }
                    return Ok(());
                }
                Err(e) if Self::handle_lost(e) && !retried => {
                    // The card was pulled (and maybe another put in) or reset since the last
                    // command: connect afresh, once.
                    retried = true;
                    Self::drop_card(&mut c);
                }
                Err(e) => {
                    if Self::handle_lost(e) {
                        Self::drop_card(&mut c);
                    }
                    return Err(self.map(e));
                }
            }
        }
    }

    fn reader_name(&self) -> String {
        self.name.clone()
    }

    fn remembered(&mut self) -> Option<(u64, String)> {
        lock(&self.shared.memo).clone()
    }

    fn remember(&mut self, memo: (u64, String)) {
        *lock(&self.shared.memo) = Some(memo);
    }

    fn busy(&mut self) -> bool {
        self.shared.conn.try_lock().is_err()
    }
}
