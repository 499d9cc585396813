//! CSV data sets with one interview per row (such as the Anthropic
//! Interviewer corpus: `transcript_id,text`, quoted fields spanning many
//! lines).
//!
//! The text column and the id column come from the caller or are guessed:
//! the text column is the one with the longest average content; the id
//! column is one named like an id or title (`id`, `transcript_id`, `name`,
//! `title`, …) whose values are all present and unique. Each row's text is
//! parsed exactly like a `.txt` file; the id becomes the title and
//! `external_id` (else the header's title, else `Row N`); every other
//! non-empty column becomes an attribute.
//!
//! A row whose text cell is empty is skipped with a note rather than
//! failing the whole import: a data set with one blank row is still worth
//! importing, and the note tells the researcher which row is missing.
//! Structural problems (a row with the wrong number of fields, invalid
//! UTF-8 in a file that is otherwise UTF-8) fail the import and name the
//! row, because they mean the file was damaged and later rows cannot be
//! trusted.

use std::collections::HashSet;

use csv::{ByteRecord, ErrorKind, ReaderBuilder, StringRecord};
use serde::Serialize;

use super::decode;
use super::plain;
use super::{CsvColumns, ImportError, ImportOptions, ParsedDocument, ParsedFile, SourceFormat};

/// What the import preview shows about a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvPreview {
    /// Column names from the header row, in order.
    pub columns: Vec<String>,
    pub guessed_text_column: Option<String>,
    pub guessed_id_column: Option<String>,
    /// Data rows, not counting the header.
    pub row_count: usize,
}

/// Column names that suggest an identifier or title, after lower-casing
/// and replacing non-alphanumerics with `_`; `…_id` and `id_…` also count.
const ID_COLUMN_NAMES: [&str; 14] = [
    "id",
    "name",
    "title",
    "key",
    "code",
    "uuid",
    "file",
    "filename",
    "file_name",
    "document",
    "transcript",
    "interview",
    "participant",
    "respondent",
];

/// A decoded and parsed CSV table.
struct Table {
    columns: Vec<String>,
    rows: Vec<Row>,
    encoding: &'static str,
    repairs: usize,
    notes: Vec<String>,
}

/// A data row and where it was in the file.
struct Row {
    /// 1-based data row number (the header is row 0).
    number: usize,
    record: StringRecord,
}

/// Imports every row of a CSV file as a document.
pub(super) fn parse_csv(
    file_name: &str,
    bytes: &[u8],
    delimiter: u8,
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    let table = read_table(file_name, bytes, delimiter, options.repair_mojibake)?;
    let (text_column, id_column) = resolve_columns(file_name, &table, &options.csv)?;
    let mut notes = table.notes.clone();
    if id_column.is_none() {
        notes.extend(unusable_id_note(&table, text_column));
    }
    let mut documents = Vec::with_capacity(table.rows.len());
    let mut unwrapped_lines = 0;
    let mut empty_turns = 0;
    for row in &table.rows {
        let id = id_column.and_then(|column| cell(&row.record, column));
        let text = row.record.get(text_column).unwrap_or_default();
        if text.trim().is_empty() {
            notes.push(skipped_row_note(row.number, id));
            continue;
        }
        let parsed = plain::parse_text(text);
        unwrapped_lines += parsed.unwrapped_lines;
        empty_turns += parsed.empty_turns;
        let mut document =
            parsed.into_document(id.map(str::to_owned), |_| format!("Row {}", row.number));
        let mut attributes = other_columns(&table.columns, &row.record, text_column, id_column);
        attributes.append(&mut document.attributes);
        documents.push(ParsedDocument {
            external_id: id.map(str::to_owned),
            attributes,
            source_row: Some(row.number),
            ..document
        });
    }
    if documents.is_empty() {
        return Err(ImportError::NoText {
            file: file_name.to_owned(),
        });
    }
    notes.extend(aggregate_notes(unwrapped_lines, empty_turns));
    notes.extend(plain::repair_note(table.repairs));
    Ok(ParsedFile {
        file_name: file_name.to_owned(),
        format: SourceFormat::Csv,
        encoding: table.encoding,
        documents,
        repairs: table.repairs,
        notes,
    })
}

/// Reads a CSV file for the import preview.
pub(super) fn inspect_csv(
    file_name: &str,
    bytes: &[u8],
    delimiter: u8,
) -> Result<CsvPreview, ImportError> {
    let table = read_table(file_name, bytes, delimiter, true)?;
    let text_column = guess_text_column(&table);
    let id_column = text_column.and_then(|text| guess_id_column(&table, text));
    let name = |column: Option<usize>| column.map(|index| table.columns[index].clone());
    Ok(CsvPreview {
        guessed_text_column: name(text_column),
        guessed_id_column: name(id_column),
        row_count: table.rows.len(),
        columns: table.columns,
    })
}

