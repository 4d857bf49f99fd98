//! The command line: the terminal application, demo data, scripted runs and maintenance commands.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use merchant_desk::clock::{date_of_ms, parse_date, ymd, SharedClock, SystemClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::script;
use merchant_desk::service::audit::{verify, ChainCheck};
use merchant_desk::service::{settlement, Env};
use merchant_desk::store::{Location, Store};
use merchant_desk::ui::text::Lang;

mod recon_cli;

#[derive(Parser)]
#[command(
    name = "merchant-desk",
    version,
    about = "Keyboard-only merchant back office"
)]
struct Cli {
    /// The database: a SQLite file (default: merchant-desk.sqlite3 in the user's data
    /// directory) or a PostgreSQL server, postgres://user@host/dbname (several workstations).
    #[arg(long, global = true, env = "MERCHANT_DESK_DB")]
    db: Option<PathBuf>,
    /// Language of the screens: zh (default) or en.
    #[arg(long, global = true, default_value = "zh")]
    lang: String,
    /// Open the demo database in the data directory, creating it on first use.
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic demo merchant group into a new database.
    Demo {
        /// Days of transactions up to now.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Transactions per day.
        #[arg(long, default_value_t = 300)]
        per_day: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Append realistic transactions for the demo terminals until stopped (Ctrl+C), as the
    /// acquirer's link would; waits and retries while another process holds the database.
    Feed {
        /// Transactions per second.
        #[arg(long, default_value_t = 2)]
        rate: u32,
        /// Stop after this many transactions.
        #[arg(long)]
        count: Option<u64>,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Run a tape of keystrokes headless and print the screens it asks for.
    Script {
        tape: PathBuf,
        /// Write each Screenshot to DIR/NAME.txt.
        #[arg(long)]
        frames: Option<PathBuf>,
    },
    /// Run the daily settlement for a settlement date (default: today).
    Settle {
        #[arg(long)]
        date: Option<String>,
    },
    /// Re-verify every stored approval signature and name any that fail.
    VerifySignatures,
    /// The audit log.
    Audit {
        #[command(subcommand)]
        what: AuditCommand,
    },
    /// Verify the invariants of money and refunds and name each broken one (exit 1).
    Check,
    /// Copy a SQLite database whole into an empty PostgreSQL database (several workstations),
    /// then verify the copy: `check` and the audit chain on the target.
    MigrateTo {
        /// The SQLite file to copy.
        #[arg(long)]
        from: PathBuf,
        /// The server's database: postgres://user@host/dbname (created empty beforehand).
        #[arg(long)]
        to: String,
    },
    /// The USB key: set one up from new.
    Card {
        #[command(subcommand)]
        what: CardCommand,
    },
    /// The outcome feed: results of payouts from the bank.
    Outcomes {
        #[command(subcommand)]
        what: OutcomesCommand,
    },
    /// Import a batch refund file (.xlsx or .csv) as an operator. The login password is read
    /// from MERCHANT_DESK_PASSWORD, the payment password from MERCHANT_DESK_PAY_PASSWORD.
    RefundImport {
        #[arg(long)]
        operator: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// A store's statement 结算对账单 for a day or a month as .xlsx (the password from
    /// MERCHANT_DESK_PASSWORD).
    Statement {
        #[arg(long)]
        operator: String,
        /// The store's merchant number.
        #[arg(long)]
        merchant: String,
        /// A day, YYYY-MM-DD.
        #[arg(long, conflicts_with = "month")]
        date: Option<String>,
        /// A month, YYYY-MM.
        #[arg(long)]
        month: Option<String>,
        /// The folder to write into (default: the current one).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Reconciliation against the acquirer's files (spec money-out §7).
    Recon {
        #[command(subcommand)]
        what: ReconCommand,
    },
    /// Import a batch fast refund file (.xlsx or .csv, 批量快速退货) as an operator: checked
    /// whole, stored only when every row is good. Passwords as for refund-import.
    FastRefundImport {
        #[arg(long)]
        operator: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Write the batch fast refund template (.xlsx, headers in --lang; both are read back).
    FastRefundTemplate {
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a batch transfer file (.xlsx or .csv, the platform or the bank template) as an
    /// operator: validated whole, then one batch waiting for review. Passwords as for
    /// refund-import; a card-bound operator's PIN from MERCHANT_DESK_PIN.
    TransferImport {
        #[arg(long)]
        operator: String,
        #[arg(long)]
        file: PathBuf,
        /// The paying store's id (default: the first store in the operator's scope).
        #[arg(long)]
        store: Option<i64>,
    },
}

#[derive(Subcommand)]
enum ReconCommand {
    /// Import and match an acquirer's file (.csv, fixed-width .txt, .xlsx) as an operator (the
    /// password from MERCHANT_DESK_PASSWORD). Exit 1 while unresolved exceptions remain.
    Import {
        #[arg(long)]
        operator: String,
        #[arg(long)]
        file: PathBuf,
        /// own, pos, unionpay, wechat, alipay (default: found by the header).
        #[arg(long)]
        format: Option<String>,
        /// The acquirer's clearing date, YYYY-MM-DD (default: the file name's yyyymmdd).
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Subcommand)]
enum CardCommand {
    /// Set up a new YubiKey or Nitrokey (any PIV card) for binding: P-256 keys generated on the
    /// card in the empty slots 9A and 9C, self-signed certificates, a CHUID with a fresh GUID.
    /// Secrets come from the environment: MERCHANT_DESK_CARD_MGMT_KEY (hex; unset: the
    /// default), MERCHANT_DESK_CARD_PIN (unset: 123456), MERCHANT_DESK_CARD_NEW_PIN and
    /// MERCHANT_DESK_CARD_NEW_MGMT_KEY (hex or "random"; unset: unchanged).
    Setup {
        /// The PC/SC reader, by its exact name (`pcsc_scan` or 商户设置 → c lists them).
        #[arg(long)]
        reader: String,
    },
    /// The connected readers.
    Readers,
}

#[derive(Subcommand)]
enum OutcomesCommand {
    /// Import a result file (.csv or .xlsx: 类型, 商户订单号, 结果, 原因代码, 原因说明, 时间); each
    /// line is recorded in its own transaction, a refused line is named (exit 1).
    Import {
        #[arg(long)]
        file: PathBuf,
    },
    /// The demo's bank: answer every fast withdrawal still processing, deterministically by
    /// the seed and the order number (about one in ten fails with a reason code).
    Simulate {
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain and name the first broken row.
    Verify,
}

fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "merchant-desk")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn card_cmd(what: CardCommand) -> ExitCode {
    use merchant_desk::service::card::{prepare_card, CardSetup};
    match what {
        CardCommand::Readers => match merchant_desk::card::list_readers() {
            Ok(r) => {
                for name in r {
                    println!("{name}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        CardCommand::Setup { reader } => {
            let var = |n: &str| std::env::var(n).unwrap_or_default();
            let setup = match CardSetup::parse(
                &var("MERCHANT_DESK_CARD_MGMT_KEY"),
                &var("MERCHANT_DESK_CARD_PIN"),
                &var("MERCHANT_DESK_CARD_NEW_PIN"),
                &var("MERCHANT_DESK_CARD_NEW_MGMT_KEY"),
            ) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let mut t = match merchant_desk::card::open_reader(&reader) {
                Ok(t) => t,
                Err(e) => return fail(e),
            };
            match prepare_card(&mut *t, &setup) {
                Ok(done) => {
                    let slots: Vec<String> = done.generated.iter().map(|s| s.to_string()).collect();
                    println!(
                        "set up: new keys in slot(s) {}",
                        if slots.is_empty() {
                            "none (both had certificates)".to_string()
                        } else {
                            slots.join(", ")
                        }
                    );
                    println!("serial:      {}", done.identity.serial);
                    println!(
                        "9A auth key: {} {}",
                        done.identity.auth_alg,
                        done.identity.auth_fpr()
                    );
                    println!(
                        "9C sign key: {} {}",
                        done.identity.sign_alg,
                        done.identity.sign_fpr()
                    );
                    println!(
                        "PIN:         {}",
                        if done.pin_changed {
                            "changed"
                        } else if setup.pin == "123456" {
                            "still the factory 123456: change it before use"
                        } else {
                            "unchanged"
                        }
                    );
                    match &done.new_management_key {
                        Some(k) => println!(
                            "management key ({}): {} (keep it safe)",
                            done.management_algorithm,
                            hex::encode_upper(k)
                        ),
                        None => {
                            println!("management key ({}): unchanged", done.management_algorithm)
                        }
                    }
                    println!("bind it in the app: 操作员管理 → the operator → b");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("merchant-desk: {msg}");
    ExitCode::from(2)
}

/// `--db` is a SQLite file (a path, or a `file://` URL of one) or a `postgres://` server. Anything
/// else that looks like a URL (`scheme://…`) is refused rather than taken for a folder named `scheme:`.
fn db_path(db: PathBuf) -> Result<PathBuf, String> {
    let text = db.to_string_lossy();
    let Some((scheme, rest)) = text.split_once("://") else {
        return Ok(db);
    };
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return Ok(db);
    }
    if scheme.eq_ignore_ascii_case("file") && rest.starts_with('/') {
        return Ok(PathBuf::from(rest));
    }
    if scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql") {
        return Ok(db);
    }
    Err(format!(
        "--db {text}: a SQLite file (a path, or file:///path) or a PostgreSQL server (postgres://…), not {scheme}://"
    ))
}

/// Whether the database is there to open: a file that exists, or a server (which says itself
/// whether the database exists when it is opened).
fn db_exists(path: &std::path::Path) -> bool {
    path.exists()
        || path
            .to_str()
            .is_some_and(|t| Location::parse(t).is_server())
}

/// A refusal (input, a rule, a login) prints its message and exits 1.
fn refuse(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("merchant-desk: {msg}");
    ExitCode::from(1)
}

/// The exit status of a service's answer: 2 when the database could not be read or written
/// (locked, read-only, full disk), 1 for every refusal.
fn service_status(e: &merchant_desk::service::ServiceError) -> u8 {
    match e {
        merchant_desk::service::ServiceError::Store(_) => 2,
        _ => 1,
    }
}

fn open(path: &std::path::Path) -> Result<Store, ExitCode> {
    Store::open(path).map_err(fail)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(lang) = Lang::parse(&cli.lang) else {
        return fail(format!("unknown language {:?}: use zh or en", cli.lang));
    };
    let mut cli = cli;
    if let Some(db) = cli.db.take() {
        match db_path(db) {
            Ok(p) => cli.db = Some(p),
            Err(msg) => return fail(msg),
        }
    }
    let clock: SharedClock = Arc::new(SystemClock);
    match cli.command {
        Some(Command::Demo {
            days,
            per_day,
            seed,
        }) => {
            let path = cli.db.unwrap_or_else(|| data_dir().join("demo.sqlite3"));
            let started = std::time::Instant::now();
            let demo_clock = clock.clone();
            match demo::create(
                &path,
                clock,
                DemoOptions {
                    days,
                    per_day,
                    seed,
                },
            ) {
                Ok(s) => {
                    let secs = started.elapsed().as_secs_f64();
                    println!(
                        "{}: {} transactions, {} settlements in {:.1} s ({:.0} transactions/s)",
                        path.display(),
                        s.transactions,
                        s.settlements,
                        secs,
                        s.transactions as f64 / secs.max(1e-9)
                    );
                    demo_acquirer_files(&path, demo_clock, days)
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Feed { rate, count, seed }) => {
            let Some(path) = cli.db else {
                return fail("feed needs --db PATH");
            };
            let mut store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            match merchant_desk::store::merchants::terminals(&store.read()) {
                Ok(t)
                    if t.iter().any(|t| {
                        t.status == merchant_desk::domain::txn::TerminalStatus::Active
                    }) => {}
                Ok(_) => {
                    return refuse(
                        "the database has no active terminals: run `merchant-desk demo` first",
                    )
                }
                Err(e) => return fail(e),
            }
            let stop = std::sync::atomic::AtomicBool::new(false);
            let opts = demo::feed::FeedOptions {
                rate,
                seed,
                limit: count,
            };
            eprintln!(
                "feeding {} at {rate}/s; Ctrl+C stops (a transaction is written whole or not at all)",
                path.display()
            );
            match demo::feed::run(&mut store, clock, opts, &stop, |n, _| {
                eprint!("\rfed {n} transactions");
            }) {
                Ok(r) => {
                    eprintln!();
                    println!("fed {} transactions ({} retries)", r.written, r.retries);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Script { tape, frames }) => {
            script::run_cli(&tape, cli.db.as_deref(), lang, frames.as_deref())
        }
        Some(Command::Settle { date }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let mut env = Env::new(store, clock);
            let day = match date {
                Some(d) => match parse_date(&d) {
                    Ok(d) => ymd(d),
                    Err(_) => return fail(format!("--date {d:?} is not a date")),
                },
                None => ymd(date_of_ms(env.now_ms())),
            };
            match settlement::run(&mut env, day) {
                Ok(r) => {
                    println!(
                        "settled {}: {} merchants, {} transactions, net {}",
                        merchant_desk::clock::format_ymd(day),
                        r.merchants_settled,
                        r.txn_count,
                        merchant_desk::domain::money::format_fen(r.net_fen)
                    );
                    ExitCode::SUCCESS
                }
                Err(merchant_desk::service::ServiceError::Invalid {
                    problem: merchant_desk::service::Problem::FutureDate,
                    ..
                }) => {
                    eprintln!(
                        "merchant-desk: --date {} is after today ({}): a settlement run settles up to today",
                        merchant_desk::clock::format_ymd(day),
                        merchant_desk::clock::format_ymd(ymd(date_of_ms(env.now_ms())))
                    );
                    ExitCode::from(1)
                }
                Err(e) if service_status(&e) == 1 => refuse(e),
                Err(e) => fail(e),
            }
        }
        Some(Command::VerifySignatures) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            match merchant_desk::service::signing::verify_all(&store) {
                Ok(v) => {
                    for (id, why) in &v.failures {
                        println!("approval {id}: FAILED: {why}");
                    }
                    println!(
                        "{} signed approvals verified, {} kept without a signature, {} failed",
                        v.verified,
                        v.unsigned.len(),
                        v.failures.len()
                    );
                    if v.ok() {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Audit {
            what: AuditCommand::Verify,
        }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            match verify(&store) {
                Ok(ChainCheck::Intact { rows }) => {
                    println!("audit log intact: {rows} rows");
                    ExitCode::SUCCESS
                }
                Ok(ChainCheck::Broken { id, reason }) => {
                    println!("audit log broken at row {id}: {reason}");
                    ExitCode::from(1)
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Card { what }) => card_cmd(what),
        Some(Command::MigrateTo { from, to }) => migrate_to_cmd(&from, &to),
        Some(Command::Outcomes {
            what: OutcomesCommand::Simulate { seed },
        }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            if !db_exists(&path) {
                return fail(format!("{} does not exist", path.display()));
            }
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            let mut env = Env::new(store, clock);
            match merchant_desk::service::outcomes::simulate_fast_withdrawals(&mut env, seed) {
                Ok(r) => {
                    for o in &r.paid {
                        println!("{o}: paid");
                    }
                    for (o, code) in &r.failed {
                        println!("{o}: failed {code}");
                    }
                    println!("{} paid, {} failed", r.paid.len(), r.failed.len());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::Check) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            check_cmd(&path)
        }
        Some(Command::Outcomes {
            what: OutcomesCommand::Import { file },
        }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            outcomes_import_cmd(&path, clock, lang, &file)
        }
        Some(Command::Recon {
            what:
                ReconCommand::Import {
                    operator,
                    file,
                    format,
                    date,
                },
        }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            if !db_exists(&path) {
                return fail(format!("{} does not exist", path.display()));
            }
            let date = match date.as_deref().map(parse_date) {
                None => None,
                Some(Ok(d)) => Some(ymd(d)),
                Some(Err(_)) => {
                    return refuse(format!("--date {}: YYYY-MM-DD", date.unwrap_or_default()))
                }
            };
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            recon_cli::import_cmd(store, clock, lang, &operator, &file, format, date)
        }
        Some(Command::Statement {
            operator,
            merchant,
            date,
            month,
            out,
        }) => {
            use merchant_desk::service::statements::Period;
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            if !db_exists(&path) {
                return fail(format!("{} does not exist", path.display()));
            }
            let period = match (date.as_deref(), month.as_deref()) {
                (Some(d), None) => match parse_date(d) {
                    Ok(d) => Period::Day(ymd(d)),
                    Err(_) => return refuse(format!("--date {d}: YYYY-MM-DD")),
                },
                (None, Some(m)) => match parse_date(&format!("{m}-01")) {
                    Ok(d) => Period::Month(ymd(d) / 100),
                    Err(_) => return refuse(format!("--month {m}: YYYY-MM")),
                },
                _ => return refuse("give --date YYYY-MM-DD or --month YYYY-MM"),
            };
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            recon_cli::statement_cmd(store, clock, lang, &operator, &merchant, period, &out)
        }
        Some(Command::RefundImport { operator, file }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            refund_import_cmd(&path, clock, lang, &operator, &file)
        }
        Some(Command::TransferImport {
            operator,
            file,
            store,
        }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            transfer_import_cmd(&path, clock, lang, &operator, &file, store)
        }
        Some(Command::FastRefundTemplate { out }) => {
            match merchant_desk::service::fast_refund_import::write_template(&out, lang) {
                Ok(p) => {
                    println!("{}", p.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Some(Command::FastRefundImport { operator, file }) => {
            let path = cli
                .db
                .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"));
            fast_refund_import_cmd(&path, clock, lang, &operator, &file)
        }
        None => {
            // Without a terminal nothing is opened or created.
            if let Err(e) = merchant_desk::ui::terminal::check_terminal() {
                return fail(e);
            }
            let path = if cli.demo {
                let p = data_dir().join("demo.sqlite3");
                if !p.exists() {
                    eprintln!("creating the demo database {} ...", p.display());
                    if let Err(e) = demo::create(&p, clock.clone(), DemoOptions::default()) {
                        return fail(e);
                    }
                }
                p
            } else {
                cli.db
                    .unwrap_or_else(|| data_dir().join("merchant-desk.sqlite3"))
            };
            let store = match open(&path) {
                Ok(s) => s,
                Err(c) => return c,
            };
            match merchant_desk::ui::terminal::run(Env::new(store, clock), lang) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(e),
            }
        }
    }
}

/// `merchant-desk outcomes import`: records each line as the system; exit 1 naming every
/// refused line.
fn outcomes_import_cmd(
    path: &std::path::Path,
    clock: SharedClock,
    lang: Lang,
    file: &std::path::Path,
) -> ExitCode {
    if !db_exists(path) {
        return fail(format!("{} does not exist", path.display()));
    }
    let store = match open(path) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut env = Env::new(store, clock);
    match merchant_desk::service::outcomes::import_file(&mut env, file) {
        Err(e) => fail(e),
        Ok(r) => {
            for (row, e) in &r.refused {
                println!(
                    "row {row}: {}",
                    merchant_desk::ui::text::error(e, lang, |f| f.to_string())
                );
            }
            println!(
                "{} outcomes recorded, {} refused",
                r.recorded,
                r.refused.len()
            );
            if r.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// `merchant-desk migrate-to`: the copy in one transaction, then `check` and `audit verify` on
/// the target; exit 0 only when both pass.
fn migrate_to_cmd(from: &std::path::Path, to: &str) -> ExitCode {
    if !from.exists() {
        return fail(format!("{} does not exist", from.display()));
    }
    let Location::Server(url) = Location::parse(to) else {
        return fail(format!(
            "--to {to}: a PostgreSQL server, postgres://user@host/dbname"
        ));
    };
    let source = match open(from) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let target = match Store::open_at(&Location::Server(url)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let started = std::time::Instant::now();
    let report = match merchant_desk::store::copy::copy_all(&source, &target) {
        Ok(r) => r,
        Err(e) => return fail(format!("nothing was copied: {e}")),
    };
    println!(
        "copied {} rows of {} tables in {:.1} s into {}",
        report.rows(),
        report.tables.len(),
        started.elapsed().as_secs_f64(),
        target.location
    );
    let mut ok = true;
    match merchant_desk::service::check::run(&target) {
        Ok(r) if r.broken().is_empty() => println!("check on the target: all invariants hold"),
        Ok(r) => {
            ok = false;
            for i in r.broken() {
                println!("check on the target: BROKEN {}", i.name);
            }
        }
        Err(e) => return fail(e),
    }
    match verify(&target) {
        Ok(ChainCheck::Intact { rows }) => println!("audit log on the target intact: {rows} rows"),
        Ok(ChainCheck::Broken { id, reason }) => {
            ok = false;
            println!("audit log on the target broken at row {id}: {reason}");
        }
        Err(e) => return fail(e),
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `merchant-desk check`: exit 0 when every invariant holds, 1 listing each broken one.
fn check_cmd(path: &std::path::Path) -> ExitCode {
    if !db_exists(path) {
        return fail(format!("{} does not exist", path.display()));
    }
    let store = match open(path) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match merchant_desk::service::check::run(&store) {
        Ok(report) => {
            print!("{}", report.text());
            if report.ok() {
                println!("all invariants hold");
                ExitCode::SUCCESS
            } else {
                println!("{} invariants broken", report.broken().len());
                ExitCode::from(1)
            }
        }
        Err(e) => fail(e),
    }
}

/// The database at `path` and the session of the operator a command acts as (the password from
/// MERCHANT_DESK_PASSWORD); `Err` is the exit status, the reason already printed.
fn acting_operator(
    path: &std::path::Path,
    clock: SharedClock,
    operator: &str,
    lang: Lang,
) -> Result<(Env, merchant_desk::service::Session), ExitCode> {
    let store = open(path)?;
    let mut env = Env::new(store, clock);
    let pw = std::env::var("MERCHANT_DESK_PASSWORD").unwrap_or_default();
    let session = operator_session(&mut env, operator, &pw, lang)?;
    Ok((env, session))
}

/// The operator's session for a command that acts as them: the same login as the app's — a
/// card-bound operator proves the card too, with the PIN from MERCHANT_DESK_PIN and the reader
/// named in the settings; without them it is refused. `Err` is the exit status, the reason
/// already printed.
fn operator_session(
    env: &mut Env,
    operator: &str,
    pw: &str,
    lang: Lang,
) -> Result<merchant_desk::service::Session, ExitCode> {
    use merchant_desk::service::auth::{self, LoginStep};
    match auth::login(env, operator, pw) {
        Ok(LoginStep::Done(s)) => Ok(s),
        Ok(LoginStep::NeedsCard(pending)) => {
            let Ok(pin) = std::env::var("MERCHANT_DESK_PIN") else {
                return Err(fail(match lang {
                    Lang::Zh => format!(
                        "操作员 {operator} 已绑定快捷盾：请插入快捷盾并在 MERCHANT_DESK_PIN 中给出 PIN"
                    ),
                    Lang::En => format!(
                        "operator {operator} has a USB key bound: insert it and give its PIN in MERCHANT_DESK_PIN"
                    ),
                }));
            };
            auth::complete_with_card(env, &pending, &pin)
                .map_err(|e| fail(merchant_desk::ui::text::card_error(&e, lang)))
        }
        Err(e) => {
            let msg = merchant_desk::ui::text::error(&e, lang, |f| f.to_string());
            eprintln!("merchant-desk: {msg}");
            Err(ExitCode::from(service_status(&e)))
        }
    }
}

/// `merchant-desk refund-import`: exit 0 with the batch created, 1 listing every bad row (or a
/// refused login, password or file), 2 when the database cannot be opened or written.
fn refund_import_cmd(
    path: &std::path::Path,
    clock: SharedClock,
    lang: Lang,
    operator: &str,
    file: &std::path::Path,
) -> ExitCode {
    use merchant_desk::service::batch_refund;
    let (mut env, session) = match acting_operator(path, clock, operator, lang) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let pay = std::env::var("MERCHANT_DESK_PAY_PASSWORD").unwrap_or_default();
    match batch_refund::import(&mut env, &session, file, &pay) {
        Ok(s) => {
            println!(
                "batch {} (#{}) imported: {} refunds, {}; {} pending review, {} submitted",
                s.batch_no,
                s.batch_id,
                s.rows,
                merchant_desk::domain::money::format_fen(s.total_fen),
                s.pending_review,
                s.submitted
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            for line in merchant_desk::ui::text::refund::batch_error_lines(&e, lang) {
                println!("{line}");
            }
            // Nothing was stored either way; 2 when it was the database that failed.
            match &e {
                batch_refund::BatchError::Service(se) => ExitCode::from(service_status(se)),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// The demo acquirer's files, one per past day, beside the database (`<name>-acquirer/`).
fn demo_acquirer_files(path: &std::path::Path, clock: SharedClock, days: u32) -> ExitCode {
    let store = match open(path) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let today = ymd(date_of_ms(clock.now_ms()));
    let first = merchant_desk::domain::recon::add_days(today, -(days.saturating_sub(1) as i32));
    let env = Env::new(store, clock);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "demo".into());
    // Beside a database file; for a server's database (or a bare file name), in the data
    // directory — never in whatever folder the command happened to run in.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && path.exists())
        .map(|p| p.join(format!("{stem}-acquirer")))
        .unwrap_or_else(|| data_dir().join(format!("{stem}-acquirer")));
    match demo::acquirer::write_days(&env, &dir, first, today) {
        Ok(files) => {
            println!("{} acquirer files in {}", files.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `merchant-desk fast-refund-import`: exit 0 with the batch application created, 1 listing
/// every bad row (or a refused login, password or file), 2 when the database cannot be opened
/// or written. Nothing is stored unless every row is good.
fn fast_refund_import_cmd(
    path: &std::path::Path,
    clock: SharedClock,
    lang: Lang,
    operator: &str,
    file: &std::path::Path,
) -> ExitCode {
    use merchant_desk::service::fast_refund_import::{self as fi, ImportFailure};
    let (mut env, session) = match acting_operator(path, clock, operator, lang) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let pay = std::env::var("MERCHANT_DESK_PAY_PASSWORD").unwrap_or_default();
    let pin = std::env::var("MERCHANT_DESK_PIN").ok();
    let zh = lang == Lang::Zh;
    match fi::import(&mut env, &session, file, &pay, pin.as_deref()) {
        Ok((app, check)) => {
            println!(
                "fast refund batch: application #{app}, {} rows, {}",
                check.count,
                merchant_desk::domain::money::format_fen(check.total_fen)
            );
            ExitCode::SUCCESS
        }
        Err(ImportFailure::File(e)) => {
            println!("{}", if zh { e.message_zh() } else { e.to_string() });
            ExitCode::from(1)
        }
        Err(ImportFailure::Cells(rows)) => {
            for r in rows {
                println!("{}", r.message(zh));
            }
            ExitCode::from(1)
        }
        Err(ImportFailure::Lines(lines)) => {
            for l in lines {
                let msg = merchant_desk::ui::text::error(&l.error, lang, |f| f.to_string());
                println!(
                    "{}",
                    if zh {
                        format!("第 {} 行：{msg}", l.row)
                    } else {
                        format!("row {}: {msg}", l.row)
                    }
                );
            }
            ExitCode::from(1)
        }
        Err(ImportFailure::Service(e)) => {
            println!("{}", merchant_desk::ui::text::card_error(&e, lang));
            match &e {
                merchant_desk::service::card::CardServiceError::Service(se) => {
                    ExitCode::from(service_status(se))
                }
                _ => ExitCode::from(1),
            }
        }
    }
}

/// `merchant-desk transfer-import`: exit 0 with the batch stored (waiting for review), 1 listing
/// every bad row (or a refused login, password, card or file), 2 when the database fails.
fn transfer_import_cmd(
    path: &std::path::Path,
    clock: SharedClock,
    lang: Lang,
    operator: &str,
    file: &std::path::Path,
    store: Option<i64>,
) -> ExitCode {
    use merchant_desk::service::transfers::{self, TransferError};
    let (mut env, session) = match acting_operator(path, clock, operator, lang) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let pay = std::env::var("MERCHANT_DESK_PAY_PASSWORD").unwrap_or_default();
    let pin = std::env::var("MERCHANT_DESK_PIN").ok();
    let store = match store {
        Some(s) => s,
        None => match merchant_desk::service::review::stores(&env, &session) {
            Ok(v) if !v.is_empty() => v[0].0,
            Ok(_) => return fail("no store in the operator's scope".to_string()),
            Err(e) => return ExitCode::from(service_status(&e)),
        },
    };
    match transfers::import_file(&mut env, &session, store, file, &pay, pin.as_deref()) {
        Ok(s) => {
            println!(
                "batch {} (#{}) stored: {} rows, {} + fee {}; application #{} pending review",
                s.batch_no,
                s.batch_id,
                s.rows,
                merchant_desk::domain::money::format_fen(s.amount_fen),
                merchant_desk::domain::money::format_fen(s.fee_fen),
                s.application.id
            );
            ExitCode::SUCCESS
        }
        Err(TransferError::Service(e)) => {
            let msg = merchant_desk::ui::text::error(&e, lang, |f| f.to_string());
            println!("{msg}");
            ExitCode::from(service_status(&e))
        }
        Err(TransferError::Card(e)) => fail(merchant_desk::ui::text::card_error(&e, lang)),
        Err(TransferError::File(e)) => {
            println!("{}", e.message(lang == Lang::Zh));
            ExitCode::from(1)
        }
        Err(TransferError::Rows(rows)) => {
            for r in &rows {
                println!("{}", transfers::row_message(r, lang));
            }
            ExitCode::from(1)
        }
    }
}
