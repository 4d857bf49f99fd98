//! The issue "Hard edges": each point's failure, proven fixed.

mod refunds_common;

use merchant_desk::excel::import::{Reason, RowError};
use merchant_desk::service::batch_refund::{self, BatchError};
use merchant_desk::service::refunds::{self, RefundInput};
use merchant_desk::service::ServiceError;
use refunds_common::*;

const NOW: &str = "2026-11-23 10:00";

fn db() -> Db {
    Db::demo_at(NOW, 3, 300, 5)
}

fn rows_of(e: BatchError) -> Vec<RowError> {
    match e {
        BatchError::Rows(r) => r,
        other => panic!("expected bad rows, got {other:?}"),
    }
}

fn refund_count(conn: &rusqlite::Connection) -> i64 {
    count(conn, "SELECT count(*) FROM refund_applications")
}

/// 2. "12,34" is not 1,234.00: not in a form, not in a .csv, not in an .xlsx text cell.
#[test]
fn a_decimal_comma_is_refused_everywhere_not_read_as_grouping() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store.conn, 2);
    let before = refund_count(&env.store.conn);

    // The form.
    let e = refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: sales[0].0,
            amount: "12,34".into(),
            remark: String::new(),
            pay_password: PW.into(),
            refund_order_no: None,
        },
    )
    .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid { field: "amount", .. }),
        "{e:?}"
    );

    // A .csv (the comma quoted, as Excel writes it).
    let csv = db.file("comma.csv");
    std::fs::write(
        &csv,
        format!(
            "批次号,原交易参考号/订单号,退货订单号,退货金额,备注\n\
             PTC1,{},C1,\"12,34\",\nPTC1,{},C2,\"1,234.5\",\n",
            sales[0].1, sales[1].1
        ),
    )
    .unwrap();
    let err = rows_of(batch_refund::import(&mut env, &clerk, &csv, PW).unwrap_err());
    let r2: Vec<&RowError> = err.iter().filter(|e| e.row == 2).collect();
    assert_eq!(r2.len(), 1, "{err:?}");
    assert_eq!(r2[0].column, "退货金额");
    assert_eq!(r2[0].reason, Reason::NotANumber);
    assert_eq!(
        batch_refund::row_message(r2[0], merchant_desk::ui::text::Lang::En),
        "row 2, Refund amount: not a number"
    );
    // Row 3's grouping comma is a grouping comma: whatever is wrong with it, not the number.
    assert!(
        err.iter().all(|e| e.row != 3 || e.reason != Reason::NotANumber),
        "{err:?}"
    );

    // An .xlsx whose amount column holds text.
    let xlsx = db.file("comma.xlsx");
    write_xlsx(
        &xlsx,
        HEADER,
        &[vec![t("PTX1"), t(&sales[0].1), t("X1"), t("12,34")]],
    );
    let err = rows_of(batch_refund::import(&mut env, &clerk, &xlsx, PW).unwrap_err());
    assert_eq!(err.len(), 1, "{err:?}");
    assert_eq!((err[0].row, err[0].reason.clone()), (2, Reason::NotANumber));

    assert_eq!(refund_count(&env.store.conn), before, "nothing stored");
    assert_invariants(&env.store.conn);
}
