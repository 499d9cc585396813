//! Disagreement regions and reliability rows, against the naive reference
//! and the worked example of spec §8.

use std::cmp::Reverse;

use super::super::{
    AgreementInput, Region, ReliabilityRow, UnitLevel, compute, disagreements,
    disagreements_all_codes, reliability_rows,
};
use super::naive;
use super::support::{Rng, assert_same, coding, doc, random_input};

fn example() -> AgreementInput {
    AgreementInput {
        documents: vec![
            doc(20, &[(0, 8), (8, 14), (14, 20)]),
            doc(10, &[(0, 5), (5, 10)]),
        ],
        coders: 2,
        codes: 2,
        codings: vec![
            coding(0, 0, 0, 2, 10),
            coding(0, 0, 0, 16, 19),
            coding(1, 0, 0, 4, 10),
            coding(1, 0, 0, 17, 20),
            coding(0, 0, 1, 0, 3),
            coding(1, 0, 1, 0, 2),
            coding(1, 0, 1, 1, 3),
            coding(0, 1, 0, 0, 4),
            coding(1, 1, 0, 12, 14),
        ],
    }
}

fn region(
    code: usize,
    document: usize,
    start: u64,
    end: u64,
    with: &[usize],
    without: &[usize],
) -> Region {
    Region {
        code,
        document,
        start,
        end,
        coders_with: with.to_vec(),
        coders_without: without.to_vec(),
    }
}

#[test]
fn disagreements_of_the_worked_example() {
    let x = disagreements(&example(), 0).unwrap();
    assert_eq!(
        x,
        vec![
            region(0, 0, 2, 4, &[0], &[1]),
            region(0, 0, 16, 17, &[0], &[1]),
            region(0, 0, 19, 20, &[1], &[0])
        ]
    );
    let all = disagreements_all_codes(&example()).unwrap();
    let keys: Vec<(usize, u64, u64)> = all.iter().map(|r| (r.code, r.start, r.end)).collect();
    assert_eq!(
        keys,
        vec![(1, 0, 4), (0, 2, 4), (1, 12, 14), (0, 16, 17), (0, 19, 20)]
    );
    assert!(disagreements(&example(), 7).unwrap().is_empty());
}

/// Maximal runs of positions with the same split, read off character by character.
fn naive_regions(input: &AgreementInput, code: usize) -> Vec<Region> {
    let m = naive::coder_count(input);
    let mut out: Vec<Region> = Vec::new();
    for (d, document) in input.documents.iter().enumerate() {
        let mut current: Option<Region> = None;
        for p in 0..=document.len {
            let with: Vec<usize> = (0..m)
                .filter(|&i| {
                    p < document.len
                        && input.codings.iter().any(|c| {
                            c.coder == i
                                && c.code == code
                                && c.document == d
                                && c.start <= p
                                && p < c.end
                        })
                })
                .collect();
            let split = !with.is_empty() && with.len() < m;
            match &mut current {
                Some(r) if split && r.coders_with == with => r.end = p + 1,
                _ => {
                    out.extend(current.take());
                    if split {
                        let without: Vec<usize> = (0..m).filter(|i| !with.contains(i)).collect();
                        current = Some(region(code, d, p, p + 1, &with, &without));
                    }
                }
            }
        }
    }
    out.sort_by_key(|r| (Reverse(r.length()), r.document, r.start, r.code));
    out
}

#[test]
fn disagreements_equal_the_naive_per_character_reference() {
    let mut rng = Rng::new(0x5EED_0006);
    for case in 0..300 {
        let input = random_input(&mut rng);
        let mut all = Vec::new();
        for code in 0..naive::code_count(&input) {
            let expected = naive_regions(&input, code);
            assert_eq!(
                disagreements(&input, code).unwrap(),
                expected,
                "case {case} code {code}"
            );
            all.extend(expected);
        }
        all.sort_by_key(|r| (Reverse(r.length()), r.document, r.start, r.code));
        assert_eq!(disagreements_all_codes(&input).unwrap(), all, "case {case}");
    }
}