/// Decodes the whole file, brings it into canonical form (line endings,
/// mojibake, NFC: none of these touch the ASCII quotes and delimiters, so
/// doing it before splitting is safe and fast) and splits it into rows.
fn read_table(
    file_name: &str,
    bytes: &[u8],
    delimiter: u8,
    repair_mojibake: bool,
) -> Result<Table, ImportError> {
    let decoded = decode::decode_bytes(file_name, bytes)?;
    if decoded.damaged_utf8_at.is_some() {
        return Err(locate_invalid_utf8(file_name, bytes, delimiter));
    }
    let notes = plain::encoding_notes(&decoded);
    let (text, repairs) = decode::canonical_form(&decoded.text, repair_mojibake);
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| csv_error(file_name, &error))?;
    let columns = column_names(header);
    if columns.len() > super::limits::MAX_CSV_COLUMNS {
        return Err(ImportError::Csv {
            file: file_name.to_owned(),
            row: Some(0),
            line: Some(1),
            reason: format!(
                "the header has {} columns, and a data set may have at most {} (each column \
                 becomes an attribute)",
                columns.len(),
                super::limits::MAX_CSV_COLUMNS
            ),
        });
    }
    if let Some((first, second)) = repeated_column(&columns) {
        return Err(ImportError::Csv {
            file: file_name.to_owned(),
            row: Some(0),
            line: Some(1),
            reason: format!(
                "columns {} and {} are both called “{}”, and each column becomes an \
                 attribute of that name (rename one)",
                first + 1,
                second + 1,
                columns[first]
            ),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| csv_error(file_name, &error))?;
        rows.push(Row {
            number: rows.len() + 1,
            record,
        });
    }
    // The csv reader accepts unbalanced quotes silently: a quote never closed swallows
    // every later line into one field, and text after a closing quote is glued onto the
    // field (so a stray quote further down "closes" an unclosed one and one row swallows
    // the next). Either means the file is damaged; name the row instead of guessing.
    if let Some(problem) = quote_problem(&text, delimiter) {
        return Err(quote_error(file_name, &text, delimiter, &rows, problem));
    }
    Ok(Table {
        columns,
        rows,
        encoding: decoded.encoding.name(),
        repairs,
        notes,
    })
}

/// Where a CSV text's quoting goes wrong (RFC 4180: a quote opens a quoted field only at
/// the start of a field, `""` inside one is a literal quote, and the closing quote is
/// followed by a delimiter or the end of the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteProblem {
    /// The quoted field that opens at byte `open` is never closed.
    Unclosed { open: usize },
    /// The quoted field that opens at byte `open` closes at byte `close`, and more text
    /// follows on that line.
    TextAfterClose { open: usize, close: usize },
}

/// The line (from 1) where a quoted field starts that is never closed or is followed by
/// more text after its closing quote, if the CSV text has one (for other CSV readers, such
/// as the codebook's, which the csv crate would otherwise let swallow the following rows).
pub fn unbalanced_quote_line(text: &str, delimiter: u8) -> Option<usize> {
    let open = match quote_problem(text, delimiter)? {
        QuoteProblem::Unclosed { open } | QuoteProblem::TextAfterClose { open, .. } => open,
    };
    Some(
        text.as_bytes()[..open]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
}

fn quote_problem(text: &str, delimiter: u8) -> Option<QuoteProblem> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted {
            open: usize,
        },
        /// A quote inside a quoted field: the closing one, or the first of `""`.
        QuoteInQuoted {
            open: usize,
            close: usize,
        },
        AfterClose {
            open: usize,
            close: usize,
        },
    }
    let mut state = State::FieldStart;
    for (at, byte) in text.bytes().enumerate() {
        let ends_field = byte == delimiter || byte == b'\n';
        state = match state {
            State::FieldStart | State::Unquoted if ends_field => State::FieldStart,
            State::FieldStart if byte == b'"' => State::Quoted { open: at },
            State::FieldStart | State::Unquoted => State::Unquoted,
            State::Quoted { open } if byte == b'"' => State::QuoteInQuoted { open, close: at },
            State::Quoted { open } => State::Quoted { open },
            State::QuoteInQuoted { open, .. } if byte == b'"' => State::Quoted { open },
            State::QuoteInQuoted { open, close } | State::AfterClose { open, close } => {
                if ends_field {
                    State::FieldStart
                } else if matches!(byte, b' ' | b'\t' | b'\r') {
                    State::AfterClose { open, close }
                } else {
                    return Some(QuoteProblem::TextAfterClose { open, close });
                }
            }
        };
    }
    match state {
        State::Quoted { open } => Some(QuoteProblem::Unclosed { open }),
        _ => None,
    }
}

