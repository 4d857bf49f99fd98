//! The review engine: bank accounts through review, withdrawals holding the available balance,
//! mixed decisions with refunds signed once, all or nothing, cancel, expiry, the settlement run
//! and the outcome feed, and `check` over holds, withdrawals and applications.

mod common;

use common::TestDb;
use merchant_desk::card::piv::INS_GENERAL_AUTHENTICATE;
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::domain::review::{
    AccountNature, ApplicationKind, ApplicationStatus, BankAccountStatus, HoldState, HolderType,
    PayoutFee, PayoutFeeKind, WithdrawMethod, WithdrawalStatus,
};
use merchant_desk::service::card::{self, CardServiceError};
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::review::{self, BankAccountInput, InboxQuery, ItemRef, WithdrawInput};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::{
    check, outcomes, settlement, Env, Problem, Rule, ServiceError, Session,
};
use merchant_desk::store::review as q;
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
use merchant_desk::store::{cards, operators};

const PW: &str = "demo1234";
const PIN: &str = "123456";

/// The clock moved to the small hours of the next business day, when its settlement run is made.
fn next_day(env: &mut Env) {
    env.clock = std::sync::Arc::new(merchant_desk::clock::VirtualClock::new(
        merchant_desk::clock::parse_datetime_ms("2026-11-24 00:30").unwrap(),
    ));
}

struct Fixture {
    db: TestDb,
    env: Env,
    admin: Session,
    clerk: Session,
    checker: Session,
    reader: VirtualReader,
    card: VirtualCard,
}

fn fixture() -> Fixture {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let reader = VirtualReader::new("test reader");
    let card = VirtualCard::from_seed("checker-key");
    reader.insert(card.clone());
    env.readers = CardReaders::Virtual(reader.clone());
    let admin = db.login(&mut env, "admin");
    // As the demo has it: 新街口店 reviews its refunds.
    merchant_desk::service::settings::set_refund(&mut env, &admin, 3, true, 0).unwrap();
    let checker = db.login(&mut env, "checker");
    let checker_id = operators::by_login(&env.store.read(), "checker")
        .unwrap()
        .unwrap()
        .id;
    card::bind_card(
        &mut env,
        &admin,
        checker_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    let clerk = db.login(&mut env, "clerk");
    Fixture {
        db,
        env,
        admin,
        clerk,
        checker,
        reader,
        card,
    }
}

fn confirm(pin: Option<&str>) -> Confirmation<'_> {
    Confirmation {
        pay_password: PW,
        pin,
    }
}

fn account_input(merchant_id: i64, no: &str) -> BankAccountInput {
    BankAccountInput {
        merchant_id,
        holder_type: Some(HolderType::Company),
        nature: Some(AccountNature::Basic),
        bank: "建设银行".into(),
        province: "上海市".into(),
        city: "上海市".into(),
        branch: "建设银行上海静安支行".into(),
        account_no: no.into(),
        account_no_again: no.into(),
        pay_password: PW.into(),
    }
}

/// Admin adds an account of store 1, the checker approves it; its id.
fn approved_account(f: &mut Fixture) -> i64 {
    let acct = review::add_bank_account(&mut f.env, &f.admin, &account_input(1, "31001234560771"))
        .unwrap();
    assert_eq!(acct.masked, "*****0771");
    assert_eq!(acct.status, BankAccountStatus::PendingReview);
    let page = review::inbox(&f.env, &f.checker, &InboxQuery::default(), 0).unwrap();
    let row = page
        .rows
        .iter()
        .find(|r| r.kind == ApplicationKind::BankAccount)
        .expect("the new account waits in the inbox");
    // Stored language-neutral, shown in the operator's language.
    assert_eq!(row.payee_display, "CCB *****0771 鑫源百货南京西路店");
    assert_eq!(
        merchant_desk::domain::review::payee_line(
            &row.payee_display,
            merchant_desk::domain::lang::Lang::Zh
        ),
        "建设银行 *****0771 鑫源百货南京西路店"
    );
    assert_eq!(
        merchant_desk::domain::review::payee_line(
            &row.payee_display,
            merchant_desk::domain::lang::Lang::En
        ),
        "CCB *****0771 鑫源百货南京西路店"
    );
    let n = review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::from(row)],
        true,
        "",
        confirm(Some(PIN)),
    )
    .unwrap();
    assert_eq!(n, 1);
    let accts = review::bank_accounts(&f.env, &f.admin, 1).unwrap();
    assert_eq!(accts[0].status, BankAccountStatus::Active);
    acct.id
}

fn withdraw(
    f: &mut Fixture,
    account: i64,
    amount: &str,
    method: WithdrawMethod,
) -> Result<q::ApplicationRow, ServiceError> {
    review::apply_withdrawal(
        &mut f.env,
        &f.clerk,
        &WithdrawInput {
            merchant_id: 1,
            bank_account_id: Some(account),
            amount: amount.into(),
            method,
            remark: String::new(),
            pay_password: PW.into(),
            idempotency_key: None,
            pin: None,
        },
    )
    .map_err(|e| match e {
        CardServiceError::Service(e) => e,
        other => panic!("{other:?}"),
    })
}

