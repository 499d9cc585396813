//! Whether the tests run in CI, and what a test does without the optional data it needs:
//! the one rule the integration test binaries share (each includes this file with
//! `#[path]`). With `CI` set a missing browser or corpus fails the run, so a broken
//! install step cannot hide behind a green one; locally the test is skipped with a notice.

use std::path::Path;

/// `CI` set to anything but an empty string, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A file of the shared corpus (`shared/corpus/…`, a sibling of the checkout), or `None`
/// when it is missing outside CI (the test should then return); fails the test in CI.
#[allow(dead_code)] // not every binary that includes this file reads the corpus
pub fn shared_corpus_file(relative: &str) -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if in_ci() => panic!("{} is needed in CI: {e}", path.display()),
        Err(e) => {
            eprintln!("skipping: {} is not available ({e})", path.display());
            None
        }
    }
}
