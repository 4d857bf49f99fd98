//! The real terminal: raw mode, the alternate screen, and the loop that feeds keys and ticks to
//! the `App`. Resizing just redraws at the new size.

use std::time::Duration;

use crossterm::event::{self, Event};

use crate::service::Env;

use super::app::App;
use super::text::Lang;

pub fn run(env: Env, lang: Lang) -> std::io::Result<()> {
    crate::ui::theme::init_from_env();
    let mut terminal = ratatui::init();
    let mut app = App::new(env, lang);
    let result = (|| -> std::io::Result<()> {
        while !app.quit {
            terminal.draw(|f| app.draw(f))?;
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