/// A success sale of a store from yesterday.
fn sale_of(env: &Env, merchant_id: i64) -> i64 {
    transactions::page(
        &env.store.read(),
        &TxnFilter {
            txn_type: Some("sale".into()),
            status: Some("success".into()),
            merchant_id: Some(merchant_id),
            ..Default::default()
        },
        PageAt::First,
        200,
    )
    .unwrap()
    .into_iter()
    .find(|r| r.trade_date == 20261122)
    .unwrap()
    .id
}

fn check_ok(env: &Env) {
    let report = check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}

fn count(env: &Env, sql: &str) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(sql, merchant_desk::store::params![], |r| r.get(0))
        .unwrap()
}

#[test]
fn withdrawal_beside_a_refund_approved_at_once_then_paid_by_the_settlement_run() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    assert!(before.available_fen > 10_000, "{before:?}");
    let app = withdraw(&mut f, account, "100.00", WithdrawMethod::Normal).unwrap();
    assert_eq!(app.status, ApplicationStatus::PendingReview);
    let after = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(after.ledger_fen, before.ledger_fen, "the ledger stays");
    assert_eq!(after.available_fen, before.available_fen - 10_000);
    // A refund of store 3 (in review mode in the demo) waits beside it, a minute later.
    f.db.clock.advance_ms(60_000);
    let sale = sale_of(&f.env, 3);
    let refund = refunds::apply(
        &mut f.env,
        &f.clerk,
        &RefundInput {
            txn_id: sale,
            amount: "1.00".into(),
            remark: "顾客退货".into(),
            pay_password: PW.into(),
            refund_order_no: None,
        },
    )
    .unwrap();
    assert_eq!(
        refund.status,
        merchant_desk::domain::refund::RefundStatus::PendingReview
    );
    let page = review::inbox(&f.env, &f.checker, &InboxQuery::default(), 0).unwrap();
    let kinds: Vec<_> = page.rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![ApplicationKind::Withdrawal, ApplicationKind::Refund]
    );
    assert_eq!(page.total, 2);
    // The clerk's own applications are not in the clerk's inbox (no function: refused).
    assert!(matches!(
        review::inbox(&f.env, &f.clerk, &InboxQuery::default(), 0),
        Err(ServiceError::Denied(_))
    ));
    let items: Vec<ItemRef> = page.rows.iter().map(ItemRef::from).collect();
    let approvals_before = count(&f.env, "SELECT count(*) FROM approvals");
    let n = review::decide(
        &mut f.env,
        &f.checker,
        &items,
        true,
        "核对无误",
        confirm(Some(PIN)),
    )
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        count(&f.env, "SELECT count(*) FROM approvals"),
        approvals_before + 1
    );
    let app = q::application(&f.env.store.read(), app.id)
        .unwrap()
        .unwrap();
    let rf = merchant_desk::store::refunds::by_id(&f.env.store.read(), refund.id)
        .unwrap()
        .unwrap();
    assert_eq!(app.status, ApplicationStatus::Approved);
    assert_eq!(
        rf.status,
        merchant_desk::domain::refund::RefundStatus::Submitted
    );
    assert_eq!(
        rf.approval_id, app.checker_approval_id,
        "one signature over both"
    );
    let w = q::withdrawal(&f.env.store.read(), app.ref_id)
        .unwrap()
        .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Processing);
    assert_eq!(
        q::hold_of(&f.env.store.read(), app.id).unwrap(),
        Some((10_000, HoldState::Posted))
    );
    let paid = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        paid.ledger_fen,
        before.ledger_fen - 10_000,
        "debited at approval"
    );
    assert_eq!(paid.available_fen, after.available_fen);
    assert_eq!(
        merchant_desk::service::signing::verify_all(&f.env.store)
            .unwrap()
            .failures,
        vec![]
    );
    check_ok(&f.env);
    // The next day's settlement run, made on that day, pays the normal withdrawal (T+1).
    next_day(&mut f.env);
    let r = settlement::run(&mut f.env, 20261124).unwrap();
    assert_eq!(r.withdrawals_completed, 1);
    let w = q::withdrawal(&f.env.store.read(), app.ref_id)
        .unwrap()
        .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Success);
    check_ok(&f.env);
}

