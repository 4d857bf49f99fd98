//! A second person for large ignores (spec/money-out.md §7.5): an exception whose difference is
//! above `recon_ignore_limit_fen` is not resolved by 已忽略 alone: it is proposed, stays open,
//! and only another operator with `reconcile_resolve` confirms (resolved as ignored, by the
//! confirmer, with the proposer's remark) or rejects it (open again); the proposer is refused as
//! the confirmer; below the limit it is one step. `check` proves every large ignore had its
//! second person. Runs on both backends.

mod common;

use common::TestDb;
use merchant_desk::demo::acquirer;
use merchant_desk::domain::recon::{Category, ExceptionStatus, Resolution};
use merchant_desk::service::recon::{self, ImportRequest, Resolved};
use merchant_desk::service::recon_ignore;
use merchant_desk::service::{Env, Rule, ServiceError, Session};
use merchant_desk::store::merchants;

const DAY: i32 = 20261122;

struct Setup {
    db: TestDb,
    env: Env,
    finance: Session,
    admin: Session,
    run_id: i64,
}

fn setup() -> Setup {
    let db = TestDb::demo(3, 150);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    let admin = db.login(&mut env, "admin");
    let file = acquirer::write_day(&env, db.dir.path(), DAY).unwrap();
    let s = recon::import(
        &mut env,
        &finance,
        &ImportRequest {
            path: file,
            format: None,
            date: None,
        },
    )
    .unwrap();
    // The first store's run: the one with the deliberate differences.
    let run_id = s.runs.iter().map(|r| r.run_id).min().unwrap();
    Setup {
        db,
        env,
        finance,
        admin,
        run_id,
    }
}

fn exception(s: &Setup, c: Category) -> merchant_desk::service::views::ExceptionRow {
    recon::exceptions(&s.env, &s.finance, s.run_id, Some(c))
        .unwrap()
        .remove(0)
}

fn set_limit(s: &Setup, fen: i64) {
    merchants::set_setting(
        &s.env.store.read(),
        "recon_ignore_limit_fen",
        &fen.to_string(),
    )
    .unwrap();
}

fn check_holds(s: &Setup) -> Vec<String> {
    let report = merchant_desk::service::check::run(&s.env.store).unwrap();
    report
        .broken()
        .iter()
        .map(|i| format!("{}: {:?}", i.name, i.breaches))
        .collect()
}

#[test]
fn a_large_ignore_needs_a_second_person() {
    let mut s = setup();
    let e = exception(&s, Category::AmountDiff);
    let difference = recon_ignore::difference_fen(e.file_fen, e.local_fen);
    assert!(difference > 0);
    set_limit(&s, difference - 1);
    let open_before = recon::open_count(&s.env, &s.finance, &[s.run_id]).unwrap();
    let r = recon::resolve(
        &mut s.env,
        &s.finance,
        e.id,
        Resolution::Ignored,
        "测试数据，收单方确认作废",
    )
    .unwrap();
    assert_eq!(r, Resolved::AwaitingSecond);
    // Still open: nothing resolved yet, the proposal waits.
    let after = exception(&s, Category::AmountDiff);
    assert_eq!(after.status, ExceptionStatus::Open);
    assert_eq!(
        recon::open_count(&s.env, &s.finance, &[s.run_id]).unwrap(),
        open_before
    );
    let pending = recon_ignore::pending(&s.env, &s.finance, s.run_id).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].exception_id, e.id);
    assert_eq!(pending[0].difference_fen, difference);
    // Neither another resolution nor a second proposal meanwhile.
    let again = recon::resolve(&mut s.env, &s.finance, e.id, Resolution::Adjusted, "x");
    assert!(matches!(again, Err(ServiceError::Refused(_))), "{again:?}");
    // The same person is refused as the second.
    let own = recon_ignore::decide(&mut s.env, &s.finance, e.id, true);
    assert!(
        matches!(own, Err(ServiceError::Refused(Rule::OwnApplication))),
        "{own:?}"
    );
    // Without the function: refused.
    let monitor = s.db.login(&mut s.env, "monitor");
    let denied = recon_ignore::decide(&mut s.env, &monitor, e.id, true);
    assert!(matches!(denied, Err(ServiceError::Denied(_))), "{denied:?}");
    assert!(check_holds(&s).is_empty(), "{:?}", check_holds(&s));
    // Another operator confirms: resolved as ignored, by the confirmer, the remark kept.
    recon_ignore::decide(&mut s.env, &s.admin, e.id, true).unwrap();
    let done = exception(&s, Category::AmountDiff);
    assert_eq!(done.status, ExceptionStatus::Resolved);
    assert_eq!(done.resolution, Some(Resolution::Ignored));
    assert_eq!(done.resolved_by.as_deref(), Some("admin"));
    assert_eq!(done.remark, "测试数据，收单方确认作废");
    assert!(recon_ignore::pending(&s.env, &s.finance, s.run_id)
        .unwrap()
        .is_empty());
    assert_eq!(
        recon::open_count(&s.env, &s.finance, &[s.run_id]).unwrap(),
        open_before - 1
    );
    // Decided once: a second decision is refused.
    let twice = recon_ignore::decide(&mut s.env, &s.admin, e.id, true);
    assert!(matches!(twice, Err(ServiceError::Refused(_))), "{twice:?}");
    // Audited both steps.
    let audited = s
        .env
        .store
        .query_i64_for_tests(
            "SELECT count(*) FROM audit_log WHERE action IN ('recon.ignore_propose', 'recon.ignore_decide')",
        )
        .unwrap();
    assert_eq!(audited, 2);
    assert!(check_holds(&s).is_empty(), "{:?}", check_holds(&s));
}

