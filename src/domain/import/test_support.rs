//! Helpers shared by the importers' unit tests.

use std::path::{Path, PathBuf};

use super::{ParsedDocument, ParsedFile};

/// Reads a file from the shared corpus (`shared/corpus/…`, a sibling of the
/// repository checkout), or `None` when the corpus is not there. The
/// corpus is found by walking up from the crate's manifest directory.
fn shared_corpus_file(relative: &str) -> Option<Vec<u8>> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let this_file = Path::new(file!());
    let source = if this_file.is_absolute() {
        this_file.to_path_buf()
    } else {
        manifest.join(this_file)
    };
    source
        .ancestors()
        .chain(manifest.ancestors())
        .map(|dir| dir.join("shared").join("corpus").join(relative))
        .find(|path| path.is_file())
        .and_then(|path| std::fs::read(path).ok())
}

/// A file of the shared corpus for a test that reads it, or `None` when the test is to be
/// skipped: without the corpus the test is skipped with a notice (`why_optional` says what
/// covers it meanwhile), except when `CI` is set, where it fails instead, so a CI run
/// cannot pass without the corpus tests having run.
pub(super) fn corpus_file_or_skip(relative: &str, why_optional: &str) -> Option<Vec<u8>> {
    shared_corpus_file(relative).or_else(|| {
        let ci = std::env::var("CI").ok();
        skip_unless_ci(relative, why_optional, ci.as_deref())
    })
}

/// The decision for a missing corpus file, given the value of `CI`: fail in CI, else skip.
fn skip_unless_ci(relative: &str, why_optional: &str, ci: Option<&str>) -> Option<Vec<u8>> {
    assert!(
        !in_ci(ci),
        "shared corpus file {relative} not found (CI={ci:?}): CI runs need shared/corpus \
         next to the checkout"
    );
    eprintln!("skipped: shared corpus file {relative} not found ({why_optional})");
    None
}

/// The rule for the `CI` variable, as in `tests/browser/harness.rs`: set to anything but
/// an empty string, `0` or `false`.
fn in_ci(ci: Option<&str>) -> bool {
    ci.is_some_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

#[test]
fn ci_means_the_variable_is_set_to_anything_but_empty_zero_or_false() {
    for off in [
        None,
        Some(""),
        Some(" "),
        Some("0"),
        Some("false"),
        Some(" false\n"),
    ] {
        assert!(!in_ci(off), "{off:?}");
    }
    for on in [Some("1"), Some("true"), Some("yes"), Some("01")] {
        assert!(in_ci(on), "{on:?}");
    }
}

#[test]
fn a_missing_corpus_file_is_skipped_outside_ci() {
    for ci in [None, Some(""), Some("0"), Some("false")] {
        assert_eq!(skip_unless_ci("nowhere/missing.txt", "a test", ci), None);
    }
}

#[test]
#[should_panic(expected = "shared corpus file nowhere/missing.txt not found")]
fn a_missing_corpus_file_fails_in_ci() {
    skip_unless_ci("nowhere/missing.txt", "a test", Some("1"));
}

/// The text a turn covers.
pub(super) fn turn_text(document: &ParsedDocument, index: usize) -> String {
    let turn = &document.turns[index];
    document
        .text
        .chars()
        .skip(turn.start)
        .take(turn.end.saturating_sub(turn.start))
        .collect()
}

/// The speakers of a document's turns, in order.
pub(super) fn speakers(document: &ParsedDocument) -> Vec<&str> {
    document
        .turns
        .iter()
        .map(|turn| turn.speaker.as_str())
        .collect()
}

/// The invariants every parsed document must keep: turns in range, sorted,
/// non-overlapping, non-empty and trimmed; text in canonical form.
pub(super) fn assert_document_invariants(document: &ParsedDocument) {
    let length = document.text.chars().count();
    let mut previous_end = 0;
    for (index, turn) in document.turns.iter().enumerate() {
        assert!(
            turn.start <= turn.end && turn.end <= length,
            "turn {index} {turn:?} out of range 0..{length} in {:?}",
            document.title
        );
        assert!(
            turn.start >= previous_end,
            "turn {index} overlaps the previous one in {:?}",
            document.title
        );
        previous_end = turn.end;
        let body = turn_text(document, index);
        assert!(
            !body.trim().is_empty(),
            "turn {index} is empty in {:?}",
            document.title
        );
        assert_eq!(
            body.trim(),
            body,
            "turn {index} is not trimmed in {:?}",
            document.title
        );
    }
    assert!(!document.text.contains('\r'), "CR in {:?}", document.title);
    assert_eq!(
        super::decode::to_nfc(&document.text),
        document.text.as_str(),
        "text of {:?} is not NFC",
        document.title
    );
}

/// [`assert_document_invariants`] for every document of a file.
pub(super) fn assert_file_invariants(file: &ParsedFile) {
    for document in &file.documents {
        assert_document_invariants(document);
    }
}
