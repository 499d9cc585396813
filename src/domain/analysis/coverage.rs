//! The coverage counts the database keeps (`document_coverage`, migration 0016;
//! `code_coverage`, 0019), computed from the spans themselves. The database recounts
//! them in SQL after ordinary writes (`db::coverage::refresh`); an import, which holds
//! every excerpt of each new document in memory anyway, counts them here instead of
//! leaving a whole project for that recount.

use super::CodedExcerpt;

/// Everyone's view of a document: every excerpt of every set.
pub const EVERYONE: i64 = 0;

/// One `document_coverage` row: the code points covered by `view`'s excerpts in a
/// document (`view` is [`EVERYONE`] or a set: a coder's id, or -1 for consensus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ViewCoverage {
    pub document_id: i64,
    pub view: i64,
    pub coded: u64,
}

/// One `code_coverage` row: a set's excerpts with a code in a document, and the code
/// points they cover (overlaps once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CodeSetCoverage {
    pub document_id: i64,
    pub code_id: i64,
    pub set: i64,
    pub excerpts: u64,
    pub characters: u64,
}

/// The length of the union of half-open spans given in ascending order.
pub(super) fn union_of_sorted(spans: impl Iterator<Item = (i64, i64)>) -> u64 {
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for (start, end) in spans {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += (e - s).max(0) as u64;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += (e - s).max(0) as u64;
    }
    total
}

/// Every document's [`EVERYONE`] view and each set's own view that has an excerpt.
pub fn views(excerpts: &[CodedExcerpt]) -> Vec<ViewCoverage> {
    let mut spans: Vec<(i64, i64, i64, i64)> = excerpts
        .iter()
        .flat_map(|e| [EVERYONE, e.set].map(|view| (e.document_id, view, e.start, e.end)))
        .collect();
    spans.sort_unstable();
    spans
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .map(|run| ViewCoverage {
            document_id: run[0].0,
            view: run[0].1,
            coded: union_of_sorted(run.iter().map(|s| (s.2, s.3))),
        })
        .collect()
}

/// Every (document, code, set) with at least one excerpt.
pub fn code_sets(excerpts: &[CodedExcerpt]) -> Vec<CodeSetCoverage> {
    let mut spans: Vec<(i64, i64, i64, i64, i64)> = excerpts
        .iter()
        .flat_map(|e| {
            e.code_ids
                .iter()
                .map(|&code| (e.document_id, code, e.set, e.start, e.end))
        })
        .collect();
    spans.sort_unstable();
    spans
        .chunk_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2))
        .map(|run| CodeSetCoverage {
            document_id: run[0].0,
            code_id: run[0].1,
            set: run[0].2,
            excerpts: run.len() as u64,
            characters: union_of_sorted(run.iter().map(|s| (s.3, s.4))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(set: i64, document_id: i64, start: i64, end: i64, codes: &[i64]) -> CodedExcerpt {
        CodedExcerpt {
            id: 0,
            set,
            document_id,
            start,
            end,
            code_ids: codes.to_vec(),
        }
    }

    #[test]
    fn union_counts_overlaps_once_and_adjacent_spans_in_full() {
        let union = |spans: &[(i64, i64)]| union_of_sorted(spans.iter().copied());
        assert_eq!(union(&[(0, 10), (5, 15), (15, 20), (30, 31)]), 21);
        assert_eq!(union(&[(10, 20), (12, 14)]), 10);
        assert_eq!(union(&[(0, 10), (0, 4), (2, 12)]), 12);
        assert_eq!(union(&[]), 0);
    }

    /// Two coders and the consensus set in one document, an uncoded excerpt, a second
    /// document: each view and each (code, set) counted by hand.
    #[test]
    fn views_and_code_sets_count_each_set_on_its_own() {
        let excerpts = [
            excerpt(7, 1, 0, 10, &[100]),
            excerpt(7, 1, 5, 15, &[100, 200]),
            excerpt(8, 1, 12, 20, &[100]),
            excerpt(-1, 1, 30, 32, &[]),
            excerpt(8, 2, 0, 4, &[200]),
        ];
        assert_eq!(
            views(&excerpts),
            [
                ViewCoverage {
                    document_id: 1,
                    view: -1,
                    coded: 2
                },
                ViewCoverage {
                    document_id: 1,
                    view: EVERYONE,
                    coded: 22
                },
                ViewCoverage {
                    document_id: 1,
                    view: 7,
                    coded: 15
                },
                ViewCoverage {
                    document_id: 1,
                    view: 8,
                    coded: 8
                },
                ViewCoverage {
                    document_id: 2,
                    view: EVERYONE,
                    coded: 4
                },
                ViewCoverage {
                    document_id: 2,
                    view: 8,
                    coded: 4
                },
            ]
        );
        let row = |document_id, code_id, set, excerpts, characters| CodeSetCoverage {
            document_id,
            code_id,
            set,
            excerpts,
            characters,
        };
        assert_eq!(
            code_sets(&excerpts),
            [
                row(1, 100, 7, 2, 15),
                row(1, 100, 8, 1, 8),
                row(1, 200, 7, 1, 10),
                row(2, 200, 8, 1, 4),
            ]
        );
    }
}
