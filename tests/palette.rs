//! The palette (Ctrl+P) finds a screen by its name or pinyin initials: an exact match first,
//! then the names that begin with what was typed, then the rest, in menu order.

mod common;

use common::TestDb;
use merchant_desk::ui::screens::catalog;
use merchant_desk::ui::text::Lang;

#[test]
fn exact_initials_come_first() {
    let db = TestDb::demo(1, 10);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let names = |typed: &str| -> Vec<&'static str> {
        catalog::matching(&admin, typed)
            .iter()
            .map(|e| e.name.get(Lang::Zh))
            .collect()
    };
    // 终端组管理 (zdzgl) contains `dz` too, but 对账 is exactly `dz`.
    let dz = names("dz");
    assert_eq!(dz[0], "对账", "{dz:?}");
    assert!(dz.contains(&"终端组管理"), "{dz:?}");
    // Names that begin with the typed text before those that only contain it.
    let ks = names("ksth");
    assert_eq!(ks[0], "快速退货", "{ks:?}");
    assert!(ks.contains(&"批量快速退货"), "{ks:?}");
    let ks_at = |n: &str| ks.iter().position(|x| *x == n).unwrap();
    assert!(ks_at("快速退货查询") < ks_at("批量快速退货"), "{ks:?}");
    // Nothing typed: every entry the operator may open, in menu order.
    assert_eq!(
        catalog::matching(&admin, "").len(),
        catalog::allowed(&admin).len()
    );
}