#[test]
fn bad_amounts_and_the_available_balance() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    for (amount, problem) in [
        ("0", Problem::BadAmount),
        ("-5", Problem::BadAmount),
        ("1.005", Problem::BadAmount),
        ("", Problem::Required),
        ("12a", Problem::BadAmount),
    ] {
        assert_eq!(
            withdraw(&mut f, account, amount, WithdrawMethod::Normal).unwrap_err(),
            ServiceError::Invalid {
                field: "amount",
                problem
            },
            "{amount}"
        );
    }
    let avail = review::available(&f.env, &f.clerk, 1)
        .unwrap()
        .available_fen;
    let too_much = merchant_desk::domain::money::from_fen(avail + 1).to_string();
    assert_eq!(
        withdraw(&mut f, account, &too_much, WithdrawMethod::Normal).unwrap_err(),
        ServiceError::Refused(Rule::InsufficientBalance(avail))
    );
    // A fee counts: the whole balance with a fee does not fit.
    review::set_payout_fee(
        &mut f.env,
        &f.admin,
        1,
        PayoutFeeKind::WithdrawFast,
        PayoutFee {
            fixed_fen: 200,
            ..Default::default()
        },
    )
    .unwrap();
    let all = merchant_desk::domain::money::from_fen(avail).to_string();
    assert_eq!(
        withdraw(&mut f, account, &all, WithdrawMethod::Fast).unwrap_err(),
        ServiceError::Refused(Rule::InsufficientBalance(avail))
    );
    let q1 = review::quote(&f.env, &f.clerk, 1, WithdrawMethod::Fast, "10").unwrap();
    assert_eq!((q1.fee_fen, q1.total_fen), (200, 1_200));
    // Holds add up: two withdrawals of more than half are refused on the second.
    let half = merchant_desk::domain::money::from_fen(avail / 2 + 100).to_string();
    withdraw(&mut f, account, &half, WithdrawMethod::Normal).unwrap();
    assert!(matches!(
        withdraw(&mut f, account, &half, WithdrawMethod::Normal),
        Err(ServiceError::Refused(Rule::InsufficientBalance(_)))
    ));
    // An account that is not approved yet cannot be used.
    let pending =
        review::add_bank_account(&mut f.env, &f.admin, &account_input(1, "310099990000")).unwrap();
    assert_eq!(
        withdraw(&mut f, pending.id, "1", WithdrawMethod::Normal).unwrap_err(),
        ServiceError::Refused(Rule::AccountNotUsable)
    );
    check_ok(&f.env);
}

#[test]
fn bank_account_checks_and_the_limit_of_twenty() {
    let mut f = fixture();
    let add =
        |f: &mut Fixture, i: BankAccountInput| review::add_bank_account(&mut f.env, &f.admin, &i);
    let personal = |no: &str, bank: &str| BankAccountInput {
        holder_type: Some(HolderType::Personal),
        bank: bank.into(),
        ..account_input(1, no)
    };
    let field = |e: ServiceError| match e {
        ServiceError::Invalid { field, problem } => (field, problem),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(add(&mut f, personal("6222 0200 0000 07a1", "工商银行")).unwrap_err()),
        ("account_no", Problem::NotDigits)
    );
    assert_eq!(
        field(add(&mut f, personal("622202000000071", "工商银行")).unwrap_err()),
        ("account_no", Problem::AccountLength(16, 19))
    );
    assert_eq!(
        field(add(&mut f, personal("6222020000000771", "建设银行")).unwrap_err()),
        (
            "account_no",
            Problem::BinOtherBank(
                "工商银行".into(),
                "Industrial and Commercial Bank of China".into()
            )
        )
    );
    assert_eq!(
        field(add(&mut f, personal("6222300000000771", "工商银行")).unwrap_err()),
        ("account_no", Problem::CreditCard)
    );
    let mut twice = personal("6222020000000771", "工商银行");
    twice.account_no_again = "6222020000000772".into();
    assert_eq!(
        field(add(&mut f, twice).unwrap_err()),
        ("account_no_again", Problem::Mismatch)
    );
    // 南京市 is in 江苏省, not in the account's 上海市: the message names where it is.
    let mut bad_city = account_input(1, "31001234560771");
    bad_city.city = "南京市".into();
    assert_eq!(
        field(add(&mut f, bad_city).unwrap_err()),
        (
            "city",
            Problem::CityNotInProvince("上海市".into(), "江苏省".into(), "Jiangsu".into())
        )
    );
    let mut no_city = account_input(1, "31001234560771");
    no_city.city = "火星市".into();
    assert_eq!(
        field(add(&mut f, no_city).unwrap_err()),
        ("city", Problem::Unknown)
    );
    let mut no_province = account_input(1, "31001234560771");
    no_province.province = "火星省".into();
    assert_eq!(
        field(add(&mut f, no_province).unwrap_err()),
        ("province", Problem::Unknown)
    );
    assert_eq!(
        field(add(&mut f, account_input(1, "12345")).unwrap_err()),
        ("account_no", Problem::AccountLength(6, 32))
    );
    // A personal account whose BIN is the chosen bank's, typed with spaces.
    let ok = add(&mut f, personal("6222 0200 0000 0771", "工商银行")).unwrap();
    assert_eq!(ok.masked, "*****0771");
    assert_eq!(ok.account_name, "鑫源百货南京西路店");
    assert_eq!(
        field(add(&mut f, personal("6222020000000771", "ICBC")).unwrap_err()),
        ("account_no", Problem::Duplicate)
    );
    for i in 1..20 {
        add(&mut f, account_input(1, &format!("3100000000{i:04}"))).unwrap();
    }
    assert_eq!(
        add(&mut f, account_input(1, "31009999999999")).unwrap_err(),
        ServiceError::Refused(Rule::TooManyBankAccounts(20))
    );
    // Another store has its own twenty.
    add(&mut f, account_input(2, "31009999999999")).unwrap();
    // Masked everywhere; the full number after the payment password, audited.
    let list = review::bank_accounts(&f.env, &f.admin, 1).unwrap();
    assert_eq!(list.len(), 20);
    assert!(list.iter().all(|a| a.masked.starts_with("*****")));
    assert!(matches!(
        review::reveal_account_no(&mut f.env, &f.admin, ok.id, "wrong"),
        Err(ServiceError::Invalid {
            field: "pay_password",
            ..
        })
    ));
    assert_eq!(
        review::reveal_account_no(&mut f.env, &f.admin, ok.id, PW).unwrap(),
        "6222020000000771"
    );
    assert_eq!(
        count(
            &f.env,
            "SELECT count(*) FROM audit_log WHERE action = 'bank_account.reveal'"
        ),
        1
    );
    // The full number is in no audit row.
    assert_eq!(
        count(
            &f.env,
            "SELECT count(*) FROM audit_log WHERE before LIKE '%6222020000000771%' OR after LIKE '%6222020000000771%'"
        ),
        0
    );
}

