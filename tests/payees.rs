//! Payee contacts 联系人 (A5): platform and bank payees added one at a time with every field
//! checked, masked everywhere and revealed only after the payment password (audited), deleted,
//! and imported from the contact template with every row checked (the same row twice refused
//! naming the rows; hidden sheets never read; bad files refused whole, nothing stored).

mod common;

use std::path::{Path, PathBuf};

use common::TestDb;
use merchant_desk::domain::function::Function;
use merchant_desk::domain::lang::Lang;
use merchant_desk::domain::payee::PayeeKind;
use merchant_desk::domain::review::HolderType;
use merchant_desk::service::batch_refund::BatchError;
use merchant_desk::service::payees::{self, PayeeInput};
use merchant_desk::service::{Env, Problem, ServiceError, Session};

const PW: &str = "demo1234";

fn count(env: &Env, sql: &str) -> i64 {
    env.store.query_i64_for_tests(sql).unwrap()
}

fn bank(no: &str) -> PayeeInput {
    PayeeInput {
        kind: Some(PayeeKind::Bank),
        account_name: "张三".into(),
        holder_type: Some(HolderType::Personal),
        bank: "工商银行".into(),
        province: "上海市".into(),
        city: "上海市".into(),
        branch: "工商银行上海徐汇支行".into(),
        account_no: no.into(),
        account_no_again: no.into(),
        mobile: "13800138000".into(),
        remark: "劳务费".into(),
        pay_password: PW.into(),
    }
}

fn field(e: ServiceError) -> (&'static str, Problem) {
    match e {
        ServiceError::Invalid { field, problem } => (field, problem),
        other => panic!("{other:?}"),
    }
}

fn setup() -> (TestDb, Env, Session) {
    let db = TestDb::demo(1, 10);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    (db, env, clerk)
}

