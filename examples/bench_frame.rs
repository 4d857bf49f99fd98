//! How long drawing one frame of the transaction list takes (goal: under 2 ms), at 80×24 and
//! 120×36, on a page of 20 rows. Release build:
//!
//!     cargo run --release --example bench_frame

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::Env;
use merchant_desk::store::Store;
use merchant_desk::ui::app::App;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let k = match c {
            '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        };
        app.handle_key(k);
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("frame.sqlite3");
    let clock = VirtualClock::new(parse_datetime_ms("2026-11-23 10:00").unwrap());
    let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock.clone()));
    demo::populate(
        &mut env,
        DemoOptions {
            days: 3,
            per_day: 600,
            seed: 1,
        },
    )
    .unwrap();
    println!("| screen | frames | mean per frame | slowest |");
    println!("|---|---:|---:|---:|");
    for (w, h) in [(80u16, 24u16), (120, 36)] {
        let env = Env::new(Store::open(&path).unwrap(), Arc::new(clock.clone()));
        let mut app = App::new(env, Lang::Zh);
        keys(&mut app, "clerk\ndemo1234\n");
        // The third menu entry: yesterday's transactions, 20 rows a page.
        app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let n = 2_000;
        let mut slowest = 0f64;
        let start = Instant::now();
        for i in 0..n {
            // Move the selection so every frame differs, as when an operator scrolls.
            let code = if i % 40 < 20 {
                KeyCode::Down
            } else {
                KeyCode::Up
            };
            app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
            let t = Instant::now();
            terminal.draw(|f| app.draw(f)).unwrap();
            slowest = slowest.max(t.elapsed().as_secs_f64());
        }
        let mean = start.elapsed().as_secs_f64() / n as f64;
        println!(
            "| transaction list {w}×{h} | {n} | {:.3} ms | {:.3} ms |",
            mean * 1e3,
            slowest * 1e3
        );
    }
}
