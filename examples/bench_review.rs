//! Review benchmark: the inbox's first page with 10,000 pending applications of mixed kinds
//! (refunds, withdrawals, bank accounts), and approving 100 marked items (refunds and
//! withdrawals mixed) as one decision signed by the in-process virtual card.
//!
//! ```text
//! cargo run --release --example bench_review
//! cargo run --release --example bench_review -- --pending 10000 --runs 9
//! ```
//!
//! Goals: the first page < 5 ms; the decision of 100 items < 200 ms (the payment password's
//! argon2id check and the card's signature included).

use std::sync::Arc;
use std::time::{Duration, Instant};

use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::domain::refund::RefundStatus;
use merchant_desk::domain::review::{AccountNature, ApplicationKind, HolderType, WithdrawMethod};
use merchant_desk::service::refunds::Confirmation;
use merchant_desk::service::review::{self, InboxQuery, ItemRef};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::{auth, card, Env};
use merchant_desk::store::refunds::{self as store_refunds, NewRefund};
use merchant_desk::store::review::{self as q, NewApplication, NewBankAccount, NewWithdrawal};
use merchant_desk::store::{operators, Store};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let pending = arg("--pending", 10_000) as i64;
    let runs = arg("--runs", 9) as usize;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    let clock = VirtualClock::new(parse_datetime_ms("2026-11-23 10:00").unwrap());
    let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock.clone()));
    demo::populate(
        &mut env,
        DemoOptions {
            days: 10,
            per_day: 1_200,
            seed: 5,
        },
    )
    .unwrap();
    let login = |env: &mut Env, who: &str| {
        auth::login(env, who, demo::DEMO_PASSWORD)
            .unwrap()
            .session()
            .unwrap()
    };
    let admin = login(&mut env, "admin");
    let checker = login(&mut env, "checker");
    let clerk_id = operators::by_login(&env.store.read(), "clerk")
        .unwrap()
        .unwrap()
        .id;
    let reader = VirtualReader::new("bench reader");
    reader.insert(VirtualCard::from_seed("checker-key"));
    env.readers = CardReaders::Virtual(reader.clone());
    card::bind_card(
        &mut env,
        &admin,
        checker.operator_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();

    // The pending applications, a third of each kind, written straight through the store in one
    // transaction (applying 10,000 through the service would mostly time argon2).
    let started = Instant::now();
    {
        let c = env.store.raw_connection_for_tests();
        let mut st = c
            .prepare(
                "SELECT t.id, t.merchant_id, t.terminal_id FROM transactions t
                 WHERE t.txn_type = 'sale' AND t.status = 'success' AND t.refunded_fen = 0 ORDER BY t.id",
            )
            .unwrap();
        let sales: Vec<(i64, i64, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        drop(st);
        let city: i64 = c
            .query_row("SELECT id FROM cities LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let names: Vec<String> = c
            .prepare("SELECT name FROM merchants ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let tx = env.store.begin().unwrap();
        let db = tx.db();
        let base = env.now_ms() - 86_400_000;
        // One approved account per store for the withdrawals.
        let mut accounts = Vec::new();
        for m in 1..=3i64 {
            let id = q::insert_bank_account(
                &db,
                &NewBankAccount {
                    merchant_id: m,
                    holder_type: HolderType::Company,
                    nature: AccountNature::Basic,
                    bank_code: "CCB",
                    city_id: city,
                    branch: "建设银行支行",
                    account_no: &format!("3100000000{m:04}"),
                    account_name: &names[m as usize - 1],
                    added_by: clerk_id,
                    added_ms: base,
                },
            )
            .unwrap();
            q::set_bank_account_status(
                &db,
                id,
                merchant_desk::domain::review::BankAccountStatus::PendingReview,
                merchant_desk::domain::review::BankAccountStatus::Active,
                base,
            )
            .unwrap();
            accounts.push(id);
        }
        for i in 0..pending {
            let at = base + i * 1_000;
            match i % 3 {
                0 => {
                    let (txn, m, term) = sales[(i as usize / 3) % sales.len()];
                    let id = store_refunds::insert(
                        &db,
                        &NewRefund {
                            txn_id: txn,
                            merchant_id: m,
                            terminal_id: term,
                            amount_fen: 1,
                            remark: "",
                            refund_order_no: None,
                            batch_id: None,
                            status: RefundStatus::PendingReview,
                            applicant_id: clerk_id,
                            applied_ms: at,
                            apply_date: 20261122,
                        },
                    )
                    .unwrap();
                    store_refunds::add_event(
                        &db,
                        id,
                        at,
                        Some(clerk_id),
                        "applied",
                        RefundStatus::PendingReview,
                        "",
                    )
                    .unwrap();
                }
                1 => {
                    let m = 1 + (i % 9) / 3;
                    let order = format!("B{i:013}");
                    let wid = q::insert_withdrawal(
                        &db,
                        &NewWithdrawal {
                            order_no: &order,
                            merchant_id: m,
                            bank_account_id: accounts[m as usize - 1],
                            method: WithdrawMethod::Normal,
                            amount_fen: 100,
                            fee_fen: 0,
                            created_ms: at,
                        },
                    )
                    .unwrap();
                    let cmd = format!(
                        "merchant-desk/command/v1\nkind=withdrawal\nmerchant_id={m}\nwithdrawal_id={wid}\norder_no={order}\nbank_account_id={}\namount_fen=100\nfee_fen=0\n",
                        accounts[m as usize - 1]
                    );
                    let app = q::insert_application(
                        &db,
                        &NewApplication {
                            kind: ApplicationKind::Withdrawal,
                            ref_table: "withdrawals",
                            ref_id: wid,
                            merchant_id: m,
                            order_no: &order,
                            amount_fen: 100,
                            fee_fen: 0,
                            payee_display: "建设银行 *****0001",
                            command: cmd.as_bytes(),
                            remark: "",
                            maker_id: clerk_id,
                            made_ms: at,
                            expires_ms: at + 7 * 86_400_000,
                            idempotency_key: &format!("bench:{i}"),
                        },
                    )
                    .unwrap();
                    q::insert_hold(&db, m, app, 100, at).unwrap();
                }
                _ => {
                    let m = 1 + (i % 9) / 3;
                    let id = q::insert_bank_account(
                        &db,
                        &NewBankAccount {
                            merchant_id: m,
                            holder_type: HolderType::Company,
                            nature: AccountNature::General,
                            bank_code: "ICBC",
                            city_id: city,
                            branch: "工商银行支行",
                            account_no: &format!("62{i:012}"),
                            account_name: &names[m as usize - 1],
                            added_by: clerk_id,
                            added_ms: at,
                        },
                    )
                    .unwrap();
                    let cmd = format!(
                        "merchant-desk/command/v1\nkind=bank_account\nmerchant_id={m}\nbank_account_id={id}\n"
                    );
                    q::insert_application(
                        &db,
                        &NewApplication {
                            kind: ApplicationKind::BankAccount,
                            ref_table: "bank_accounts",
                            ref_id: id,
                            merchant_id: m,
                            order_no: &format!("BA{id:08}"),
                            amount_fen: 0,
                            fee_fen: 0,
                            payee_display: "工商银行",
                            command: cmd.as_bytes(),
                            remark: "",
                            maker_id: clerk_id,
                            made_ms: at,
                            expires_ms: at + 7 * 86_400_000,
                            idempotency_key: &format!("bench:{i}"),
                        },
                    )
                    .unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    println!(
        "{pending} pending applications written in {:.0} ms",
        ms(started.elapsed())
    );

    // The inbox's first page (count and own count included).
    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..runs.max(3) * 5 {
        let t = Instant::now();
        let p = review::inbox(&env, &checker, &InboxQuery::default(), 0).unwrap();
        times.push(ms(t.elapsed()));
        total = p.total;
        assert_eq!(p.rows.len(), 20);
    }
    println!(
        "inbox first page of {total} pending: median {:.2} ms (goal < 5 ms)",
        median(times)
    );

    // Its parts: the counts and the page, straight on the store.
    let f = q::InboxFilter {
        from_ms: Some(env.now_ms() - 31 * 86_400_000),
        kinds: vec![
            ApplicationKind::Refund,
            ApplicationKind::Withdrawal,
            ApplicationKind::BankAccount,
        ],
        exclude_maker: Some(checker.operator_id),
        now_ms: env.now_ms(),
        ..Default::default()
    };
    let (mut counts, mut pages) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(3) * 5 {
        let t = Instant::now();
        q::inbox_count(&env.store.read(), &f).unwrap();
        counts.push(ms(t.elapsed()));
        let t = Instant::now();
        q::inbox_page(&env.store.read(), &f, 0, 20).unwrap();
        pages.push(ms(t.elapsed()));
    }
    println!(
        "  of which the counts {:.2} ms, the page {:.2} ms",
        median(counts),
        median(pages)
    );

    // 100 items of the first pages approved as one signed decision.
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut items = Vec::new();
        let mut page = 0;
        while items.len() < 100 {
            let p = review::inbox(&env, &checker, &InboxQuery::default(), page).unwrap();
            // Refunds and withdrawals, and every other bank account.
            for (i, r) in p.rows.iter().enumerate() {
                if r.kind != ApplicationKind::BankAccount || i % 2 == 0 {
                    items.push(ItemRef::from(r));
                }
            }
            page += 1;
        }
        items.truncate(100);
        let t = Instant::now();
        let n = review::decide(
            &mut env,
            &checker,
            &items,
            true,
            "",
            Confirmation {
                pay_password: demo::DEMO_PASSWORD,
                pin: Some("123456"),
            },
        )
        .unwrap();
        times.push(ms(t.elapsed()));
        assert_eq!(n, 100);
    }
    println!(
        "approving 100 marked items as one signed decision: median {:.1} ms (goal < 200 ms)",
        median(times)
    );
    // (No `check` here: the pending items were written straight through the store, without
    // the audit rows the use cases write, so the audit invariants would rightly fail.)
}