#[test]
fn bank_payee_every_field_checked_masked_and_revealed_after_the_password() {
    let (_db, mut env, clerk) = setup();
    let mut add = |i: PayeeInput| payees::add(&mut env, &clerk, &i);
    let with = |f: &dyn Fn(&mut PayeeInput)| {
        let mut i = bank("6222020000000771");
        f(&mut i);
        i
    };
    assert_eq!(
        field(add(with(&|i| i.account_name = "  ".into())).unwrap_err()),
        ("account_name", Problem::Required)
    );
    assert_eq!(
        field(add(with(&|i| i.account_name = "123456".into())).unwrap_err()),
        ("account_name", Problem::NoLetters)
    );
    assert_eq!(
        field(add(with(&|i| i.account_name = "名".repeat(61))).unwrap_err()),
        ("account_name", Problem::TooLong(60))
    );
    assert_eq!(
        field(add(with(&|i| i.bank = "火星银行".into())).unwrap_err()),
        ("bank", Problem::Unknown)
    );
    assert_eq!(
        field(add(with(&|i| i.province = "火星省".into())).unwrap_err()),
        ("province", Problem::Unknown)
    );
    // 南京市 is in 江苏省, not in 上海市: the message says where it is.
    assert_eq!(
        field(add(with(&|i| i.city = "南京市".into())).unwrap_err()),
        (
            "city",
            Problem::CityNotInProvince("上海市".into(), "江苏省".into(), "Jiangsu".into())
        )
    );
    assert_eq!(
        field(add(with(&|i| i.branch = "支".into())).unwrap_err()),
        ("branch", Problem::TooShort(2))
    );
    assert_eq!(
        field(add(with(&|i| i.account_no = "6222 0200 0000 07a1".into())).unwrap_err()),
        ("account_no", Problem::NotDigits)
    );
    assert_eq!(
        field(add(with(&|i| i.account_no = "622202000000071".into())).unwrap_err()),
        ("account_no", Problem::AccountLength(16, 19))
    );
    // The BIN 622202 is 工商银行's: chosen 建设银行, the number names the other bank.
    assert_eq!(
        field(add(with(&|i| i.bank = "建设银行".into())).unwrap_err()),
        (
            "account_no",
            Problem::BinOtherBank(
                "工商银行".into(),
                "Industrial and Commercial Bank of China".into()
            )
        )
    );
    assert_eq!(
        field(add(with(&|i| i.account_no_again = "6222020000000772".into())).unwrap_err()),
        ("account_no_again", Problem::Mismatch)
    );
    assert_eq!(
        field(add(with(&|i| i.mobile = "12345".into())).unwrap_err()),
        ("mobile", Problem::BadMobile)
    );
    assert_eq!(
        field(add(with(&|i| i.remark = "备".repeat(51))).unwrap_err()),
        ("remark", Problem::TooLong(50))
    );
    assert!(matches!(
        add(with(&|i| i.pay_password = "wrong".into())),
        Err(ServiceError::Invalid {
            field: "pay_password",
            ..
        })
    ));
    assert_eq!(
        count(&env, "SELECT count(*) FROM payees"),
        0,
        "nothing stored"
    );

    // A company account is 6–32 digits and its BIN is not checked; typed with spaces.
    let ok = payees::add(&mut env, &clerk, &bank("6222 0200 0000 0771")).unwrap();
    assert_eq!(ok.account, "*****0771");
    assert_eq!(ok.bank_zh, "工商银行");
    let company = PayeeInput {
        account_name: "上海某某贸易有限公司".into(),
        holder_type: Some(HolderType::Company),
        bank: "建设银行".into(),
        branch: "建设银行上海静安支行".into(),
        mobile: String::new(),
        ..bank("31001234560000")
    };
    payees::add(&mut env, &clerk, &company).unwrap();
    // The same number again: 「联系人已存在」.
    assert_eq!(
        field(payees::add(&mut env, &clerk, &bank("6222020000000771")).unwrap_err()),
        ("account_no", Problem::PayeeExists)
    );

    let list = payees::list(&env, &clerk, PayeeKind::Bank, "").unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p.account.starts_with("*****")));
    // Search by name, by the last four, by remark.
    assert_eq!(
        payees::list(&env, &clerk, PayeeKind::Bank, "贸易")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        payees::list(&env, &clerk, PayeeKind::Bank, "0771")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        payees::list(&env, &clerk, PayeeKind::Bank, "劳务")
            .unwrap()
            .len(),
        2
    );

    assert!(matches!(
        payees::reveal(&mut env, &clerk, ok.id, "wrong"),
        Err(ServiceError::Invalid {
            field: "pay_password",
            ..
        })
    ));
    assert_eq!(
        payees::reveal(&mut env, &clerk, ok.id, PW).unwrap(),
        "6222020000000771"
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM audit_log WHERE action = 'payee.reveal'"
        ),
        1
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM audit_log WHERE before LIKE '%6222020000000771%' OR after LIKE '%6222020000000771%'"
        ),
        0,
        "the full number is in no audit row"
    );

    // Deleted: gone from the list; the number may be added again.
    payees::delete(&mut env, &clerk, ok.id, PW).unwrap();
    assert_eq!(
        payees::list(&env, &clerk, PayeeKind::Bank, "")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        payees::delete(&mut env, &clerk, ok.id, PW).unwrap_err(),
        ServiceError::NotFound
    );
    payees::add(&mut env, &clerk, &bank("6222020000000771")).unwrap();
}

