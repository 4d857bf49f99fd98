//! The one thing the PIV commands need from a reader: send command bytes, get response bytes
//! (status word included). PC/SC, the in-process virtual card and test mocks implement it.

use std::fmt;

use super::apdu::{Apdu, Response, StatusWord};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The PC/SC service (pcscd) is not running or not reachable.
    NoService,
    /// No reader of that name is connected (the names that are, for the message).
    NoReader {
        wanted: String,
        present: Vec<String>,
    },
    /// The reader is there but holds no card.
    NoCard,
    /// The card was pulled (or reset) since it was connected.
    CardRemoved,
    /// The exchange with the card broke off (typically the card being pulled mid-command).
    NotTransacted,
    /// Another program holds the card exclusively (PC/SC sharing violation).
    InUse,
    Other(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::NoService => {
                write!(f, "the smart-card service (pcscd) is not running")
            }
            TransportError::NoReader { wanted, present } if present.is_empty() => {
                write!(
                    f,
                    "card reader \"{wanted}\" not found: no reader is connected"
                )
            }
            TransportError::NoReader { wanted, present } => write!(
                f,
                "card reader \"{wanted}\" not found; connected readers: {}",
                present
                    .iter()
                    .map(|p| format!("\"{p}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            TransportError::NoCard => write!(f, "no card in the reader"),
            TransportError::CardRemoved => write!(f, "the card was removed"),
            TransportError::NotTransacted => {
                write!(f, "the exchange with the card broke off (card removed?)")
            }
            TransportError::InUse => write!(
                f,
                "another program is using the card exclusively; close it and try again"
            ),
            TransportError::Other(e) => write!(f, "card reader error: {e}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// What a reader reports of its card without talking to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardStatus {
    pub present: bool,
    /// The card's ATR (empty without a card).
    pub atr: Vec<u8>,
    /// Changes whenever a card is inserted or removed (PC/SC's event counter); the same
    /// counter and ATR mean the same insertion of the same card.
    pub insertion: u64,
}

/// A card in a reader. `transmit` may wait as long as the card works (a key that waits for a
/// touch takes seconds); `status` and `card_present` answer at once and never touch the card.
pub trait Transport {
    /// Sends one command APDU and returns the response bytes, SW1 SW2 last.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Presence, ATR and insertion counter, from the reader's state (no command to the card,
    /// no reconnection). Errors only when the reader or the service is gone.
    fn status(&mut self) -> Result<CardStatus, TransportError>;

    /// Whether a card is in the reader now.
    fn card_present(&mut self) -> Result<bool, TransportError> {
        Ok(self.status()?.present)
    }

    /// Runs `f` with the card held for this connection alone (PC/SC SCardBeginTransaction
    /// .. SCardEndTransaction, leaving the card as it is): no other program's command comes
    /// between SELECT, VERIFY and the signature. `f` gets the transport to use meanwhile.
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError>;

    /// The reader's name, for messages.
    fn reader_name(&self) -> String;

    /// What a caller remembered of the card of one insertion (the card watch keeps the
    /// serial it read, keyed by `CardStatus::insertion`), so the card is read once per
    /// insertion and not every second. Kept per reader where the transport can (PC/SC).
    fn remembered(&mut self) -> Option<(u64, String)> {
        None
    }

    /// Keeps `memo` for `remembered`.
    fn remember(&mut self, memo: (u64, String)) {
        let _ = memo;
    }

    /// Whether another thread is working with the card through this reader's connection now
    /// (a signature waiting for a touch): a command sent now would wait for it.
    fn busy(&mut self) -> bool {
        false
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn status(&mut self) -> Result<CardStatus, TransportError> {
        (**self).status()
    }
    fn card_present(&mut self) -> Result<bool, TransportError> {
        (**self).card_present()
    }
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError> {
        (**self).transaction(f)
    }
    fn reader_name(&self) -> String {
        (**self).reader_name()
    }
    fn remembered(&mut self) -> Option<(u64, String)> {
        (**self).remembered()
    }
    fn remember(&mut self, memo: (u64, String)) {
        (**self).remember(memo)
    }
    fn busy(&mut self) -> bool {
        (**self).busy()
    }
}

/// Runs `f` inside one card transaction and returns what it returns.
pub fn in_transaction<R, E: From<TransportError>>(
    t: &mut dyn Transport,
    f: impl FnOnce(&mut dyn Transport) -> Result<R, E>,
) -> Result<R, E> {
    let mut f = Some(f);
    let mut out = None;
    t.transaction(&mut |inner| {
        if let Some(f) = f.take() {
            out = Some(f(inner));
        }
    })?;
    out.unwrap_or_else(|| Err(TransportError::Other("the transaction did not run".into()).into()))
}

/// INS of GET RESPONSE.
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// Sends a command and collects the whole response: data longer than 255 bytes goes by
/// command chaining (ISO 7816-4 §5.1.1.1: CLA bit 10 on every part but the last), `61xx` is
/// followed with GET RESPONSE, and `6Cxx` resent once with the right Le. The status word
/// returned is the last one (a chained part refused ends it early).
pub fn exchange(t: &mut dyn Transport, apdu: &Apdu) -> Result<Response, TransportError> {
    let mut apdu = apdu.clone();
    while apdu.data.len() > 255 {
        let rest = apdu.data.split_off(255);
        let part = Apdu {
            cla: apdu.cla | 0x10,
            le: None,
            ..apdu.clone()
        };
        let r = parse(&t.transmit(&part.to_bytes())?)?;
        if r.sw != StatusWord::Success {
            return Ok(r);
        }
        apdu.data = rest;
    }
    let apdu = &apdu;
    let raw = t.transmit(&apdu.to_bytes())?;
    let mut resp = parse(&raw)?;
    if let StatusWord::WrongLe(n) = resp.sw {
        let again = apdu.clone().le(n);
        resp = parse(&t.transmit(&again.to_bytes())?)?;
    }
    let mut data = std::mem::take(&mut resp.data);
    // A card never sends more than a few kilobytes; the bound stops a card that loops.
    let mut rounds = 0;
    while let StatusWord::BytesRemaining(n) = resp.sw {
        rounds += 1;
        if rounds > 64 {
            return Err(TransportError::Other(
                "the card keeps sending data (more than 64 GET RESPONSE rounds)".into(),
            ));
        }
        let get = Apdu::new(INS_GET_RESPONSE).cla(apdu.cla & 0x03).le(n);
        resp = parse(&t.transmit(&get.to_bytes())?)?;
        data.append(&mut resp.data);
    }
    Ok(Response { data, sw: resp.sw })
}

fn parse(raw: &[u8]) -> Result<Response, TransportError> {
    Response::from_bytes(raw).ok_or_else(|| {
        TransportError::Other(format!(
            "the card answered {} bytes, fewer than a status word",
            raw.len()
        ))
    })
}