/// A quoting problem as an import error naming the row (and line) where the quoted field
/// starts.
fn quote_error(
    file_name: &str,
    text: &str,
    delimiter: u8,
    rows: &[Row],
    problem: QuoteProblem,
) -> ImportError {
    let open = match problem {
        QuoteProblem::Unclosed { open } | QuoteProblem::TextAfterClose { open, .. } => open,
    };
    let line_of = |at: usize| {
        text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    };
    // Rows are in file order; the header is row 0.
    let row = rows.partition_point(|row| {
        row.record
            .position()
            .is_some_and(|position| position.byte() as usize <= open)
    });
    let reason = match problem {
        QuoteProblem::Unclosed { .. } => "a quoted field that starts in this row is never \
                                           closed, so every line after it would become part \
                                           of it (add the closing quote)"
            .to_owned(),
        QuoteProblem::TextAfterClose { close, .. } => {
            let rest = &text[close + 1..];
            let after: String = rest
                .split(['\n', char::from(delimiter)])
                .next()
                .unwrap_or_default()
                .trim()
                .chars()
                .take(30)
                .collect();
            format!(
                "the quoted field that starts in this row ends at a quote on line {} that \
                 is followed by more text (“{after}”); a quote is missing here or the \
                 field contains a quote that is not doubled (\"\"), so rows would run \
                 into each other",
                line_of(close)
            )
        }
    };
    ImportError::Csv {
        file: file_name.to_owned(),
        row: Some(row as u64),
        line: Some(line_of(open) as u64),
        reason,
    }
}

/// The first two columns with the same name, by index.
fn repeated_column(columns: &[String]) -> Option<(usize, usize)> {
    columns.iter().enumerate().find_map(|(second, name)| {
        let first = columns[..second].iter().position(|c| c == name)?;
        Some((first, second))
    })
}

/// Header names, trimmed; blank ones become `Column N`.
fn column_names(header: &StringRecord) -> Vec<String> {
    header
        .iter()
        .enumerate()
        .map(|(index, name)| match name.trim() {
            "" => format!("Column {}", index + 1),
            name => name.to_owned(),
        })
        .collect()
}

/// A UTF-8 file with invalid bytes: finds the row that holds them, so the
/// researcher can fix that row instead of getting a garbled import.
fn locate_invalid_utf8(file_name: &str, bytes: &[u8], delimiter: u8) -> ImportError {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(bytes);
    let mut record = ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                if record
                    .iter()
                    .all(|field| std::str::from_utf8(field).is_ok())
                {
                    continue;
                }
                let position = record.position();
                return ImportError::Csv {
                    file: file_name.to_owned(),
                    row: position.map(csv::Position::record),
                    line: position.map(csv::Position::line),
                    reason: "this row contains bytes that are not valid UTF-8 while the rest \
                             of the file is UTF-8 (the row may have been pasted from another \
                             program)"
                        .to_owned(),
                };
            }
            Ok(false) => break,
            Err(error) => return csv_error(file_name, &error),
        }
    }
    ImportError::Csv {
        file: file_name.to_owned(),
        row: None,
        line: None,
        reason: "the file is UTF-8 but contains invalid bytes".to_owned(),
    }
}

/// A `csv` error as an import error naming the row and line.
fn csv_error(file_name: &str, error: &csv::Error) -> ImportError {
    let (position, reason) = match error.kind() {
        ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => (
            pos.as_ref(),
            format!(
                "this row has {len} field(s) but the header has {expected_len} \
                 (check for a missing or extra delimiter, or an unclosed quote)"
            ),
        ),
        ErrorKind::Utf8 { pos, .. } => (pos.as_ref(), "this row is not valid UTF-8".to_owned()),
        _ => (error.position(), error.to_string()),
    };
    ImportError::Csv {
        file: file_name.to_owned(),
        row: position.map(csv::Position::record),
        line: position.map(csv::Position::line),
        reason,
    }
}

