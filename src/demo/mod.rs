//! Deterministic demo data: a merchant group with three stores, terminals in groups, the demo
//! operators, and transactions of every type and card organisation over the last N days, settled
//! by the same settlement run the application uses. Large databases come from the same code.

pub mod feed;
mod rng;
pub mod txn_gen;

use std::path::Path;

use crate::clock::{date_of_ms, ymd, SharedClock};
use crate::domain::function::{Function, DEFAULT_ROLES};
use crate::service::kernel::{Needs, Who};
use crate::service::{password, settlement, Env, ServiceResult};
use crate::store::merchants::{self, NewTerminal};
use crate::store::operators::{self, NewOperator};
use crate::store::{OpenError, Store};

pub use txn_gen::TxnGenerator;

pub const DEMO_PASSWORD: &str = "demo1234";

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub days: u32,
    pub per_day: u32,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            days: 30,
            per_day: 300,
            seed: 1,
        }
    }
}

pub const MERCHANTS: &[(&str, &str, &str, &str)] = &[
    (
        "104310058120001",
        "鑫源百货南京西路店",
        "Xinyuan Dept. Store, W. Nanjing Rd",
        "上海市静安区南京西路1266号",
    ),
    (
        "104310058120002",
        "鑫源百货徐家汇店",
        "Xinyuan Dept. Store, Xujiahui",
        "上海市徐汇区虹桥路1号",
    ),
    (
        "104320158120003",
        "鑫源百货新街口店",
        "Xinyuan Dept. Store, Xinjiekou",
        "南京市秦淮区中山南路1号",
    ),
];

pub const GROUPS: &[&str] = &["南京西路店终端", "徐家汇店终端", "新街口店终端"];

/// (login, display name, role code)
pub const OPERATORS: &[(&str, &str, &str)] = &[
    ("admin", "系统管理员", "admin"),
    ("clerk", "王丽（退货）", "refund_clerk"),
    ("checker", "张伟（审核）", "refund_checker"),
    ("finance", "李娜（财务）", "finance"),
    ("monitor", "赵强（监控）", "monitor"),
];

/// Roles the demo operators hold besides their first: the clerk may also apply for withdrawals
/// and the checker may review them and new bank accounts, so maker-checker is there to try.
pub const MORE_ROLES: &[(&str, &str)] = &[
    ("clerk", "applicant"),
    ("checker", "fund_checker"),
    ("clerk", "fast_refund"),
];

/// The store whose refunds go through review in the demo (新街口店).
pub const REVIEW_MODE_STORE: usize = 2;

/// Creates the demo database at `path`; refuses a file that already holds merchants. The
/// database is built in a temporary file beside `path` and renamed onto it only when complete,
/// so a run that fails (a full disk, a kill) leaves no half-made database, and removes its
/// temporary file.
pub fn create(path: &Path, clock: SharedClock, opts: DemoOptions) -> Result<DemoSummary, String> {
    if let Some(crate::store::Location::Server(url)) =
        path.to_str().map(crate::store::Location::parse)
    {
        return create_on_server(&url, clock, opts);
    }
    if path.exists() {
        // An existing file must be ours and hold no merchant group; it is replaced at the end.
        let store = Store::open(path).map_err(|e: OpenError| e.to_string())?;
        let held = merchants::all(&store.read()).map_err(|e| e.to_string())?;
        if !held.is_empty() {
            return Err(format!(
                "{} already holds a merchant group; demo data goes into a new file",
                path.display()
            ));
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "demo.sqlite3".into());
    let part = path.with_file_name(format!(".{name}.part-{}", std::process::id()));
    let remove_part = || {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = part.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(p));
        }
    };
    remove_part();
    let built = (|| {
        let store = Store::open(&part).map_err(|e: OpenError| e.to_string())?;
        // Nobody else sees the file until it is complete, and a failed build is thrown away:
        // no journal and no syncs while building; WAL again at the end, as every file is.
        store.set_bulk_load(true).map_err(|e| e.to_string())?;
        let mut env = Env::new(store, clock);
        let summary = populate_with(&mut env, opts, true).map_err(|e| e.to_string())?;
        env.store.set_bulk_load(false).map_err(|e| e.to_string())?;
        // Fold the WAL into the file, so the renamed file holds everything on its own.
        env.store.checkpoint().map_err(|e| e.to_string())?;
        drop(env);
        std::fs::rename(&part, path).map_err(|e| e.to_string())?;
        Ok(summary)
    })();
    remove_part();
    if built.is_ok() {
        for suffix in ["-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(p));
        }
    }
    built
}

