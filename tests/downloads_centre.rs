//! 下载中心: the folder shown, a path copied to the terminal's clipboard (OSC 52), a file
//! deleted after a confirmation (its row says so), an export run again with its conditions.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::service::exports;
use merchant_desk::store::merchants;
use merchant_desk::ui::app::App;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

fn xlsx_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    v.sort();
    v
}

/// Ticks until the export the app follows has ended (its message shows).
fn until_exported(app: &mut App) {
    for _ in 0..500 {
        app.tick();
        if screen(app).contains("已导出") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the export did not end: {}", screen(app));
}

#[test]
fn the_downloads_centre_copies_deletes_and_runs_again() {
    let db = TestDb::demo(3, 40);
    let out = tempfile::tempdir().unwrap();
    {
        let env = db.env();
        merchants::set_setting(
            &env.store.read(),
            "download_dir",
            &out.path().display().to_string(),
        )
        .unwrap();
    }
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "finance\ndemo1234\n");
    ctrl(&mut app, 'p');
    typed(&mut app, "jycx\n");
    typed(&mut app, "2026-11-22\t2026-11-22\n");
    assert!(screen(&app).contains("第 1/"), "{}", screen(&app));
    ctrl(&mut app, 'e');
    until_exported(&mut app);
    let first = xlsx_files(out.path());
    assert_eq!(first.len(), 1);

    ctrl(&mut app, 'p');
    typed(&mut app, "xzzx\n");
    let s = screen(&app);
    assert!(
        s.contains(&format!("文件夹: {}", out.path().display())),
        "{s}"
    );
    assert!(s.contains("r 可重做"), "{s}");

    // c: the selected file's path to the clipboard, and a message that says so.
    let _ = app.take_clipboard();
    typed(&mut app, "c");
    assert_eq!(
        app.take_clipboard().as_deref(),
        Some(first[0].display().to_string().as_str())
    );
    assert!(
        screen(&app).contains("已复制到终端剪贴板"),
        "{}",
        screen(&app)
    );
    typed(&mut app, "o");
    assert_eq!(app.take_clipboard(), Some(out.path().display().to_string()));

    // r: the same conditions again, as a new file and a new row.
    typed(&mut app, "r");
    until_exported(&mut app);
    let both = xlsx_files(out.path());
    assert_eq!(both.len(), 2, "{both:?}");
    // The new file names the same conditions as the first.
    let conditions = |p: &std::path::Path| {
        use calamine::{open_workbook, Reader, Xlsx};
        let mut wb: Xlsx<_> = open_workbook(p).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        range.rows().nth(1).unwrap()[0].to_string()
    };
    assert_eq!(conditions(&both[0]), conditions(&both[1]));
    assert!(conditions(&both[0]).contains("2026-11-22"));

    // d asks first: nothing is deleted until Enter/y; Esc keeps the file.
    let rows = {
        let mut env = db.env();
        let s = db.login(&mut env, "finance");
        exports::downloads(&env, &s, 10).unwrap()
    };
    assert_eq!(rows.len(), 2);
    typed(&mut app, "d");
    assert!(screen(&app).contains("删除文件"), "{}", screen(&app));
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert_eq!(xlsx_files(out.path()).len(), 2);
    typed(&mut app, "dy");
    assert_eq!(xlsx_files(out.path()).len(), 1);
    let s = screen(&app);
    assert!(s.contains("已删除"), "{s}");
    let rows = {
        let mut env = db.env();
        let s = db.login(&mut env, "finance");
        exports::downloads(&env, &s, 10).unwrap()
    };
    let deleted: Vec<_> = rows.iter().filter(|r| r.message == "文件已删除").collect();
    assert_eq!(deleted.len(), 1, "{rows:?}");
    assert!(!std::path::Path::new(&deleted[0].path).exists());
}

#[test]
fn osc52_is_what_the_terminal_is_sent() {
    assert_eq!(
        merchant_desk::ui::clipboard::osc52("下载"),
        "\x1b]52;c;5LiL6L29\x07"
    );
}
