//! Helpers shared by the integration tests: a demo database at a fixed virtual time.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::{auth, Env, Session};
use merchant_desk::store::Store;

pub const NOW: &str = "2026-11-23 10:00";

pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: VirtualClock,
}

impl TestDb {
    /// A demo database: `days` days of `per_day` transactions up to 2026-11-23 10:00, every
    /// store in direct refund mode (the demo puts one in review mode; a test that wants review
    /// mode sets it).
    pub fn demo(days: u32, per_day: u32) -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        // A SQLite file in the folder, or a new database on the PostgreSQL server under test.
        let path = merchant_desk::store::testing::fresh_database(dir.path());
        let clock = VirtualClock::new(parse_datetime_ms(NOW).unwrap());
        let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock.clone()));
        demo::populate(
            &mut env,
            DemoOptions {
                days,
                per_day,
                seed: 3,
            },
        )
        .unwrap();
        for m in merchant_desk::store::merchants::all(&env.store.read()).unwrap() {
            merchant_desk::store::merchants::set_refund_settings(
                &env.store.read(),
                m.id,
                "direct",
                0,
            )
            .unwrap();
        }
        TestDb { dir, path, clock }
    }

    pub fn env(&self) -> Env {
        let mut env = Env::new(
            Store::open(&self.path).unwrap(),
            Arc::new(self.clock.clone()),
        );
        env.workstation = "test-host".into();
        env
    }

    pub fn login(&self, env: &mut Env, login: &str) -> Session {
        auth::login(env, login, demo::DEMO_PASSWORD)
            .unwrap()
            .session()
            .unwrap_or_else(|| panic!("{login} needs the card to log in"))
    }

    /// The login of an operator with a card bound: the password, then the card in the
    /// environment's reader (`env.readers`) with its PIN.
    pub fn login_with_card(&self, env: &mut Env, login: &str, pin: &str) -> Session {
        match auth::login(env, login, demo::DEMO_PASSWORD).unwrap() {
            auth::LoginStep::NeedsCard(pending) => {
                auth::complete_with_card(env, &pending, pin).unwrap()
            }
            auth::LoginStep::Done(_) => panic!("{login} logged in without the card"),
        }
    }
}

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_merchant-desk"))
}
