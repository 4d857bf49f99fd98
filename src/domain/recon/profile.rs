//! Format profiles (spec §7.1): how one acquirer's file reads into canonical fields, as data:
//! the layout (delimited with header names, or fixed widths), the encodings accepted, the prefix
//! stripped from values, comment and footer lines, the amount unit, and the type and status
//! maps. Built in: this app's own export, the generic POS statement (Allinpay's layout), the
//! UnionPay fixed-width file, WeChat Pay's and Alipay's bills. Parsing a record is pure: the
//! excel layer reads the bytes and splits the lines.

use super::FileRow;
use crate::domain::money::{parse_amount, AmountError};
use crate::domain::txn::{TxnStatus, TxnType};

/// The canonical fields of §7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    MerchantNo,
    TerminalNo,
    BatchNo,
    VoucherNo,
    Rrn,
    TradeDate,
    TradeTime,
    TxnType,
    Amount,
    /// A wallet bill's refund amount, a column of its own.
    RefundAmount,
    Fee,
    CardMasked,
    OrderNo,
    Status,
}

impl Field {
    pub fn code(self) -> &'static str {
        match self {
            Field::MerchantNo => "merchant_no",
            Field::TerminalNo => "terminal_no",
            Field::BatchNo => "batch_no",
            Field::VoucherNo => "voucher_no",
            Field::Rrn => "rrn",
            Field::TradeDate => "trade_date",
            Field::TradeTime => "trade_time",
            Field::TxnType => "txn_type",
            Field::Amount => "amount",
            Field::RefundAmount => "refund_amount",
            Field::Fee => "fee",
            Field::CardMasked => "card_masked",
            Field::OrderNo => "order_no",
            Field::Status => "status",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
    Gb18030,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountUnit {
    Yuan,
    Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Delimited text (or a sheet), the columns found by their header names.
    Delimited,
    /// One record per line, fields by width (in characters); `None` fields are skipped.
    Fixed(&'static [(Option<Field>, usize)]),
}

/// The summary a file ends with: the header cell of the count and of the amount total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The first cell of the summary's header line (WeChat: 总交易单数).
    pub starts: &'static str,
    pub count: &'static str,
    pub amount: &'static str,
    /// A file of this layout without its summary is truncated.
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub layout: Layout,
    pub encodings: &'static [Encoding],
    pub strip_prefix: Option<&'static str>,
    pub comment_prefix: Option<&'static str>,
    /// Header names per field (any of them; matched ignoring spaces and case).
    pub columns: &'static [(Field, &'static [&'static str])],
    pub required: &'static [Field],
    pub summary: Option<Summary>,
    pub amount_unit: AmountUnit,
    /// Refund rows carry negative amounts (Alipay).
    pub signed_refunds: bool,
    /// The field whose text the type map reads (WeChat: the status column says REFUND).
    pub type_from: Field,
    pub type_map: &'static [(&'static str, TxnType)],
    pub status_map: &'static [(&'static str, TxnStatus)],
}

const POS_TYPES: &[(&str, TxnType)] = &[
    ("消费", TxnType::Sale),
    ("sale", TxnType::Sale),
    ("预授权完成", TxnType::Completion),
    ("预授权完成(请求)", TxnType::Completion),
    ("completion", TxnType::Completion),
    ("退货", TxnType::Refund),
    ("退款", TxnType::Refund),
    ("refund", TxnType::Refund),
    ("撤销", TxnType::Void),
    ("消费撤销", TxnType::Void),
    ("void", TxnType::Void),
];

const POS_STATUSES: &[(&str, TxnStatus)] = &[
    ("成功", TxnStatus::Success),
    ("success", TxnStatus::Success),
    ("失败", TxnStatus::Failed),
    ("failed", TxnStatus::Failed),
    ("已撤销", TxnStatus::Voided),
    ("voided", TxnStatus::Voided),
    ("已冲正", TxnStatus::Reversed),
    ("reversed", TxnStatus::Reversed),
];

