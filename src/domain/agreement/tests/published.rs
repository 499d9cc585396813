//! Published checks: spec §7.2 (δ²), §7.6 (α_U) and §9 (coding coefficients).
//!
//! Data sets are transcribed from DKPro Agreement's tests
//! (`unitizing/Krippendorff1995Test`, `unitizing/Krippendorff2004Test`,
//! `unitizing/UnitizingAgreementTest`, `coding/Krippendorff2004Test`,
//! `coding/Fleiss1971Test`) and the Fleiss κ table on Wikipedia. Each value
//! is pinned twice where possible: the exact fraction (1e-9) and the
//! published rounding (its stated tolerance).

use super::super::input::Span;
use super::super::unitizing::{Segment, squared_distance};
use super::super::{
    AgreementInput, PairTable, UnitLevel, cohen_kappa, cohen_kappa_nominal, cohen_kappa_table,
    compute, fleiss_kappa_counts, fleiss_kappa_nominal, krippendorff_alpha_nominal, reason,
    unitizing_alpha,
};
use super::support::{assert_exact, assert_undefined, assert_value, coding, doc, single_code};

// ---------------------------------------------------------------------------
// §7.2 distances
// ---------------------------------------------------------------------------

/// DKPro's `measureDistance(offset, length, category)`: `None` is a gap.
fn segment(offset: u64, length: u64, unit: bool) -> Segment {
    Segment {
        span: Span {
            start: offset,
            end: offset + length,
        },
        is_unit: unit,
    }
}

#[test]
fn distance_checks_from_dkpro() {
    let d = |a: (u64, u64, bool), b: (u64, u64, bool)| {
        squared_distance(segment(a.0, a.1, a.2), segment(b.0, b.1, b.2))
    };
    // Spec §7.2.
    assert_eq!(d((5, 6, true), (4, 2, true)), 26);
    assert_eq!(d((1, 8, true), (2, 1, true)), 37);
    assert_eq!(d((400, 50, false), (400, 20, true)), 400);
    assert_eq!(d((370, 30, true), (355, 20, true)), 850);
    // Krippendorff2004Test.testDistanceMetric1/2.
    assert_eq!(
        d((2, 3, false), (2, 2, true)) + d((5, 6, true), (4, 7, false)),
        40
    );
    assert_eq!(
        d((3, 2, false), (3, 2, true)) + d((5, 6, true), (5, 6, false)),
        40
    );
    assert_eq!(d((5, 6, true), (5, 2, true)), 16);
    assert_eq!(d((5, 6, true), (6, 2, true)), 10);
    assert_eq!(d((5, 6, true), (7, 2, true)), 8);
    assert_eq!(d((5, 6, true), (6, 4, true)), 2);
    assert_eq!(d((5, 6, true), (5, 6, true)), 0);
    assert_eq!(d((225, 70, true), (220, 80, true)), 50);
    // UnitizingAgreementTest.testDistanceMetric.
    assert_eq!(d((0, 1, false), (0, 2, false)), 0);
    assert_eq!(d((1, 8, true), (0, 2, false)), 0);
    assert_eq!(d((1, 8, true), (3, 1, false)), 0);
    assert_eq!(d((1, 8, true), (4, 1, true)), 25);
    assert_eq!(d((1, 8, true), (5, 1, false)), 0);
    assert_eq!(d((1, 8, true), (6, 1, true)), 29);
    assert_eq!(d((1, 8, true), (7, 4, false)), 0);
    assert_eq!(d((9, 2, false), (7, 4, false)), 0);
    // Units that do not overlap are at distance 0.
    assert_eq!(d((0, 2, true), (2, 2, true)), 0);
}

// ---------------------------------------------------------------------------
// §7.6 unitizing alpha
// ---------------------------------------------------------------------------

/// One document, coders' units as `(offset, length, coder)`, one code.
fn unitizing_study(len: u64, coders: usize, units: &[(u64, u64, usize)]) -> AgreementInput {
    AgreementInput {
        documents: vec![doc(len, &[])],
        coders,
        codes: 1,
        codings: units
            .iter()
            .map(|&(o, l, r)| coding(r, 0, 0, o, o + l))
            .collect(),
    }
}

