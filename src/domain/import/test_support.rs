//! Helpers shared by the importers' unit tests.

use std::path::{Path, PathBuf};

use super::{ParsedDocument, ParsedFile};

/// Reads a file from the shared corpus (`shared/corpus/…`, a sibling of the
/// repository checkout), or `None` when the corpus is not there. The
/// corpus is found by walking up from this source file, which works both
/// in the app crate (where `file!()` is relative to the manifest) and in a
/// scratch crate that includes this module by absolute path.
pub(super) fn shared_corpus_file(relative: &str) -> Option<Vec<u8>> {
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