#[test]
fn character_rows_of_the_worked_example() {
    let rows = reliability_rows(&example(), UnitLevel::Character).unwrap();
    let compact: Vec<(usize, usize, u64, u64, u64, Vec<u8>)> = rows
        .into_iter()
        .map(|r| (r.code, r.document, r.start, r.end, r.weight, r.values))
        .collect();
    let expected = vec![
        (0, 0, 0, 2, 2, vec![0, 0]),
        (0, 0, 2, 4, 2, vec![1, 0]),
        (0, 0, 4, 10, 6, vec![1, 1]),
        (0, 0, 10, 16, 6, vec![0, 0]),
        (0, 0, 16, 17, 1, vec![1, 0]),
        (0, 0, 17, 19, 2, vec![1, 1]),
        (0, 0, 19, 20, 1, vec![0, 1]),
        (0, 1, 0, 3, 3, vec![1, 1]),
        (0, 1, 3, 10, 7, vec![0, 0]),
        (1, 0, 0, 4, 4, vec![1, 0]),
        (1, 0, 4, 12, 8, vec![0, 0]),
        (1, 0, 12, 14, 2, vec![0, 1]),
        (1, 0, 14, 20, 6, vec![0, 0]),
        (1, 1, 0, 10, 10, vec![0, 0]),
    ];
    assert_eq!(compact, expected);
}

#[test]
fn turn_and_document_rows_of_the_worked_example() {
    let turns = reliability_rows(&example(), UnitLevel::Turn).unwrap();
    assert_eq!(turns.len(), 10);
    assert_eq!(
        turns[6],
        ReliabilityRow {
            code: 1,
            document: 0,
            start: 8,
            end: 14,
            weight: 1,
            values: vec![0, 1]
        }
    );
    let documents = reliability_rows(&example(), UnitLevel::Document).unwrap();
    let values: Vec<Vec<u8>> = documents.iter().map(|r| r.values.clone()).collect();
    assert_eq!(values, vec![vec![1, 1], vec![1, 1], vec![1, 1], vec![0, 0]]);
    assert!(documents.iter().all(|r| r.start == 0 && r.weight == 1));
}

/// The rows are the reliability data: expanded by weight they are the naive
/// unit matrix, and a naive implementation fed with them reproduces every
/// figure of the report.
#[test]
fn statistics_recomputed_from_rows_equal_the_report() {
    let mut rng = Rng::new(0x5EED_0007);
    for case in 0..300 {
        let input = random_input(&mut rng);
        let m = naive::coder_count(&input);
        for level in UnitLevel::ALL {
            let rows = reliability_rows(&input, level).unwrap();
            let report = compute(&input, level).unwrap();
            let mut all = Vec::new();
            for (code, stats) in report.per_code.iter().enumerate() {
                let weighted: Vec<naive::WeightedUnit> = rows
                    .iter()
                    .filter(|r| r.code == code)
                    .map(|r| (r.weight, r.values.clone()))
                    .collect();
                let expanded: Vec<naive::WeightedUnit> = weighted
                    .iter()
                    .flat_map(|(w, v)| (0..*w).map(move |_| (1, v.clone())))
                    .collect();
                assert_eq!(
                    expanded,
                    naive::units(&input, level, code),
                    "case {case} {level:?} code {code}"
                );
                let recomputed = naive::stats(&weighted, m);
                let what = format!("case {case} {level:?} code {code}");
                assert_same(stats.krippendorff.alpha, opt(recomputed.alpha), 1e-9, &what);
                assert_same(stats.fleiss.kappa, opt(recomputed.fleiss), 1e-9, &what);
                assert_same(
                    stats.cohen.mean.value,
                    opt(recomputed.cohen_mean),
                    1e-9,
                    &what,
                );
                assert_same(
                    stats.percent_agreement,
                    opt(recomputed.percent_agreement),
                    1e-9,
                    &what,
                );
                all.extend(weighted);
            }
            let pooled = naive::stats(&all, m);
            assert_same(
                report.pooled.krippendorff.alpha,
                opt(pooled.alpha),
                1e-9,
                &format!("case {case} pooled"),
            );
            if level == UnitLevel::Character {
                assert!(rows.iter().all(|r| r.weight == r.end - r.start));
            }
        }
    }
}

fn opt(value: Option<f64>) -> super::super::Stat {
    value.map_or(
        super::super::Stat::Undefined("naive: undefined"),
        super::super::Stat::Value,
    )
}