/// Fills an empty database on a PostgreSQL server; refuses one that holds merchants. The demo is
/// built as it is for a file (in bulk, in a private temporary SQLite file) and then copied onto
/// the server in one transaction with COPY (`migrate-to`'s copy), so the server gets all of it or
/// none, at the speed of a file build rather than of ten million single INSERTs.
fn create_on_server(
    url: &str,
    clock: SharedClock,
    opts: DemoOptions,
) -> Result<DemoSummary, String> {
    let location = crate::store::Location::Server(url.to_string());
    let store = Store::open_at(&location).map_err(|e: OpenError| e.to_string())?;
    let held = merchants::all(&store.read()).map_err(|e| e.to_string())?;
    if !held.is_empty() {
        return Err(format!(
            "{location} already holds a merchant group; demo data goes into an empty database"
        ));
    }
    let file =
        std::env::temp_dir().join(format!("merchant-desk-demo-{}.sqlite3", std::process::id()));
    let result = (|| {
        let summary = create(&file, clock, opts)?;
        let built = Store::open(&file).map_err(|e: OpenError| e.to_string())?;
        crate::store::copy::copy_all(&built, &store).map_err(|e| e.to_string())?;
        Ok(summary)
    })();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = file.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
    result
}

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub transactions: u64,
    pub settlements: usize,
}

pub fn populate(env: &mut Env, opts: DemoOptions) -> ServiceResult<DemoSummary> {
    populate_with(env, opts, false)
}

