//! Looking across the coding: code co-occurrence (code × code) and crosstabs (code ×
//! document, code × attribute value). Pure arithmetic over coded spans; the service
//! reads the spans (through blind coding's rules) and renders nothing.

pub mod cooccurrence;
pub mod coverage;
pub mod crosstab;
pub mod digest;

#[cfg(test)]
mod tests;

/// The set key of the consensus set in [`CodedExcerpt::set`] (user ids are positive), as
/// the database's kept counts name it too (`coder_id` -1).
pub const CONSENSUS_SET: i64 = -1;

/// One excerpt as the analyses see it: whose set it belongs to, where it is, its codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedExcerpt {
    pub id: i64,
    /// The coding set: one coder's own excerpts, or the consensus set. Excerpts of
    /// different sets are never paired (co-occurrence describes one coding, not agreement).
    pub set: i64,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub code_ids: Vec<i64>,
}

impl CodedExcerpt {
    /// Whether the two half-open spans share at least one code point.
    pub fn overlaps(&self, other: &CodedExcerpt) -> bool {
        self.document_id == other.document_id && self.start < other.end && other.start < self.end
    }

    pub fn has(&self, code_id: i64) -> bool {
        self.code_ids.contains(&code_id)
    }
}
