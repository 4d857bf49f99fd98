//! Command and response APDUs (ISO/IEC 7816-4) and the status words PIV cards answer with.

use std::fmt;

/// A command APDU, built field by field and serialized in short form (data up to 255 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length; `Some(0)` means "up to 256 bytes" (Le = 00).
    pub le: Option<u8>,
}

impl Apdu {
    pub fn new(ins: u8) -> Apdu {
        Apdu {
            cla: 0x00,
            ins,
            p1: 0,
            p2: 0,
            data: Vec::new(),
            le: None,
        }
    }

    pub fn cla(mut self, cla: u8) -> Self {
        self.cla = cla;
        self
    }

    pub fn params(mut self, p1: u8, p2: u8) -> Self {
        self.p1 = p1;
        self.p2 = p2;
        self
    }

    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    pub fn le(mut self, le: u8) -> Self {
        self.le = Some(le);
        self
    }

    /// The bytes sent to the card. Panics on more than 255 bytes of data (no command the app
    /// sends is longer; chaining of commands is not needed).
    pub fn to_bytes(&self) -> Vec<u8> {
        assert!(self.data.len() <= 255, "command data longer than 255 bytes");
        let mut v = Vec::with_capacity(6 + self.data.len());
        v.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.data.is_empty() {
            v.push(self.data.len() as u8);
            v.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            v.push(le);
        }
        v
    }

    /// Parses a short command APDU (what the virtual card receives).
    pub fn parse(bytes: &[u8]) -> Option<Apdu> {
        if bytes.len() < 4 {
            return None;
        }
        let mut a = Apdu::new(bytes[1]).cla(bytes[0]).params(bytes[2], bytes[3]);
        match bytes.len() {
            4 => {}
            5 => a.le = Some(bytes[4]),
            n => {
                let lc = bytes[4] as usize;
                if lc == 0 {
                    return None; // extended length: not supported
                }
                if n == 5 + lc {
                    a.data = bytes[5..].to_vec();
                } else if n == 6 + lc {
                    a.data = bytes[5..5 + lc].to_vec();
                    a.le = Some(bytes[5 + lc]);
                } else {
                    return None;
                }
            }
        }
        Some(a)
    }
}

