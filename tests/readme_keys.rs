//! The README's key table agrees with the keymap (`ui::action::ACTIONS`): every key the table
//! names is bound to an action, and every action's default keys are in the table.

use merchant_desk::ui::action::{parse_key, ACTIONS};
use merchant_desk::ui::keymap::KeyPat;

/// The keys of the README's `## Keys` table, one list per row.
fn readme_rows() -> Vec<Vec<KeyPat>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = text.split("\n## Keys").nth(1).expect("a Keys section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| key"))
        .map(|l| {
            let cell = l.trim_start_matches("| ").split(" |").next().unwrap();
            cell.replace(" or ", ", ")
                .replace(" / ", ", ")
                .split(", ")
                .flat_map(|k| k.split('/'))
                .map(|k| k.trim().trim_matches('`'))
                .filter(|k| !k.is_empty())
                .map(|k| parse_key(k).unwrap_or_else(|| panic!("README names {k:?}, not a key")))
                .collect()
        })
        .collect()
}

#[test]
fn the_readme_key_table_is_the_keymap() {
    let rows = readme_rows();
    assert!(rows.len() >= 8, "{rows:?}");
    let named: Vec<KeyPat> = rows.iter().flatten().copied().collect();
    for (action, _, name, keys, _) in ACTIONS {
        for k in *keys {
            assert!(
                named.contains(k),
                "README's key table lacks {} ({name}, {action:?})",
                k.label()
            );
        }
    }
    for k in &named {
        assert!(
            ACTIONS.iter().any(|e| e.3.contains(k)),
            "README names {} but no action has it",
            k.label()
        );
    }
}

#[test]
fn no_screen_declares_up_down_or_esc_itself() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ui/screens");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for word in ["KeyCode::Up", "KeyCode::Down", "KeyCode::Esc"] {
            assert!(
                !text.contains(word),
                "{} names {word}: use the keymap's layers (keymap::UP, is_back, ...)",
                path.display()
            );
        }
    }
}
