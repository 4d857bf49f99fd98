//! Reconciliation against the acquirer's files (Y7, spec/money-out.md §7): the demo's file of a
//! day imported and matched with one exception of each kind, each resolved with a remark (a
//! suggestion matched by hand), the same file refused twice, a re-import superseding the run
//! and carrying the resolutions; bad files refused whole with nothing stored, bad rows kept as
//! unreadable-row exceptions; nothing moves money. Runs on both backends.

mod common;

use std::path::PathBuf;

use common::TestDb;
use merchant_desk::demo::acquirer;
use merchant_desk::domain::lang::Lang;
use merchant_desk::domain::recon::{Category, ExceptionStatus, Resolution, RunStatus};
use merchant_desk::service::recon::{self, FileProblem, ImportRequest, ReconError};
use merchant_desk::service::{Env, ServiceError, Session};
use merchant_desk::store::merchants;

const DAY: i32 = 20261122;

fn count(env: &Env, sql: &str) -> i64 {
    env.store.query_i64_for_tests(sql).unwrap()
}

struct Setup {
    db: TestDb,
    env: Env,
    finance: Session,
    merchant_id: i64,
    merchant_no: String,
}

fn setup() -> Setup {
    let db = TestDb::demo(3, 150);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    // The store with the most transactions that day.
    let ms = merchants::all(&env.store.read()).unwrap();
    let m = ms
        .iter()
        .max_by_key(|m| recon::day_transactions(&env, m.id, DAY).unwrap().len())
        .unwrap();
    let (merchant_id, merchant_no) = (m.id, m.merchant_no.clone());
    Setup {
        db,
        env,
        finance,
        merchant_id,
        merchant_no,
    }
}

