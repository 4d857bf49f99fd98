//! The identifiers of card acquiring in China, and their checks.

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reference number (RRN): 12 digits.
pub fn is_rrn(s: &str) -> bool {
    s.len() == 12 && all_digits(s)
}

/// Merchant number: 15 digits.
pub fn is_merchant_no(s: &str) -> bool {
    s.len() == 15 && all_digits(s)
}

/// Terminal id: 8 letters or digits.
pub fn is_terminal_no(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Batch and voucher numbers: 6 digits.
pub fn is_six_digits(s: &str) -> bool {
    s.len() == 6 && all_digits(s)
}

/// Authorisation code: 6 letters or digits.
pub fn is_auth_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Masks a full card number to its first 6 and last 4 digits; the full number is never kept.
pub fn mask_card(pan: &str) -> Option<String> {
    if !(16..=19).contains(&pan.len()) || !all_digits(pan) {
        return None;
    }
    let stars = "*".repeat(pan.len() - 10);
    Some(format!("{}{}{}", &pan[..6], stars, &pan[pan.len() - 4..]))
}

/// A masked card number as stored: 6 digits, 6–9 stars, 4 digits.
pub fn is_masked_card(s: &str) -> bool {
    let b = s.as_bytes();
    (16..=19).contains(&b.len())
        && b[..6].iter().all(u8::is_ascii_digit)
        && b[b.len() - 4..].iter().all(u8::is_ascii_digit)
        && b[6..b.len() - 4].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(is_rrn("123456789012"));
        assert!(!is_rrn("12345678901a"));
        assert!(is_merchant_no("104110053110001"));
        assert!(is_terminal_no("10000001"));
        assert!(!is_terminal_no("1000001"));
        assert_eq!(
            mask_card("6225881234561234").as_deref(),
            Some("622588******1234")
        );
        assert!(is_masked_card("622588*********1234"));
        assert!(!is_masked_card("6225881234561234"));
        assert!(mask_card("12345").is_none());
    }
}