/// This app's own export (the statement's 收单交易 sheet and the transaction query's export).
pub const OWN: Profile = Profile {
    code: "own",
    name_zh: "本系统导出格式",
    name_en: "This app's export",
    layout: Layout::Delimited,
    encodings: &[Encoding::Utf8, Encoding::Gb18030],
    strip_prefix: None,
    comment_prefix: None,
    columns: &[
        (Field::MerchantNo, &["商户号", "merchant no."]),
        (Field::TradeDate, &["交易日期", "trade date"]),
        (Field::TradeTime, &["交易时间", "time"]),
        (Field::TerminalNo, &["终端号", "terminal"]),
        (Field::BatchNo, &["批次号", "batch"]),
        (Field::VoucherNo, &["凭证号", "voucher"]),
        (Field::Rrn, &["参考号", "rrn", "reference no."]),
        (Field::CardMasked, &["卡号", "card"]),
        (Field::TxnType, &["交易类型", "type"]),
        (Field::Status, &["状态", "交易状态", "status"]),
        (Field::Amount, &["交易金额", "amount"]),
        (Field::Fee, &["手续费", "fee"]),
    ],
    required: &[
        Field::MerchantNo,
        Field::TradeDate,
        Field::TerminalNo,
        Field::BatchNo,
        Field::VoucherNo,
        Field::Rrn,
        Field::TxnType,
        Field::Status,
        Field::Amount,
    ],
    summary: None,
    amount_unit: AmountUnit::Yuan,
    signed_refunds: false,
    type_from: Field::TxnType,
    type_map: POS_TYPES,
    status_map: POS_STATUSES,
};

/// A POS acquirer's merchant statement, Allinpay's columns (spec §7.1 b), with an optional
/// 合计 line (笔数, 金额).
pub const POS: Profile = Profile {
    code: "pos",
    name_zh: "通用POS对账单",
    name_en: "POS acquirer statement",
    layout: Layout::Delimited,
    encodings: &[Encoding::Utf8, Encoding::Gbk, Encoding::Gb18030],
    strip_prefix: Some("`"),
    comment_prefix: Some("#"),
    columns: &[
        (Field::MerchantNo, &["商户号"]),
        (Field::TerminalNo, &["终端号"]),
        (Field::TradeTime, &["交易时间"]),
        (Field::TxnType, &["交易类型"]),
        (Field::BatchNo, &["交易批次号", "批次号"]),
        (Field::VoucherNo, &["凭证号"]),
        (Field::Rrn, &["参考号"]),
        (Field::CardMasked, &["卡号"]),
        (Field::Amount, &["交易金额"]),
        (Field::Fee, &["手续费"]),
        (Field::TradeDate, &["交易日期"]),
        (Field::OrderNo, &["订单号"]),
        (Field::Status, &["交易状态"]),
    ],
    required: &[
        Field::MerchantNo,
        Field::TerminalNo,
        Field::TxnType,
        Field::VoucherNo,
        Field::Rrn,
        Field::Amount,
        Field::TradeDate,
    ],
    summary: Some(Summary {
        starts: "合计",
        count: "笔数",
        amount: "交易金额",
        required: false,
    }),
    amount_unit: AmountUnit::Yuan,
    signed_refunds: false,
    type_from: Field::TxnType,
    type_map: POS_TYPES,
    status_map: POS_STATUSES,
};

/// UnionPay's merchant reconciliation file (spec §7.1 a): fixed widths, amounts in fen, the
/// system trace number as the voucher, the date from the transmission time (MMDDhhmmss).
pub const UNIONPAY_WIDTHS: &[(Option<Field>, usize)] = &[
    (Some(Field::TxnType), 3),
    (None, 11),
    (None, 11),
    (Some(Field::VoucherNo), 6),
    (Some(Field::TradeDate), 10),
    (Some(Field::CardMasked), 19),
    (Some(Field::Amount), 12),
    (None, 4),
    (None, 2),
    (Some(Field::Rrn), 21),
    (None, 2),
    (Some(Field::OrderNo), 32),
    (None, 2),
    (None, 6),
    (None, 10),
    (Some(Field::Fee), 13),
    (None, 13),
    (None, 4),
    (None, 15),
    (None, 2),
    (None, 2),
    (None, 6),
    (None, 2),
    (None, 4),
    (None, 32),
    (None, 1),
    (None, 21),
    (Some(Field::MerchantNo), 15),
    (None, 1),
    (None, 15),
    (None, 32),
    (None, 13),
    (None, 13),
    (Some(Field::TerminalNo), 8),
];

