//! Embeds the words of `assets/` at build time.
//!
//! `assets/text/<module>.toml` holds the screens' strings of `src/ui/text/<module>.rs` (`common`
//! for `mod.rs`): one table per string, `[NAME]` with `zh = "…"` and `en = "…"`. Each becomes
//! `pub const NAME: T = T("…", "…");` in `$OUT_DIR/text/<module>.rs`, which the module
//! `include!`s, so a word used in code and missing from the assets (or a table without both
//! languages) fails the build with the file and line.
//!
//! `assets/audit.toml` holds the audit log's vocabulary: tables (`[actions]`, `[fields]`, ...),
//! each entry `code = ["中文", "English"]`; each table becomes `AUDIT_<TABLE>`, a slice of
//! `(code, T)` sorted by code, in `$OUT_DIR/audit_words.rs`. `assets/words.toml` is the
//! vocabulary of coded values (functions, statuses, kinds, events) in the same form: each table
//! becomes `<TABLE>` in `$OUT_DIR/words.rs`, read by `ui::text::words`.
//!
//! The TOML read here is the subset these files use: tables, `key = "string"` and
//! `key = ["string", "string"]` with basic strings (escapes `\\ \" \n \t \uXXXX`), comments.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=assets");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    std::fs::create_dir_all(out.join("text")).expect("OUT_DIR is writable");
    let mut modules: Vec<_> = std::fs::read_dir("assets/text")
        .expect("assets/text exists")
        .map(|e| e.expect("assets/text is readable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    modules.sort();
    for path in modules {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("an asset is UTF-8");
        let tables = parse(&path, &text);
        let mut rs = String::new();
        for (name, line, entries) in &tables {
            let get = |lang: &str| {
                entries
                    .iter()
                    .find(|(k, _)| k == lang)
                    .and_then(|(_, v)| match v {
                        Value::Str(s) => Some(s.clone()),
                        Value::List(_) => None,
                    })
                    .unwrap_or_else(|| {
                        fail(&path, *line, &format!("[{name}] needs {lang} = \"...\""))
                    })
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                fail(
                    &path,
                    *line,
                    &format!("[{name}]: a name is UPPER_SNAKE_CASE"),
                );
            }
            writeln!(
                rs,
                "pub const {name}: T = T({:?}, {:?});",
                get("zh"),
                get("en")
            )
            .unwrap();
        }
        let module = path.file_stem().unwrap().to_string_lossy().to_string();
        write_if_changed(&out.join("text").join(format!("{module}.rs")), &rs);
    }

    vocabulary(
        Path::new("assets/audit.toml"),
        "AUDIT_",
        &out.join("audit_words.rs"),
    );
    vocabulary(Path::new("assets/words.toml"), "", &out.join("words.rs"));
}

/// A file of tables `[table]` with entries `code = ["中文", "English"]`: each table becomes a
/// static slice `<PREFIX><TABLE>` of `(code, T)` sorted by code (for a binary search).
fn vocabulary(path: &Path, prefix: &str, out: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tables = parse(path, &text);
    let mut rs = String::new();
    for (table, line, entries) in &tables {
        let konst = format!("{prefix}{}", table.to_ascii_uppercase());
        let mut entries: Vec<_> = entries.clone();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            fail(path, *line, &format!("[{table}]: {} twice", w[0].0));
        }
        writeln!(rs, "pub static {konst}: &[(&str, T)] = &[").unwrap();
        for (code, v) in entries {
            let Value::List(words) = v else {
                fail(path, *line, &format!("{code} = [\"中文\", \"English\"]"));
            };
            if words.len() != 2 {
                fail(
                    path,
                    *line,
                    &format!("{code}: two words, Chinese and English"),
                );
            }
            writeln!(rs, "    ({code:?}, T({:?}, {:?})),", words[0], words[1]).unwrap();
        }
        writeln!(rs, "];").unwrap();
    }
    write_if_changed(out, &rs);
}

#[derive(Clone)]
enum Value {
    Str(String),
    List(Vec<String>),
}

type Table = (String, usize, Vec<(String, Value)>);

fn fail(path: &Path, line: usize, what: &str) -> ! {
    panic!("{}:{line}: {what}", path.display());
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("OUT_DIR is writable");
    }
}

fn parse(path: &Path, text: &str) -> Vec<Table> {
    let mut tables: Vec<Table> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if tables.iter().any(|(t, _, _)| t == name) {
                fail(path, n, &format!("[{name}] twice"));
            }
            tables.push((name.to_string(), n, Vec::new()));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            fail(path, n, "expected key = value");
        };
        let key = key.trim().trim_matches('"').to_string();
        let Some(table) = tables.last_mut() else {
            fail(path, n, "a value before any [table]");
        };
        if table.2.iter().any(|(k, _)| *k == key) {
            fail(path, n, &format!("{key} twice in [{}]", table.0));
        }
        let value = value.trim();
        let parsed = if let Some(list) = value.strip_prefix('[') {
            let mut rest = list.trim_start();
            let mut items = Vec::new();
            loop {
                if let Some(r) = rest.strip_prefix(']') {
                    rest = r;
                    break;
                }
                let (s, r) = string(path, n, rest);
                items.push(s);
                rest = r.trim_start();
                rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
            }
            trailing(path, n, rest);
            Value::List(items)
        } else {
            let (s, rest) = string(path, n, value);
            trailing(path, n, rest);
            Value::Str(s)
        };
        table.2.push((key, parsed));
    }
    tables
}

fn trailing(path: &Path, n: usize, rest: &str) {
    let rest = rest.trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        fail(path, n, &format!("unexpected {rest:?} after the value"));
    }
}

/// A basic string at the start of `s`; returns it and what follows.
fn string<'a>(path: &Path, n: usize, s: &'a str) -> (String, &'a str) {
    let Some(body) = s.strip_prefix('"') else {
        fail(path, n, "a value is a \"string\"");
    };
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &body[i + 1..]),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('u') => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    let c = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or_else(|| fail(path, n, &format!("bad \\u{hex}")));
                    out.push(c);
                }
                other => fail(path, n, &format!("unknown escape \\{other:?}")),
            },
            c => out.push(c),
        }
    }
    fail(path, n, "a string that does not end");
}