/// A response APDU: data and the status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl Response {
    /// Splits raw response bytes; `None` when fewer than the two status bytes came back.
    pub fn from_bytes(bytes: &[u8]) -> Option<Response> {
        if bytes.len() < 2 {
            return None;
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Some(Response {
            data: data.to_vec(),
            sw: StatusWord::from_u16(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.data.clone();
        v.extend_from_slice(&self.sw.code().to_be_bytes());
        v
    }

    pub fn is_success(&self) -> bool {
        self.sw == StatusWord::Success
    }
}

/// The status words a PIV card answers with (SP 800-73-4 part 2, ISO 7816-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusWord {
    /// 9000
    Success,
    /// 61xx: more response bytes wait for GET RESPONSE (00 means 256 or more).
    BytesRemaining(u8),
    /// 63Cx: wrong PIN, x tries left.
    VerifyFailed {
        tries_left: u8,
    },
    /// 6581
    MemoryFailure,
    /// 6700
    WrongLength,
    /// 6882
    SecureMessagingNotSupported,
    /// 6982
    SecurityStatusNotSatisfied,
    /// 6983
    AuthBlocked,
    /// 6984
    DataInvalid,
    /// 6985
    ConditionsNotSatisfied,
    /// 6A80
    IncorrectData,
    /// 6A81
    FunctionNotSupported,
    /// 6A82
    NotFound,
    /// 6A84
    NotEnoughMemory,
    /// 6A86
    IncorrectP1P2,
    /// 6A88
    ReferenceNotFound,
    /// 6Cxx: wrong Le; resend with this one.
    WrongLe(u8),
    /// 6D00
    InsNotSupported,
    /// 6E00
    ClaNotSupported,
    /// 6F00
    Unknown,
    Other(u16),
}

impl StatusWord {
    pub fn from_u16(sw: u16) -> StatusWord {
        use StatusWord::*;
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Success,
            (0x61, n) => BytesRemaining(n),
            (0x63, n) if n & 0xF0 == 0xC0 => VerifyFailed {
                tries_left: n & 0x0F,
            },
            (0x65, 0x81) => MemoryFailure,
            (0x67, 0x00) => WrongLength,
            (0x68, 0x82) => SecureMessagingNotSupported,
            (0x69, 0x82) => SecurityStatusNotSatisfied,
            (0x69, 0x83) => AuthBlocked,
            (0x69, 0x84) => DataInvalid,
            (0x69, 0x85) => ConditionsNotSatisfied,
            (0x6A, 0x80) => IncorrectData,
            (0x6A, 0x81) => FunctionNotSupported,
            (0x6A, 0x82) => NotFound,
            (0x6A, 0x84) => NotEnoughMemory,
            (0x6A, 0x86) => IncorrectP1P2,
            (0x6A, 0x88) => ReferenceNotFound,
            (0x6C, n) => WrongLe(n),
            (0x6D, 0x00) => InsNotSupported,
            (0x6E, 0x00) => ClaNotSupported,
            (0x6F, 0x00) => Unknown,
            _ => Other(sw),
        }
    }

    pub fn code(&self) -> u16 {
        use StatusWord::*;
        match *self {
            Success => 0x9000,
            BytesRemaining(n) => 0x6100 | n as u16,
            VerifyFailed { tries_left } => 0x63C0 | (tries_left & 0x0F) as u16,
            MemoryFailure => 0x6581,
            WrongLength => 0x6700,
            SecureMessagingNotSupported => 0x6882,
            SecurityStatusNotSatisfied => 0x6982,
            AuthBlocked => 0x6983,
            DataInvalid => 0x6984,
            ConditionsNotSatisfied => 0x6985,
            IncorrectData => 0x6A80,
            FunctionNotSupported => 0x6A81,
            NotFound => 0x6A82,
            NotEnoughMemory => 0x6A84,
            IncorrectP1P2 => 0x6A86,
            ReferenceNotFound => 0x6A88,
            WrongLe(n) => 0x6C00 | n as u16,
            InsNotSupported => 0x6D00,
            ClaNotSupported => 0x6E00,
            Unknown => 0x6F00,
            Other(sw) => sw,
        }
    }

    /// What the status word means, in plain words.
    pub fn message(&self) -> String {
        use StatusWord::*;
        match *self {
            Success => "success".into(),
            BytesRemaining(0) => "256 or more response bytes remain".into(),
            BytesRemaining(n) => format!("{n} response bytes remain"),
            VerifyFailed { tries_left } => format!("wrong PIN, {tries_left} tries left"),
            MemoryFailure => "the card's memory failed".into(),
            WrongLength => "wrong length".into(),
            SecureMessagingNotSupported => "secure messaging not supported".into(),
            SecurityStatusNotSatisfied => "security status not satisfied (PIN not verified)".into(),
            AuthBlocked => "PIN blocked".into(),
            DataInvalid => "referenced data invalidated".into(),
            ConditionsNotSatisfied => "conditions of use not satisfied".into(),
            IncorrectData => "incorrect data in the command".into(),
            FunctionNotSupported => "function not supported".into(),
            NotFound => "file or application not found".into(),
            NotEnoughMemory => "not enough memory on the card".into(),
            IncorrectP1P2 => "incorrect parameters P1-P2".into(),
            ReferenceNotFound => "referenced key or data not found".into(),
            WrongLe(n) => format!("wrong Le, {n} bytes available"),
            InsNotSupported => "instruction not supported".into(),
            ClaNotSupported => "class not supported".into(),
            Unknown => "unknown error on the card".into(),
            Other(sw) => format!("status {sw:04X}"),
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} {}", self.code(), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_the_four_cases() {
        assert_eq!(Apdu::new(0xC0).to_bytes(), vec![0, 0xC0, 0, 0]);
        assert_eq!(Apdu::new(0xC0).le(0).to_bytes(), vec![0, 0xC0, 0, 0, 0]);
        assert_eq!(
            Apdu::new(0x20).params(0, 0x80).data(vec![1, 2]).to_bytes(),
            vec![0, 0x20, 0, 0x80, 2, 1, 2]
        );
        let a = Apdu::new(0xCB).params(0x3F, 0xFF).data(vec![9]).le(0);
        assert_eq!(a.to_bytes(), vec![0, 0xCB, 0x3F, 0xFF, 1, 9, 0]);
        assert_eq!(Apdu::parse(&a.to_bytes()), Some(a));
        assert_eq!(Apdu::parse(&[0, 0xA4, 4, 0, 2, 1]), None);
    }

    #[test]
    fn status_words_round_trip() {
        for sw in [
            0x9000u16, 0x6100, 0x6110, 0x63C2, 0x63C0, 0x6983, 0x6982, 0x6A82, 0x6A80, 0x6C20,
            0x6D00, 0x1234,
        ] {
            assert_eq!(StatusWord::from_u16(sw).code(), sw);
        }
        assert_eq!(
            StatusWord::from_u16(0x63C2),
            StatusWord::VerifyFailed { tries_left: 2 }
        );
        assert_eq!(StatusWord::from_u16(0x6983).message(), "PIN blocked");
        let r = Response::from_bytes(&[1, 2, 0x90, 0]).unwrap();
        assert!(r.is_success());
        assert_eq!(r.data, vec![1, 2]);
        assert_eq!(r.to_bytes(), vec![1, 2, 0x90, 0]);
        assert!(Response::from_bytes(&[0x90]).is_none());
    }
}