#[test]
fn platform_payee_is_a_store_of_the_group_by_its_number() {
    let (db, mut env, clerk) = setup();
    let platform = |no: &str| PayeeInput {
        kind: Some(PayeeKind::Platform),
        account_no: no.into(),
        pay_password: PW.into(),
        ..Default::default()
    };
    assert_eq!(
        field(payees::add(&mut env, &clerk, &platform("10431005812000")).unwrap_err()),
        ("account_no", Problem::Length(15))
    );
    assert_eq!(
        field(payees::add(&mut env, &clerk, &platform("999999999999999")).unwrap_err()),
        ("account_no", Problem::Unknown)
    );
    assert_eq!(
        payees::platform_name(&env, &clerk, "104310058120002").unwrap(),
        "鑫源百货徐家汇店"
    );
    let p = payees::add(&mut env, &clerk, &platform("104310058120002")).unwrap();
    assert_eq!(p.account_name, "鑫源百货徐家汇店");
    assert_eq!(p.account, "104310058120002");
    assert_eq!(
        field(payees::add(&mut env, &clerk, &platform("104310058120002")).unwrap_err()),
        ("account_no", Problem::PayeeExists)
    );
    assert_eq!(
        payees::list(&env, &clerk, PayeeKind::Platform, "")
            .unwrap()
            .len(),
        1
    );
    // Who lacks 联系人 is refused where the action is carried out.
    let monitor = db.login(&mut env, "monitor");
    assert_eq!(
        payees::list(&env, &monitor, PayeeKind::Bank, "").unwrap_err(),
        ServiceError::Denied(Function::ContactManage)
    );
    assert_eq!(
        payees::add(&mut env, &monitor, &platform("104310058120001")).unwrap_err(),
        ServiceError::Denied(Function::ContactManage)
    );
}

/// A contact file: the template's header and these rows (text cells).
fn contacts_xlsx(
    dir: &Path,
    name: &str,
    rows: &[[&str; 7]],
    hidden: Option<&[[&str; 7]]>,
) -> PathBuf {
    let path = dir.join(name);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let header = [
        "收款开户名",
        "收款开户银行",
        "收款银行所在省份",
        "收款银行所在市",
        "收款银行名称",
        "收款银行帐号",
        "备注",
    ];
    let mut sheet = |title: &str, rows: &[[&str; 7]], hide: bool| {
        let ws = wb.add_worksheet();
        ws.set_name(title).unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
        if hide {
            ws.set_hidden(true);
        } else {
            ws.set_active(true);
        }
    };
    if let Some(h) = hidden {
        sheet("旧联系人", h, true);
    }
    sheet("银行账户联系人", rows, false);
    wb.save(&path).unwrap();
    path
}

const GOOD: [&str; 7] = [
    "张三",
    "工商银行",
    "上海市",
    "上海市",
    "工商银行上海徐汇支行",
    "6222020000000771",
    "劳务费",
];

#[test]
fn import_checks_every_row_names_them_and_stores_nothing_of_a_bad_file() {
    let (db, mut env, clerk) = setup();
    let dir = db.dir.path();
    let li = [
        "李四",
        "建设银行",
        "江苏省",
        "南京市",
        "建设银行南京新街口支行",
        "31001234569999",
        "",
    ];
    // Row 3 repeats row 2; row 4 names a city of another province; row 5's BIN is another
    // bank's; row 6 lacks its branch.
    let bad = contacts_xlsx(
        dir,
        "bad.xlsx",
        &[
            GOOD,
            GOOD,
            [
                "王五",
                "工商银行",
                "上海市",
                "南京市",
                "工商银行上海支行",
                "6222020000001111",
                "",
            ],
            [
                "赵六",
                "建设银行",
                "上海市",
                "上海市",
                "建设银行上海支行",
                "6222020000002222",
                "",
            ],
            [
                "钱七",
                "工商银行",
                "上海市",
                "上海市",
                "",
                "6222020000003333",
                "",
            ],
            li,
        ],
        None,
    );
    let rows = match payees::import(&mut env, &clerk, &bad, PW).unwrap_err() {
        BatchError::Rows(rows) => rows,
        other => panic!("{other:?}"),
    };
    let msgs: Vec<String> = rows
        .iter()
        .map(|r| payees::row_message(r, Lang::Zh))
        .collect();
    assert_eq!(
        msgs,
        vec![
            "第 3 行 收款银行帐号：与第 2 行重复",
            "第 4 行 收款银行所在市：城市不属于上海市（属于江苏省）",
            "第 5 行 收款银行帐号：卡号与开户银行不符（卡号属于工商银行）",
            "第 6 行 收款银行名称：不能为空",
        ]
    );
    assert_eq!(
        payees::row_message(&rows[0], Lang::En),
        "row 3, Account no.: same as row 2"
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM payees"),
        0,
        "nothing stored"
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM audit_log WHERE action = 'payee.import.refused'"
        ),
        1,
        "the refusal is audited"
    );

    // A good file, with a hidden sheet full of rubbish that is never read.
    let good = contacts_xlsx(
        dir,
        "good.xlsx",
        &[GOOD, li],
        Some(&[["x", "x", "x", "x", "x", "x", "x"]]),
    );
    let s = payees::import(&mut env, &clerk, &good, PW).unwrap();
    assert_eq!(s.rows, 2);
    let list = payees::list(&env, &clerk, PayeeKind::Bank, "").unwrap();
    assert_eq!(list.len(), 2);
    // 14 digits and no 对公对私 column: a company account.
    assert_eq!(list[1].holder_type, Some(HolderType::Company));
    assert!(list.iter().all(|p| p.account.starts_with("*****")));
    // Importing it again: each row is a contact already.
    let rows = match payees::import(&mut env, &clerk, &good, PW).unwrap_err() {
        BatchError::Rows(rows) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        payees::row_message(&rows[1], Lang::Zh),
        "第 3 行 收款银行帐号：联系人已存在"
    );
}

