//! The words of coded values (`assets/words.toml`): functions, statuses, kinds and events as the
//! store keeps them, in the operator's language. A code without a word reads `?` (the test below
//! holds every code of each enum to a word, so only a foreign value gets there).

use super::T;

include!(concat!(env!("OUT_DIR"), "/words.rs"));

/// Shown for a code the vocabulary does not know.
const UNKNOWN: T = T("?", "?");

/// The word of `code` in one table of the vocabulary.
pub fn word(table: &[(&str, T)], code: &str) -> T {
    table
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .map(|i| table[i].1)
        .unwrap_or(UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fast_refund::{FastRefundStatus, IdType};
    use crate::domain::function::Function;
    use crate::domain::review::{
        ApplicationKind, ApplicationStatus, BankAccountStatus, PayoutFeeKind, WithdrawalStatus,
    };
    use crate::domain::Coded;

    fn every<C: Coded + Copy>(all: &[C], table: &[(&str, T)], name: &str) {
        for c in all {
            assert_ne!(
                word(table, c.code()),
                UNKNOWN,
                "assets/words.toml [{name}] has no word for {}",
                c.code()
            );
        }
    }

    #[test]
    fn every_code_of_every_enum_has_its_words() {
        every(Function::ALL, FUNCTION, "function");
        every(ApplicationKind::ALL, APPLICATION_KIND, "application_kind");
        every(
            ApplicationStatus::ALL,
            APPLICATION_STATUS,
            "application_status",
        );
        every(
            WithdrawalStatus::ALL,
            WITHDRAWAL_STATUS,
            "withdrawal_status",
        );
        every(
            BankAccountStatus::ALL,
            BANK_ACCOUNT_STATUS,
            "bank_account_status",
        );
        every(PayoutFeeKind::ALL, PAYOUT_FEE_KIND, "payout_fee_kind");
        every(
            FastRefundStatus::ALL,
            FAST_REFUND_STATUS,
            "fast_refund_status",
        );
        every(IdType::ALL, ID_TYPE, "id_type");
    }

    #[test]
    fn a_foreign_code_reads_unknown() {
        assert_eq!(word(FUNCTION, "no_such_function"), UNKNOWN);
        assert_eq!(
            word(CARD_ORG, "CUP").get(crate::domain::lang::Lang::En),
            "UnionPay"
        );
    }
}
