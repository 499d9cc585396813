//! What an import did: shown to the user afterwards, returned by the API, and kept in the
//! audit log so the summary page can be shown again.

use serde::{Deserialize, Serialize};

/// What an import did, shown to the user afterwards and returned by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Identifies this import; its summary can be shown again later.
    pub import_id: i64,
    pub documents: Vec<ImportedDocument>,
    pub files: Vec<FileSummary>,
    pub skipped: Vec<SkippedDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportedDocument {
    pub id: i64,
    pub title: String,
    pub external_id: Option<String>,
    pub length: usize,
    pub turns: usize,
    pub attributes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FileSummary {
    pub name: String,
    pub format: String,
    pub encoding: String,
    pub documents: usize,
    pub turns: usize,
    pub speakers: Vec<String>,
    pub attributes: Vec<String>,
    pub repairs: usize,
    pub notes: Vec<String>,
    /// Documents of this file that were not created (duplicates); `documents` and `turns`
    /// count only what was created, like the summary's headline.
    #[serde(default)]
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkippedDocument {
    pub file: String,
    pub title: String,
    pub external_id: Option<String>,
    pub reason: String,
}

impl FileSummary {
    /// Takes one skipped document (with its turns) off the created counts.
    pub fn count_skipped(&mut self, turns: usize) {
        self.documents -= 1;
        self.turns -= turns;
        self.skipped += 1;
    }

    /// How the file was read, in words.
    pub fn format_label(&self) -> &'static str {
        match self.format.as_str() {
            "speaker_text" => "transcript with speakers",
            "plain_text" => "plain text",
            "csv" => "CSV data set",
            "webvtt" => "WebVTT subtitles",
            "srt" => "SRT subtitles",
            "docx" => "Word document",
            _ => "file",
        }
    }
}

impl ImportSummary {
    pub fn turns(&self) -> usize {
        self.documents.iter().map(|d| d.turns).sum()
    }

    pub fn repairs(&self) -> usize {
        self.files.iter().map(|f| f.repairs).sum()
    }
}
