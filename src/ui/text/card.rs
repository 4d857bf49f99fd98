//! Strings of the USB key: PINs, readers, binding and card login.

use super::{Lang, T};
use crate::service::card::CardServiceError;
use crate::service::card::{CardError, StatusWord, TransportError};

// The words: assets/text/card.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/card.rs"));

/// A status word a card answered, in words (the meanings YubiKey's, Nitrokey's and
/// SP 800-73-4's manuals give).
pub fn status_word(sw: &StatusWord, lang: Lang) -> String {
    use StatusWord::*;
    let zh = lang == Lang::Zh;
    let words: String = match *sw {
        Success => (if zh { "成功" } else { "success" }).into(),
        VerifyFailed { tries_left } => {
            if zh {
                format!("验证失败，还可再试 {tries_left} 次")
            } else {
                format!("verification failed, {tries_left} tries left")
            }
        }
        SecurityStatusNotSatisfied => (if zh {
            "安全状态不满足（需要先验证 PIN 或管理密钥，或未按键确认）"
        } else {
            "security status not satisfied (PIN or management key needed first, or no touch)"
        })
        .into(),
        AuthBlocked => (if zh { "已锁定" } else { "blocked" }).into(),
        IncorrectData => (if zh {
            "数据格式不被接受"
        } else {
            "the data's format is not accepted"
        })
        .into(),
        NotFound => (if zh {
            "卡内没有该应用或数据"
        } else {
            "no such application or data object"
        })
        .into(),
        ReferenceNotFound => (if zh {
            "卡内没有该密钥"
        } else {
            "no such key in the card"
        })
        .into(),
        IncorrectP1P2 => (if zh {
            "参数不被接受（如算法与槽位中的密钥不符）"
        } else {
            "parameters refused (e.g. the algorithm is not the slot key's)"
        })
        .into(),
        ConditionsNotSatisfied => (if zh {
            "使用条件不满足"
        } else {
            "conditions of use not satisfied"
        })
        .into(),
        DataInvalid => (if zh {
            "引用的数据无效"
        } else {
            "referenced data invalid"
        })
        .into(),
        WrongLength => (if zh { "长度错误" } else { "wrong length" }).into(),
        MemoryFailure => (if zh {
            "卡内存储故障"
        } else {
            "the card's memory failed"
        })
        .into(),
        NotEnoughMemory => (if zh {
            "卡内存储空间不足"
        } else {
            "not enough memory in the card"
        })
        .into(),
        FunctionNotSupported | InsNotSupported => (if zh {
            "卡不支持此功能"
        } else {
            "the card does not support this"
        })
        .into(),
        ClaNotSupported => (if zh {
            "卡不支持此类命令"
        } else {
            "class not supported"
        })
        .into(),
        SecureMessagingNotSupported => (if zh {
            "卡不支持安全报文"
        } else {
            "secure messaging not supported"
        })
        .into(),
        Unknown => (if zh {
            "卡内部错误"
        } else {
            "the card failed inside"
        })
        .into(),
        BytesRemaining(_) | WrongLe(_) | Other(_) => sw.message(),
    };
    format!("{words} ({:04X})", sw.code())
}

fn transport(e: &TransportError, lang: Lang) -> String {
    match e {
        TransportError::NoService => NO_SERVICE.get(lang).into(),
        TransportError::NoReader { wanted, .. } if wanted.is_empty() => {
            NO_READER_SET.get(lang).into()
        }
        TransportError::NoReader { wanted, present } => NO_READER
            .get(lang)
            .replace("{wanted}", wanted)
            .replace("{present}", &present.join(", ")),
        TransportError::NoCard => NO_CARD.get(lang).into(),
        TransportError::CardRemoved | TransportError::NotTransacted => {
            CARD_REMOVED.get(lang).into()
        }
        TransportError::InUse => CARD_BUSY.get(lang).into(),
        TransportError::Other(s) => CARD_FAILED.get(lang).replace("{e}", s),
    }
}