pub const UNIONPAY: Profile = Profile {
    code: "unionpay",
    name_zh: "银联全渠道",
    name_en: "UnionPay fixed width",
    layout: Layout::Fixed(UNIONPAY_WIDTHS),
    encodings: &[Encoding::Gbk, Encoding::Gb18030, Encoding::Utf8],
    strip_prefix: None,
    comment_prefix: None,
    columns: &[],
    required: &[
        Field::TxnType,
        Field::VoucherNo,
        Field::TradeDate,
        Field::Amount,
        Field::MerchantNo,
        Field::TerminalNo,
    ],
    summary: None,
    amount_unit: AmountUnit::Fen,
    signed_refunds: false,
    type_from: Field::TxnType,
    type_map: &[
        ("S22", TxnType::Sale),
        ("S56", TxnType::Completion),
        ("S30", TxnType::Refund),
        ("S31", TxnType::Void),
    ],
    status_map: &[],
};

/// WeChat Pay's 交易账单: every value behind a backtick, a summary header and row at the end.
pub const WECHAT: Profile = Profile {
    code: "wechat",
    name_zh: "微信支付账单",
    name_en: "WeChat Pay bill",
    layout: Layout::Delimited,
    encodings: &[Encoding::Utf8, Encoding::Gb18030],
    strip_prefix: Some("`"),
    comment_prefix: None,
    columns: &[
        (Field::TradeDate, &["交易时间"]),
        (Field::MerchantNo, &["特约商户号"]),
        (Field::TerminalNo, &["设备号"]),
        (Field::Rrn, &[]),
        (Field::OrderNo, &["商户订单号"]),
        (Field::TxnType, &["交易状态"]),
        (Field::Amount, &["应结订单金额", "总金额"]),
        (Field::RefundAmount, &["退款金额"]),
        (Field::Fee, &["手续费"]),
    ],
    required: &[
        Field::TradeDate,
        Field::MerchantNo,
        Field::OrderNo,
        Field::TxnType,
        Field::Amount,
        Field::RefundAmount,
    ],
    summary: Some(Summary {
        starts: "总交易单数",
        count: "总交易单数",
        amount: "应结订单总金额",
        required: true,
    }),
    amount_unit: AmountUnit::Yuan,
    signed_refunds: false,
    type_from: Field::TxnType,
    type_map: &[
        ("SUCCESS", TxnType::Sale),
        ("REFUND", TxnType::Refund),
        ("REVOKED", TxnType::Void),
    ],
    status_map: &[],
};

/// Alipay's 业务明细 (GBK, `#` comment lines around it, refunds negative).
pub const ALIPAY: Profile = Profile {
    code: "alipay",
    name_zh: "支付宝业务明细",
    name_en: "Alipay statement",
    layout: Layout::Delimited,
    encodings: &[Encoding::Gbk, Encoding::Gb18030, Encoding::Utf8],
    strip_prefix: None,
    comment_prefix: Some("#"),
    columns: &[
        (Field::OrderNo, &["商户订单号"]),
        (Field::TxnType, &["业务类型"]),
        (Field::TradeDate, &["完成时间"]),
        (Field::MerchantNo, &["门店编号"]),
        (Field::TerminalNo, &["终端号"]),
        (Field::Amount, &["订单金额（元）", "订单金额(元)"]),
        (Field::Fee, &["服务费（元）", "服务费(元)", "手续费（元）"]),
    ],
    required: &[
        Field::OrderNo,
        Field::TxnType,
        Field::TradeDate,
        Field::MerchantNo,
        Field::Amount,
    ],
    summary: None,
    amount_unit: AmountUnit::Yuan,
    signed_refunds: true,
    type_from: Field::TxnType,
    type_map: &[("交易", TxnType::Sale), ("退款", TxnType::Refund)],
    status_map: &[],
};

