//! Transfer benchmark: validating and storing a 999-row bank-transfer file (read, every row's
//! rules, the in-file and against-the-past checks, one batch, 999 rows, one application and
//! hold, in one transaction). The outcome feed of 999 results is not measured yet.
//!
//! ```text
//! cargo run --release --example bench_transfers -- --runs 5
//! ```
//!
//! Goals (issue 15): the file < 60 ms (the payment password's argon2id check included); the
//! 999 outcomes < 50 ms.

use std::sync::Arc;
use std::time::{Duration, Instant};

use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::outcomes;
use merchant_desk::service::refunds::Confirmation;
use merchant_desk::service::review::{self, ItemRef};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::{auth, transfers, Env};
use merchant_desk::store::Store;

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
    let runs = arg("--runs", 5) as usize;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite3");
    let clock = VirtualClock::new(parse_datetime_ms("2026-11-23 10:00").unwrap());
    let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock));
    demo::populate(
        &mut env,
        DemoOptions {
            days: 10,
            per_day: 1_200,
            seed: 5,
        },
    )
    .unwrap();
    let clerk = auth::login(&mut env, "clerk", demo::DEMO_PASSWORD)
        .unwrap()
        .session()
        .unwrap();
    let header = "商户批次号,收款开户名,收款开户银行,收款银行所在省份,收款银行所在市,收款支行名称,收款银行帐号,转账金额（元）,对公对私,收款人联系手机,转账备注,商户订单号";
    let checker = auth::login(&mut env, "checker", demo::DEMO_PASSWORD)
        .unwrap()
        .session()
        .unwrap();
    // The checker approves with the demo's USB key in a virtual reader.
    let reader = VirtualReader::new("bench reader");
    reader.insert(VirtualCard::from_seed("checker-key"));
    env.readers = CardReaders::Virtual(reader.clone());
    let admin = auth::login(&mut env, "admin", demo::DEMO_PASSWORD)
        .unwrap()
        .session()
        .unwrap();
    merchant_desk::service::card::bind_card(
        &mut env,
        &admin,
        checker.operator_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    let mut file_ms = Vec::new();
    let mut sent_batches = Vec::new();
    for run in 0..runs {
        let batch = format!("BENCH{run}");
        let mut text = String::from(header);
        for i in 1..=999 {
            text.push_str(&format!(
                "\n{batch},张{i},工商银行,四川省,成都市,工商银行成都高新支行,6222020000{i:06},0.{:02},对私,13800138000,劳务费,{batch}O{i:04}",
                i % 99 + 1
            ));
        }
        let file = dir.path().join(format!("{batch}.csv"));
        std::fs::write(&file, text).unwrap();
        let t = Instant::now();
        let sent =
            transfers::import_file(&mut env, &clerk, 1, &file, demo::DEMO_PASSWORD, None).unwrap();
        file_ms.push(ms(t.elapsed()));
        assert_eq!(sent.rows, 999);
        sent_batches.push(sent);
    }
    println!(
        "999-row bank-transfer file, validated and stored: median {:.1} ms over {runs} runs",
        median(file_ms)
    );
    // The outcomes: every batch approved (not timed), then a result file of 999 lines each —
    // 998 成功 and one 失败 (credited back) — imported and timed.
    let mut feed_ms = Vec::new();
    for (run, sent) in sent_batches.iter().enumerate() {
        review::decide(
            &mut env,
            &checker,
            &[ItemRef::application(sent.application.id)],
            true,
            "",
            Confirmation {
                pay_password: demo::DEMO_PASSWORD,
                pin: Some("123456"),
            },
        )
        .unwrap();
        let batch = format!("BENCH{run}");
        let mut text = String::from("类型,商户订单号,结果,原因代码,原因说明,时间");
        for i in 1..=999 {
            let (result, code, why) = if i == 500 {
                ("失败", "R03", "账户不存在")
            } else {
                ("成功", "", "")
            };
            text.push_str(&format!(
                "\ntransfer,{batch}O{i:04},{result},{code},{why},2026-11-23 12:00"
            ));
        }
        let file = dir.path().join(format!("{batch}-result.csv"));
        std::fs::write(&file, text).unwrap();
        let t = Instant::now();
        let report = outcomes::import_file(&mut env, &file).unwrap();
        feed_ms.push(ms(t.elapsed()));
        assert_eq!(report.recorded, 999, "{:?}", report.refused);
    }
    println!(
        "999 outcomes imported (998 成功, 1 失败 credited back): median {:.1} ms over {runs} runs",
        median(feed_ms)
    );
    let report = merchant_desk::service::check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}
