//! The API's answers that tests read most, as typed values: an excerpt, a document, a code,
//! a page of a list, and the error body. Unknown fields are ignored, so a test that checks
//! the exact JSON shape (the contract) reads the raw `Value` instead.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `GET /excerpts/{id}` and every list or create of excerpts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Excerpt {
    pub id: i64,
    pub document_id: i64,
    /// Code points into the document's text, `[start, end)`.
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub code_ids: Vec<i64>,
    pub memo: String,
    pub coder: String,
    pub consensus: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /documents/{id}`: the document with its text and turns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Document {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub external_id: Option<String>,
    pub source_name: String,
    pub source_format: String,
    /// In code points.
    pub length: usize,
    pub turn_count: usize,
    pub text: String,
    pub turns: Vec<Turn>,
    pub attributes: BTreeMap<String, String>,
}

impl Document {
    /// The text a turn covers (code points `[start, end)`).
    pub fn turn_text(&self, index: usize) -> String {
        let turn = &self.turns[index];
        slice_code_points(&self.text, turn.start, turn.end)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Turn {
    pub speaker: String,
    pub role: String,
    pub start: usize,
    pub end: usize,
    pub start_time: Option<f64>,
    pub end_time: Option<f64>,
}

/// An entry of `GET /projects/{id}/documents`: a document without its text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListedDocument {
    pub id: i64,
    pub title: String,
    pub source_name: String,
    pub turn_count: usize,
    pub attributes: BTreeMap<String, String>,
    /// Characters covered by at least one excerpt the caller may see.
    pub coded: usize,
}

/// A member of a project, as `GET /projects/{id}/members` lists them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Member {
    pub username: String,
    pub role: String,
}

/// A speaker label of `GET /projects/{id}/speakers`, with the role its turns have.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Speaker {
    pub label: String,
    pub role: String,
}

/// The answer to an import (`POST /projects/{id}/documents`): what was created, read and
/// skipped.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Imported {
    /// The new document's id when exactly one was created.
    pub id: Option<i64>,
    pub documents: Vec<ImportedDocument>,
    pub files: Vec<ImportedFile>,
    pub skipped: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportedDocument {
    pub id: i64,
    pub title: String,
    /// The number of speaker turns.
    pub turns: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ImportedFile {
    pub name: String,
    pub format: String,
    /// Documents created from this file, and their turns.
    pub documents: usize,
    pub turns: usize,
    /// Documents of this file skipped as duplicates.
    pub skipped: usize,
    /// Garbled character sequences repaired.
    pub repairs: usize,
}

/// A code of the codebook, with the usage counts the caller may see.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Code {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
    pub depth: usize,
    pub color: String,
    pub description: String,
    pub excerpts_mine: i64,
    pub excerpts_all: i64,
}

/// One page of any list endpoint: `{"<things>": [...], "next_cursor": "…" | null}`, the
/// items read from whichever of the lists' keys the answer has.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    #[serde(
        alias = "codes",
        alias = "documents",
        alias = "events",
        alias = "excerpts",
        alias = "members",
        alias = "projects",
        alias = "speakers",
        alias = "tokens",
        alias = "users"
    )]
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The body of every error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// Reads `body` as a `T`, failing the test with the body when it does not fit.
pub fn parse<T: DeserializeOwned>(body: &Value) -> T {
    serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("not a {}: {e}\n{body}", std::any::type_name::<T>()))
}

/// The error of an error answer; its message must say something.
pub fn error_of(body: &Value) -> ErrorDetail {
    let ErrorBody { error } = parse(body);
    assert!(
        !error.message.is_empty(),
        "an error explains itself: {body}"
    );
    error
}

/// The code points `[start, end)` of `text`.
pub fn slice_code_points(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// The code-point span of the first occurrence of `needle` in `text`.
pub fn span_of(text: &str, needle: &str) -> (usize, usize) {
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the text"));
    let start = text[..byte].chars().count();
    (start, start + needle.chars().count())
}