pub const BUILT_IN: &[Profile] = &[OWN, POS, UNIONPAY, WECHAT, ALIPAY];

pub fn by_code(code: &str) -> Option<&'static Profile> {
    BUILT_IN
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(code.trim()))
}

pub fn fixed_width(widths: &[(Option<Field>, usize)]) -> usize {
    widths.iter().map(|(_, w)| w).sum()
}

fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A value as the profile reads it: the prefix stripped, trimmed.
pub fn clean<'a>(p: &Profile, s: &'a str) -> &'a str {
    let t = s.trim();
    match p.strip_prefix {
        Some(pre) => t.strip_prefix(pre).unwrap_or(t).trim(),
        None => t,
    }
}

/// Where each field of a delimited profile stands in a header; the missing required fields
/// otherwise.
pub fn columns_of(p: &Profile, header: &[String]) -> Result<Vec<(Field, usize)>, Vec<Field>> {
    let names: Vec<String> = header.iter().map(|h| normal(clean(p, h))).collect();
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (f, accepted) in p.columns {
        match names
            .iter()
            .position(|n| accepted.iter().any(|a| normal(a) == *n))
        {
            Some(i) => found.push((*f, i)),
            None if p.required.contains(f) => missing.push(*f),
            None => {}
        }
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

/// A header no profile reads: which profile came nearest (most required columns found) and
/// what it missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoProfile {
    pub header: Vec<String>,
    pub nearest: &'static str,
    pub missing: Vec<Field>,
}

/// A profile and where its fields stand in the header.
pub type Identified = (&'static Profile, Vec<(Field, usize)>);

/// The delimited profile (among `candidates`) whose required columns the header has.
pub fn identify(
    candidates: &[&'static Profile],
    header: &[String],
) -> Result<Identified, NoProfile> {
    let mut best: Option<(&'static Profile, Vec<Field>)> = None;
    for p in candidates {
        if !matches!(p.layout, Layout::Delimited) {
            continue;
        }
        match columns_of(p, header) {
            Ok(cols) => return Ok((p, cols)),
            Err(missing) => {
                // Nearest: the fewest required columns missing.
                let better = best.as_ref().is_none_or(|(_, m)| missing.len() < m.len());
                if better {
                    best = Some((p, missing));
                }
            }
        }
    }
    let (nearest, missing) = best
        .map(|(p, m)| (p.code, m))
        .unwrap_or(("pos", POS.required.to_vec()));
    Err(NoProfile {
        header: header.to_vec(),
        nearest,
        missing,
    })
}

/// Why a row could not be read (a row-level exception, never a refusal of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    Missing(Field),
    /// Not what the field holds; the text as found.
    Bad(Field, String),
    /// A number written in Excel's scientific notation: its digits are lost.
    Scientific(Field, String),
    TooManyDecimals(Field, String),
    UnknownType(String),
    UnknownStatus(String),
    /// A fixed-width line shorter than the layout.
    Short {
        found: usize,
        expected: usize,
    },
    /// The replacement character or other garbage: bytes read in the wrong encoding.
    Garbled,
}

impl RowProblem {
    pub fn message(&self, zh: bool) -> String {
        let f = |x: &Field| x.code();
        match (self, zh) {
            (RowProblem::Missing(x), true) => format!("缺少 {}", f(x)),
            (RowProblem::Missing(x), false) => format!("{} is missing", f(x)),
            (RowProblem::Bad(x, s), true) => format!("{} 无法识别：{s}", f(x)),
            (RowProblem::Bad(x, s), false) => format!("{} cannot be read: {s}", f(x)),
            (RowProblem::Scientific(x, s), true) => {
                format!("{} 被写成科学计数法（{s}），位数已丢失", f(x))
            }
            (RowProblem::Scientific(x, s), false) => {
                format!(
                    "{} is in scientific notation ({s}): its digits are lost",
                    f(x)
                )
            }
            (RowProblem::TooManyDecimals(x, s), true) => format!("{} 超过两位小数：{s}", f(x)),
            (RowProblem::TooManyDecimals(x, s), false) => {
                format!("{} has more than two decimals: {s}", f(x))
            }
            (RowProblem::UnknownType(s), true) => format!("未知交易类型：{s}"),
            (RowProblem::UnknownType(s), false) => format!("unknown transaction type: {s}"),
            (RowProblem::UnknownStatus(s), true) => format!("未知交易状态：{s}"),
            (RowProblem::UnknownStatus(s), false) => format!("unknown status: {s}"),
            (RowProblem::Short { found, expected }, true) => {
                format!("行长 {found}，应为 {expected}（文件被截断？）")
            }
            (RowProblem::Short { found, expected }, false) => {
                format!("line is {found} long, {expected} expected (truncated?)")
            }
            (RowProblem::Garbled, true) => "含乱码（编码不符）".to_string(),
            (RowProblem::Garbled, false) => "garbled text (wrong encoding)".to_string(),
        }
    }
}

fn looks_scientific(s: &str) -> bool {
    let t = s.to_ascii_lowercase();
    t.contains('e')
        && t.replace(['e', '+', '-', '.'], "")
            .bytes()
            .all(|b| b.is_ascii_digit())
}

/// Money in the profile's unit to fen, signed (refund rows of some files are negative; a
/// fixed-width fee carries its sign or C/D in the first character).
pub fn amount_fen(unit: AmountUnit, field: Field, s: &str) -> Result<i64, RowProblem> {
    let t = s.trim();
    let (neg, body) = match t.chars().next() {
        Some('-') | Some('D') => (true, &t[1..]),
        Some('+') | Some('C') => (false, &t[1..]),
        _ => (false, t),
    };
    let body = body.trim();
    if body.is_empty() {
        return Err(RowProblem::Missing(field));
    }
    if looks_scientific(body) {
        return Err(RowProblem::Scientific(field, t.to_string()));
    }
    let fen = match unit {
        AmountUnit::Fen => body
            .parse::<i64>()
            .map_err(|_| RowProblem::Bad(field, t.to_string()))?,
        AmountUnit::Yuan => {
            if body
                .trim_start_matches('0')
                .trim_start_matches('.')
                .trim_start_matches('0')
                .is_empty()
                && body.bytes().all(|b| b == b'0' || b == b'.')
            {
                0
            } else {
                parse_amount(body).map_err(|e| match e {
                    AmountError::TooManyDecimals => {
                        RowProblem::TooManyDecimals(field, t.to_string())
                    }
                    _ => RowProblem::Bad(field, t.to_string()),
                })?
            }
        }
    };
    Ok(if neg { -fen } else { fen })
}

/// A date (`yyyy-mm-dd`, `yyyymmdd`, `yyyy/mm/dd`, optionally followed by a time) or
/// UnionPay's `MMDDhhmmss` (its year the one that puts it nearest the clearing date): the date
/// and the time of day if present.
pub fn date_time(s: &str, clearing: i32) -> Option<(i32, Option<u32>)> {
    let t = s.trim();
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let valid = |d: i32| {
        jiff::civil::Date::new((d / 10000) as i16, (d / 100 % 100) as i8, (d % 100) as i8).is_ok()
    };
    let secs = |h: &str| -> Option<u32> {
        if h.len() < 6 {
            return None;
        }
        let n = |a: usize| h[a..a + 2].parse::<u32>().ok();
        let (hh, mm, ss) = (n(0)?, n(2)?, n(4)?);
        (hh < 24 && mm < 60 && ss < 60).then_some(hh * 3600 + mm * 60 + ss)
    };
    if digits.len() == 10 && !t.contains(['-', '/', ' ', ':']) {
        let md: i32 = digits[..4].parse().ok()?;
        let y = clearing / 10000;
        let best = [y - 1, y, y + 1]
            .into_iter()
            .map(|y| y * 10000 + md)
            .filter(|d| valid(*d))
            .min_by_key(|d| super::days_between(*d, clearing).abs())?;
        return Some((best, secs(&digits[4..])));
    }
    if digits.len() < 8 || !t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(['e', 'E']) {
        return None;
    }
    let d: i32 = digits[..8].parse().ok()?;
    if !valid(d) {
        return None;
    }
    let time = if digits.len() >= 14 {
        secs(&digits[8..14])
    } else {
        None
    };
    Some((d, time))
}

/// `hh:mm:ss` or `hhmmss` to seconds.
pub fn time_of(s: &str) -> Option<u32> {
    let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if d.len() != 6 {
        return None;
    }
    let n = |a: usize| d[a..a + 2].parse::<u32>().ok();
    let (h, m, sec) = (n(0)?, n(2)?, n(4)?);
    (h < 24 && m < 60 && sec < 60).then_some(h * 3600 + m * 60 + sec)
}

/// Splits a fixed-width line into its fields. Widths count bytes as the file's GBK has them:
/// one for ASCII, two for a Chinese character.
pub fn split_fixed(
    widths: &[(Option<Field>, usize)],
    line: &str,
) -> Result<Vec<(Field, String)>, RowProblem> {
    let line = line.trim_end_matches(['\r', '\n']);
    let bytes = |c: char| if c.is_ascii() { 1 } else { 2 };
    let total: usize = line.chars().map(bytes).sum();
    let need = fixed_width(widths);
    if total < need {
        return Err(RowProblem::Short {
            found: total,
            expected: need,
        });
    }
    let mut chars = line.chars().peekable();
    let mut out = Vec::new();
    for (f, w) in widths {
        let mut taken = 0;
        let mut v = String::new();
        while taken < *w {
            match chars.next() {
                Some(c) => {
                    taken += bytes(c);
                    v.push(c);
                }
                None => break,
            }
        }
        if let Some(f) = f {
            out.push((*f, v.trim().to_string()));
        }
    }
    Ok(out)
}

fn mapped<T: Copy>(map: &[(&str, T)], s: &str) -> Option<T> {
    let n = normal(s);
    map.iter().find(|(k, _)| normal(k) == n).map(|(_, v)| *v)
}

/// One record (its fields by name) to a canonical row. `default_merchant` stands in when the
/// layout has no merchant number.
pub fn parse_record(
    p: &Profile,
    line: u32,
    fields: &[(Field, String)],
    clearing: i32,
) -> Result<FileRow, RowProblem> {
    let get = |f: Field| -> Option<&str> {
        fields
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| clean(p, v))
            .filter(|v| !v.is_empty())
    };
    if fields.iter().any(|(_, v)| v.contains('\u{FFFD}')) {
        return Err(RowProblem::Garbled);
    }
    let need = |f: Field| get(f).ok_or(RowProblem::Missing(f));
    let ident = |f: Field, len: Option<usize>| -> Result<Option<String>, RowProblem> {
        match get(f) {
            None if p.required.contains(&f) => Err(RowProblem::Missing(f)),
            None => Ok(None),
            Some(v) if looks_scientific(v) => Err(RowProblem::Scientific(f, v.to_string())),
            Some(v) => match len {
                Some(n) => {
                    if !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > n {
                        Err(RowProblem::Bad(f, v.to_string()))
                    } else {
                        Ok(Some(format!("{v:0>n$}")))
                    }
                }
                None => Ok(Some(v.to_string())),
            },
        }
    };
    let merchant_no = ident(Field::MerchantNo, None)?.unwrap_or_default();
    let terminal_no = ident(Field::TerminalNo, None)?.unwrap_or_default();
    let batch_no = ident(Field::BatchNo, Some(6))?;
    let voucher_no = ident(Field::VoucherNo, Some(6))?;
    let rrn = ident(Field::Rrn, Some(12)).or_else(|e| match (&e, p.layout) {
        // UnionPay's 查询流水号 (21) is not a card RRN: kept only when it is one.
        (RowProblem::Bad(..), Layout::Fixed(_)) => Ok(None),
        _ => Err(e),
    })?;
    let order_no = ident(Field::OrderNo, None)?;
    let date_text = need(Field::TradeDate)?;
    let (trade_date, time_in_date) = date_time(date_text, clearing)
        .ok_or_else(|| RowProblem::Bad(Field::TradeDate, date_text.to_string()))?;
    let trade_time = match get(Field::TradeTime) {
        Some(t) => {
            Some(time_of(t).ok_or_else(|| RowProblem::Bad(Field::TradeTime, t.to_string()))?)
        }
        None => time_in_date,
    };
    let type_text = need(p.type_from)?;
    let txn_type = mapped(p.type_map, type_text)
        .ok_or_else(|| RowProblem::UnknownType(type_text.to_string()))?;
    let status = match get(Field::Status) {
        Some(s) if p.type_from != Field::Status => {
            mapped(p.status_map, s).ok_or_else(|| RowProblem::UnknownStatus(s.to_string()))?
        }
        _ => TxnStatus::Success,
    };
    let amount_field = if txn_type == TxnType::Refund
        && p.columns.iter().any(|(f, _)| *f == Field::RefundAmount)
    {
        Field::RefundAmount
    } else {
        Field::Amount
    };
    let amount = amount_fen(p.amount_unit, amount_field, need(amount_field)?)?;
    if amount == 0 || (amount < 0 && !(p.signed_refunds && txn_type == TxnType::Refund)) {
        return Err(RowProblem::Bad(
            amount_field,
            need(amount_field)?.to_string(),
        ));
    }
    let fee_fen = match get(Field::Fee) {
        Some(f) => Some(amount_fen(p.amount_unit, Field::Fee, f)?.abs()),
        None => None,
    };
    let card_masked = get(Field::CardMasked).map(str::to_string);
    Ok(FileRow {
        line,
        merchant_no,
        terminal_no,
        batch_no,
        voucher_no,
        rrn,
        order_no,
        trade_date,
        trade_time,
        txn_type,
        status,
        amount_fen: amount.abs(),
        fee_fen,
        card_masked,
    })
}

/// A delimited record's fields by the columns found in the header.
pub fn fields_of(cols: &[(Field, usize)], cells: &[String]) -> Vec<(Field, String)> {
    cols.iter()
        .map(|(f, i)| (*f, cells.get(*i).cloned().unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    const POS_HEADER: &[&str] = &[
        "商户号",
        "门店名称",
        "终端号",
        "交易时间",
        "交易类型",
        "交易批次号",
        "凭证号",
        "参考号",
        "卡号",
        "卡类别",
        "交易金额",
        "手续费",
        "交易日期",
    ];

    #[test]
    fn the_header_picks_the_profile_or_names_the_nearest() {
        let all: Vec<&'static Profile> = BUILT_IN.iter().collect();
        let (p, _) = identify(&all, &s(POS_HEADER)).unwrap();
        assert_eq!(p.code, "pos");
        let mut h = s(POS_HEADER);
        h[7] = "检索参考号X".into();
        let e = identify(&all, &h).unwrap_err();
        assert_eq!(e.nearest, "pos");
        assert_eq!(e.missing, vec![Field::Rrn]);
    }

    #[test]
    fn a_pos_row_reads_exactly_and_bad_values_name_their_field() {
        let (p, cols) = identify(&[&POS], &s(POS_HEADER)).unwrap();
        let row = s(&[
            "104310058120001",
            "店",
            "10000001",
            "10:01:02",
            "消费",
            "000001",
            "000017",
            "`810000000001",
            "622848******1234",
            "借记卡",
            "1,234.50",
            "7.41",
            "2026-12-01",
        ]);
        let r = parse_record(p, 2, &fields_of(&cols, &row), 20261201).unwrap();
        assert_eq!(r.amount_fen, 123450);
        assert_eq!(r.fee_fen, Some(741));
        assert_eq!(r.rrn.as_deref(), Some("810000000001"));
        assert_eq!(r.trade_time, Some(36062));
        let mut bad = row.clone();
        bad[10] = "12.345".into();
        assert_eq!(
            parse_record(p, 2, &fields_of(&cols, &bad), 20261201),
            Err(RowProblem::TooManyDecimals(Field::Amount, "12.345".into()))
        );
        let mut bad = row.clone();
        bad[7] = "8.1E+11".into();
        assert!(matches!(
            parse_record(p, 2, &fields_of(&cols, &bad), 20261201),
            Err(RowProblem::Scientific(Field::Rrn, _))
        ));
        let mut bad = row;
        bad[4] = "\u{FFFD}\u{FFFD}".into();
        assert_eq!(
            parse_record(p, 2, &fields_of(&cols, &bad), 20261201),
            Err(RowProblem::Garbled)
        );
    }

    #[test]
    fn unionpay_lines_split_by_width_with_fen_and_month_day_time() {
        let mut line = String::new();
        let vals: Vec<String> = UNIONPAY_WIDTHS
            .iter()
            .map(|(f, w)| {
                let v = match f {
                    Some(Field::TxnType) => "S22".to_string(),
                    Some(Field::VoucherNo) => "000123".to_string(),
                    Some(Field::TradeDate) => "1231235959".to_string(),
                    Some(Field::CardMasked) => "622848******1234".to_string(),
                    Some(Field::Amount) => "000000012345".to_string(),
                    Some(Field::Fee) => "C000000000074".to_string(),
                    Some(Field::MerchantNo) => "104310058120001".to_string(),
                    Some(Field::TerminalNo) => "10000001".to_string(),
                    _ => String::new(),
                };
                format!("{v:<w$}")
            })
            .collect();
        for v in vals {
            line.push_str(&v);
        }
        let f = split_fixed(UNIONPAY_WIDTHS, &line).unwrap();
        let r = parse_record(&UNIONPAY, 1, &f, 20270101).unwrap();
        assert_eq!(r.trade_date, 20261231);
        assert_eq!(r.trade_time, Some(23 * 3600 + 59 * 60 + 59));
        assert_eq!(r.amount_fen, 12345);
        assert_eq!(r.fee_fen, Some(74));
        assert_eq!(r.voucher_no.as_deref(), Some("000123"));
        assert!(r.rrn.is_none());
        assert!(matches!(
            split_fixed(UNIONPAY_WIDTHS, &line[..100]),
            Err(RowProblem::Short { .. })
        ));
    }

    #[test]
    fn wallet_refunds_read_positive_with_their_direction() {
        let h = s(&[
            "交易时间",
            "特约商户号",
            "设备号",
            "商户订单号",
            "交易状态",
            "应结订单金额",
            "退款金额",
            "手续费",
        ]);
        let (p, cols) = identify(&[&WECHAT], &h).unwrap();
        let row = s(&[
            "`2026-12-01 09:00:00",
            "`104310058120001",
            "`10000001",
            "`A1",
            "`REFUND",
            "`0.00",
            "`12.00",
            "`-0.07",
        ]);
        let r = parse_record(p, 3, &fields_of(&cols, &row), 20261201).unwrap();
        assert_eq!(
            (r.txn_type, r.amount_fen, r.fee_fen),
            (TxnType::Refund, 1200, Some(7))
        );
        let h = s(&[
            "商户订单号",
            "业务类型",
            "完成时间",
            "门店编号",
            "订单金额（元）",
            "服务费（元）",
        ]);
        let (p, cols) = identify(&[&ALIPAY], &h).unwrap();
        let row = s(&[
            "B1",
            "退款",
            "2026-12-01 10:00:00",
            "104310058120001",
            "-30.00",
            "-0.18",
        ]);
        let r = parse_record(p, 5, &fields_of(&cols, &row), 20261201).unwrap();
        assert_eq!(
            (r.txn_type, r.amount_fen, r.fee_fen),
            (TxnType::Refund, 3000, Some(18))
        );
    }
}
