//! Rows for the database layer's own tests: a plain document and a plain code, so each
//! test spells out only what it is about.

use super::codes::NewCode;
use super::documents::NewDocument;

/// A plain-text document of `text` (no turns, no source) in the project.
pub fn document(project_id: i64, text: &str) -> NewDocument<'_> {
    NewDocument {
        project_id,
        title: "T",
        external_id: None,
        source_name: "t.txt",
        source_format: "txt",
        text,
        length: text.chars().count() as i64,
        turn_count: 0,
        created_by: None,
    }
}

/// A top-level code of the project, grey, without description.
pub fn code(project_id: i64, name: &str) -> NewCode<'_> {
    NewCode {
        project_id,
        parent_id: None,
        name,
        color: "#888888",
        description: "",
    }
}