#[test]
fn bad_files_are_refused_as_the_batch_refund_import_refuses_them() {
    let (db, mut env, clerk) = setup();
    let dir = db.dir.path();
    // Not a workbook.
    let junk = dir.join("junk.xlsx");
    std::fs::write(&junk, b"not a zip").unwrap();
    assert!(matches!(
        payees::import(&mut env, &clerk, &junk, PW).unwrap_err(),
        BatchError::File(_)
    ));
    // Not .xlsx or .csv.
    let txt = dir.join("contacts.txt");
    std::fs::write(&txt, "收款开户名\n张三\n").unwrap();
    assert!(matches!(
        payees::import(&mut env, &clerk, &txt, PW).unwrap_err(),
        BatchError::File(_)
    ));
    // A missing column is named at the header's row.
    let csv = dir.join("short.csv");
    std::fs::write(&csv, "收款开户名,收款开户银行\n张三,工商银行\n").unwrap();
    let rows = match payees::import(&mut env, &clerk, &csv, PW).unwrap_err() {
        BatchError::Rows(rows) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        payees::row_message(&rows[0], Lang::Zh),
        "第 1 行 收款银行所在省份：缺少此列"
    );
    // Only a hidden sheet holds the data: the visible one is empty.
    let path = contacts_xlsx(dir, "hidden_only.xlsx", &[], Some(&[GOOD]));
    assert!(matches!(
        payees::import(&mut env, &clerk, &path, PW).unwrap_err(),
        BatchError::File(_)
    ));
    // A wrong payment password refuses the file before it is read.
    let good = contacts_xlsx(dir, "good.xlsx", &[GOOD], None);
    assert!(matches!(
        payees::import(&mut env, &clerk, &good, "wrong").unwrap_err(),
        BatchError::Service(ServiceError::Invalid {
            field: "pay_password",
            ..
        })
    ));
    assert_eq!(count(&env, "SELECT count(*) FROM payees"), 0);
    // The template it writes reads back (its example row is a good contact).
    let t = payees::write_template(&dir.join("tpl"), Lang::Zh).unwrap();
    assert!(t.ends_with("tpl.xlsx"));
    let s = payees::import(&mut env, &clerk, &t, PW).unwrap();
    assert_eq!(s.rows, 1);
    let t_en = payees::write_template(&dir.join("tpl_en.xlsx"), Lang::En).unwrap();
    let rows = match payees::import(&mut env, &clerk, &t_en, PW).unwrap_err() {
        BatchError::Rows(rows) => rows,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        payees::row_message(&rows[0], Lang::En),
        "row 2, Account no.: the contact exists already"
    );
}
