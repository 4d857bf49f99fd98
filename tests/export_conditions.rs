//! A refused query clears the old result, so Ctrl+E has nothing to export; Ctrl+E after a query
//! exports exactly that query, and the file's first rows name its conditions and the time.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use merchant_desk::script::runner::run_tape;
use merchant_desk::service::txn_query::{self, TxnQueryInput};
use merchant_desk::store::merchants;
use merchant_desk::ui::text::Lang;

fn xlsx_in(dir: &std::path::Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
}

#[test]
fn a_refused_query_clears_the_result_and_the_export_names_the_query_that_ran() {
    let db = TestDb::demo(3, 60);
    let out_dir = tempfile::tempdir().unwrap();
    {
        let env = db.env();
        merchants::set_setting(
            &env.store.read(),
            "download_dir",
            &out_dir.path().display().to_string(),
        )
        .unwrap();
    }
    let tape = r#"Set Width 80
Set Height 24
Now "2026-11-23 10:00"
Type "finance"
Enter
Type "demo1234"
Enter
Wait /最近交易/
Enter
Wait /开始日期/
Type "2026-11-22"
Tab
Type "2026-11-22"
Enter
Wait /第 1\/\d+ 页/
Screenshot ran
Tab
Type "x"
Enter
Wait /终端号/
Screenshot refused
Ctrl+E
Wait /先查询，再导出结果/
Screenshot nothing
Backspace
Enter
Wait /第 1\/\d+ 页/
Ctrl+E
Wait /正在后台导出|已导出|导出完成/
Screenshot exported
"#;
    // The terminal field takes the "x": refused as not a terminal number.
    let mut out = Vec::new();
    let run =
        run_tape(tape, &db.path, Lang::Zh, None, &mut out).unwrap_or_else(|e| panic!("{e:?}"));
    let shot = |n: &str| {
        run.screenshots
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    // The first query's rows are on screen, then gone once the next one is refused.
    let env = db.env();
    let f = txn_query::build_filter(&TxnQueryInput {
        from_date: "2026-11-22".into(),
        to_date: "2026-11-22".into(),
        ..Default::default()
    })
    .unwrap();
    let mut fin = env;
    let s = db.login(&mut fin, "finance");
    let first =
        &txn_query::page(&fin, &s, &f, merchant_desk::service::views::PageAt::First).unwrap()[0];
    assert!(shot("ran").contains(&first.rrn));
    let refused = shot("refused");
    assert!(!refused.contains(&first.rrn), "old rows left:\n{refused}");
    assert!(!refused.contains("第 1/"), "old page line left:\n{refused}");
    // The export: its first rows say what was asked and when, then the header.
    let deadline = Instant::now() + Duration::from_secs(20);
    let path = loop {
        if let Some(p) = xlsx_in(out_dir.path()) {
            break p;
        }
        assert!(Instant::now() < deadline, "no export written");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(200));
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let text = |r: usize| match &rows[r][0] {
        Data::String(s) => s.clone(),
        other => panic!("row {r}: {other:?}"),
    };
    assert_eq!(text(0), "交易查询");
    assert_eq!(
        text(1),
        "查询条件：开始日期: 2026-11-22；结束日期: 2026-11-22；排序：交易时间 ▼"
    );
    assert_eq!(text(2), "查询时间：2026-11-23 10:00:00");
    assert_eq!(rows[4][0], Data::String("交易时间".into()));
    let totals = txn_query::totals(&fin, &s, &f).unwrap();
    // Preamble (3), a blank row, the header, the rows, the totals row.
    assert_eq!(rows.len() as i64, 3 + 1 + 1 + totals.count + 1);
}
