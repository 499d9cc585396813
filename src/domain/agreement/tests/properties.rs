//! Deterministic randomized properties (seeded SplitMix64): the fast
//! sweep-based results equal the naive per-character reference, identical
//! coders agree perfectly, results do not depend on coder or document order.

use super::super::{
    AgreementInput, CodeStats, Report, Stat, UnitLevel, compute_levels, unitizing_alpha,
};
use super::naive;
use super::support::{Rng, assert_same, random_input};

const CASES: u64 = 400;
const TOLERANCE: f64 = 1e-9;

fn opt(value: Option<f64>) -> Stat {
    value.map_or(Stat::Undefined("naive: undefined"), Stat::Value)
}

#[track_caller]
fn assert_matches_naive(stats: &CodeStats, expected: &naive::NaiveStats, what: &str) {
    assert_same(
        stats.percent_agreement,
        opt(expected.percent_agreement),
        TOLERANCE,
        &format!("{what} PA"),
    );
    assert_eq!(
        stats.cohen.pairs.len(),
        expected.cohen_pairs.len(),
        "{what} pairs"
    );
    for (pair, &naive_kappa) in stats.cohen.pairs.iter().zip(&expected.cohen_pairs) {
        assert_same(
            pair.cohen.kappa,
            opt(naive_kappa),
            TOLERANCE,
            &format!("{what} κ{}{}", pair.first, pair.second),
        );
    }
    assert_same(
        stats.cohen.mean.value,
        opt(expected.cohen_mean),
        TOLERANCE,
        &format!("{what} mean κ"),
    );
    assert_same(
        stats.fleiss.kappa,
        opt(expected.fleiss),
        TOLERANCE,
        &format!("{what} Fleiss"),
    );
    assert_same(
        stats.krippendorff.alpha,
        opt(expected.alpha),
        TOLERANCE,
        &format!("{what} α"),
    );
}

fn mean_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let defined: Vec<f64> = values.flatten().collect();
    (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64)
}

/// Per code, pooled (the per-code formulas on the stacked units) and macro.
#[test]
fn sweep_results_equal_the_naive_per_character_reference() {
    let mut rng = Rng::new(0x5EED_0001);
    for case in 0..CASES {
        let input = random_input(&mut rng);
        let m = naive::coder_count(&input);
        let reports = compute_levels(&input, &UnitLevel::ALL).unwrap();
        for report in &reports {
            let what = format!("case {case} {:?}", report.level);
            let mut stacked = Vec::new();
            let mut per_code = Vec::new();
            for (code, stats) in report.per_code.iter().enumerate() {
                let units = naive::units(&input, report.level, code);
                assert_eq!(stats.units, units.len() as u64, "{what} N");
                let expected = naive::stats(&units, m);
                assert_matches_naive(stats, &expected, &format!("{what} code {code}"));
                per_code.push(expected);
                stacked.extend(units);
            }
            assert_matches_naive(
                &report.pooled,
                &naive::stats(&stacked, m),
                &format!("{what} pooled"),
            );
            let macro_alpha = mean_of(per_code.iter().map(|s| s.alpha));
            assert_same(
                report.macro_mean.krippendorff_alpha.value,
                opt(macro_alpha),
                TOLERANCE,
                &what,
            );
            let macro_cohen = mean_of(per_code.iter().map(|s| s.cohen_mean));
            assert_same(
                report.macro_mean.cohen_kappa.value,
                opt(macro_cohen),
                TOLERANCE,
                &what,
            );
        }
    }
}

#[test]
fn unitizing_alpha_equals_the_naive_reference() {
    let mut rng = Rng::new(0x5EED_0002);
    for case in 0..CASES {
        let input = random_input(&mut rng);
        let report = unitizing_alpha(&input).unwrap();
        for (code, u) in report.per_code.iter().enumerate() {
            let (d_o, d_e, alpha) = naive::unitizing(&input, code);
            let what = format!("case {case} code {code}");
            assert_same(
                u.observed_disagreement,
                opt(d_o),
                TOLERANCE,
                &format!("{what} D_O"),
            );
            assert_same(
                u.expected_disagreement,
                opt(d_e),
                TOLERANCE,
                &format!("{what} D_E"),
            );
            assert_same(u.alpha, opt(alpha), TOLERANCE, &format!("{what} α_U"));
        }
        let overall = naive::unitizing_overall(&input);
        assert_same(
            report.overall.alpha,
            opt(overall),
            TOLERANCE,
            &format!("case {case} overall"),
        );
    }
}

/// Every coder gives exactly the codings of coder 0.
fn identical_coders(input: &AgreementInput, coders: usize) -> AgreementInput {
    let first: Vec<_> = input
        .codings
        .iter()
        .filter(|c| c.coder == 0)
        .copied()
        .collect();
    let codings = (0..coders)
        .flat_map(|coder| {
            first
                .iter()
                .map(move |c| super::super::Coding { coder, ..*c })
        })
        .collect();
    AgreementInput {
        coders,
        codings,
        ..input.clone()
    }
}

