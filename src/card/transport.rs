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
            TransportError::Other(e) => write!(f, "card reader error: {e}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// A card in a reader. Implementations never block for long: at most about a second.
pub trait Transport {
    /// Sends one command APDU and returns the response bytes, SW1 SW2 last.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether a card is in the reader now. Answers at once; errors only when the reader or
    /// the service is gone.
    fn card_present(&mut self) -> Result<bool, TransportError>;

    /// The reader's name, for messages.
    fn reader_name(&self) -> String;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn card_present(&mut self) -> Result<bool, TransportError> {
        (**self).card_present()
    }
    fn reader_name(&self) -> String {
        (**self).reader_name()
    }
}

/// INS of GET RESPONSE.
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// Sends a command and collects the whole response: follows `61xx` with GET RESPONSE and
/// resends once with the right Le on `6Cxx`. The status word returned is the last one.
pub fn exchange(t: &mut dyn Transport, apdu: &Apdu) -> Result<Response, TransportError> {
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
