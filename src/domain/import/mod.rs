//! Transcript importers: bytes in, parsed documents out.
//!
//! Pure domain code: no filesystem, network or database. Every imported
//! document gets exactly one canonical text (NFC, LF line endings) that
//! never changes afterwards; every position is a half-open `[start, end)`
//! range of Unicode code points into it.
//!
//! For speaker-turn transcripts the canonical text is the turn bodies
//! joined by blank lines. Speaker labels and the separators after them are
//! not part of it (they live in [`ParsedTurn::speaker`]), nor is a header
//! (it becomes the title and attributes). Each turn covers its body
//! exactly, trimmed at both ends. Text before the first label stays as a
//! leading block that no turn covers.
//!
//! Formats: speaker-turn and plain text (`.txt`, `.md`), CSV data sets
//! with one interview per row (`.csv`, `.tsv`), WebVTT and SRT subtitles,
//! and Word `.docx`. Text is decoded from UTF-8, UTF-16 (with a
//! byte-order mark) or Windows-1252, and mojibake is repaired before
//! parsing, so offsets always refer to the repaired text.

mod canonical;
mod csv_dataset;
mod decode;
mod detect;
mod docx;
mod hard_wrap;
mod header;
mod labels;
pub mod limits;
mod mojibake;
mod plain;
mod roles;
mod speaker_turns;
mod subtitles;
mod timecode;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod test_support;

use std::fmt;

use serde::Serialize;

pub use csv_dataset::{CsvPreview, unbalanced_quote_line};
pub use roles::{SpeakerRole, default_role};

/// How to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    /// Repair mojibake (`â€“` → `–`) before parsing. On by default.
    pub repair_mojibake: bool,
    /// Which CSV columns hold the text and the id; guessed when `None`.
    pub csv: CsvColumns,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            repair_mojibake: true,
            csv: CsvColumns::default(),
        }
    }
}

/// CSV columns named by their header, as the researcher picked them in
/// the preview (see [`inspect_csv`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvColumns {
    /// The column with the transcript text.
    pub text_column: Option<String>,
    /// The column whose value becomes the title and external id.
    pub id_column: Option<String>,
}

/// The kind of file a [`ParsedFile`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Text with speaker labels (`.txt`, `.md`, pasted text).
    SpeakerText,
    /// Text without speaker labels.
    PlainText,
    /// One interview per CSV row.
    Csv,
    WebVtt,
    Srt,
    Docx,
}

/// One speaker turn: who spoke, and the code-point span of the body in the
/// document's canonical text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedTurn {
    pub speaker: String,
    pub start: usize,
    pub end: usize,
    /// When the turn started, if the source says (subtitles, timestamps).
    pub start_ms: Option<u64>,
    /// When the turn ended (subtitles only).
    pub end_ms: Option<u64>,
}

/// One imported document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedDocument {
    pub title: String,
    /// The id from the source (a CSV id column), for de-duplication.
    pub external_id: Option<String>,
    /// Header fields and extra CSV columns, in source order.
    pub attributes: Vec<(String, String)>,
    /// The canonical text: NFC, LF line endings, never changed after import.
    pub text: String,
    /// Sorted, non-overlapping turns; empty for plain text.
    pub turns: Vec<ParsedTurn>,
    /// The 1-based CSV data row the document came from.
    pub source_row: Option<usize>,
}

/// The result of importing one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedFile {
    pub file_name: String,
    pub format: SourceFormat,
    /// The encoding the bytes were read in (`UTF-8`, `UTF-16LE`, `windows-1252`, …).
    pub encoding: &'static str,
    pub documents: Vec<ParsedDocument>,
    /// How many mojibake sequences were repaired.
    pub repairs: usize,
    /// Human-readable remarks: skipped rows, re-flowed lines, repairs, …
    pub notes: Vec<String>,
}

