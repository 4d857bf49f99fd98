//! No screen binds Up, Down or Esc itself: moving and Back are the shared action vocabulary's
//! (`ui::action`, `keymap::keys(Action::Up)`), so `keys.toml` rebinds them everywhere at once
//! and no screen can drift from the others.

/// Every screen's source, with its path.
fn screen_sources() -> Vec<(std::path::PathBuf, String)> {
    std::fs::read_dir("src/ui/screens")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn no_screen_file_binds_up_down_or_esc_itself() {
    let enum_variant =
        regex::Regex::new(r"(?s)enum\s+\w+\s*\{[^}]*?\n\s*(Up|Down|Back|Esc|Escape)\s*[,\n(]")
            .unwrap();
    let own_keys = regex::Regex::new(
        r"KeyCode::(Up|Down|Esc)\b|keymap::(UP|DOWN|BACK)\b|key\((Up|Down|Esc)\)",
    )
    .unwrap();
    let mut found = Vec::new();
    for (p, text) in screen_sources() {
        if let Some(m) = enum_variant.captures(&text) {
            found.push(format!("{}: an enum declares {}", p.display(), &m[1]));
        }
        for (n, line) in text.lines().enumerate() {
            if own_keys.is_match(line) {
                found.push(format!("{}:{}: {}", p.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "screens binding keys of their own:\n{}",
        found.join("\n")
    );
}

/// The letters the shared vocabulary moves with (`j`/`k`, vi style) and asks for help with (`?`)
/// are never a screen's own: 申请记录 once took `k` for its kind filter, so `k` both moved up
/// and changed the kind.
#[test]
fn no_screen_takes_a_letter_of_the_shared_vocabulary() {
    let taken = regex::Regex::new(r"ch\('([jk?])'\)").unwrap();
    let mut found = Vec::new();
    for (p, text) in screen_sources() {
        for (n, line) in text.lines().enumerate() {
            if let Some(m) = taken.captures(line) {
                found.push(format!("{}:{}: '{}'", p.display(), n + 1, &m[1]));
            }
        }
    }
    assert!(
        found.is_empty(),
        "screens taking shared letters:\n{}",
        found.join("\n")
    );
}