#[test]
fn a_rejected_ignore_stays_open_and_below_the_limit_it_is_one_step() {
    let mut s = setup();
    let e = exception(&s, Category::FeeDiff);
    let difference = recon_ignore::difference_fen(e.file_fen, e.local_fen);
    assert!(difference > 0, "{e:?}");
    set_limit(&s, difference - 1);
    assert_eq!(
        recon::resolve(
            &mut s.env,
            &s.finance,
            e.id,
            Resolution::Ignored,
            "手续费差异，暂不处理"
        )
        .unwrap(),
        Resolved::AwaitingSecond
    );
    recon_ignore::decide(&mut s.env, &s.admin, e.id, false).unwrap();
    let back = exception(&s, Category::FeeDiff);
    assert_eq!(back.status, ExceptionStatus::Open);
    assert!(recon_ignore::pending(&s.env, &s.finance, s.run_id)
        .unwrap()
        .is_empty());
    // At the limit (not above) it is one step, by the one person.
    set_limit(&s, difference);
    assert_eq!(
        recon::resolve(
            &mut s.env,
            &s.finance,
            e.id,
            Resolution::Ignored,
            "在限额内"
        )
        .unwrap(),
        Resolved::Done
    );
    let done = exception(&s, Category::FeeDiff);
    assert_eq!(done.status, ExceptionStatus::Resolved);
    assert_eq!(done.resolved_by.as_deref(), Some("finance"));
    // The default limit (¥1,000) when the setting is not set: the demo's differences are
    // small, so an ignore of one is one step.
    s.env
        .store
        .execute_for_tests("DELETE FROM settings WHERE key = 'recon_ignore_limit_fen'")
        .unwrap();
    let d = exception(&s, Category::DateDiff);
    assert!(
        recon_ignore::difference_fen(d.file_fen, d.local_fen) <= recon_ignore::DEFAULT_LIMIT_FEN
    );
    assert_eq!(
        recon::resolve(
            &mut s.env,
            &s.finance,
            d.id,
            Resolution::Ignored,
            "日期差异"
        )
        .unwrap(),
        Resolved::Done
    );
    assert!(check_holds(&s).is_empty(), "{:?}", check_holds(&s));
    // The limit lowered afterwards: each ignore is judged by the limit of its day, so the
    // ignores made within the limit then are no breaches now.
    set_limit(&s, 0);
    assert!(check_holds(&s).is_empty(), "{:?}", check_holds(&s));
}

