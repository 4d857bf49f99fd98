//! Transfer benchmark: validating and storing a 999-row bank-transfer file (read, every row's
//! rules, the in-file and against-the-past checks, one batch, 999 rows, one application and
//! hold, in one transaction). The outcome feed of 999 results is not measured yet.
//!
//! ```text
//! cargo run --release --example bench_transfers -- --runs 5
//! ```
//!
//! Goal (issue 15): the file < 60 ms (the payment password's argon2id check included).

use std::sync::Arc;
use std::time::{Duration, Instant};

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
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
    let mut file_ms = Vec::new();
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
    }
    println!(
        "999-row bank-transfer file, validated and stored: median {:.1} ms over {runs} runs",
        median(file_ms)
    );
}
