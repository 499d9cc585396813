//! Pure domain code: validated values, permissions, text and offsets, transcript
//! importers, agreement statistics and export formats. Nothing in here performs I/O or
//! knows about HTTP or SQL, so all of it is unit-tested directly.

pub mod agreement;
pub mod analysis;
pub mod chart;
pub mod codebook;
pub mod demo;
pub mod document_list;
pub mod export;
pub mod file_names;
pub mod import;
pub mod names;
pub mod refi;
pub mod role;
pub mod sample;
pub mod search;
pub mod spreadsheet;
pub mod text;
pub mod transcript;

pub use names::{Password, ProjectName, Username};
pub use role::Role;

/// A value that failed validation, with the field it belongs to and a message that tells
/// the user what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Invalid {}
