//! Password rules (B4): 6–32 characters by default, no spaces; the policy's bounds come from the
//! merchant settings.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 6,
            max_len: 32,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort(usize),
    TooLong(usize),
    HasSpace,
    Mismatch,
    SameAsOld,
}

impl PasswordPolicy {
    pub fn check(&self, password: &str) -> Result<(), PasswordProblem> {
        let n = password.chars().count();
        if password.chars().any(char::is_whitespace) {
            return Err(PasswordProblem::HasSpace);
        }
        if n < self.min_len {
            return Err(PasswordProblem::TooShort(self.min_len));
        }
        if n > self.max_len {
            return Err(PasswordProblem::TooLong(self.max_len));
        }
        Ok(())
    }
}

/// Lockout (B2): this many wrong passwords within a day lock the operator for 24 hours.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 24 * 3600 * 1000;
pub const LOCKOUT_MS: i64 = 24 * 3600 * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("abc12"), Err(PasswordProblem::TooShort(6)));
        assert_eq!(p.check("abc 123"), Err(PasswordProblem::HasSpace));
        assert_eq!(p.check(&"a".repeat(33)), Err(PasswordProblem::TooLong(32)));
        assert!(p.check("abc123").is_ok());
    }
}