/// `bulk`: the file is new and private (see [`create`]): the daily rollups are summed a day at a
/// time once the day is settled, instead of by the triggers row by row; the triggers are back
/// at the end.
fn populate_with(env: &mut Env, opts: DemoOptions, bulk: bool) -> ServiceResult<DemoSummary> {
    let now = env.now_ms();
    // The organisation: merchants, rates, groups, terminals, roles, operators.
    env.act(
        Who::System("demo"),
        Needs::signed_in(),
        "demo.create",
        |uc| {
            let db = uc.db();
            let tx = &db;
            merchants::set_setting(tx, "merchant_group_name", "鑫源商贸集团")?;
            merchants::set_setting(tx, "merchant_group_name_en", "Xinyuan Trading Group")?;
            // The login screen of a demo database names its operators (all with DEMO_PASSWORD).
            let role = |code: &str| DEFAULT_ROLES.iter().find(|r| r.code == code);
            let list = |en: bool| {
                OPERATORS
                    .iter()
                    .map(|(login, _, code)| {
                        let name =
                            role(code).map_or("", |r| if en { r.name_en } else { r.name_zh });
                        format!("{login} {name}")
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            merchants::set_setting(tx, "demo_operators", &list(false))?;
            merchants::set_setting(tx, "demo_operators_en", &list(true))?;
            let mut terminal_no = 10_000_001u32;
            for (i, (no, name, name_en, addr)) in MERCHANTS.iter().enumerate() {
                let mid = merchants::insert(tx, no, name, name_en, addr, now)?;
                merchants::set_fee_rate(tx, mid, "debit", 5_000, Some(2_000))?;
                merchants::set_fee_rate(tx, mid, "credit", 6_000, None)?;
                merchants::set_fee_rate(tx, mid, "foreign", 25_000, None)?;
                let gid = merchants::insert_group(tx, GROUPS[i], now)?;
                for k in 0..4 {
                    let tno = terminal_no.to_string();
                    terminal_no += 1;
                    merchants::insert_terminal(
                        tx,
                        &NewTerminal {
                            terminal_no: &tno,
                            merchant_id: mid,
                            serial_no: &format!("SN{:02}A7{:06}", i + 1, 310_000 + k * 17),
                            name: &format!("{}号收银台", k + 1),
                            location: &format!("{}F", k + 1),
                            group_id: Some(gid),
                            created_ms: now,
                        },
                    )?;
                }
            }
            for r in DEFAULT_ROLES {
                let id = operators::insert_role(tx, Some(r.code), r.name_zh, r.name_en, true, now)?;
                let codes: Vec<&str> = r.functions.iter().map(|f: &Function| f.code()).collect();
                operators::set_role_functions(tx, id, &codes)?;
            }
            let hash = password::hash(DEMO_PASSWORD);
            for (login, name, role) in OPERATORS {
                let id = operators::insert(
                    tx,
                    &NewOperator {
                        login,
                        display_name: name,
                        password_hash: &hash,
                        pay_password_hash: Some(&hash),
                        must_change_password: false,
                        all_groups: true,
                        created_ms: now,
                    },
                )?;
                let mut rids = vec![operators::role_id_by_code(tx, role)?.expect("default role")];
                for (_, more) in MORE_ROLES.iter().filter(|(l, _)| l == login) {
                    rids.push(operators::role_id_by_code(tx, more)?.expect("default role"));
                }
                operators::set_roles(tx, id, &rids)?;
            }
            let review_store = merchants::all(tx)?[REVIEW_MODE_STORE].id;
            merchants::set_refund_settings(tx, review_store, "review", 0)?;
            // Every demo store has agreed to fast refunds (商户同意快速退货协议), set by admin.
            if let Some(admin) = operators::by_login(tx, "admin")? {
                for m in merchants::all(tx)? {
                    crate::store::fast_refunds::set_enabled(tx, m.id, true, admin.id, now)?;
                }
            }
            uc.audit("demo.create", "", "", "")
        },
    )?;
    // Transactions, a day at a time, then the settlement run for each past day.
    let today = date_of_ms(now);
    let first = today
        .checked_sub(jiff::Span::new().days(opts.days.saturating_sub(1) as i64))
        .unwrap_or(today);
    let mut generator = TxnGenerator::load(&env.store.read(), opts.seed)?;
    let mut summary = DemoSummary::default();
    let triggers = if bulk {
        crate::store::summaries::drop_rollup_triggers(&env.store.read())?
    } else {
        Vec::new()
    };
    // Transactions before this moment are in the rollups already (bulk).
    let mut rolled_ms = crate::clock::day_start_ms(first);
    let mut day = first;
    loop {
        let tx = env.store.begin()?;
        summary.transactions += generator.fill_day(&tx.db(), day, opts.per_day, now)?;
        tx.commit()?;
        if day > first {
            let r = settlement::run(env, ymd(day))?;
            summary.settlements += r.merchants_settled;
            if bulk {
                // Yesterday is settled and final now.
                let tx = env.store.begin()?;
                let until = crate::clock::day_start_ms(day);
                crate::store::summaries::add_rollups(&tx.db(), rolled_ms, until)?;
                tx.commit()?;
                rolled_ms = until;
            }
        }
        if day >= today {
            break;
        }
        day = day.tomorrow().expect("date in range");
    }
    if bulk {
        let tx = env.store.begin()?;
        crate::store::summaries::add_rollups(&tx.db(), rolled_ms, i64::MAX)?;
        crate::store::summaries::restore_rollup_triggers(&tx.db(), &triggers)?;
        tx.commit()?;
    }
    Ok(summary)
}
pub mod acquirer;
