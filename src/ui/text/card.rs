//! Strings of the USB key: PINs, readers, binding and card login.

use super::{Lang, T};
use crate::service::card::CardServiceError;
use crate::service::card::{CardError, StatusWord, TransportError};

pub const NO_SERVICE: T = T(
    "智能卡服务 (pcscd) 未运行，无法读取 USB Key",
    "The smart-card service (pcscd) is not running: the USB key cannot be read",
);
pub const NO_READER: T = T(
    "找不到读卡器「{wanted}」；已连接：{present}",
    "No reader named \"{wanted}\"; connected: {present}",
);
pub const NO_READER_SET: T = T(
    "未设置读卡器，请管理员在 USB Key 设置中选择",
    "No reader is set: an administrator chooses one in the USB key settings",
);
pub const NO_CARD: T = T("读卡器中没有 USB Key", "No USB key in the reader");
pub const CARD_REMOVED: T = T("USB Key 已拔出", "The USB key was pulled out");
pub const WRONG_PIN: T = T("PIN 错误，还可再试 {n} 次", "Wrong PIN: {n} tries left");
pub const PIN_BLOCKED: T = T(
    "PIN 已锁定，请联系管理员",
    "The PIN is blocked: ask an administrator",
);
pub const BAD_PIN_FORMAT: T = T("PIN 为 6 到 8 位", "A PIN has 6 to 8 characters");
pub const CARD_BUSY: T = T(
    "USB Key 正被其他程序独占使用，请关闭该程序后重试",
    "Another program holds the USB key exclusively: close it and try again",
);
pub const CARD_FAILED: T = T("USB Key 操作失败：{e}", "The USB key failed: {e}");
pub const CARD_IN_USE: T = T(
    "该 USB Key 已绑定给操作员 {login}",
    "This USB key is bound to operator {login}",
);
pub const ALREADY_BOUND: T = T(
    "该操作员已绑定 USB Key，请先解绑",
    "This operator has a USB key bound: unbind it first",
);
pub const NOT_BOUND: T = T(
    "需要 USB Key：请先由管理员绑定",
    "A USB key is needed: an administrator binds one first",
);
pub const WRONG_CARD: T = T(
    "插入的不是该操作员绑定的 USB Key",
    "This is not the USB key bound to the operator",
);

pub const PIN_FORMAT_REFUSED: T = T(
    "USB Key 不接受这种格式的 PIN（请检查位数与字符）",
    "The USB key does not accept a PIN of this form (check its length and characters)",
);
pub const PIN_REQUIRED: T = T("USB Key 需要先验证 PIN", "The USB key wants its PIN first");
pub const WRONG_PUK: T = T("PUK 错误，还可再试 {n} 次", "Wrong PUK: {n} tries left");
pub const PUK_BLOCKED: T = T(
    "PUK 也已锁定：只能重置 USB Key 的 PIV 应用",
    "The PUK is blocked too: only a reset of the key's PIV application helps",
);
pub const WRONG_MGMT_KEY: T = T(
    "管理密钥错误（新 Key 的默认管理密钥为 010203040506070801020304050607080102030405060708）",
    "Wrong management key (a new key's default is 010203040506070801020304050607080102030405060708)",
);
pub const MGMT_KEY_REQUIRED: T = T(
    "此操作需要 USB Key 的管理密钥",
    "This needs the USB key's management key",
);
pub const NOT_PIV: T = T(
    "这不是 PIV 智能卡（YubiKey、Nitrokey 等），或其 PIV 功能未启用",
    "This is not a PIV card (YubiKey, Nitrokey, ...) or its PIV function is turned off",
);
pub const NO_CERTIFICATE: T = T(
    "USB Key 的 {slot} 槽位没有证书：需要先初始化",
    "The USB key has no certificate in slot {slot}: it needs setting up first",
);
pub const BAD_CERTIFICATE: T = T(
    "USB Key {slot} 槽位的证书无法使用：{e}",
    "The certificate in slot {slot} cannot be used: {e}",
);
pub const UNSUPPORTED_ALG: T = T(
    "USB Key {slot} 槽位的密钥是 {alg}，不受支持（支持 ECC P-256、ECC P-384、RSA-2048）",
    "The key in slot {slot} is {alg}, which is not supported (ECC P-256, ECC P-384 and RSA-2048 are)",
);
pub const KEY_MISMATCH: T = T(
    "USB Key {slot} 槽位的证书与卡内密钥不符，不能绑定（请重新初始化该槽位）",
    "The certificate in slot {slot} does not match the key in the card: not bound (set the slot up again)",
);
pub const CARD_STATUS: T = T(
    "USB Key 拒绝了 {cmd}：{sw}",
    "The USB key refused {cmd}: {sw}",
);
pub const TOUCH_KEY: T = T(
    "请触摸 USB Key 上的按键以确认…",
    "Touch your USB key to confirm…",
);
pub const CARD_PIN: T = T("USB Key 的 PIN", "The USB key's PIN");
pub const SETUP_TITLE: T = T(
    "初始化 USB Key 并绑定给",
    "Set up the USB key and bind it to",
);
pub const SETUP_NEEDED: T = T(
    "此 USB Key 的 9A/9C 槽位为空：在卡内生成 P-256 密钥并写入证书后绑定",
    "Slots 9A/9C of this key are empty: P-256 keys are generated in the key, certificates written, then it is bound",
);
pub const MGMT_KEY: T = T("管理密钥", "Management key");
pub const MGMT_KEY_HINT: T = T("留空为默认", "blank: the default");
pub const CURRENT_PIN: T = T("当前 PIN", "Current PIN");
pub const CURRENT_PIN_HINT: T = T("新 Key 为 123456", "123456 on a new key");
pub const NEW_PIN: T = T("新 PIN", "New PIN");
pub const NEW_PIN_HINT: T = T("建议修改；留空不改", "advised; blank: keep");
pub const NEW_MGMT_KEY: T = T("新管理密钥", "New management key");
pub const NEW_MGMT_KEY_HINT: T = T("十六进制或 random；留空不改", "hex or random; blank: keep");
pub const SET_UP_AND_BOUND: T = T(
    "USB Key 已初始化并绑定给 {login}（{serial}）",
    "USB key set up and bound to {login} ({serial})",
);
pub const PIN_STILL_DEFAULT: T = T(
    "；PIN 仍为出厂的 123456，请尽快修改",
    "; the PIN is still the factory 123456: change it soon",
);
pub const NEW_MGMT_KEY_IS: T = T(
    "；新管理密钥 {key}，请妥善保存",
    "; new management key {key}: keep it safe",
);

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
