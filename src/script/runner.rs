//! Runs a tape: the real `App` on a virtual screen (ratatui's `TestBackend`) and a virtual clock.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use unicode_width::UnicodeWidthStr;

use crate::clock::{parse_datetime_ms, Clock, SystemClock, VirtualClock};
use crate::service::Env;
use crate::store::Store;
use crate::ui::app::App;
use crate::ui::text::Lang;

use super::tape::{self, Command, WaitScope};

/// How often virtual time is advanced while waiting or sleeping.
const STEP_MS: i64 = 100;

#[derive(Debug)]
pub enum TapeError {
    /// The tape cannot be read (exit status 2).
    Parse(tape::ParseError),
    /// The database or a frames file could not be used (exit status 2).
    Setup(String),
    /// A Wait did not match in time (exit status 1).
    WaitFailed {
        line: usize,
        pattern: String,
        screen: String,
    },
}

#[derive(Debug, Default)]
pub struct TapeRun {
    /// (name, screen text) of every Screenshot, in order.
    pub screenshots: Vec<(String, String)>,
}

/// The screen as text: one line per row, trailing spaces trimmed, each wide character once.
pub fn screen_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn line_text(buf: &Buffer, row: u16) -> String {
    screen_text(buf)
        .lines()
        .nth(row as usize)
        .unwrap_or_default()
        .to_string()
}

struct Runner {
    app: App,
    clock: VirtualClock,
    terminal: Terminal<TestBackend>,
    wait_timeout: Duration,
}

impl Runner {
    fn draw(&mut self) {
        let app = &self.app;
        // A full redraw each time: the test backend does not model a wide character covering
        // the cell after it, so diffing frames would leave stale cells behind.
        let _ = self.terminal.clear();
        self.terminal
            .draw(|f| app.draw(f))
            .expect("drawing on the test backend cannot fail");
    }

    fn screen(&self) -> String {
        screen_text(self.terminal.backend().buffer())
    }

    fn key(&mut self, k: KeyEvent) {
        if !self.app.quit {
            self.app.handle_key(k);
        }
    }

    fn advance(&mut self, ms: i64) {
        self.clock.advance_ms(ms);
        self.app.tick();
    }

    fn matches(&self, scope: &WaitScope, re: &regex::Regex) -> bool {
        match scope {
            WaitScope::Screen => re.is_match(&self.screen()),
            WaitScope::Line => self
                .app
                .focus_row()
                .is_some_and(|row| re.is_match(&line_text(self.terminal.backend().buffer(), row))),
        }
    }
}