/// The text and id columns: the caller's choice, else the guesses.
fn resolve_columns(
    file_name: &str,
    table: &Table,
    requested: &CsvColumns,
) -> Result<(usize, Option<usize>), ImportError> {
    let text = match &requested.text_column {
        Some(name) => find_column(file_name, &table.columns, name)?,
        None => guess_text_column(table).ok_or_else(|| ImportError::NoText {
            file: file_name.to_owned(),
        })?,
    };
    let id = match &requested.id_column {
        Some(name) => Some(find_column(file_name, &table.columns, name)?),
        None => guess_id_column(table, text),
    };
    if id == Some(text) {
        return Err(ImportError::Csv {
            file: file_name.to_owned(),
            row: None,
            line: None,
            reason: format!(
                "the column “{}” was chosen both as the text and as the id column",
                table.columns[text]
            ),
        });
    }
    Ok((text, id))
}

/// A column by name: exact match first, then ignoring case and spaces.
fn find_column(file_name: &str, columns: &[String], name: &str) -> Result<usize, ImportError> {
    columns
        .iter()
        .position(|column| column == name)
        .or_else(|| {
            columns
                .iter()
                .position(|column| column.trim().eq_ignore_ascii_case(name.trim()))
        })
        .ok_or_else(|| ImportError::CsvColumn {
            file: file_name.to_owned(),
            column: name.to_owned(),
            available: columns.to_vec(),
        })
}

/// The column with the longest average content; ties go to the leftmost.
/// Without data rows there is nothing to measure, so the first column.
fn guess_text_column(table: &Table) -> Option<usize> {
    if table.columns.is_empty() {
        return None;
    }
    let mut totals = vec![0usize; table.columns.len()];
    for row in &table.rows {
        for (total, field) in totals.iter_mut().zip(row.record.iter()) {
            *total += field.trim().len();
        }
    }
    // Every column has the same row count, so totals rank like averages.
    let best = totals.iter().copied().max().unwrap_or(0);
    totals.iter().position(|&total| total == best)
}

/// The leftmost id-like column (other than the text column) whose values
/// are all present and unique.
fn guess_id_column(table: &Table, text_column: usize) -> Option<usize> {
    (0..table.columns.len())
        .filter(|&column| column != text_column && is_id_like(&table.columns[column]))
        .find(|&column| has_unique_values(table, column))
}

/// Says why an id-like column was not used as the documents' ids: rows are then titled
/// "Row N", and importing the file again would not be recognised as a duplicate.
fn unusable_id_note(table: &Table, text_column: usize) -> Option<String> {
    let column = (0..table.columns.len())
        .find(|&column| column != text_column && is_id_like(&table.columns[column]))?;
    Some(format!(
        "The column “{}” has repeated or empty values, so it is kept as an attribute rather \
         than used as the documents' ids: rows are titled “Row N”, and importing this file \
         again would not be recognised as a duplicate. Name another id column to choose one.",
        table.columns[column]
    ))
}

fn is_id_like(name: &str) -> bool {
    let normalized: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let normalized = normalized.trim_matches('_');
    ID_COLUMN_NAMES.contains(&normalized)
        || normalized.ends_with("_id")
        || normalized.starts_with("id_")
}

fn has_unique_values(table: &Table, column: usize) -> bool {
    let mut seen = HashSet::with_capacity(table.rows.len());
    table
        .rows
        .iter()
        .all(|row| cell(&row.record, column).is_some_and(|value| seen.insert(value)))
}

/// A trimmed, non-empty cell.
fn cell(record: &StringRecord, column: usize) -> Option<&str> {
    record
        .get(column)
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// Every non-empty cell outside the text and id columns, as an attribute.
fn other_columns(
    columns: &[String],
    record: &StringRecord,
    text_column: usize,
    id_column: Option<usize>,
) -> Vec<(String, String)> {
    columns
        .iter()
        .enumerate()
        .filter(|&(index, _)| index != text_column && Some(index) != id_column)
        .filter_map(|(index, name)| {
            cell(record, index).map(|value| (name.clone(), value.to_owned()))
        })
        .collect()
}

fn skipped_row_note(row: usize, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("Row {row} ({id}) was skipped: its text cell is empty."),
        None => format!("Row {row} was skipped: its text cell is empty."),
    }
}

fn aggregate_notes(unwrapped_lines: usize, empty_turns: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if unwrapped_lines > 0 {
        notes.push(format!(
            "Joined {unwrapped_lines} hard-wrapped line(s) back into paragraphs."
        ));
    }
    if empty_turns > 0 {
        notes.push(format!(
            "Skipped {empty_turns} speaker label(s) with no text after them."
        ));
    }
    notes
}

#[cfg(test)]
mod tests;
