//! The USB key: a PIV smart card (NIST SP 800-73-4) reached through a [`Transport`] — PC/SC
//! (`reader`), the in-process virtual card (`virtual_card`), or a scripted mock (`mock`).
//!
//! Layers: `apdu` (bytes and status words) → `transport` (the trait, card transactions,
//! command chaining and GET RESPONSE) → `piv` (the commands, binding's proof of possession,
//! setting up a blank card) → `keys` (algorithms, fingerprints, signature verification:
//! ECC P-256, P-384, RSA-2048). `mgmt` is the management key's cryptography, `der` the small
//! DER reader and writer they share, `worker` runs card operations off the UI thread. No
//! database and no screen here.

pub mod apdu;
pub mod der;
pub mod keys;
pub mod mgmt;
pub mod mock;
pub mod piv;
pub mod reader;
pub mod transport;
pub mod virtual_card;
pub mod vpcd;
pub mod worker;

pub use apdu::{Apdu, Response, StatusWord};
pub use keys::Algorithm;
pub use piv::{CardError, CardIdentity, CardResult, Slot};
pub use reader::{list_readers, PcscTransport};
pub use transport::{CardStatus, Transport, TransportError};
pub use virtual_card::{VirtualCard, VirtualReader, VirtualTransport};

/// Opens a PC/SC reader by name, boxed for callers that hold any transport.
pub fn open_reader(name: &str) -> Result<Box<dyn Transport + Send>, TransportError> {
    Ok(Box::new(PcscTransport::open(name)?))
}
