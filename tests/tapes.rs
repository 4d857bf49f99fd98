//! Runs every tape in tests/tapes against a fresh copy of a small demo database made at a fixed
//! virtual time, and compares each Screenshot with its insta snapshot. A tape whose name ends in
//! `_en` runs in English.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::script::runner::{run_tape, TapeError};
use merchant_desk::service::Env;
use merchant_desk::store::Store;
use merchant_desk::ui::text::Lang;

/// The demo database every tape starts from: 3 days of 60 transactions up to 2026-11-23 10:00.
fn template_db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = match merchant_desk::store::testing::postgres_under_test() {
            None => dir.join("template.sqlite3"),
            Some(_) => merchant_desk::store::testing::fresh_database(&dir),
        };
        let clock = VirtualClock::new(parse_datetime_ms("2026-11-23 10:00").unwrap());
        let store = Store::open(&path).unwrap();
        let mut env = Env::new(store, Arc::new(clock));
        env.workstation = "tape-host".into();
        demo::populate(
            &mut env,
            DemoOptions {
                days: 3,
                per_day: 60,
                seed: 7,
            },
        )
        .unwrap();
        // Fold the WAL into the file so a plain copy holds everything.
        env.store.checkpoint().unwrap();
        path
    })
}

fn run(name: &str) {
    let tape = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tapes")
        .join(format!("{name}.tape"));
    let src = std::fs::read_to_string(&tape).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = match merchant_desk::store::testing::postgres_under_test() {
        None => {
            let db = dir.path().join("t.sqlite3");
            std::fs::copy(template_db(), &db).unwrap();
            db
        }
        // The template's connection is closed: a server copies it as a template database.
        Some(_) => merchant_desk::store::testing::copy_database(template_db(), dir.path()),
    };
    // Whatever a tape writes (templates, slips, exports) lands in its own temporary folder; the
    // screenshots name that folder <downloads>.
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    merchant_desk::store::merchants::set_setting(
        &merchant_desk::store::Store::open(&db).unwrap().read(),
        "download_dir",
        &downloads.display().to_string(),
    )
    .unwrap();
    let lang = if name.ends_with("_en") {
        Lang::En
    } else {
        Lang::Zh
    };
    let mut out = Vec::new();
    match run_tape(&src, &db, lang, None, &mut out) {
        Ok(run) => {
            for (shot, text) in run.screenshots {
                let text = text.replace(&downloads.display().to_string(), "<downloads>");
                insta::assert_snapshot!(format!("{name}__{shot}"), text);
            }
        }
        Err(TapeError::WaitFailed {
            line,
            pattern,
            screen,
        }) => panic!("{name}.tape line {line}: Wait /{pattern}/ did not match:\n{screen}"),
        Err(e) => panic!("{name}.tape: {e:?}"),
    }
}

macro_rules! tapes {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name));
            }
        )*
    };
}

tapes!(
    login,
    login_failed_lockout,
    home_per_role,
    txn_query,
    query_bad_dates,
    change_password,
    help_and_palette,
    lock_en,
    query_settlements,
    query_settlements_en,
    query_advanced,
    query_slip,
    query_monitor,
    query_monitor_en,
    system_admin,
    refund_review,
    card_login,
    refund_from_detail,
    refund_batch,
    admin_screens_en,
    query_kept,
    review_withdrawal,
    review_withdrawal_en,
    payees,
    payees_en,
    payout_settings,
    payout_settings_en,
    fast_refund,
    transfer,
    transfer_en,
);
