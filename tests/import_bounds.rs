//! Hard edges 9: an import reads a bounded amount whatever the file holds. One test in its own
//! binary, so the process's peak memory is this test's alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use merchant_desk::excel::import::{read_table, ImportError};

const MAX: usize = 999;

/// Writes an .xlsx whose parts are produced by `parts` (name, writer of the part's bytes), each
/// streamed into the archive so that the test itself never holds a big part.
fn xlsx(path: &Path, sheet: &dyn Fn(&mut dyn Write), shared: &dyn Fn(&mut dyn Write)) {
    xlsx_at(path, 1, sheet, shared)
}

/// [`xlsx`] at a deflate level (9 packs a bomb small, 1 is fast).
fn xlsx_at(
    path: &Path,
    level: i64,
    sheet: &dyn Fn(&mut dyn Write),
    shared: &dyn Fn(&mut dyn Write),
) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opt = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(level))
        .large_file(true);
    let small: &[(&str, &str)] = &[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in small {
        z.start_file(*name, opt).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", opt).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    {
        let mut b = std::io::BufWriter::with_capacity(1 << 20, &mut z);
        sheet(&mut b);
        b.write_all(b"</sheetData></worksheet>").unwrap();
    }
    z.start_file("xl/sharedStrings.xml", opt).unwrap();
    {
        let mut b = std::io::BufWriter::with_capacity(1 << 20, &mut z);
        shared(&mut b);
    }
    z.finish().unwrap();
}

