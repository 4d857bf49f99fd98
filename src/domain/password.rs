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

/// Wrong tries of a password (the login's or the payment password's) as the store keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub first_ms: Option<i64>,
    /// Set once the count reached `MAX_FAILED_LOGINS`.
    pub blocked_until_ms: Option<i64>,
}

impl Failures {
    /// The tries after one more wrong one at `now`: counted within a day of the first, an older
    /// count (or one that already blocked) starts again; the fifth blocks for `LOCKOUT_MS`.
    pub fn after_wrong(self, now: i64) -> Failures {
        let fresh = self.first_ms.is_none_or(|f| now - f > FAILURE_WINDOW_MS)
            || self.blocked_until_ms.is_some();
        let (count, first) = if fresh {
            (1, now)
        } else {
            (self.count + 1, self.first_ms.unwrap_or(now))
        };
        Failures {
            count,
            first_ms: Some(first),
            blocked_until_ms: (count >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT_MS),
        }
    }
}

#[cfg(test)]
mod failure_tests {
    use super::*;

    #[test]
    fn five_within_a_day_block_and_an_older_count_starts_again() {
        let mut f = Failures {
            count: 0,
            first_ms: None,
            blocked_until_ms: None,
        };
        for i in 1..=4 {
            f = f.after_wrong(i * 1000);
            assert_eq!((f.count, f.blocked_until_ms), (i, None));
        }
        f = f.after_wrong(5000);
        assert_eq!(f.blocked_until_ms, Some(5000 + LOCKOUT_MS));
        let old = Failures {
            count: 3,
            first_ms: Some(0),
            blocked_until_ms: None,
        };
        assert_eq!(old.after_wrong(FAILURE_WINDOW_MS + 1).count, 1);
    }
}