#[test]
fn check_finds_a_large_ignore_without_its_second_person() {
    let s = setup();
    let e = exception(&s, Category::AmountDiff);
    let difference = recon_ignore::difference_fen(e.file_fen, e.local_fen);
    set_limit(&s, difference - 1);
    // Written around the service: resolved as ignored with no proposal behind it.
    s.env
        .store
        .execute_for_tests(&format!(
            "UPDATE recon_exceptions SET status = 'resolved', resolution = 'ignored',
                remark = 'x', resolved_ms = 1 WHERE id = {}",
            e.id
        ))
        .unwrap();
    let broken = check_holds(&s);
    assert!(
        broken
            .iter()
            .any(|b| b.starts_with("recon_large_ignore_confirmed")
                && b.contains(&format!("recon_exception#{}", e.id))),
        "{broken:?}"
    );
}

#[test]
fn the_second_person_confirms_through_the_keys() {
    use merchant_desk::script::runner::run_tape;
    let s = setup();
    set_limit(&s, 0);
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tapes/recon_second.tape"
    ))
    .unwrap();
    let Setup {
        db,
        env,
        finance,
        run_id,
        ..
    } = s;
    drop(env);
    let mut out = Vec::new();
    if let Err(e) = run_tape(
        &src,
        &db.path,
        merchant_desk::ui::text::Lang::Zh,
        None,
        &mut out,
    ) {
        panic!("{e:?}\n{}", String::from_utf8_lossy(&out));
    }
    let env = db.env();
    let ignored: Vec<_> = recon::exceptions(&env, &finance, run_id, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.resolution == Some(Resolution::Ignored))
        .collect();
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert_eq!(ignored[0].resolved_by.as_deref(), Some("admin"));
    assert_eq!(ignored[0].remark, "收单方测试交易");
    let report = merchant_desk::service::check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}

/// A proposal to ignore that waits for its second person follows its difference when the
/// acquirer's corrected file supersedes the run; the second person confirms it on the new run.
#[test]
fn a_pending_proposal_follows_its_difference_into_a_re_import() {
    let mut s = setup();
    let e = exception(&s, Category::AmountDiff);
    let difference = recon_ignore::difference_fen(e.file_fen, e.local_fen);
    set_limit(&s, difference - 1);
    assert_eq!(
        recon::resolve(
            &mut s.env,
            &s.finance,
            e.id,
            Resolution::Ignored,
            "收单方已确认"
        )
        .unwrap(),
        Resolved::AwaitingSecond
    );
    // The corrected file: the same rows, one more comment line (another SHA-256).
    let file = acquirer::write_day(&s.env, s.db.dir.path(), DAY).unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.iter().position(|b| *b == b'\n').unwrap() + 1;
    bytes.splice(at..at, b"# corrected\n".iter().copied());
    // Under the same name (the file name carries the date), in another folder.
    let folder = s.db.dir.path().join("v2");
    std::fs::create_dir(&folder).unwrap();
    let again = folder.join(file.file_name().unwrap());
    std::fs::write(&again, bytes).unwrap();
    let second = recon::import(
        &mut s.env,
        &s.finance,
        &ImportRequest {
            path: again,
            format: None,
            date: None,
        },
    )
    .unwrap();
    let run2 = second
        .runs
        .iter()
        .find(|r| r.supersedes == Some(s.run_id))
        .expect("the first store's run superseded")
        .run_id;
    let waiting = recon_ignore::pending(&s.env, &s.admin, run2).unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let new_e = recon::exceptions(&s.env, &s.finance, run2, Some(Category::AmountDiff))
        .unwrap()
        .remove(0);
    recon_ignore::decide(&mut s.env, &s.admin, new_e.id, true).unwrap();
    let done = recon::exceptions(&s.env, &s.finance, run2, Some(Category::AmountDiff))
        .unwrap()
        .remove(0);
    assert_eq!(done.status, ExceptionStatus::Resolved);
    assert_eq!(done.remark, "收单方已确认");
    assert!(check_holds(&s).is_empty(), "{:?}", check_holds(&s));
}