const SST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn header_row(w: &mut dyn Write) {
    w.write_all(br#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>"#)
        .unwrap();
}

fn no_strings(w: &mut dyn Write) {
    w.write_all(SST).unwrap();
    w.write_all(b"</sst>").unwrap();
}

/// `n` data rows below the header, each with a short inline string in A and a number in B.
fn rows(n: usize) -> impl Fn(&mut dyn Write) {
    move |w: &mut dyn Write| {
        header_row(w);
        for r in 2..n + 2 {
            write!(
                w,
                r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c><c r="B{r}"><v>1.5</v></c></row>"#
            )
            .unwrap();
        }
    }
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

/// This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: a process started
/// by fork and exec inherits the forking parent's peak there (here cargo's, some 90 MB), which
/// measured cargo rather than the import.
fn peak_rss_mb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: i64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    kb / 1024
}

#[test]
fn an_import_reads_a_bounded_amount_whatever_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // The zip bomb of the issue: shared strings that unpack to 1.6 GB (here 256 MB of one letter,
    // a few hundred KB on disk). Refused by the part's unpacked size, naming the part.
    let bomb = path(d, "bomb.xlsx");
    xlsx_at(&bomb, 9, &rows(1), &|w| {
        w.write_all(SST).unwrap();
        // Long strings: many short ones would trip the count of strings first.
        let text = vec![b'a'; 1 << 19];
        for _ in 0..512 {
            w.write_all(b"<si><t>").unwrap();
            w.write_all(&text).unwrap();
            w.write_all(b"</t></si>").unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    });
    let on_disk = std::fs::metadata(&bomb).unwrap().len();
    assert!(on_disk < 4 << 20, "{on_disk}");
    let e = read_table(&bomb, MAX).unwrap_err();
    assert_eq!(
        e,
        ImportError::PartTooBig {
            part: "xl/sharedStrings.xml".into(),
            limit_mb: 64
        }
    );
    assert!(e.to_string().contains("beyond 64 MB"), "{e}");
    assert!(e.message_zh().contains("xl/sharedStrings.xml"));

    // A sheet part beyond 64 MB of tiny tags: the same.
    let sheet = path(d, "sheet.xlsx");
    xlsx(
        &sheet,
        &|w| {
            header_row(w);
            let chunk = br#"<row r="2"></row>"#.repeat(4096);
            for _ in 0..(70 << 20) / chunk.len() {
                w.write_all(&chunk).unwrap();
            }
        },
        &no_strings,
    );
    assert!(matches!(
        read_table(&sheet, MAX).unwrap_err(),
        ImportError::PartTooBig { part, .. } if part == "xl/worksheets/sheet1.xml"
    ));

    // Too many shared strings, or a table that declares billions (calamine reserves it).
    let many = path(d, "many.xlsx");
    xlsx(&many, &rows(1), &|w| {
        w.write_all(SST).unwrap();
        for _ in 0..300_000 {
            w.write_all(b"<si><t>s</t></si>").unwrap();
        }
        w.write_all(b"</sst>").unwrap();
    });
    let e = read_table(&many, MAX).unwrap_err();
    assert!(e.to_string().contains("shared strings"), "{e}");
    let declared = path(d, "declared.xlsx");
    xlsx(&declared, &rows(1), &|w| {
        w.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>s</t></si></sst>"#).unwrap();
    });
    let e = read_table(&declared, MAX).unwrap_err();
    assert!(e.to_string().contains("shared strings"), "{e}");

    // One cell of 2 MB of text.
    let cell = path(d, "cell.xlsx");
    xlsx(
        &cell,
        &|w| {
            header_row(w);
            w.write_all(br#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#)
                .unwrap();
            w.write_all(&vec![b'z'; 2 << 20]).unwrap();
            w.write_all(b"</t></is></c></row>").unwrap();
        },
        &no_strings,
    );
    let e = read_table(&cell, MAX).unwrap_err();
    assert!(e.to_string().contains("single cell"), "{e}");

    // Data at the far right of the sheet (a dense read would hold 16,384 columns a row).
    let wide = path(d, "wide.xlsx");
    xlsx(
        &wide,
        &|w| {
            header_row(w);
            w.write_all(br#"<row r="2"><c r="XFD2"><v>1</v></c></row>"#)
                .unwrap();
        },
        &no_strings,
    );
    assert_eq!(
        read_table(&wide, MAX).unwrap_err(),
        ImportError::TooWide { row: 2, max: 256 }
    );

    // 300,000 rows: reading stops at the 1,000th data row.
    let long = path(d, "long.xlsx");
    xlsx(&long, &rows(300_000), &no_strings);
    let t0 = std::time::Instant::now();
    assert_eq!(
        read_table(&long, MAX).unwrap_err(),
        ImportError::TooManyRows {
            max: 999,
            found: 1000
        }
    );
    assert!(t0.elapsed().as_secs() < 10, "stopped early");
    // The same as .csv, and a .csv beyond 16 MB.
    let csv = path(d, "long.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        for r in 0..300_000 {
            writeln!(f, "x{r},1.5").unwrap();
        }
    }
    assert!(matches!(
        read_table(&csv, MAX).unwrap_err(),
        ImportError::TooManyRows { found: 1000, .. }
    ));
    let big_csv = path(d, "big.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big_csv).unwrap());
        for _ in 0..(17 << 20) / 64 {
            f.write_all(&[b','; 63]).unwrap();
            f.write_all(b"\n").unwrap();
        }
    }
    assert!(matches!(
        read_table(&big_csv, MAX).unwrap_err(),
        ImportError::PartTooBig { limit_mb: 16, .. }
    ));
    // A .csv of a million commas on one line.
    let wide_csv = path(d, "wide.csv");
    std::fs::write(&wide_csv, format!("a\n{}x\n", ",".repeat(1 << 20))).unwrap();
    assert!(matches!(
        read_table(&wide_csv, MAX).unwrap_err(),
        ImportError::TooWide { row: 2, .. }
    ));

    // The largest file the bounds let through: 190,000 shared strings of 300 bytes (57 MB
    // unpacked), a sheet using them. It is read (and refused for its rows) within bounds.
    let fat = path(d, "fat.xlsx");
    xlsx(
        &fat,
        &|w| {
            header_row(w);
            for r in 2..5000 {
                write!(
                    w,
                    r#"<row r="{r}"><c r="A{r}" t="s"><v>{}</v></c></row>"#,
                    r % 190_000
                )
                .unwrap();
            }
        },
        &|w| {
            w.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="190000">"#).unwrap();
            for i in 0..190_000 {
                write!(w, "<si><t>{i:0>300}</t></si>").unwrap();
            }
            w.write_all(b"</sst>").unwrap();
        },
    );
    assert!(matches!(
        read_table(&fat, MAX).unwrap_err(),
        ImportError::TooManyRows { found: 1000, .. }
    ));

    // A zip of 150,000 tiny parts (its directory alone is what a reader holds): refused.
    // Written by a child process: the writer's own directory of 150,000 entries is not what
    // the bound is about, and would count in this process's peak.
    let parts = path(d, "parts.xlsx");
    let made = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "write_the_parts_fixture", "--ignored", "--quiet"])
        .env("PARTS_FIXTURE", &parts)
        .status()
        .unwrap();
    assert!(made.success() && parts.exists());
    let e = read_table(&parts, MAX).unwrap_err();
    assert!(e.to_string().contains("parts"), "{e}");

    let peak = peak_rss_mb();
    eprintln!("peak memory {peak} MB");
    assert!(peak < 100, "peak memory {peak} MB");
}

/// The zip of 150,000 tiny parts, written where `PARTS_FIXTURE` says; run by the bound test
/// as a child process.
#[test]
#[ignore = "a child process of an_import_reads_a_bounded_amount_whatever_the_file_holds"]
fn write_the_parts_fixture() {
    let Some(parts) = std::env::var_os("PARTS_FIXTURE") else {
        return;
    };
    let mut z = zip::ZipWriter::new(std::fs::File::create(parts).unwrap());
    let opt =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..150_000 {
        z.start_file(format!("p{i}"), opt).unwrap();
    }
    z.finish().unwrap();
}