/// Runs tape source against a database. Screens of `Screenshot` go to `out` and, with
/// `frames`, to `frames/NAME.txt`.
pub fn run_tape(
    src: &str,
    db: &Path,
    lang: Lang,
    frames: Option<&Path>,
    out: &mut dyn Write,
) -> Result<TapeRun, TapeError> {
    let lines = tape::parse(src).map_err(TapeError::Parse)?;
    let (mut width, mut height, mut wait_timeout) = (120u16, 36u16, Duration::from_secs(15));
    for l in &lines {
        match l.command {
            Command::SetWidth(w) => width = w,
            Command::SetHeight(h) => height = h,
            Command::SetWaitTimeout(d) => wait_timeout = d,
            _ => {}
        }
    }
    let store = Store::open(db).map_err(|e| TapeError::Setup(e.to_string()))?;
    let clock = VirtualClock::new(SystemClock.now_ms());
    let reader = crate::card::VirtualReader::new("Virtual Tape Reader");
    let mut env = Env::new(store, Arc::new(clock.clone()));
    env.readers = crate::service::session::CardReaders::Virtual(reader.clone());
    let terminal = Terminal::new(TestBackend::new(width, height))
        .map_err(|e| TapeError::Setup(e.to_string()))?;
    if let Some(dir) = frames {
        std::fs::create_dir_all(dir).map_err(|e| {
            TapeError::Setup(format!(
                "cannot create frames folder {}: {e}",
                dir.display()
            ))
        })?;
    }
    let mut r = Runner {
        app: App::new(env, lang),
        clock,
        terminal,
        wait_timeout,
    };
    let mut run = TapeRun::default();
    r.draw();
    for l in lines {
        match l.command {
            Command::SetWidth(_) | Command::SetHeight(_) => {}
            Command::SetWaitTimeout(d) => r.wait_timeout = d,
            Command::Type(text) => {
                for c in text.chars() {
                    let k = match c {
                        '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
                        '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
                        c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                    };
                    r.key(k);
                }
            }
            Command::Key { key, count } => {
                for _ in 0..count {
                    r.key(key);
                }
            }
            Command::Sleep(d) => {
                let mut left = d.as_millis() as i64;
                while left > 0 {
                    let step = left.min(STEP_MS);
                    r.advance(step);
                    left -= step;
                }
            }
            Command::Now(s) => {
                let ms = parse_datetime_ms(&s).ok_or_else(|| {
                    TapeError::Parse(tape::ParseError {
                        line: l.number,
                        message: format!("Now {s:?} is not a time like \"2026-11-23 10:00\""),
                    })
                })?;
                r.clock.set_ms(ms);
                r.app.tick();
            }
            Command::Wait {
                scope,
                pattern,
                timeout,
            } => {
                let limit = timeout.unwrap_or(r.wait_timeout).as_millis() as i64;
                let mut waited = 0;
                r.draw();
                while !r.matches(&scope, &pattern) {
                    if waited >= limit {
                        return Err(TapeError::WaitFailed {
                            line: l.number,
                            pattern: pattern.as_str().to_string(),
                            screen: r.screen(),
                        });
                    }
                    r.advance(STEP_MS);
                    // Background work (an export's thread) runs on real time: give it a moment.
                    std::thread::sleep(Duration::from_millis(2));
                    r.draw();
                    waited += STEP_MS;
                }
            }
            Command::CardInsert(name) => {
                reader.insert(crate::card::VirtualCard::from_seed(&name));
                r.app.tick();
            }
            Command::CardRemove => {
                reader.remove();
                r.app.tick();
            }
            Command::Screenshot(name) => {
                r.draw();
                let text = r.screen();
                let _ = writeln!(out, "--- {name} ---");
                let _ = write!(out, "{text}");
                if let Some(dir) = frames {
                    let path = dir.join(format!("{name}.txt"));
                    std::fs::write(&path, &text).map_err(|e| {
                        TapeError::Setup(format!("cannot write {}: {e}", path.display()))
                    })?;
                }
                run.screenshots.push((name, text));
            }
        }
        r.draw();
    }
    Ok(run)
}

/// `merchant-desk script FILE.tape`: exit 0 when every Wait matched, 1 when one did not, 2 for
/// a tape that cannot be read.
pub fn run_cli(tape: &Path, db: Option<&Path>, lang: Lang, frames: Option<&Path>) -> ExitCode {
    let src = match std::fs::read_to_string(tape) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("merchant-desk: cannot read {}: {e}", tape.display());
            return ExitCode::from(2);
        }
    };
    let default_db;
    let db = match db {
        Some(p) => p,
        None => {
            default_db = directories::ProjectDirs::from("", "", "merchant-desk")
                .map(|d| d.data_dir().join("merchant-desk.sqlite3"))
                .unwrap_or_else(|| "merchant-desk.sqlite3".into());
            &default_db
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run_tape(&src, db, lang, frames, &mut out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(TapeError::Parse(e)) => {
            eprintln!("{}:{}: {}", tape.display(), e.line, e.message);
            ExitCode::from(2)
        }
        Err(TapeError::Setup(e)) => {
            eprintln!("merchant-desk: {e}");
            ExitCode::from(2)
        }
        Err(TapeError::WaitFailed {
            line,
            pattern,
            screen,
        }) => {
            eprintln!(
                "{}:{line}: Wait /{pattern}/ did not match; the screen was:",
                tape.display()
            );
            eprint!("{screen}");
            ExitCode::from(1)
        }
    }
}