#[test]
fn refused_decisions_change_nothing_and_name_the_items() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let a = withdraw(&mut f, account, "10", WithdrawMethod::Normal).unwrap();
    let b = withdraw(&mut f, account, "20", WithdrawMethod::Fast).unwrap();
    let c = withdraw(&mut f, account, "30", WithdrawMethod::Normal).unwrap();
    // The maker cancels one; another operator cannot.
    assert_eq!(
        review::cancel(&mut f.env, &f.admin, c.id).unwrap_err(),
        ServiceError::Refused(Rule::NotOwnApplication)
    );
    review::cancel(&mut f.env, &f.clerk, c.id).unwrap();
    assert_eq!(
        q::hold_of(&f.env.store.read(), c.id).unwrap(),
        Some((3_000, HoldState::Released))
    );
    let snapshot = |env: &Env| {
        (
            count(env, "SELECT count(*) FROM approvals"),
            count(env, "SELECT count(*) FROM ledger_lines"),
            count(
                env,
                "SELECT count(*) FROM applications WHERE status = 'pending_review'",
            ),
            count(env, "SELECT count(*) FROM holds WHERE state = 'active'"),
        )
    };
    let before = snapshot(&f.env);
    // Mixed with a cancelled item: the whole decision is refused and the cancelled one named.
    let items = [ItemRef::application(a.id), ItemRef::application(c.id)];
    let e =
        review::decide(&mut f.env, &f.checker, &items, true, "", confirm(Some(PIN))).unwrap_err();
    match e {
        CardServiceError::Service(ServiceError::Refused(Rule::Items(v))) => {
            assert_eq!(
                v,
                vec![(
                    format!("withdrawal {}", c.order_no),
                    Rule::AlreadyDecided(c.id)
                )]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&f.env), before);
    // A pulled card mid-decision: refused, nothing written.
    f.card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
    let e = review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(a.id)],
        true,
        "",
        confirm(Some(PIN)),
    )
    .unwrap_err();
    assert!(matches!(e, CardServiceError::Card(_)), "{e:?}");
    assert_eq!(snapshot(&f.env), before);
    f.reader.remove();
    f.reader.insert(f.card.clone());
    // Without the PIN a fund approval needs the card.
    assert!(matches!(
        review::decide(
            &mut f.env,
            &f.checker,
            &[ItemRef::application(a.id)],
            true,
            "",
            confirm(None)
        ),
        Err(CardServiceError::PinNeeded)
    ));
    // Rejecting needs a remark.
    assert_eq!(
        review::decide(
            &mut f.env,
            &f.checker,
            &[ItemRef::application(a.id)],
            false,
            " ",
            confirm(None)
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Invalid {
            field: "remark",
            problem: Problem::Required
        })
    );
    // A reviewer of refunds only may not review withdrawals.
    let refunds_only = {
        let db = f.env.store.read();
        let hash = merchant_desk::service::password::hash(PW);
        let id = operators::insert(
            &db,
            &operators::NewOperator {
                login: "rchecker",
                display_name: "退货审核",
                password_hash: &hash,
                pay_password_hash: Some(&hash),
                must_change_password: false,
                all_groups: true,
                created_ms: 0,
            },
        )
        .unwrap();
        let rid = operators::role_id_by_code(&db, "refund_checker")
            .unwrap()
            .unwrap();
        operators::set_roles(&db, id, &[rid]).unwrap();
        f.db.login(&mut f.env, "rchecker")
    };
    let page = review::inbox(&f.env, &refunds_only, &InboxQuery::default(), 0).unwrap();
    assert!(
        page.rows.is_empty(),
        "only refunds are shown to a refund reviewer"
    );
    assert_eq!(
        review::decide(
            &mut f.env,
            &refunds_only,
            &[ItemRef::application(a.id)],
            false,
            "不行",
            confirm(None)
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::NoReviewRight(
            ApplicationKind::Withdrawal
        )))
    );
    assert_eq!(snapshot(&f.env), before);
    // Approved once; a second reviewer (another workstation) is told it was decided.
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(a.id)],
        true,
        "",
        confirm(Some(PIN)),
    )
    .unwrap();
    let mut other = f.db.env();
    other.readers = CardReaders::Virtual(f.reader.clone());
    assert_eq!(
        review::decide(
            &mut other,
            &f.checker,
            &[ItemRef::application(a.id)],
            false,
            "晚了",
            confirm(Some(PIN))
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::AlreadyDecided(a.id)))
    );
    // Expiry: eight days later the other one is expired and its hold released.
    f.db.clock.advance_ms(8 * 86_400_000);
    assert!(review::inbox(&f.env, &f.checker, &InboxQuery::default(), 0)
        .unwrap()
        .rows
        .is_empty());
    assert_eq!(
        review::decide(
            &mut f.env,
            &f.checker,
            &[ItemRef::application(b.id)],
            true,
            "",
            confirm(Some(PIN))
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::Expired(b.id)))
    );
    assert_eq!(review::expire_due(&mut f.env).unwrap(), 1);
    assert_eq!(
        q::application(&f.env.store.read(), b.id)
            .unwrap()
            .unwrap()
            .status,
        ApplicationStatus::Expired
    );
    assert_eq!(
        review::decide(
            &mut f.env,
            &f.checker,
            &[ItemRef::application(b.id)],
            true,
            "",
            confirm(Some(PIN))
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::Expired(b.id)))
    );
    assert_eq!(
        count(&f.env, "SELECT count(*) FROM holds WHERE state = 'active'"),
        0
    );
    check_ok(&f.env);
}