/// Parses an uploaded file. The format comes from the extension (`.txt`,
/// `.md`, `.csv`, `.tsv`, `.vtt`, `.srt`, `.docx`); unknown extensions are
/// sniffed from the content.
pub fn parse_file(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    use detect::FileKind;
    let parsed = match detect::detect(file_name, bytes)? {
        FileKind::Text => plain::parse_text_file(file_name, bytes, options),
        FileKind::Delimited { delimiter } => {
            csv_dataset::parse_csv(file_name, bytes, delimiter, options)
        }
        FileKind::WebVtt => {
            subtitles::parse_subtitle_file(file_name, bytes, subtitles::Flavor::WebVtt, options)
        }
        FileKind::Srt => {
            subtitles::parse_subtitle_file(file_name, bytes, subtitles::Flavor::Srt, options)
        }
        FileKind::Docx => docx::parse_docx(file_name, bytes, options),
    }?;
    limits::check_file(&parsed)?;
    Ok(parsed)
}

/// Parses pasted text exactly like an uploaded `.txt` file. Without a
/// `title`, the header's title is used, else the first non-empty line
/// (shortened to about 120 characters).
pub fn parse_pasted_text(
    title: Option<&str>,
    text: &str,
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    let parsed = plain::parse_pasted_text(title, text, options)?;
    limits::check_file(&parsed)?;
    Ok(parsed)
}

/// A document whose speaker turns the caller already knows (exchange with other tools).
/// The text is stored exactly as given, so the caller's offsets stay valid; it must
/// therefore already be NFC with LF line endings. Turns must be non-empty, in order,
/// non-overlapping and inside the text.
pub fn with_explicit_turns(
    title: &str,
    text: &str,
    turns: Vec<ParsedTurn>,
) -> Result<ParsedFile, ImportError> {
    let file = title.to_owned();
    let fail = |reason: String| ImportError::ExplicitTurns {
        file: file.clone(),
        reason,
    };
    if text.trim().is_empty() {
        return Err(ImportError::NoText { file: file.clone() });
    }
    if text.contains('\r') || !unicode_normalization::is_nfc(text) {
        return Err(fail(
            "with explicit turns the text is stored exactly as sent, so send it in Unicode NFC with LF line endings (the offsets would otherwise shift)".into(),
        ));
    }
    let length = text.chars().count();
    let mut previous_end = 0;
    for (index, turn) in turns.iter().enumerate() {
        if turn.speaker.trim().is_empty() {
            return Err(fail(format!("turn {index} has no speaker")));
        }
        if turn.start >= turn.end || turn.end > length {
            return Err(fail(format!(
                "turn {index} spans [{}, {}), which is empty or outside the text of {length} characters",
                turn.start, turn.end
            )));
        }
        if turn.start < previous_end {
            return Err(fail(format!(
                "turn {index} starts before the previous turn ends; send turns in order without overlaps"
            )));
        }
        previous_end = turn.end;
    }
    let parsed = ParsedFile {
        file_name: title.to_owned(),
        format: if turns.is_empty() {
            SourceFormat::PlainText
        } else {
            SourceFormat::SpeakerText
        },
        encoding: "UTF-8",
        documents: vec![ParsedDocument {
            title: title.to_owned(),
            external_id: None,
            attributes: Vec::new(),
            text: text.to_owned(),
            turns,
            source_row: None,
        }],
        repairs: 0,
        notes: Vec::new(),
    };
    limits::check_file(&parsed)?;
    Ok(parsed)
}

/// Reads a CSV file's columns and rows for the import preview, with the
/// guessed text and id columns.
pub fn inspect_csv(file_name: &str, bytes: &[u8]) -> Result<CsvPreview, ImportError> {
    csv_dataset::inspect_csv(file_name, bytes, detect::delimiter_for(file_name))
}

