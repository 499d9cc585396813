//! The reliability data behind a report, for an auditable export: one row
//! per unit and code, with each coder's 0/1 value.

use serde::Serialize;

use super::input::{AgreementInput, InputError, Prepared, UnitLevel};
use super::tally::UnitWalker;

/// `weight` identical units of `code` in `[start, end)` of `document`, and
/// each coder's value for them (index = coder).
///
/// Character level: a run of `weight = end − start` code points (one row
/// per code point would be millions of rows). Turn level: one turn, weight 1.
/// Document level: the whole document, weight 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReliabilityRow {
    pub code: usize,
    pub document: usize,
    pub start: u64,
    pub end: u64,
    pub weight: u64,
    pub values: Vec<u8>,
}

/// Every unit × code of `level`, by code, then document, then position
/// (turns in declared order). Every statistic of the level's report can be
/// recomputed from these rows.
pub fn reliability_rows(
    input: &AgreementInput,
    level: UnitLevel,
) -> Result<Vec<ReliabilityRow>, InputError> {
    let prep = Prepared::new(input)?;
    let mut rows = Vec::new();
    let mut walker = UnitWalker::default();
    for code in 0..prep.codes {
        let mut groups = prep.units.groups_of_code(code).peekable();
        for document in 0..prep.doc_lens.len() {
            let group = groups.next_if(|group| group.document == document);
            walker.walk(&prep, level, document, group, |span, weight, with| {
                let mut values = vec![0u8; prep.coders];
                for &coder in with {
                    values[coder] = 1;
                }
                rows.push(ReliabilityRow {
                    code,
                    document,
                    start: span.start,
                    end: span.end,
                    weight,
                    values,
                });
            });
        }
    }
    Ok(rows)
}