fn write(s: &Setup, name: &str, text: &str) -> PathBuf {
    let p = s.db.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn demo_text(s: &Setup, deliberate: bool) -> String {
    let local = recon::day_transactions(&s.env, s.merchant_id, DAY).unwrap();
    acquirer::statement_text(&s.merchant_no, "门店", DAY, &local, deliberate)
}

fn import(s: &mut Setup, path: PathBuf) -> Result<recon::ImportSummary, ReconError> {
    recon::import(
        &mut s.env,
        &s.finance,
        &ImportRequest {
            path,
            format: None,
            date: None,
        },
    )
}

fn import_text(s: &mut Setup, name: &str, text: &str) -> Result<recon::ImportSummary, ReconError> {
    let p = write(s, name, text);
    import(s, p)
}

fn refused(r: Result<recon::ImportSummary, ReconError>) -> FileProblem {
    match r {
        Err(ReconError::File(p)) => p,
        other => panic!("{other:?}"),
    }
}

fn money_fingerprint(env: &Env) -> (i64, i64, i64) {
    (
        count(env, "SELECT count(*) FROM transactions"),
        count(
            env,
            "SELECT coalesce(sum(amount_fen + fee_fen + refunded_fen), 0) FROM transactions",
        ),
        count(
            env,
            "SELECT count(*) FROM transactions WHERE status = 'success'",
        ),
    )
}

#[test]
fn the_demo_file_shows_one_of_each_kind_and_every_one_is_resolved_with_a_remark() {
    let mut s = setup();
    let before = money_fingerprint(&s.env);
    let path = write(
        &s,
        &format!("acquirer-{}-{DAY}.csv", s.merchant_no),
        &demo_text(&s, true),
    );
    let summary = import(&mut s, path).unwrap();
    assert_eq!(summary.profile, "pos");
    assert_eq!(summary.date, DAY);
    assert_eq!(summary.runs.len(), 1);
    let run_id = summary.runs[0].run_id;
    let detail = recon::run(&s.env, &s.finance, run_id).unwrap();
    let n = |c: Category| {
        detail
            .categories
            .iter()
            .find(|x| x.0 == c)
            .map(|x| x.1)
            .unwrap_or(0)
    };
    for c in [
        Category::AmountDiff,
        Category::FeeDiff,
        Category::StatusDiff,
        Category::TypeDiff,
        Category::DateDiff,
        Category::CardDiff,
        Category::Duplicate,
        Category::MissingAcquirer,
    ] {
        assert_eq!(n(c), 1, "{c:?}: {:?}", detail.categories);
    }
    // The shifted one (another reference and voucher) and the one we never had.
    assert_eq!(n(Category::MissingLocal), 2);
    assert_eq!(n(Category::Unparseable), 2);
    let run = &detail.run;
    assert!(run.matched_rows > 0);
    assert_eq!(run.open, run.exceptions);

    let all = recon::exceptions(&s.env, &s.finance, run_id, None).unwrap();
    // Side by side: the amount difference shows both amounts.
    let amount = all
        .iter()
        .find(|e| e.category == Category::AmountDiff)
        .unwrap();
    assert_eq!(amount.file_fen.unwrap() - amount.local_fen.unwrap(), 100);
    assert_eq!(amount.file_amount, amount.file_fen);
    assert_eq!(amount.local_amount, amount.local_fen);
    // The unreadable rows say why, naming the field.
    let unreadable: Vec<&str> = all
        .iter()
        .filter(|e| e.category == Category::Unparseable)
        .map(|e| e.file_value.as_str())
        .collect();
    assert!(
        unreadable.iter().any(|m| m.contains("超过两位小数")),
        "{unreadable:?}"
    );
    assert!(
        unreadable.iter().any(|m| m.contains("科学计数法")),
        "{unreadable:?}"
    );
    // The shifted row is suggested for a hand match with the transaction left out.
    let shifted = all
        .iter()
        .find(|e| e.category == Category::MissingLocal && e.suggested_txn_id.is_some())
        .unwrap();
    let left_out = all
        .iter()
        .find(|e| e.category == Category::MissingAcquirer)
        .unwrap();
    assert_eq!(shifted.suggested_txn_id, left_out.txn_id);

    // A resolution needs a remark, and the right function.
    let e = recon::resolve(
        &mut s.env,
        &s.finance,
        amount.id,
        Resolution::Adjusted,
        "  ",
    );
    assert!(
        matches!(
            e,
            Err(ServiceError::Invalid {
                field: "remark",
                ..
            })
        ),
        "{e:?}"
    );
    let monitor = s.db.login(&mut s.env, "monitor");
    let e = recon::resolve(&mut s.env, &monitor, amount.id, Resolution::Adjusted, "x");
    assert!(matches!(e, Err(ServiceError::Denied(_))), "{e:?}");

    recon::resolve(
        &mut s.env,
        &s.finance,
        shifted.id,
        Resolution::MatchedByHand,
        "同一笔，收单方重编了凭证号",
    )
    .unwrap();
    let after =
        recon::exceptions(&s.env, &s.finance, run_id, Some(Category::MissingAcquirer)).unwrap();
    assert_eq!(after[0].status, ExceptionStatus::Resolved);
    assert_eq!(after[0].resolution, Some(Resolution::MatchedByHand));
    // A hand match is a match the second time too: refused.
    let again = recon::resolve(&mut s.env, &s.finance, shifted.id, Resolution::Ignored, "x");
    assert!(matches!(again, Err(ServiceError::Refused(_))), "{again:?}");
    for e in recon::exceptions(&s.env, &s.finance, run_id, None).unwrap() {
        if e.status == ExceptionStatus::Open {
            let res = match e.category {
                Category::FeeDiff => Resolution::AcceptedDifference,
                Category::Duplicate | Category::Unparseable => Resolution::Ignored,
                _ => Resolution::Adjusted,
            };
            recon::resolve(&mut s.env, &s.finance, e.id, res, "已核实").unwrap();
        }
    }
    assert_eq!(recon::open_count(&s.env, &s.finance, &[run_id]).unwrap(), 0);
    // The run as one workbook, read back: four sheets, every exception with its resolution.
    let book = recon::export_run(&s.env, &s.finance, run_id, s.db.dir.path(), Lang::Zh).unwrap();
    {
        use calamine::{open_workbook, Reader, Xlsx};
        let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
        assert_eq!(wb.sheet_names(), vec!["汇总", "差异", "已匹配", "无法解析"]);
        let diffs = wb.worksheet_range("差异").unwrap();
        assert_eq!(diffs.height() - 1, all.len() - 2);
        let un = wb.worksheet_range("无法解析").unwrap();
        assert_eq!(un.height() - 1, 2);
        let matched = wb.worksheet_range("已匹配").unwrap();
        assert_eq!(matched.height() as i64 - 1, detail.run.matched_rows + 1);
    }
    // `check` holds after the run and its resolutions.
    let report = merchant_desk::service::check::run(&s.env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
    // Nothing moved money or changed a transaction.
    assert_eq!(money_fingerprint(&s.env), before);
    assert_eq!(
        count(
            &s.env,
            "SELECT count(*) FROM audit_log WHERE action = 'recon.resolve'"
        ),
        all.len() as i64 - 1
    );
}

#[test]
fn the_same_file_is_refused_and_a_new_one_supersedes_carrying_resolutions() {
    let mut s = setup();
    let text = demo_text(&s, true);
    let name = format!("acquirer-{}-{DAY}.csv", s.merchant_no);
    let first = import_text(&mut s, &name, &text).unwrap();
    let run1 = first.runs[0].run_id;
    let fee = recon::exceptions(&s.env, &s.finance, run1, Some(Category::FeeDiff)).unwrap();
    recon::resolve(
        &mut s.env,
        &s.finance,
        fee[0].id,
        Resolution::AcceptedDifference,
        "已向收单方申请退回",
    )
    .unwrap();

    // The same bytes under another name: refused by SHA-256, naming the run.
    let p = refused(import_text(&mut s, &format!("copy-{DAY}.csv"), &text));
    assert_eq!(
        p,
        FileProblem::AlreadyImported {
            imported_ms: p_ms(&p),
            run_id: Some(run1)
        }
    );
    assert!(p.message(Lang::Zh).contains(&format!("对账批次 #{run1}")));
    assert_eq!(count(&s.env, "SELECT count(*) FROM recon_files"), 1);

    // A corrected file from the acquirer: a new run; the old one is kept, superseded.
    let corrected = text.replacen('\n', "\n# 更正版\n", 1);
    let second = import_text(&mut s, &format!("acquirer-v2-{DAY}.csv"), &corrected).unwrap();
    let run2 = second.runs[0].run_id;
    assert_eq!(second.runs[0].supersedes, Some(run1));
    let old = recon::run(&s.env, &s.finance, run1).unwrap();
    assert_eq!(old.run.status, RunStatus::Superseded);
    let fee2 = recon::exceptions(&s.env, &s.finance, run2, Some(Category::FeeDiff)).unwrap();
    assert_eq!(fee2[0].status, ExceptionStatus::Resolved);
    assert_eq!(fee2[0].remark, "已向收单方申请退回");
    assert_eq!(second.open, first.open - 1);
    // The old run's exceptions cannot be resolved any more.
    let old_open = recon::exceptions(&s.env, &s.finance, run1, Some(Category::AmountDiff)).unwrap();
    let e = recon::resolve(
        &mut s.env,
        &s.finance,
        old_open[0].id,
        Resolution::Adjusted,
        "x",
    );
    assert!(matches!(e, Err(ServiceError::Refused(_))), "{e:?}");
}

fn p_ms(p: &FileProblem) -> i64 {
    match p {
        FileProblem::AlreadyImported { imported_ms, .. } => *imported_ms,
        _ => 0,
    }
}

#[test]
fn a_clean_file_matches_everything_and_a_gbk_file_reads_the_same() {
    let mut s = setup();
    let text = demo_text(&s, false);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let p = s.db.dir.path().join(format!("gbk-{DAY}.csv"));
    std::fs::write(&p, &gbk).unwrap();
    let summary = import(&mut s, p).unwrap();
    let run = recon::run(&s.env, &s.finance, summary.runs[0].run_id).unwrap();
    let rows = text.lines().count() as i64 - 2;
    assert_eq!(run.run.file_rows, rows);
    assert_eq!(run.run.matched_rows, rows);
    // Only what the acquirer leaves for the next day (after the cut-off) remains.
    for (c, ..) in &run.categories {
        assert_eq!(*c, Category::ExpectedNextDay, "{:?}", run.categories);
    }
    // With the cut-off at 00:00 (setting recon_cutoff) a transaction the acquirer left out is
    // expected in the next day's file rather than missing at the acquirer.
    merchants::set_setting(&s.env.store.read(), "recon_cutoff", "00:00").unwrap();
    let deliberate = demo_text(&s, true);
    let summary = import_text(&mut s, &format!("again-{DAY}.csv"), &deliberate).unwrap();
    let run2 = recon::run(&s.env, &s.finance, summary.runs[0].run_id).unwrap();
    let n = |r: &recon::RunDetail, c: Category| {
        r.categories
            .iter()
            .find(|x| x.0 == c)
            .map(|x| x.1)
            .unwrap_or(0)
    };
    assert_eq!(
        n(&run2, Category::MissingAcquirer),
        0,
        "{:?}",
        run2.categories
    );
    assert_eq!(
        n(&run2, Category::ExpectedNextDay),
        1,
        "{:?}",
        run2.categories
    );
}

#[test]
fn bad_files_are_refused_whole_and_bad_rows_become_exceptions() {
    let mut s = setup();
    let text = demo_text(&s, false);
    // Unknown layout: the header found and the nearest profile.
    let renamed = text.replacen("参考号", "检索号", 1);
    let p = refused(import_text(&mut s, &format!("a-{DAY}.csv"), &renamed));
    let m = p.message(Lang::Zh);
    assert!(
        m.contains("商户号,门店名称") && m.contains("通用POS对账单") && m.contains("参考号"),
        "{m}"
    );
    // A merchant number not in this database.
    let foreign = text.replace(&s.merchant_no, "999999999999999");
    let p = refused(import_text(&mut s, &format!("b-{DAY}.csv"), &foreign));
    assert_eq!(p, FileProblem::UnknownMerchant("999999999999999".into()));
    // A summary line that disagrees with the rows.
    let n = text.lines().count() - 2;
    let lying = text.replace(&format!("合计,{n},"), &format!("合计,{},", n + 1));
    let p = refused(import_text(&mut s, &format!("c-{DAY}.csv"), &lying));
    assert!(matches!(p, FileProblem::SummaryMismatch { .. }), "{p:?}");
    assert!(p.message(Lang::Zh).contains("汇总行与明细不符"));
    // A WeChat bill without its summary: truncated.
    let wx = format!(
        "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n`2026-11-22 10:00:00,`wx1,`1,`{},`T1,`42,`O1,`u,`JSAPI,`SUCCESS,`CMB,`CNY,`10.00,`0.00,`0,`0,`0.00,`0.00,`,`,`g,`,`0.06,`0.60%,`10.00,`0.00,`\n",
        s.merchant_no
    );
    let p = refused(import_text(&mut s, &format!("wx-{DAY}.csv"), &wx));
    assert_eq!(p, FileProblem::Truncated);
    // No date anywhere.
    let p = refused(import_text(&mut s, "nodate.csv", &text));
    assert_eq!(p, FileProblem::NoDate);
    // A workbook renamed .csv, and an empty file.
    let p = refused(import_text(
        &mut s,
        &format!("d-{DAY}.csv"),
        "PK\u{3}\u{4}junk",
    ));
    assert!(matches!(p, FileProblem::Read(_)), "{p:?}");
    let p = refused(import_text(&mut s, &format!("e-{DAY}.csv"), "\n\n"));
    assert!(matches!(p, FileProblem::Read(_)), "{p:?}");
    // Nothing of any refused file is stored; each refusal is audited.
    assert_eq!(count(&s.env, "SELECT count(*) FROM recon_files"), 0);
    assert_eq!(count(&s.env, "SELECT count(*) FROM recon_rows"), 0);
    assert_eq!(
        count(
            &s.env,
            "SELECT count(*) FROM audit_log WHERE action = 'recon.import.refused'"
        ),
        7
    );

    // Rows in GBK inside a UTF-8 file, and a truncated last line: unreadable rows, the rest read.
    let mut bytes = text
        .lines()
        .take(4)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    bytes.push(b'\n');
    let gbk_line = text.lines().nth(4).unwrap();
    bytes.extend_from_slice(&encoding_rs::GBK.encode(gbk_line).0);
    bytes.push(b'\n');
    let last = text.lines().nth(5).unwrap();
    let half: String = last.chars().take(last.chars().count() / 2).collect();
    bytes.extend_from_slice(half.as_bytes());
    bytes.push(b'\n');
    let p = s.db.dir.path().join(format!("mixed-{DAY}.csv"));
    std::fs::write(&p, &bytes).unwrap();
    let summary = import(&mut s, p).unwrap();
    let un = recon::exceptions(
        &s.env,
        &s.finance,
        summary.runs[0].run_id,
        Some(Category::Unparseable),
    )
    .unwrap();
    assert_eq!(un.len(), 2, "{un:?}");
    assert!(un.iter().any(|e| e.file_value.contains("乱码")), "{un:?}");
    assert!(un.iter().any(|e| e.file_value.contains("截断")), "{un:?}");
    assert!(un.iter().all(|e| e.raw.is_some()));
}

#[test]
fn a_unionpay_fixed_width_file_matches_by_terminal_voucher_and_amount() {
    use merchant_desk::domain::recon::profile::{Field, UNIONPAY_WIDTHS};
    let mut s = setup();
    let local = recon::day_transactions(&s.env, s.merchant_id, DAY).unwrap();
    let sales: Vec<_> = local
        .iter()
        .filter(|l| {
            l.txn_type == merchant_desk::domain::txn::TxnType::Sale
                && l.status == merchant_desk::domain::txn::TxnStatus::Success
        })
        .take(5)
        .collect();
    let mut text = String::new();
    for l in &sales {
        for (f, w) in UNIONPAY_WIDTHS {
            let v = match f {
                Some(Field::TxnType) => "S22".to_string(),
                Some(Field::VoucherNo) => l.voucher_no.clone(),
                Some(Field::TradeDate) => {
                    let t = l.trade_time;
                    format!(
                        "{:04}{:02}{:02}{:02}",
                        DAY % 10000,
                        t / 3600,
                        t / 60 % 60,
                        t % 60
                    )
                }
                Some(Field::CardMasked) => l.card_masked.clone(),
                Some(Field::Amount) => format!("{:012}", l.amount_fen),
                Some(Field::Fee) => format!("C{:012}", l.fee_fen),
                Some(Field::MerchantNo) => s.merchant_no.clone(),
                Some(Field::TerminalNo) => l.terminal_no.clone(),
                _ => String::new(),
            };
            text.push_str(&format!("{v:<w$}"));
        }
        text.push_str("\r\n");
    }
    let p = write(&s, &format!("INN_{DAY}_01ACOMA.txt"), &text);
    let summary = recon::import(
        &mut s.env,
        &s.finance,
        &ImportRequest {
            path: p,
            format: Some("unionpay".into()),
            date: None,
        },
    )
    .unwrap();
    assert_eq!(summary.profile, "unionpay");
    let run = recon::run(&s.env, &s.finance, summary.runs[0].run_id).unwrap();
    assert_eq!(run.run.matched_rows, 5);
    let matched = recon::matched(&s.env, &s.finance, run.run.id).unwrap();
    assert!(
        matched.iter().all(
            |m| m.2 == merchant_desk::domain::recon::Pass::TerminalVoucherAmount
                || m.2 == merchant_desk::domain::recon::Pass::TerminalVoucherDate
        ),
        "{matched:?}"
    );
}

#[test]
fn an_operator_without_the_function_or_limited_to_groups_is_refused() {
    let mut s = setup();
    let monitor = s.db.login(&mut s.env, "monitor");
    let p = write(&s, &format!("x-{DAY}.csv"), &demo_text(&s, false));
    let r = recon::import(
        &mut s.env,
        &monitor,
        &ImportRequest {
            path: p,
            format: None,
            date: None,
        },
    );
    assert!(
        matches!(r, Err(ReconError::Service(ServiceError::Denied(_)))),
        "{r:?}"
    );
    assert_eq!(count(&s.env, "SELECT count(*) FROM recon_files"), 0);
}