#[test]
fn self_approval_only_with_the_setting_both_functions_and_a_card() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let admin_id = f.admin.operator_id;
    let own_card = VirtualCard::from_seed("admin-key");
    let reader2 = VirtualReader::new("admin reader");
    reader2.insert(own_card);
    card::bind_card(
        &mut f.env,
        &f.admin,
        admin_id,
        &mut reader2.transport(),
        "123456",
    )
    .unwrap();
    f.env.readers = CardReaders::Virtual(reader2.clone());
    // An applicant with a card bound signs the application: without the PIN it is refused and
    // nothing is written.
    let input = WithdrawInput {
        merchant_id: 1,
        bank_account_id: Some(account),
        amount: "5".into(),
        method: WithdrawMethod::Normal,
        remark: String::new(),
        pay_password: PW.into(),
        idempotency_key: Some("form-0".into()),
        pin: None,
    };
    assert_eq!(
        review::apply_withdrawal(&mut f.env, &f.admin, &input).unwrap_err(),
        CardServiceError::PinNeeded
    );
    assert_eq!(count(&f.env, "SELECT count(*) FROM withdrawals"), 0);
    let app = review::apply_withdrawal(
        &mut f.env,
        &f.admin,
        &WithdrawInput {
            merchant_id: 1,
            bank_account_id: Some(account),
            amount: "5".into(),
            method: WithdrawMethod::Normal,
            remark: String::new(),
            pay_password: PW.into(),
            idempotency_key: Some("form-1".into()),
            pin: Some(PIN.into()),
        },
    )
    .unwrap();
    // The same form sent twice is one application.
    let again = review::apply_withdrawal(
        &mut f.env,
        &f.admin,
        &WithdrawInput {
            merchant_id: 1,
            bank_account_id: Some(account),
            amount: "5".into(),
            method: WithdrawMethod::Normal,
            remark: String::new(),
            pay_password: PW.into(),
            idempotency_key: Some("form-1".into()),
            pin: Some(PIN.into()),
        },
    )
    .unwrap();
    assert_eq!(again.id, app.id);
    assert!(
        app.maker_approval_id.is_some(),
        "signed by the maker's card"
    );
    let items = [ItemRef::application(app.id)];
    assert_eq!(
        review::decide(&mut f.env, &f.admin, &items, true, "", confirm(Some(PIN))).unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::OwnApplication))
    );
    review::set_allow_self_approval(&mut f.env, &f.admin, 1, true).unwrap();
    review::decide(&mut f.env, &f.admin, &items, true, "", confirm(Some(PIN))).unwrap();
    let a = q::application(&f.env.store.read(), app.id)
        .unwrap()
        .unwrap();
    assert!(a.self_approved);
    assert_eq!(a.status, ApplicationStatus::Approved);
    assert!(cards::bound_card(&f.env.store.read(), admin_id)
        .unwrap()
        .is_some());
    // A new bank account always takes a second operator, whatever the setting.
    review::add_bank_account(&mut f.env, &f.admin, &account_input(1, "31005555550000")).unwrap();
    let mine = review::records(&f.env, &f.admin, &Default::default())
        .unwrap()
        .into_iter()
        .find(|r| {
            r.kind == ApplicationKind::BankAccount && r.status == ApplicationStatus::PendingReview
        })
        .unwrap();
    assert_eq!(
        review::decide(
            &mut f.env,
            &f.admin,
            &[ItemRef::application(mine.id)],
            true,
            "",
            confirm(Some(PIN))
        )
        .unwrap_err(),
        CardServiceError::Service(ServiceError::Refused(Rule::OwnApplication))
    );
    // The database itself refuses a checker equal to the maker without the flag.
    let e = f.env.store.sql_for_tests().execute(
        "UPDATE applications SET self_approved = 0 WHERE id = ?1",
        [app.id],
    );
    assert!(e.is_err());
    check_ok(&f.env);
}