pub fn card(e: &CardError, lang: Lang) -> String {
    match e {
        CardError::Transport(t) => transport(t, lang),
        CardError::WrongPin { tries_left } => {
            WRONG_PIN.get(lang).replace("{n}", &tries_left.to_string())
        }
        CardError::PinBlocked => PIN_BLOCKED.get(lang).into(),
        CardError::BadPinFormat => BAD_PIN_FORMAT.get(lang).into(),
        CardError::BadSignature => WRONG_CARD.get(lang).into(),
        CardError::PinFormatRefused => PIN_FORMAT_REFUSED.get(lang).into(),
        CardError::PinRequired => PIN_REQUIRED.get(lang).into(),
        CardError::WrongPuk { tries_left } => {
            WRONG_PUK.get(lang).replace("{n}", &tries_left.to_string())
        }
        CardError::PukBlocked => PUK_BLOCKED.get(lang).into(),
        CardError::WrongManagementKey => WRONG_MGMT_KEY.get(lang).into(),
        CardError::ManagementKeyRequired => MGMT_KEY_REQUIRED.get(lang).into(),
        CardError::NotPiv => NOT_PIV.get(lang).into(),
        CardError::NoCertificate(s) => NO_CERTIFICATE.get(lang).replace("{slot}", &s.to_string()),
        CardError::BadCertificate(s, e) => BAD_CERTIFICATE
            .get(lang)
            .replace("{slot}", &s.to_string())
            .replace("{e}", e),
        CardError::UnsupportedAlgorithm(s, a) => UNSUPPORTED_ALG
            .get(lang)
            .replace("{slot}", &s.to_string())
            .replace("{alg}", a),
        CardError::KeyMismatch(s) => KEY_MISMATCH.get(lang).replace("{slot}", &s.to_string()),
        CardError::Status { command, sw } => CARD_STATUS
            .get(lang)
            .replace("{cmd}", command)
            .replace("{sw}", &status_word(sw, lang)),
        other => CARD_FAILED.get(lang).replace("{e}", &other.to_string()),
    }
}

pub fn service(e: &CardServiceError, lang: Lang) -> String {
    match e {
        CardServiceError::Service(s) => super::error(s, lang, |k| k.to_string()),
        CardServiceError::Card(c) => card(c, lang),
        CardServiceError::CardInUse(login) => CARD_IN_USE.get(lang).replace("{login}", login),
        CardServiceError::AlreadyBound => ALREADY_BOUND.get(lang).into(),
        CardServiceError::NotBound => NOT_BOUND.get(lang).into(),
        CardServiceError::WrongCard => WRONG_CARD.get(lang).into(),
        CardServiceError::PinNeeded => PIN_NEEDED.get(lang).into(),
    }
}

const PIN_NEEDED: T = T(
    "此操作需要快捷盾：请插入并输入 PIN",
    "This needs the USB key: insert it and type its PIN",
);

pub fn transport_error(e: &TransportError, lang: Lang) -> String {
    transport(e, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::Slot;

    #[test]
    fn status_words_and_card_errors_in_both_languages() {
        for code in [
            0x6982u16, 0x6983, 0x6A80, 0x6A82, 0x6A86, 0x6A88, 0x6985, 0x6984, 0x6700, 0x6581,
            0x6A84, 0x6D00, 0x6E00, 0x6F00, 0x63C2,
        ] {
            let sw = StatusWord::from_u16(code);
            let (zh, en) = (status_word(&sw, Lang::Zh), status_word(&sw, Lang::En));
            assert!(zh.ends_with(&format!("({code:04X})")), "{zh}");
            assert_ne!(zh, en);
            assert!(!en.starts_with("status"), "{en}");
        }
        let errors = [
            CardError::PinFormatRefused,
            CardError::PinBlocked,
            CardError::PinRequired,
            CardError::WrongPuk { tries_left: 1 },
            CardError::PukBlocked,
            CardError::WrongManagementKey,
            CardError::ManagementKeyRequired,
            CardError::NotPiv,
            CardError::NoCertificate(Slot::Signature),
            CardError::UnsupportedAlgorithm(Slot::Authentication, "Ed25519".into()),
            CardError::KeyMismatch(Slot::Authentication),
            CardError::Transport(TransportError::InUse),
        ];
        for e in &errors {
            let (zh, en) = (card(e, Lang::Zh), card(e, Lang::En));
            assert_ne!(zh, en, "{e:?}");
            assert!(
                !zh.contains("USB Key 操作失败"),
                "{e:?} has its own words: {zh}"
            );
        }
        assert!(card(&errors[9], Lang::En).contains("Ed25519"));
        assert!(card(&errors[10], Lang::Zh).contains("9A"));
    }
}
