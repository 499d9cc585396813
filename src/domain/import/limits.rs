//! Limits on what one import may contain, checked after parsing and before anything is
//! stored, so an absurd file is refused with a message naming the limit instead of
//! making every later page that lists speakers or attributes slow.
//!
//! The limits sit far above real transcripts (a focus group has a few dozen speakers, a
//! three-hour interview about a thousand turns).

use super::{ImportError, ParsedDocument, ParsedFile};

/// Distinct speaker labels in one document.
pub const MAX_SPEAKERS_PER_DOCUMENT: usize = 1_000;
/// Speaker turns in one document.
pub const MAX_TURNS_PER_DOCUMENT: usize = 100_000;
/// Attributes (header fields, other CSV columns) of one document.
pub const MAX_ATTRIBUTES_PER_DOCUMENT: usize = 200;
/// Characters in an attribute's name.
pub const MAX_ATTRIBUTE_NAME_CHARS: usize = 200;
/// Characters in an attribute's value.
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 100_000;
/// Columns of a CSV data set.
pub const MAX_CSV_COLUMNS: usize = 500;

/// Checks every document of a parsed file against the limits.
pub fn check_file(file: &ParsedFile) -> Result<(), ImportError> {
    file.documents
        .iter()
        .try_for_each(|document| check_document(&file.file_name, document))
}

/// Checks one document against the limits.
pub fn check_document(file_name: &str, document: &ParsedDocument) -> Result<(), ImportError> {
    let over = |what: &str, limit: usize, found: usize| ImportError::Limit {
        file: file_name.to_owned(),
        row: document.source_row,
        reason: format!(
            "{found} {what}, more than the {limit} a document may have (split it into \
             several documents)"
        ),
    };
    if document.turns.len() > MAX_TURNS_PER_DOCUMENT {
        return Err(over(
            "speaker turns",
            MAX_TURNS_PER_DOCUMENT,
            document.turns.len(),
        ));
    }
    let mut speakers: Vec<&str> = document.turns.iter().map(|t| t.speaker.as_str()).collect();
    speakers.sort_unstable();
    speakers.dedup();
    if speakers.len() > MAX_SPEAKERS_PER_DOCUMENT {
        return Err(over(
            "distinct speaker labels",
            MAX_SPEAKERS_PER_DOCUMENT,
            speakers.len(),
        ));
    }
    if document.attributes.len() > MAX_ATTRIBUTES_PER_DOCUMENT {
        return Err(over(
            "attributes",
            MAX_ATTRIBUTES_PER_DOCUMENT,
            document.attributes.len(),
        ));
    }
    for (name, value) in &document.attributes {
        let (name_chars, value_chars) = (name.chars().count(), value.chars().count());
        if name_chars > MAX_ATTRIBUTE_NAME_CHARS || value_chars > MAX_ATTRIBUTE_VALUE_CHARS {
            return Err(ImportError::Limit {
                file: file_name.to_owned(),
                row: document.source_row,
                reason: format!(
                    "the attribute “{}” has a name of {name_chars} and a value of \
                     {value_chars} characters; names may have {MAX_ATTRIBUTE_NAME_CHARS} and \
                     values {MAX_ATTRIBUTE_VALUE_CHARS} at most",
                    name.chars().take(40).collect::<String>()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{ImportOptions, parse_file};
    use super::*;

    fn labels(count: usize) -> String {
        (0..count).map(|i| format!("Speaker{i}: x\n")).collect()
    }

    #[test]
    fn a_thousand_speakers_are_fine_one_more_is_not() {
        let options = ImportOptions::default();
        assert!(parse_file("ok.txt", labels(1_000).as_bytes(), &options).is_ok());
        let error = parse_file("crowd.txt", labels(1_001).as_bytes(), &options).unwrap_err();
        assert_eq!(
            error.to_string(),
            "“crowd.txt”: 1001 distinct speaker labels, more than the 1000 a document may \
             have (split it into several documents)."
        );
    }

    #[test]
    fn csv_rows_name_their_row_and_attribute_limits_hold() {
        let long_name = "n".repeat(MAX_ATTRIBUTE_NAME_CHARS + 1);
        let csv = format!("id,{long_name},text\na,v,User: hello there\n");
        let error = parse_file("notes.csv", csv.as_bytes(), &ImportOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("“notes.csv”, row 1: the attribute “nnn"),
            "{error}"
        );
        assert!(error.contains("a name of 201"), "{error}");
        let header: Vec<String> = (0..=MAX_CSV_COLUMNS).map(|i| format!("c{i}")).collect();
        let wide = format!("{},text\n", header.join(","));
        let error = parse_file("wide.csv", wide.as_bytes(), &ImportOptions::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("502 columns"), "{error}");
        assert!(error.contains("at most 500"), "{error}");
    }
}