#[test]
fn the_outcome_feed_pays_or_fails_a_fast_withdrawal_with_a_compensating_credit() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    review::set_payout_fee(
        &mut f.env,
        &f.admin,
        1,
        PayoutFeeKind::WithdrawFast,
        PayoutFee {
            fixed_fen: 100,
            ..Default::default()
        },
    )
    .unwrap();
    let ok = withdraw(&mut f, account, "12.34", WithdrawMethod::Fast).unwrap();
    let bad = withdraw(&mut f, account, "56.78", WithdrawMethod::Fast).unwrap();
    let start = review::available(&f.env, &f.clerk, 1).unwrap();
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(ok.id), ItemRef::application(bad.id)],
        true,
        "",
        confirm(Some(PIN)),
    )
    .unwrap();
    let approved = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        approved.ledger_fen,
        start.ledger_fen - 1_234 - 100 - 5_678 - 100
    );
    assert_eq!(approved.available_fen, start.available_fen);
    // The settlement run does not complete fast withdrawals.
    next_day(&mut f.env);
    assert_eq!(
        settlement::run(&mut f.env, 20261124)
            .unwrap()
            .withdrawals_completed,
        0
    );
    let approved = review::available(&f.env, &f.clerk, 1).unwrap();
    let file = f.db.dir.path().join("R.csv");
    std::fs::write(
        &file,
        format!(
            "类型,商户订单号,结果,原因代码,原因说明,时间\n\
             withdrawal,{},成功,,,2026-11-23 12:00\n\
             withdrawal,{},失败,R03,账户不存在,2026-11-23 12:01\n\
             withdrawal,{},成功,,,\n\
             withdrawal,20991231000001,成功,,,\n\
             transfer,{},成功,,,\n",
            ok.order_no, bad.order_no, ok.order_no, ok.order_no
        ),
    )
    .unwrap();
    let report = outcomes::import_file(&mut f.env, &file).unwrap();
    assert_eq!(report.recorded, 2);
    assert_eq!(
        report.refused,
        vec![
            (4, ServiceError::Refused(Rule::OutcomeNotApplicable)),
            (
                5,
                ServiceError::Invalid {
                    field: "order_no",
                    problem: Problem::Unknown
                }
            ),
            // A transfer is a kind of the feed now: no transfer has a withdrawal's number.
            (
                6,
                ServiceError::Invalid {
                    field: "order_no",
                    problem: Problem::Unknown
                }
            ),
        ]
    );
    let w = q::withdrawal(&f.env.store.read(), bad.ref_id)
        .unwrap()
        .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Failed);
    assert_eq!(w.reason_code.as_deref(), Some("R03"));
    let end = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        end.ledger_fen,
        approved.ledger_fen + 5_678 + 100,
        "credited back"
    );
    assert_eq!(
        count(&f.env, "SELECT count(*) FROM audit_log WHERE action = 'withdrawal.outcome' AND operator = 'system'"),
        2
    );
    // The file is one transaction, each line in its own savepoint: the refused lines undid
    // only themselves, each audited with its reason, and the audit chain still verifies.
    assert_eq!(
        count(
            &f.env,
            "SELECT count(*) FROM audit_log WHERE action = 'outcome.record.refused'"
        ),
        3
    );
    assert!(matches!(
        merchant_desk::service::audit::verify(&f.env.store).unwrap(),
        merchant_desk::service::audit::ChainCheck::Intact { .. }
    ));
    check_ok(&f.env);
}

#[test]
fn check_names_a_broken_hold() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let a = withdraw(&mut f, account, "10", WithdrawMethod::Normal).unwrap();
    check_ok(&f.env);
    f.env
        .store
        .sql_for_tests()
        .execute(
            "UPDATE holds SET state = 'released', released_ms = 1 WHERE application_id = ?1",
            [a.id],
        )
        .unwrap();
    let report = check::run(&f.env.store).unwrap();
    assert!(!report.ok());
    let text = report.text();
    assert!(text.contains(&format!("application #{}", a.id)), "{text}");
}

#[test]
fn outcomes_import_on_the_command_line_names_refused_rows() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let a = withdraw(&mut f, account, "10", WithdrawMethod::Fast).unwrap();
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(a.id)],
        true,
        "",
        confirm(Some(PIN)),
    )
    .unwrap();
    let file = f.db.dir.path().join("R.csv");
    std::fs::write(
        &file,
        format!(
            "类型,商户订单号,结果,原因代码,原因说明,时间\n\
             withdrawal,{0},失败,R99,,\n\
             withdrawal,{0},成功,,,2026-11-23 12:00\n",
            a.order_no
        ),
    )
    .unwrap();
    let out = std::process::Command::new(common::bin())
        .args([
            "--db",
            f.db.path.to_str().unwrap(),
            "outcomes",
            "import",
            "--file",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("row 2: "), "{text}");
    assert!(text.contains("1 outcomes recorded, 1 refused"), "{text}");
    let w = q::withdrawal(&f.env.store.read(), a.ref_id)
        .unwrap()
        .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Success);
    check_ok(&f.env);
}

#[test]
fn an_account_a_withdrawal_still_pays_to_cannot_be_deleted() {
    let mut f = fixture();
    let account = approved_account(&mut f);
    let a = withdraw(&mut f, account, "10", WithdrawMethod::Normal).unwrap();
    assert_eq!(
        review::delete_bank_account(&mut f.env, &f.admin, account, PW).unwrap_err(),
        ServiceError::Refused(Rule::AccountInUse)
    );
    review::cancel(&mut f.env, &f.clerk, a.id).unwrap();
    review::delete_bank_account(&mut f.env, &f.admin, account, PW).unwrap();
    assert!(review::bank_accounts(&f.env, &f.admin, 1)
        .unwrap()
        .is_empty());
    // A deleted account pays nothing.
    assert_eq!(
        withdraw(&mut f, account, "1", WithdrawMethod::Normal).unwrap_err(),
        ServiceError::Refused(Rule::AccountNotUsable)
    );
    check_ok(&f.env);
}

