//! The real terminal: raw mode, the alternate screen, and the loop that feeds keys and ticks to
//! the `App`. Resizing just redraws at the new size.

use std::time::Duration;

use crossterm::event::{self, Event};

use crate::service::Env;

use super::app::App;
use super::text::Lang;

/// The application needs a terminal on both ends: keys from stdin, the screen on stdout.
pub fn check_terminal() -> std::io::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(std::io::Error::other(
            "the application needs a terminal (its input and output are not one); run it in a terminal, or run a tape headless with `merchant-desk script FILE.tape`",
        ))
    }
}

pub fn run(env: Env, lang: Lang) -> std::io::Result<()> {
    check_terminal()?;
    crate::ui::theme::init_from_env();
    crate::ui::action::init_from_config(lang).map_err(std::io::Error::other)?;
    let mut terminal = ratatui::try_init()
        .map_err(|e| std::io::Error::other(format!("cannot set up the terminal: {e}")))?;
    let mut app = App::new(env, lang);
    let result = (|| -> std::io::Result<()> {
        while !app.quit {
            terminal.draw(|f| app.draw(f))?;
            if let Some(text) = app.take_clipboard() {
                use std::io::Write;
                let mut out = std::io::stdout();
                out.write_all(crate::ui::clipboard::osc52(&text).as_bytes())?;
                out.flush()?;
            }
            // Wake up at least every 250 ms for the idle lock and live screens.
            if event::poll(Duration::from_millis(250))? {
                match event::read()? {
                    Event::Key(k) => app.handle_key(k),
                    Event::Resize(_, _) => {}
                    _ => {}
                }
            }
            app.tick();
        }
        Ok(())
    })();
    ratatui::restore();
    result
}
