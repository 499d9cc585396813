//! Crosstabs: codes × columns, where a column is a set of documents (one document, or the
//! documents with one value of an attribute). Per cell:
//!
//! - `excerpts`: the excerpts with the code in the column's documents (every coding set's
//!   excerpts added);
//! - `documents`: the column's documents in which the code occurs at all (whoever coded
//!   it), so `documents / column size` is the share of documents, never above 1;
//! - `characters`: the code points coded with the code, each set's overlapping excerpts
//!   counted once (the length of their union), the sets added.
//!
//! A document may fall in several columns (an attribute with two values) or in none.

use std::collections::{BTreeMap, HashMap};

use super::{CodedExcerpt, coverage};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub excerpts: u64,
    pub documents: u64,
    pub characters: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Crosstab {
    /// How many documents each column holds.
    pub column_documents: Vec<u64>,
    /// `(code_id, column)` → counts; cells without any coding are absent.
    pub cells: BTreeMap<(i64, usize), Counts>,
}

impl Crosstab {
    pub fn counts(&self, code_id: i64, column: usize) -> Counts {
        self.cells
            .get(&(code_id, column))
            .copied()
            .unwrap_or_default()
    }

    /// The share of the column's documents in which the code occurs (0 for an empty column).
    pub fn share(&self, code_id: i64, column: usize) -> f64 {
        match self.column_documents.get(column).copied().unwrap_or(0) {
            0 => 0.0,
            size => self.counts(code_id, column).documents as f64 / size as f64,
        }
    }
}

/// One code in one document: its excerpts and coded characters, every set's added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DocumentCode {
    pub document_id: i64,
    pub code_id: i64,
    pub excerpts: u64,
    pub characters: u64,
}

/// [`DocumentCode`]s of `excerpts`, by document and code: what the database keeps in
/// `code_coverage` (summed over sets), computed from the spans themselves.
pub fn document_codes(excerpts: &[CodedExcerpt]) -> Vec<DocumentCode> {
    // Each set's counts, in (document, code, set) order, added up per (document, code).
    coverage::code_sets(excerpts)
        .chunk_by(|a, b| (a.document_id, a.code_id) == (b.document_id, b.code_id))
        .map(|run| DocumentCode {
            document_id: run[0].document_id,
            code_id: run[0].code_id,
            excerpts: run.iter().map(|c| c.excerpts).sum(),
            characters: run.iter().map(|c| c.characters).sum(),
        })
        .collect()
}

/// The crosstab of `counts` (one per document and code) over `columns` columns;
/// `columns_of` gives, for every document of the project, the columns it falls in
/// (documents without coding count towards their columns' sizes too).
pub fn crosstab(
    counts: &[DocumentCode],
    columns_of: &HashMap<i64, Vec<usize>>,
    columns: usize,
) -> Crosstab {
    let mut column_documents = vec![0u64; columns];
    for list in columns_of.values() {
        for &column in list.iter().filter(|c| **c < columns) {
            column_documents[column] += 1;
        }
    }
    let mut cells: BTreeMap<(i64, usize), Counts> = BTreeMap::new();
    for count in counts.iter().filter(|c| c.excerpts > 0) {
        let Some(list) = columns_of.get(&count.document_id) else {
            continue;
        };
        for &column in list.iter().filter(|c| **c < columns) {
            let cell = cells.entry((count.code_id, column)).or_default();
            cell.excerpts += count.excerpts;
            cell.documents += 1;
            cell.characters += count.characters;
        }
    }
    Crosstab {
        column_documents,
        cells,
    }
}

/// The excerpts behind one cell: those with `code_id` in any of `documents`, in reading
/// order.
pub fn cell_excerpts(
    excerpts: &[CodedExcerpt],
    code_id: i64,
    in_column: impl Fn(i64) -> bool,
) -> Vec<&CodedExcerpt> {
    let mut out: Vec<&CodedExcerpt> = excerpts
        .iter()
        .filter(|e| e.has(code_id) && in_column(e.document_id))
        .collect();
    out.sort_by_key(|e| (e.document_id, e.start, e.end, e.set, e.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(
        id: i64,
        set: i64,
        document_id: i64,
        span: (i64, i64),
        codes: &[i64],
    ) -> CodedExcerpt {
        CodedExcerpt {
            id,
            set,
            document_id,
            start: span.0,
            end: span.1,
            code_ids: codes.to_vec(),
        }
    }

    /// Documents 1 and 2 are "nurse", 3 is "teacher", 4 has both values, 5 none.
    #[test]
    fn attribute_columns_count_excerpts_documents_and_characters() {
        let columns_of: HashMap<i64, Vec<usize>> = [
            (1, vec![0]),
            (2, vec![0]),
            (3, vec![1]),
            (4, vec![0, 1]),
            (5, vec![]),
        ]
        .into_iter()
        .collect();
        let excerpts = [
            // Two overlapping excerpts by one coder: 15 characters, 2 excerpts.
            excerpt(1, 10, 1, (0, 10), &[7]),
            excerpt(2, 10, 1, (5, 15), &[7, 8]),
            // The same span by another coder adds its characters again.
            excerpt(3, 11, 1, (0, 10), &[7]),
            excerpt(4, 10, 3, (0, 4), &[7]),
            excerpt(5, 10, 4, (100, 103), &[8]),
            excerpt(6, 10, 5, (0, 50), &[7]),
        ];
        let t = crosstab(&document_codes(&excerpts), &columns_of, 2);
        assert_eq!(t.column_documents, vec![3, 2]);
        let nurse = t.counts(7, 0);
        assert_eq!(
            (nurse.excerpts, nurse.documents, nurse.characters),
            (3, 1, 25)
        );
        assert!((t.share(7, 0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            t.counts(7, 1),
            Counts {
                excerpts: 1,
                documents: 1,
                characters: 4
            }
        );
        // Document 4 counts under both of its values.
        assert_eq!(
            t.counts(8, 0),
            Counts {
                excerpts: 2,
                documents: 2,
                characters: 13
            }
        );
        assert_eq!(
            t.counts(8, 1),
            Counts {
                excerpts: 1,
                documents: 1,
                characters: 3
            }
        );
        // Document 5 is in no column: its coding is in no cell.
        assert_eq!(t.cells.len(), 4);
        assert_eq!(t.share(9, 0), 0.0);
    }

    #[test]
    fn an_empty_column_has_share_zero_and_cells_list_reading_order() {
        let t = crosstab(&[], &HashMap::new(), 1);
        assert_eq!((t.column_documents.clone(), t.share(1, 0)), (vec![0], 0.0));
        let excerpts = [
            excerpt(1, 10, 2, (5, 9), &[7]),
            excerpt(2, 10, 1, (9, 12), &[7]),
            excerpt(3, 10, 1, (0, 3), &[7, 8]),
            excerpt(4, 10, 3, (0, 3), &[7]),
        ];
        let ids: Vec<i64> = cell_excerpts(&excerpts, 7, |d| d != 3)
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![3, 2, 1]);
    }
}
