//! Words of the key bar, the help overlay and the palette.

use super::T;

// The words: assets/text/keys.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/keys.rs"));