#[test]
fn withdrawal_records_filter_by_store_status_method_keyword_and_time_masked() {
    use merchant_desk::service::review_lists::{self, WithdrawalRecordQuery};
    let mut f = fixture();
    let account = approved_account(&mut f);
    let normal = withdraw(&mut f, account, "12.34", WithdrawMethod::Normal).unwrap();
    let fast = withdraw(&mut f, account, "5.00", WithdrawMethod::Fast).unwrap();
    // 收支明细's balances: the ledger untouched, the pending one held.
    let (_, a) = merchant_desk::service::account::available_balances(&f.env, &f.clerk)
        .unwrap()
        .into_iter()
        .find(|(m, _)| m.id == 1)
        .unwrap();
    assert_eq!(a.held_fen, 1_234 + 500);
    assert_eq!(a.available_fen, a.ledger_fen - 1_734);
    review::cancel(&mut f.env, &f.clerk, fast.id).unwrap();
    let all = |f: &Fixture, q: WithdrawalRecordQuery| {
        review_lists::withdrawal_records(&f.env, &f.clerk, &q).unwrap()
    };
    let rows = all(&f, WithdrawalRecordQuery::default());
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.masked == "*****0771"));
    assert_eq!(rows[1].order_no, normal.order_no);
    assert_eq!(rows[1].status, WithdrawalStatus::PendingReview);
    assert_eq!(
        rows[1].review_status,
        Some(ApplicationStatus::PendingReview)
    );
    assert_eq!(rows[0].status, WithdrawalStatus::Cancelled);
    assert_eq!(rows[0].maker, "clerk");
    let by = |q: WithdrawalRecordQuery| all(&f, q).len();
    assert_eq!(
        by(WithdrawalRecordQuery {
            status: Some(WithdrawalStatus::Cancelled),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        by(WithdrawalRecordQuery {
            method: Some(WithdrawMethod::Normal),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        by(WithdrawalRecordQuery {
            keyword: format!(" {} ", fast.order_no),
            ..Default::default()
        }),
        1
    );
    assert_eq!(
        by(WithdrawalRecordQuery {
            merchant_id: Some(2),
            ..Default::default()
        }),
        0
    );
    let now = merchant_desk::clock::parse_datetime_ms("2026-11-23 10:00").unwrap();
    assert_eq!(
        by(WithdrawalRecordQuery {
            from_ms: Some(now + 1),
            ..Default::default()
        }),
        0
    );
    assert_eq!(
        review_lists::withdrawal_records(
            &f.env,
            &f.clerk,
            &WithdrawalRecordQuery {
                merchant_id: Some(999),
                ..Default::default()
            }
        )
        .unwrap_err(),
        ServiceError::NotFound
    );
    // Who may neither withdraw, review withdrawals nor see the account is refused.
    let monitor = f.db.login(&mut f.env, "monitor");
    assert!(matches!(
        review_lists::withdrawal_records(&f.env, &monitor, &WithdrawalRecordQuery::default()),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn payout_settings_fees_self_approval_and_withdrawal_limits_audited_and_checked() {
    use merchant_desk::domain::function::Function;
    use merchant_desk::service::payout_settings::{self, FeeInput};
    let mut f = fixture();
    let account = approved_account(&mut f);
    let s = payout_settings::get(&f.env, &f.admin, 1).unwrap();
    assert!(!s.allow_self_approval, "off by default");
    assert!(
        s.fees.iter().all(|(_, fee)| *fee == PayoutFee::default()),
        "zero by default"
    );
    assert_eq!((s.withdraw_single_fen, s.withdraw_daily_fen), (None, None));

    let fee = |rate: &str, fixed: &str, min: &str, cap: &str| FeeInput {
        rate_percent: rate.into(),
        fixed: fixed.into(),
        min: min.into(),
        cap: cap.into(),
    };
    let set = |f: &mut Fixture, i: FeeInput| {
        payout_settings::set_fee(&mut f.env, &f.admin, 1, PayoutFeeKind::WithdrawFast, &i)
    };
    let field = |e: ServiceError| match e {
        ServiceError::Invalid { field, problem } => (field, problem),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(set(&mut f, fee("abc", "", "", "")).unwrap_err()).0,
        "rate"
    );
    assert_eq!(
        field(set(&mut f, fee("101", "", "", "")).unwrap_err()),
        ("rate", Problem::BadRate)
    );
    assert_eq!(
        field(set(&mut f, fee("0.00001", "", "", "")).unwrap_err()).0,
        "rate"
    );
    assert_eq!(
        field(set(&mut f, fee("0.1", "1.234", "", "")).unwrap_err()),
        ("fixed", Problem::BadAmount)
    );
    assert_eq!(
        field(set(&mut f, fee("0.1", "", "5", "2")).unwrap_err()).0,
        "min"
    );
    let saved = set(&mut f, fee("0.05", "1", "", "20")).unwrap();
    assert_eq!(
        saved,
        PayoutFee {
            rate_ppm: 500,
            fixed_fen: 100,
            min_fen: None,
            cap_fen: Some(2_000)
        }
    );
    // 1,000.00 × 0.05% = 0.50, plus 1.00 fixed.
    assert_eq!(
        review::quote(&f.env, &f.clerk, 1, WithdrawMethod::Fast, "1000")
            .unwrap()
            .fee_fen,
        150
    );
    let (before, after): (String, String) = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT before, after FROM audit_log WHERE action = 'merchant.payout_fee'
             ORDER BY id DESC LIMIT 1",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(before.contains("rate_ppm=0"), "{before}");
    assert!(
        after.contains("rate_ppm=500") && after.contains("cap=20.00"),
        "{after}"
    );
    assert_eq!(
        set(&mut f, fee("", "", "", "")).unwrap(),
        PayoutFee::default(),
        "blank is zero again"
    );
    // Only administrators (merchant settings).
    assert_eq!(
        payout_settings::set_fee(
            &mut f.env,
            &f.clerk,
            1,
            PayoutFeeKind::WithdrawFast,
            &fee("1", "", "", "")
        )
        .unwrap_err(),
        ServiceError::Denied(Function::MerchantSettings)
    );

    // Limits: a single above the daily is refused; then 100 a time, 150 a day.
    assert_eq!(
        field(
            payout_settings::set_withdraw_limits(&mut f.env, &f.admin, 1, "200", "150")
                .unwrap_err()
        )
        .0,
        "single"
    );
    assert_eq!(
        field(payout_settings::set_withdraw_limits(&mut f.env, &f.admin, 1, "0", "").unwrap_err()),
        ("single", Problem::BadAmount)
    );
    payout_settings::set_withdraw_limits(&mut f.env, &f.admin, 1, "100", "150").unwrap();
    assert_eq!(
        withdraw(&mut f, account, "100.01", WithdrawMethod::Normal).unwrap_err(),
        ServiceError::Refused(Rule::WithdrawSingleLimit(10_000))
    );
    let first = withdraw(&mut f, account, "100", WithdrawMethod::Normal).unwrap();
    assert_eq!(
        withdraw(&mut f, account, "60", WithdrawMethod::Normal).unwrap_err(),
        ServiceError::Refused(Rule::WithdrawDailyLimit(15_000, 5_000))
    );
    // A cancelled withdrawal no longer counts.
    review::cancel(&mut f.env, &f.clerk, first.id).unwrap();
    withdraw(&mut f, account, "60", WithdrawMethod::Normal).unwrap();
    // Other stores keep no limit.
    let after: String = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT after FROM audit_log WHERE action = 'merchant.withdraw_limits'",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        after.contains("single=100.00") && after.contains("daily=150.00"),
        "{after}"
    );
    check_ok(&f.env);
}

#[test]
fn the_demo_bank_answers_every_processing_fast_withdrawal_the_same_way_each_time() {
    use merchant_desk::service::outcomes::{self, OutcomeResult};
    let mut f = fixture();
    let account = approved_account(&mut f);
    let mut made = Vec::new();
    for amount in ["1.00", "2.00", "3.00", "4.00", "5.00", "6.00"] {
        made.push(withdraw(&mut f, account, amount, WithdrawMethod::Fast).unwrap());
    }
    let items: Vec<ItemRef> = made.iter().map(|a| ItemRef::application(a.id)).collect();
    review::decide(&mut f.env, &f.checker, &items, true, "", confirm(Some(PIN))).unwrap();
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    let report = outcomes::simulate_fast_withdrawals(&mut f.env, 42).unwrap();
    assert_eq!(report.paid.len() + report.failed.len(), made.len());
    // Each answer is the one the seed and the order number give, and it was recorded.
    for o in &report.paid {
        assert_eq!(outcomes::simulated_outcome(42, o).0, OutcomeResult::Success);
        let w = q::withdrawal_by_order(&f.env.store.read(), o)
            .unwrap()
            .unwrap();
        assert_eq!(w.status, WithdrawalStatus::Success, "{o}");
    }
    let mut credited = 0;
    for (o, code) in &report.failed {
        assert_eq!(
            outcomes::simulated_outcome(42, o),
            (OutcomeResult::Failed, Some(*code))
        );
        let w = q::withdrawal_by_order(&f.env.store.read(), o)
            .unwrap()
            .unwrap();
        assert_eq!(w.status, WithdrawalStatus::Failed, "{o}");
        credited += w.amount_fen + w.fee_fen;
    }
    // A failure writes the compensating credit; a success leaves the debit as it was.
    let after = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(after.ledger_fen, before.ledger_fen + credited);
    // Nothing is left processing: a second run answers nothing.
    let again = outcomes::simulate_fast_withdrawals(&mut f.env, 42).unwrap();
    assert!(again.paid.is_empty() && again.failed.is_empty());
    check_ok(&f.env);
    // Over many order numbers about one in ten fails, always with a failure code.
    let failed = (0..1000)
        .filter(|i| {
            outcomes::simulated_outcome(7, &format!("20261123{i:06}")).0 == OutcomeResult::Failed
        })
        .count();
    assert!((50..=160).contains(&failed), "{failed}");
}