#[test]
fn identical_coders_agree_perfectly_wherever_defined() {
    let mut rng = Rng::new(0x5EED_0003);
    for case in 0..CASES {
        let input = identical_coders(&random_input(&mut rng), 2 + rng.index(3));
        let one = |stat: Stat, what: &str| {
            if let Stat::Value(v) = stat {
                assert!((v - 1.0).abs() < 1e-12, "case {case} {what}: {v}");
            }
        };
        for report in compute_levels(&input, &UnitLevel::ALL).unwrap() {
            for stats in report.per_code.iter().chain([&report.pooled]) {
                if stats.units > 0 {
                    assert_eq!(stats.percent_agreement, Stat::Value(1.0));
                }
                one(stats.cohen.mean.value, "κ");
                stats
                    .cohen
                    .pairs
                    .iter()
                    .for_each(|p| one(p.cohen.kappa, "pair κ"));
                one(stats.fleiss.kappa, "Fleiss");
                one(stats.krippendorff.alpha, "α");
                one(stats.unitizing.alpha, "α_U");
            }
        }
    }
}

/// Every scalar of a report, for order-invariance comparisons (pairwise
/// kappas excluded: they legitimately move with the coders).
fn scalars(report: &Report) -> Vec<Stat> {
    let code = |s: &CodeStats| {
        vec![
            s.percent_agreement,
            s.cohen.mean.value,
            s.fleiss.observed,
            s.fleiss.expected,
            s.fleiss.kappa,
            s.krippendorff.observed_disagreement,
            s.krippendorff.expected_disagreement,
            s.krippendorff.alpha,
            s.unitizing.observed_disagreement,
            s.unitizing.expected_disagreement,
            s.unitizing.alpha,
        ]
    };
    let m = &report.macro_mean;
    report
        .per_code
        .iter()
        .chain([&report.pooled])
        .flat_map(code)
        .chain([
            m.percent_agreement.value,
            m.cohen_kappa.value,
            m.fleiss_kappa.value,
            m.krippendorff_alpha.value,
        ])
        .collect()
}

#[track_caller]
fn assert_same_reports(a: &[Report], b: &[Report], what: &str) {
    for (x, y) in a.iter().zip(b) {
        for (s, t) in scalars(x).into_iter().zip(scalars(y)) {
            assert_same(s, t, 1e-12, what);
        }
    }
}

#[test]
fn results_do_not_depend_on_coder_order() {
    let mut rng = Rng::new(0x5EED_0004);
    for case in 0..CASES {
        let input = random_input(&mut rng);
        let m = naive::coder_count(&input);
        let mut permutation: Vec<usize> = (0..m).collect();
        rng.shuffle(&mut permutation);
        let mut permuted = input.clone();
        permuted.coders = m;
        for c in &mut permuted.codings {
            c.coder = permutation[c.coder];
        }
        let before = compute_levels(&input, &UnitLevel::ALL).unwrap();
        let after = compute_levels(&permuted, &UnitLevel::ALL).unwrap();
        assert_same_reports(&before, &after, &format!("case {case}"));
        // The pairwise kappas are the same multiset.
        for (x, y) in before.iter().zip(&after) {
            for (s, t) in x.per_code.iter().zip(&y.per_code) {
                let sorted = |stats: &CodeStats| {
                    let mut v: Vec<Option<f64>> = stats
                        .cohen
                        .pairs
                        .iter()
                        .map(|p| p.cohen.kappa.value())
                        .collect();
                    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
                    v
                };
                let (u, v) = (sorted(s), sorted(t));
                assert_eq!(u.len(), v.len());
                for (a, b) in u.iter().zip(&v) {
                    assert_eq!(a.is_some(), b.is_some(), "case {case}");
                    assert!(
                        (a.unwrap_or(0.0) - b.unwrap_or(0.0)).abs() < 1e-12,
                        "case {case}"
                    );
                }
            }
        }
    }
}

#[test]
fn results_including_unitizing_alpha_do_not_depend_on_document_order() {
    let mut rng = Rng::new(0x5EED_0005);
    for case in 0..CASES {
        let input = random_input(&mut rng);
        let mut order: Vec<usize> = (0..input.documents.len()).collect();
        rng.shuffle(&mut order);
        // order[new] = old
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut permuted = input.clone();
        permuted.documents = order
            .iter()
            .map(|&old| input.documents[old].clone())
            .collect();
        for c in &mut permuted.codings {
            c.document = new_index[c.document];
        }
        let before = compute_levels(&input, &UnitLevel::ALL).unwrap();
        let after = compute_levels(&permuted, &UnitLevel::ALL).unwrap();
        assert_same_reports(&before, &after, &format!("case {case}"));
    }
}
