//! Statements through the background export (A3): a day's and a month's statement started as
//! a job land in 下载中心 as done, with the same figures as the statement written at once, read
//! back by another reader; refused before anything starts without the function (no download
//! row); from the screen, Enter starts the job and the app follows it to its end while the
//! screen answers keys. Runs on both backends.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::domain::lang::Lang;
use merchant_desk::excel::JobState;
use merchant_desk::service::exports;
use merchant_desk::service::statements::{self, Period};
use merchant_desk::service::ServiceError;
use merchant_desk::store::downloads::DownloadState;
use merchant_desk::store::merchants;

const DAY: i32 = 20261122;

fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let r = wb.worksheet_range(name).unwrap();
    r.rows().map(|x| x.to_vec()).collect()
}

fn out_dir(db: &TestDb) -> std::path::PathBuf {
    let out = db.dir.path().join("downloads");
    let env = db.env();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &out.display().to_string(),
    )
    .unwrap();
    out
}

#[test]
fn a_statement_job_lands_in_the_downloads_centre_with_the_statements_figures() {
    let db = TestDb::demo(3, 150);
    let out = out_dir(&db);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    let m = merchants::all(&env.store.read()).unwrap().remove(0);
    for period in [Period::Day(DAY), Period::Month(DAY / 100)] {
        let job =
            statements::start_export(&env, &finance, &m.merchant_no, period, Lang::Zh).unwrap();
        let id = job.download_id;
        let path = job.path.clone();
        let state = job.wait();
        let JobState::Done { rows } = state else {
            panic!("{state:?}");
        };
        assert!(rows > 0);
        let dl = exports::downloads(&env, &finance, 50).unwrap();
        let row = dl.iter().find(|r| r.id == id).unwrap();
        assert_eq!(row.state, DownloadState::Done, "{row:?}");
        assert_eq!(row.row_count, rows as i64);
        assert_eq!(row.path, path.display().to_string());
        assert!(row.title.contains(&m.merchant_no), "{}", row.title);
        // The same workbook as the statement written at once, sheet by sheet (the produced
        // time apart).
        let direct_dir = db.dir.path().join(format!("direct-{}", period.label()));
        let direct = statements::produce(
            &env,
            &finance,
            &m.merchant_no,
            period,
            &direct_dir,
            Lang::Zh,
        )
        .unwrap();
        let a: Xlsx<_> = open_workbook(&path).unwrap();
        let b: Xlsx<_> = open_workbook(&direct).unwrap();
        assert_eq!(a.sheet_names(), b.sheet_names());
        for name in a.sheet_names() {
            let (x, y) = (sheet(&path, &name), sheet(&direct, &name));
            let skip_time = |v: &Vec<Vec<Data>>| -> Vec<Vec<Data>> {
                v.iter()
                    .filter(|r| !matches!(r.first(), Some(Data::String(s)) if s.starts_with("生成时间")))
                    .cloned()
                    .collect()
            };
            assert_eq!(skip_time(&x), skip_time(&y), "sheet {name}");
        }
        assert!(path.starts_with(&out));
    }
}

#[test]
fn a_statement_job_is_refused_before_it_starts() {
    let db = TestDb::demo(2, 20);
    let _out = out_dir(&db);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let m = merchants::all(&env.store.read()).unwrap().remove(0);
    let r = statements::start_export(&env, &clerk, &m.merchant_no, Period::Day(DAY), Lang::Zh);
    assert!(matches!(r, Err(ServiceError::Denied(_))), "{:?}", r.err());
    assert!(exports::downloads(&env, &clerk, 50).unwrap().is_empty());
    let finance = db.login(&mut env, "finance");
    let r = statements::start_export(
        &env,
        &finance,
        "999999999999999",
        Period::Day(DAY),
        Lang::Zh,
    );
    assert!(
        matches!(
            r,
            Err(ServiceError::Invalid {
                field: "merchant",
                ..
            })
        ),
        "{:?}",
        r.err()
    );
    let r = statements::start_export(
        &env,
        &finance,
        &m.merchant_no,
        Period::Day(20261131),
        Lang::Zh,
    );
    assert!(
        matches!(
            r,
            Err(ServiceError::Invalid {
                field: "period",
                ..
            })
        ),
        "{:?}",
        r.err()
    );
    assert!(exports::downloads(&env, &finance, 50).unwrap().is_empty());
}

#[test]
fn the_statements_screen_runs_the_statement_in_the_background() {
    use merchant_desk::ui::app::App;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let db = TestDb::demo(3, 60);
    let out = out_dir(&db);
    let mut app = App::new(db.env(), merchant_desk::ui::text::Lang::Zh);
    let key =
        |app: &mut App, code: KeyCode| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    let screen = |app: &App| {
        let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
        t.draw(|f| app.draw(f)).unwrap();
        merchant_desk::script::runner::screen_text(t.backend().buffer())
    };
    for c in "finance\ndemo1234\n".chars() {
        key(
            &mut app,
            if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            },
        );
    }
    app.handle_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
    for c in "jsdzd\n".chars() {
        key(
            &mut app,
            if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            },
        );
    }
    assert!(screen(&app).contains("结算对账单"), "{}", screen(&app));
    key(&mut app, KeyCode::Enter);
    let mut done = false;
    for _ in 0..500 {
        app.tick();
        if screen(&app).contains("已导出") {
            done = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(done, "{}", screen(&app));
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("日结算对账单_"));
}
