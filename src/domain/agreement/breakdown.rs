//! Agreement per document and coder pair: which interview, and which pair of coders,
//! drives disagreement. Each figure is the pooled statistic (all codes stacked, spec §2)
//! of one document for two coders, exactly as if the report had been asked for that
//! document and those two coders alone.

use serde::Serialize;

use super::input::{AgreementInput, Coding, InputError, UnitLevel};
use super::report::pooled_only;
use super::stat::Stat;

/// One document and one pair of coders (indices into the input's coders).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentPair {
    pub document: usize,
    pub first: usize,
    pub second: usize,
    /// Pooled units: the document's units at the level × codes.
    pub units: u64,
    pub percent_agreement: Stat,
    pub alpha: Stat,
}

/// Every (document, coder pair) of the input, documents in input order, pairs in coder
/// order. Spans are validated as `compute` validates them.
pub fn by_document_and_pair(
    input: &AgreementInput,
    level: UnitLevel,
) -> Result<Vec<DocumentPair>, InputError> {
    let coders = input
        .codings
        .iter()
        .map(|c| c.coder + 1)
        .max()
        .unwrap_or(0)
        .max(input.coders);
    let mut by_document: Vec<Vec<Coding>> = vec![Vec::new(); input.documents.len()];
    for coding in &input.codings {
        if let Some(list) = by_document.get_mut(coding.document) {
            list.push(*coding);
        }
    }
    let mut rows = Vec::new();
    for (document, codings) in by_document.iter().enumerate() {
        for first in 0..coders {
            for second in first + 1..coders {
                let pair_codings = codings
                    .iter()
                    .filter(|c| c.coder == first || c.coder == second)
                    .map(|c| Coding {
                        coder: usize::from(c.coder == second),
                        document: 0,
                        ..*c
                    })
                    .collect();
                let single = AgreementInput {
                    documents: vec![input.documents[document].clone()],
                    coders: 2,
                    codes: input.codes,
                    codings: pair_codings,
                };
                let pooled = pooled_only(&single, level)?;
                rows.push(DocumentPair {
                    document,
                    first,
                    second,
                    units: pooled.units,
                    percent_agreement: pooled.percent_agreement,
                    alpha: pooled.krippendorff.alpha,
                });
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::{DocumentInput, compute};

    fn coding(coder: usize, code: usize, document: usize, start: u64, end: u64) -> Coding {
        Coding {
            coder,
            code,
            document,
            start,
            end,
        }
    }

    /// AGREEMENT.md §8's worked example (D1, D2; coders a, b; codes X, Y).
    fn worked_example() -> AgreementInput {
        AgreementInput {
            documents: vec![
                DocumentInput {
                    len: 20,
                    turns: vec![(0, 8), (8, 14), (14, 20)],
                },
                DocumentInput {
                    len: 10,
                    turns: vec![(0, 5), (5, 10)],
                },
            ],
            coders: 2,
            codes: 2,
            codings: vec![
                coding(0, 0, 0, 2, 10),
                coding(0, 0, 0, 16, 19),
                coding(0, 1, 0, 0, 4),
                coding(0, 0, 1, 0, 3),
                coding(1, 0, 0, 4, 10),
                coding(1, 0, 0, 17, 20),
                coding(1, 1, 0, 12, 14),
                coding(1, 0, 1, 0, 2),
                coding(1, 0, 1, 1, 3),
            ],
        }
    }

    #[test]
    fn each_document_is_reported_as_if_alone() {
        let input = worked_example();
        let rows = by_document_and_pair(&input, UnitLevel::Character).unwrap();
        assert_eq!(rows.len(), 2, "two documents, one pair");
        for row in &rows {
            let mut alone = input.clone();
            alone.documents = vec![input.documents[row.document].clone()];
            alone.codings = input
                .codings
                .iter()
                .filter(|c| c.document == row.document)
                .map(|c| Coding { document: 0, ..*c })
                .collect();
            let report = compute(&alone, UnitLevel::Character).unwrap();
            assert_eq!(row.alpha, report.pooled.krippendorff.alpha);
            assert_eq!(row.percent_agreement, report.pooled.percent_agreement);
        }
        // D2: both coders cover [0,3) with X and nothing with Y: full agreement.
        assert_eq!(rows[1].units, 20);
        assert_eq!(rows[1].percent_agreement.value(), Some(1.0));
        assert_eq!(rows[1].alpha.value(), Some(1.0));
    }

    #[test]
    fn three_coders_give_three_pairs_per_document() {
        let mut input = worked_example();
        input.coders = 3;
        input.codings.push(coding(2, 0, 1, 0, 3));
        let rows = by_document_and_pair(&input, UnitLevel::Character).unwrap();
        let pairs: Vec<(usize, usize, usize)> = rows
            .iter()
            .map(|r| (r.document, r.first, r.second))
            .collect();
        assert_eq!(
            pairs,
            [
                (0, 0, 1),
                (0, 0, 2),
                (0, 1, 2),
                (1, 0, 1),
                (1, 0, 2),
                (1, 1, 2)
            ]
        );
        // The third coder matches a on D2 exactly.
        assert_eq!(rows[4].alpha.value(), Some(1.0));
        // On D1 the third coder coded nothing: a covers 11 characters with X and 4 with Y.
        assert_eq!(rows[1].percent_agreement.value(), Some(25.0 / 40.0));
    }
}
