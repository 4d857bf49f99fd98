//! The real thing: a card in a PC/SC reader (pcscd), chosen by name. Nothing here waits on the
//! reader: presence is a status query with a zero timeout, and a missing pcscd answers at once.

use std::ffi::CString;
use std::time::Duration;

use pcsc::{Card, Context, Protocols, ReaderState, Scope, ShareMode, State};

use super::transport::{Transport, TransportError};

fn map_err(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped | E::NoReadersAvailable => TransportError::NoService,
        E::NoSmartcard => TransportError::NoCard,
        E::RemovedCard | E::ResetCard | E::UnpoweredCard => TransportError::CardRemoved,
        E::NotTransacted | E::CommDataLost => TransportError::NotTransacted,
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

/// A reader by name, connected to its card on the first command.
pub struct PcscTransport {
    ctx: Context,
    name: String,
    cname: CString,
    card: Option<Card>,
}

impl PcscTransport {
    /// Opens the reader called `name` exactly. Fails at once with `NoService` when pcscd is not
    /// running and `NoReader` (listing the readers there are) when it is not connected.
    pub fn open(name: &str) -> Result<PcscTransport, TransportError> {
        let ctx = establish()?;
        let present = readers_of(&ctx)?;
        if !present.iter().any(|r| r == name) {
            return Err(TransportError::NoReader {
                wanted: name.to_string(),
                present,
            });
        }
        let cname = CString::new(name).map_err(|_| TransportError::NoReader {
            wanted: name.to_string(),
            present: Vec::new(),
        })?;
        Ok(PcscTransport {
            ctx,
            name: name.to_string(),
            cname,
            card: None,
        })
    }

    fn no_reader(&self) -> TransportError {
        TransportError::NoReader {
            wanted: self.name.clone(),
            present: readers_of(&self.ctx).unwrap_or_default(),
        }
    }

    fn map(&self, e: pcsc::Error) -> TransportError {
        match e {
            pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => self.no_reader(),
            other => map_err(other),
        }
    }

    fn connect(&mut self) -> Result<&Card, TransportError> {
        if self.card.is_none() {
            let card = match self
                .ctx
                .connect(&self.cname, ShareMode::Shared, Protocols::ANY)
            {
                Err(pcsc::Error::InvalidHandle | pcsc::Error::ServiceStopped) => {
                    // pcscd restarted since the context was made: a new one, once.
                    self.ctx = establish()?;
                    self.ctx
                        .connect(&self.cname, ShareMode::Shared, Protocols::ANY)
                }
                other => other,
            }
            .map_err(|e| self.map(e))?;
            self.card = Some(card);
        }
        Ok(self.card.as_ref().expect("just connected"))
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let result = {
            let card = self.connect()?;
            card.transmit(command, &mut buf).map(|r| r.to_vec())
        };
        match result {
            // A reader driver whose card vanished mid-command may answer nothing at all
            // (vpcd does): the exchange broke off.
            Ok(r) if r.len() < 2 => Err(TransportError::NotTransacted),
            Ok(r) => Ok(r),
            Err(e) => {
                let mapped = self.map(e);
                // A card that was pulled or reset is reconnected on the next command; after
                // `NotTransacted` the handle is kept, so a pull shows as `CardRemoved` next.
                if matches!(
                    e,
                    pcsc::Error::RemovedCard
                        | pcsc::Error::ResetCard
                        | pcsc::Error::InvalidHandle
                        | pcsc::Error::UnpoweredCard
                        | pcsc::Error::ReaderUnavailable
                        | pcsc::Error::UnknownReader
                ) {
                    self.card = None;
                }
                Err(mapped)
            }
        }
    }

    fn card_present(&mut self) -> Result<bool, TransportError> {
        let mut states = [ReaderState::new(self.cname.clone(), State::UNAWARE)];
        match self.ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(pcsc::Error::InvalidHandle | pcsc::Error::ServiceStopped) => {
                // pcscd restarted: a new context, once.
                self.ctx = establish()?;
                self.card = None;
                self.ctx
                    .get_status_change(Duration::ZERO, &mut states)
                    .map_err(|e| self.map(e))?;
            }
            Err(e) => return Err(self.map(e)),
        }
        let s = states[0].event_state();
        if s.intersects(State::UNKNOWN | State::UNAVAILABLE) {
            return Err(self.no_reader());
        }
        let present = s.contains(State::PRESENT) && !s.contains(State::MUTE);
        if !present {
            self.card = None;
        }
        Ok(present)
    }

    fn reader_name(&self) -> String {
        self.name.clone()
    }
}