#[test]
fn krippendorff_2004_p254() {
    // Continuum [150, 450) shifted to [0, 300); code c = 0, code k = 1.
    let shift = |o: u64| o - 150;
    let c = [
        (225, 70, 0),
        (370, 30, 0),
        (220, 80, 1),
        (355, 20, 1),
        (400, 20, 1),
    ];
    let k = [(180, 60, 0), (300, 50, 0), (180, 60, 1), (300, 50, 1)];
    let codings = c
        .iter()
        .map(|&(o, l, r)| coding(r, 0, 0, shift(o), shift(o) + l))
        .chain(
            k.iter()
                .map(|&(o, l, r)| coding(r, 1, 0, shift(o), shift(o) + l)),
        )
        .collect();
    let input = AgreementInput {
        documents: vec![doc(300, &[])],
        coders: 2,
        codes: 2,
        codings,
    };
    let u = unitizing_alpha(&input).unwrap();

    let (code_c, code_k) = (&u.per_code[0], &u.per_code[1]);
    assert_exact(code_c.observed_disagreement, 13.0 / 900.0);
    assert_exact(code_c.expected_disagreement, 69179.0 / 1299825.0);
    assert_exact(code_c.alpha, 201615.0 / 276716.0);
    assert_value(code_c.observed_disagreement, 0.0144, 1e-4);
    assert_value(code_c.expected_disagreement, 0.0532, 1e-4);
    assert_value(code_c.alpha, 0.7286, 1e-4);
    assert_value(code_c.alpha, 0.728599, 5e-7);

    assert_exact(code_k.observed_disagreement, 0.0);
    assert_exact(code_k.expected_disagreement, 127621.0 / 2605650.0);
    assert_eq!(code_k.alpha.value(), Some(1.0));
    assert_value(code_k.expected_disagreement, 0.0490, 1e-4);

    assert_exact(u.overall.alpha, 7925853267.0 / 9230432738.0);
    assert_value(u.overall.alpha, 0.8591, 5e-4);
    assert_value(u.overall.alpha, 0.858665, 5e-7);
}

#[test]
fn dkpro_unitizing_agreement_test() {
    // r0: -11111111-   r1: --1-1-1---
    let input = unitizing_study(10, 2, &[(1, 8, 0), (2, 1, 1), (4, 1, 1), (6, 1, 1)]);
    let a = unitizing_alpha(&input).unwrap().per_code[0];
    assert_exact(a.observed_disagreement, 0.91);
    assert_exact(a.expected_disagreement, 289.0 / 540.0);
    assert_exact(a.alpha, -1012.0 / 1445.0);
    assert_value(a.expected_disagreement, 0.5351, 1e-4);
    assert_value(a.alpha, -0.7003, 1e-4);
    assert_value(a.expected_disagreement, 0.535185, 5e-7);
    assert_value(a.alpha, -0.700346, 5e-7);
}

#[test]
fn dkpro_single_unit_gives_exactly_zero() {
    // Spec §6: D_O = D_E = 1/600 ≠ 0, so α_U is exactly 0, not null.
    let input = unitizing_study(20, 3, &[(0, 1, 0)]);
    let u = unitizing_alpha(&input).unwrap();
    assert_exact(u.per_code[0].observed_disagreement, 1.0 / 600.0);
    assert_exact(u.per_code[0].expected_disagreement, 1.0 / 600.0);
    assert_eq!(u.per_code[0].alpha.value(), Some(0.0));
    assert_eq!(u.overall.alpha.value(), Some(0.0));
}

#[test]
fn dkpro_empty_annotation_set_is_null() {
    let u = unitizing_alpha(&unitizing_study(20, 3, &[])).unwrap();
    assert_undefined(u.per_code[0].alpha, reason::CODE_UNUSED);
    assert_undefined(u.overall.alpha, reason::NO_CODE_USED);
}

