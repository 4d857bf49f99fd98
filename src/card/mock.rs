//! A scripted transport for tests: each command must equal the next expected one, and gets its
//! scripted answer. Unexpected or missing exchanges panic, so a test sees exactly what was sent.

use std::collections::VecDeque;

use super::transport::{CardStatus, Transport, TransportError};

/// An expected command and the answer it gets.
type Exchange = (Vec<u8>, Result<Vec<u8>, TransportError>);

#[derive(Debug, Default)]
pub struct MockTransport {
    script: VecDeque<Exchange>,
    /// Every command sent, in order.
    pub sent: Vec<Vec<u8>>,
    pub present: bool,
}

impl MockTransport {
    pub fn new() -> MockTransport {
        MockTransport {
            present: true,
            ..Default::default()
        }
    }

    /// Expects `command` (hex, spaces allowed) and answers `response` (hex).
    pub fn expect(mut self, command: &str, response: &str) -> Self {
        self.script.push_back((unhex(command), Ok(unhex(response))));
        self
    }

    /// Expects `command` (hex) and answers it with raw bytes.
    pub fn expect_bytes(mut self, command: &[u8], response: Vec<u8>) -> Self {
        self.script.push_back((command.to_vec(), Ok(response)));
        self
    }

    /// Expects `command` and fails it with a transport error.
    pub fn expect_error(mut self, command: &str, err: TransportError) -> Self {
        self.script.push_back((unhex(command), Err(err)));
        self
    }

    /// Panics unless every scripted exchange took place.
    pub fn assert_done(&self) {
        assert!(
            self.script.is_empty(),
            "{} scripted exchanges did not happen; next expected: {}",
            self.script.len(),
            hex::encode_upper(&self.script[0].0)
        );
    }
}

impl Transport for MockTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(command.to_vec());
        let Some((expected, answer)) = self.script.pop_front() else {
            panic!("unexpected command {}", hex::encode_upper(command));
        };
        assert_eq!(
            hex::encode_upper(command),
            hex::encode_upper(&expected),
            "command #{} differs from the script",
            self.sent.len()
        );
        answer
    }

    fn status(&mut self) -> Result<CardStatus, TransportError> {
        Ok(CardStatus {
            present: self.present,
            atr: Vec::new(),
            insertion: 0,
        })
    }

    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Transport)) -> Result<(), TransportError> {
        f(self);
        Ok(())
    }

    fn reader_name(&self) -> String {
        "Mock reader".into()
    }
}

/// Hex (spaces ignored) to bytes; panics on bad hex, as it is for scripts written in tests.
pub fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).expect("hex in a test script")
}