/// Why a file could not be imported. Every message names the file, says
/// what is wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The file has no bytes.
    Empty { file: String },
    /// The file decodes, but holds nothing but whitespace.
    NoText { file: String },
    /// Binary content where text was expected.
    Binary { file: String, detail: String },
    /// A file type Gloss does not import; `advice` says what to do.
    Unsupported {
        file: String,
        kind: String,
        advice: String,
    },
    /// Bytes that are invalid in the file's encoding.
    Encoding { file: String, detail: String },
    /// A `.docx` file that cannot be read.
    Docx { file: String, reason: String },
    /// A problem in a CSV file; `row` is the 1-based data row (the header
    /// is row 0), `line` the 1-based line in the file.
    Csv {
        file: String,
        row: Option<u64>,
        line: Option<u64>,
        reason: String,
    },
    /// A CSV column the caller named does not exist.
    CsvColumn {
        file: String,
        column: String,
        available: Vec<String>,
    },
    /// A subtitle file without a single readable cue.
    NoCues { file: String },
    /// A subtitle cue whose timing line cannot be read (1-based line).
    BadCueTiming {
        file: String,
        line: usize,
        text: String,
    },
    /// Text sent with its own speaker turns that do not fit it.
    ExplicitTurns { file: String, reason: String },
    /// A document over one of the `limits` (`row`: its CSV data row, if any).
    Limit {
        file: String,
        row: Option<usize>,
        reason: String,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Empty { file } => write!(
                f,
                "“{file}” is empty (0 bytes). Check that you picked the right file and that it \
                 was saved completely."
            ),
            ImportError::NoText { file } => write!(
                f,
                "“{file}” contains no text to import. Check that the transcript is in the file."
            ),
            ImportError::Binary { file, detail } => write!(
                f,
                "“{file}” is not a text file: {detail}. Import transcripts as .txt, .md, .csv, \
                 .vtt, .srt or .docx."
            ),
            ImportError::Unsupported { file, kind, advice } => {
                write!(f, "“{file}” is {kind}, which Gloss cannot import. {advice}")
            }
            ImportError::Encoding { file, detail } => write!(
                f,
                "“{file}” cannot be read: {detail}. Open it in a text editor and save it as \
                 UTF-8, then import it again."
            ),
            ImportError::Docx { file, reason } => {
                write!(f, "“{file}” cannot be read as a Word document: {reason}.")
            }
            ImportError::Csv {
                file,
                row,
                line,
                reason,
            } => {
                write!(f, "“{file}”")?;
                match (row, line) {
                    (Some(0), Some(line)) => write!(f, ", header row (line {line})")?,
                    (Some(row), Some(line)) => write!(f, ", row {row} (line {line})")?,
                    (Some(row), None) => write!(f, ", row {row}")?,
                    (None, Some(line)) => write!(f, ", line {line}")?,
                    (None, None) => {}
                }
                write!(
                    f,
                    ": {reason}. Fix the file in a spreadsheet or text editor and import it again."
                )
            }
            ImportError::CsvColumn {
                file,
                column,
                available,
            } => write!(
                f,
                "“{file}” has no column named “{column}”. Pick one of: {}.",
                available.join(", ")
            ),
            ImportError::ExplicitTurns { file, reason } => write!(f, "“{file}”: {reason}."),
            ImportError::Limit { file, row, reason } => {
                write!(f, "“{file}”")?;
                if let Some(row) = row {
                    write!(f, ", row {row}")?;
                }
                write!(f, ": {reason}.")
            }
            ImportError::NoCues { file } => write!(
                f,
                "“{file}” contains no subtitle cues (lines such as \
                 “00:00:01.000 --> 00:00:04.000” followed by text). Check that it is a \
                 WebVTT or SRT file."
            ),
            ImportError::BadCueTiming { file, line, text } => write!(
                f,
                "“{file}”, line {line}: “{text}” is not a cue timing line Gloss can read \
                 (expected, for example, “00:00:01,000 --> 00:00:04,000”). Fix that line and \
                 import the file again; otherwise the cue's number, timing and text would \
                 end up in the previous speaker's turn."
            ),
        }
    }
}

impl std::error::Error for ImportError {}
