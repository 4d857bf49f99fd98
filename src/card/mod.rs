//! The USB key: a PIV smart card (NIST SP 800-73-4) reached through a [`Transport`] — PC/SC
//! (`reader`), the in-process virtual card (`virtual_card`), or a scripted mock (`mock`).
//!
//! Layers: `apdu` (bytes and status words) → `transport` (the trait, GET RESPONSE chaining) →
//! `piv` (the commands) → `keys` (fingerprints, ECDSA P-256 verification). `der` holds the small
//! DER reader and writer they share. No database and no screen here.

pub mod apdu;
pub mod der;
pub mod keys;
pub mod mock;
pub mod piv;
pub mod reader;
pub mod transport;
pub mod virtual_card;
pub mod vpcd;

pub use apdu::{Apdu, Response, StatusWord};
pub use piv::{CardError, CardIdentity, CardResult, Slot};
pub use reader::{list_readers, PcscTransport};
pub use transport::{Transport, TransportError};
pub use virtual_card::{VirtualCard, VirtualReader, VirtualTransport};

/// Opens a PC/SC reader by name, boxed for callers that hold any transport.
pub fn open_reader(name: &str) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(Box::new(PcscTransport::open(name)?))
}