/// Krippendorff (1995, p. 57), as transcribed in DKPro's
/// `Krippendorff1995Test.createExample`: continuum 24 × `stretch`, two
/// coders, categories A–D as codes 0–3, units `(offset, length, coder)`.
fn krippendorff_1995(stretch: u64) -> AgreementInput {
    let categories: [&[(u64, u64, usize)]; 4] = [
        &[(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        &[
            (0, 18, 0),
            (0, 2, 1),
            (2, 1, 1),
            (3, 1, 1),
            (4, 1, 1),
            (5, 1, 1),
            (6, 3, 1),
            (9, 1, 1),
        ],
        &[
            (2, 6, 0),
            (10, 2, 0),
            (14, 4, 0),
            (20, 2, 0),
            (0, 2, 1),
            (4, 4, 1),
            (10, 4, 1),
            (16, 2, 1),
            (20, 2, 1),
        ],
        &[
            (0, 2, 0),
            (2, 8, 0),
            (10, 4, 0),
            (14, 6, 0),
            (20, 4, 0),
            (0, 4, 1),
            (4, 4, 1),
            (8, 7, 1),
            (15, 2, 1),
            (17, 7, 1),
        ],
    ];
    let codings = categories
        .iter()
        .enumerate()
        .flat_map(|(code, units)| {
            units
                .iter()
                .map(move |&(o, l, r)| coding(r, code, 0, o * stretch, (o + l) * stretch))
        })
        .collect();
    AgreementInput {
        documents: vec![doc(24 * stretch, &[])],
        coders: 2,
        codes: 4,
        codings,
    }
}

#[test]
fn krippendorff_1995_observed_disagreement() {
    let u = unitizing_alpha(&krippendorff_1995(1)).unwrap();
    let exact = [1.0 / 32.0, 653.0 / 288.0, 1.0 / 36.0, 223.0 / 576.0];
    let published = [0.03125, 2.26736, 0.02777, 0.38715];
    for ((code, exact), published) in u.per_code.iter().zip(exact).zip(published) {
        assert_exact(code.observed_disagreement, exact);
        assert_value(code.observed_disagreement, published, 1e-5);
    }
    // B's adjacent units stay separate: 1 for John, 7 for Jill.
    assert_eq!(u.per_code[1].units, 8);
    // D_O does not depend on the continuum's length.
    let stretched = unitizing_alpha(&krippendorff_1995(50_000)).unwrap();
    for (code, exact) in stretched.per_code.iter().zip(exact) {
        assert_value(code.observed_disagreement, exact, 1e-12);
    }
}

#[test]
fn krippendorff_1995_expected_disagreement_stretched() {
    let u = unitizing_alpha(&krippendorff_1995(50_000)).unwrap();
    // Spec §7.6: A and D.
    assert_value(u.per_code[0].expected_disagreement, 0.06990, 0.005);
    assert_value(u.per_code[3].expected_disagreement, 0.41445, 0.005);
    // The same at the formulas' own precision.
    assert_value(u.per_code[0].expected_disagreement, 0.0699022, 5e-7);
    assert_value(u.per_code[3].expected_disagreement, 0.4144523, 5e-7);
    // DKPro's loose checks of the 1995 paper's values (its B and C D_E
    // differ slightly from the 2004 formula; see spec §7.6).
    assert_value(u.per_code[1].expected_disagreement, 1.17731, 0.005);
    assert_value(u.per_code[2].expected_disagreement, 0.08642, 0.005);
    for (code, alpha) in [0.553, -0.926, 0.679, 0.066].into_iter().enumerate() {
        assert_value(u.per_code[code].alpha, alpha, 0.02);
    }
}

#[test]
fn krippendorff_1995_digitized_at_character_level() {
    // DKPro Krippendorff1995Test.testDigitizedAgreement: the same data, one
    // unit per position, is exactly the character level.
    let report = compute(&krippendorff_1995(1), UnitLevel::Character).unwrap();
    let [a, b, c, d] = [0, 1, 2, 3].map(|code| &report.per_code[code]);
    assert_value(a.cohen.mean.value, 0.385, 1e-3);
    assert_value(a.fleiss.kappa, 0.314, 1e-3);
    assert_value(a.krippendorff.alpha, 0.329, 1e-3);
    assert_value(b.cohen.mean.value, 0.385, 1e-3);
    assert_value(b.fleiss.kappa, 0.314, 1e-3);
    assert_value(c.cohen.mean.value, 0.314, 1e-3);
    assert_value(c.fleiss.kappa, 0.314, 1e-3);
    // D: both coders cover everything; DKPro throws, the spec says null.
    assert_undefined(d.cohen.mean.value, reason::NO_DEFINED_PAIR);
    assert_undefined(d.fleiss.kappa, reason::FLEISS_ONE_VALUE);
    assert_exact(d.percent_agreement, 1.0);
}

// ---------------------------------------------------------------------------
// §9 coding coefficients
// ---------------------------------------------------------------------------

#[test]
fn krippendorff_2004_p224_binary_through_the_app() {
    // a = 1100000000, b = 0110010100 as one 10-character document.
    let input = single_code(10, &[&[(0, 2)], &[(1, 3), (5, 6), (7, 8)]]);
    let report = compute(&input, UnitLevel::Character).unwrap();
    let s = &report.per_code[0];
    assert_exact(s.percent_agreement, 0.6);
    assert_exact(s.krippendorff.observed_disagreement, 0.4);
    // D_e = 2·14·6/(20·19) = 42/95.
    assert_exact(s.krippendorff.expected_disagreement, 42.0 / 95.0);
    assert_exact(s.krippendorff.alpha, 2.0 / 21.0);
    assert_exact(s.cohen.mean.value, 1.0 / 11.0);
    assert_exact(s.fleiss.kappa, 1.0 / 21.0);
    assert_value(s.krippendorff.expected_disagreement, 0.442, 5e-4);
    assert_value(s.krippendorff.alpha, 0.095, 5e-4);
}

#[test]
fn krippendorff_2004_p224_binary_through_the_general_functions() {
    let a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    let b = [0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    let units: Vec<Vec<Option<u8>>> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| vec![Some(x), Some(y)])
        .collect();
    let alpha = krippendorff_alpha_nominal(&units);
    assert_exact(alpha.alpha, 2.0 / 21.0);
    assert_exact(alpha.observed_disagreement, 0.4);
    assert_exact(alpha.expected_disagreement, 42.0 / 95.0);
    let pairs: Vec<(u8, u8)> = a.iter().zip(&b).map(|(&x, &y)| (x, y)).collect();
    assert_exact(cohen_kappa_nominal(&pairs).kappa, 1.0 / 11.0);
    let rows: Vec<Vec<u8>> = pairs.iter().map(|&(x, y)| vec![x, y]).collect();
    assert_exact(fleiss_kappa_nominal(&rows).kappa, 1.0 / 21.0);
}

#[test]
fn krippendorff_2004_p227_three_categories() {
    let pairs = [
        ('a', 'a'),
        ('a', 'b'),
        ('b', 'b'),
        ('b', 'b'),
        ('b', 'b'),
        ('b', 'b'),
        ('b', 'c'),
        ('c', 'c'),
        ('c', 'c'),
        ('c', 'c'),
        ('c', 'c'),
        ('c', 'c'),
    ];
    let units: Vec<Vec<Option<char>>> =
        pairs.iter().map(|&(x, y)| vec![Some(x), Some(y)]).collect();
    let alpha = krippendorff_alpha_nominal(&units);
    assert_eq!(alpha.pairable_values, 24);
    assert_exact(alpha.observed_disagreement, 1.0 / 6.0);
    assert_exact(alpha.expected_disagreement, 173.0 / 276.0);
    assert_exact(alpha.alpha, 127.0 / 173.0);
    assert_value(alpha.observed_disagreement, 0.1667, 5e-5);
    assert_value(alpha.expected_disagreement, 0.6268, 5e-5);
    assert_value(alpha.alpha, 0.734, 5e-4);
}

#[test]
fn krippendorff_2011_missing_values() {
    // 4 coders × 12 units; B/L/P/C/F are the symbols of the 2004 (p. 230) version.
    let rows: [[Option<char>; 4]; 12] = [
        [Some('B'), Some('B'), None, Some('B')],
        [Some('L'), Some('L'), Some('P'), Some('L')],
        [Some('P'), Some('P'), Some('P'), Some('P')],
        [Some('P'), Some('P'), Some('P'), Some('P')],
        [Some('L'), Some('L'), Some('L'), Some('L')],
        [Some('B'), Some('L'), Some('P'), Some('C')],
        [Some('C'), Some('C'), Some('C'), Some('C')],
        [Some('B'), Some('B'), Some('L'), Some('B')],
        [Some('L'), Some('L'), Some('L'), Some('L')],
        [None, Some('F'), Some('F'), Some('F')],
        [None, None, Some('B'), Some('B')],
        [None, None, Some('P'), None],
    ];
    let units: Vec<Vec<Option<char>>> = rows.iter().map(|r| r.to_vec()).collect();
    let alpha = krippendorff_alpha_nominal(&units);
    assert_eq!(alpha.pairable_values, 40);
    assert_exact(alpha.observed_disagreement, 0.2);
    assert_exact(alpha.expected_disagreement, 152.0 / 195.0);
    assert_exact(alpha.alpha, 113.0 / 152.0);
    assert_value(alpha.expected_disagreement, 0.779, 5e-4);
    assert_value(alpha.alpha, 0.743, 5e-4);
}

/// Expands a 2-coder contingency table into per-unit category counts.
fn two_coder_rows(table: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let k = table.len();
    let mut rows = Vec::new();
    for (a, row) in table.iter().enumerate() {
        for (b, &count) in row.iter().enumerate() {
            for _ in 0..count {
                let mut unit = vec![0; k];
                unit[a] += 1;
                unit[b] += 1;
                rows.push(unit);
            }
        }
    }
    rows
}

#[test]
fn krippendorff_2004_p246_cohen_versus_scott() {
    let first = vec![vec![12, 9, 9], vec![9, 14, 9], vec![9, 9, 20]];
    let second = vec![vec![12, 18, 18], vec![0, 14, 18], vec![0, 0, 20]];
    let (k1, k2) = (cohen_kappa_table(&first), cohen_kappa_table(&second));
    assert_exact(k1.observed, 0.46);
    assert_exact(k1.kappa, 154.0 / 829.0);
    assert_exact(k2.kappa, 47.0 / 182.0);
    assert_value(k1.kappa, 0.186, 5e-4);
    assert_value(k2.kappa, 0.258, 5e-4);
    // Scott's π is Fleiss' κ with two coders: the same for both tables.
    for table in [&first, &second] {
        let pi = fleiss_kappa_counts(&two_coder_rows(table));
        assert_exact(pi.kappa, 154.0 / 829.0);
        assert_value(pi.kappa, 0.186, 5e-4);
    }
}

#[test]
fn cohen_textbook_two_by_two() {
    let table = PairTable {
        n11: 20,
        n10: 5,
        n01: 10,
        n00: 15,
    };
    for cohen in [
        cohen_kappa(&table),
        cohen_kappa_table(&[vec![20, 5], vec![10, 15]]),
    ] {
        assert_exact(cohen.observed, 0.7);
        assert_exact(cohen.expected, 0.5);
        assert_exact(cohen.kappa, 0.4);
    }
}

#[test]
fn fleiss_1971_thirty_subjects_six_raters() {
    let ratings: [[u8; 6]; 30] = [
        [4, 4, 4, 4, 4, 4],
        [2, 2, 2, 5, 5, 5],
        [2, 3, 3, 3, 3, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4],
        [1, 1, 3, 3, 3, 3],
        [3, 3, 3, 3, 5, 5],
        [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4],
        [5, 5, 5, 5, 5, 5],
        [1, 4, 4, 4, 4, 4],
        [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3],
        [1, 4, 4, 4, 4, 4],
        [2, 2, 4, 4, 4, 5],
        [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5],
        [1, 1, 1, 1, 1, 2],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5],
        [2, 4, 4, 4, 4, 4],
        [2, 2, 4, 5, 5, 5],
        [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5],
        [2, 2, 2, 2, 2, 4],
        [1, 1, 1, 1, 5, 5],
        [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5],
    ];
    let units: Vec<Vec<u8>> = ratings.iter().map(|r| r.to_vec()).collect();
    let fleiss = fleiss_kappa_nominal(&units);
    assert_exact(fleiss.observed, 5.0 / 9.0);
    assert_exact(fleiss.expected, 3563.0 / 16200.0);
    assert_exact(fleiss.kappa, 5437.0 / 12637.0);
    assert_value(fleiss.observed, 0.5556, 5e-5);
    // Fleiss printed P_e = .2201; the exact value is .21994. DKPro checks ±.001.
    assert_value(fleiss.expected, 0.2201, 1e-3);
    assert_value(fleiss.kappa, 0.430, 5e-4);
}

#[test]
fn fleiss_wikipedia_ten_subjects_fourteen_raters() {
    let counts: Vec<Vec<u64>> = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    .iter()
    .map(|r| r.to_vec())
    .collect();
    let fleiss = fleiss_kappa_counts(&counts);
    assert_exact(fleiss.observed, 172.0 / 455.0);
    assert_exact(fleiss.expected, 417.0 / 1960.0);
    assert_exact(fleiss.kappa, 4211.0 / 20059.0);
    assert_value(fleiss.observed, 0.378, 5e-4);
    assert_value(fleiss.expected, 0.213, 5e-4);
    assert_value(fleiss.kappa, 0.210, 5e-4);
}

#[test]
fn general_functions_null_policy() {
    assert_undefined(
        fleiss_kappa_counts(&[vec![2, 0], vec![1, 2]]).kappa,
        reason::UNEQUAL_RATERS,
    );
    assert_undefined(
        fleiss_kappa_counts(&[vec![3, 0], vec![3, 0]]).kappa,
        reason::FLEISS_ONE_VALUE,
    );
    assert_undefined(
        cohen_kappa_table(&[vec![5, 0], vec![0, 0]]).kappa,
        reason::COHEN_ONE_VALUE,
    );
    let lonely: Vec<Vec<Option<u8>>> = vec![vec![Some(1), None], vec![None, Some(0)]];
    assert_undefined(
        krippendorff_alpha_nominal(&lonely).alpha,
        reason::TOO_FEW_VALUES,
    );
    let constant: Vec<Vec<Option<u8>>> = vec![vec![Some(1), Some(1)]; 3];
    assert_undefined(
        krippendorff_alpha_nominal(&constant).alpha,
        reason::ALPHA_ONE_VALUE,
    );
}
