//! Strings of the USB key: PINs, readers, binding and card login.

use super::{Lang, T};
use crate::card::{CardError, TransportError};
use crate::service::card::CardServiceError;

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
    }
}

pub fn transport_error(e: &TransportError, lang: Lang) -> String {
    transport(e, lang)
}
