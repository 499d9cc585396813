//! Spec §8, cell by cell. Expected values are the exact fractions derived
//! from the counts (shown in the comments), compared to 1e-9; the table's
//! 4-decimal figures are checked at ±5e-5 as well.

use super::super::{
    AgreementInput, Report, Stat, UnitLevel, compute, compute_levels, reason, unitizing_alpha,
};
use super::support::{EXACT, assert_exact, assert_undefined, assert_value, coding, doc};

const A: usize = 0;
const B: usize = 1;
const X: usize = 0;
const Y: usize = 1;

fn example() -> AgreementInput {
    AgreementInput {
        documents: vec![
            doc(20, &[(0, 8), (8, 14), (14, 20)]),
            doc(10, &[(0, 5), (5, 10)]),
        ],
        coders: 2,
        codes: 2,
        codings: vec![
            coding(A, X, 0, 2, 10),
            coding(A, X, 0, 16, 19),
            coding(B, X, 0, 4, 10),
            coding(B, X, 0, 17, 20),
            coding(A, X, 1, 0, 3),
            // b's two overlapping spans in D2 become one stretch [0, 3).
            coding(B, X, 1, 0, 2),
            coding(B, X, 1, 1, 3),
            coding(A, Y, 0, 0, 4),
            coding(B, Y, 0, 12, 14),
        ],
    }
}

/// The table's printed precision.
#[track_caller]
fn printed(stat: Stat, expected: f64) {
    assert_value(stat, expected, 5e-5);
}

#[test]
fn character_level_code_x() {
    let report = compute(&example(), UnitLevel::Character).unwrap();
    assert_eq!(report.units_per_code, 30);
    let x = &report.per_code[X];
    let t = x.two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (11, 3, 1, 15));
    // PA = po = 26/30; pe = (14·12 + 16·18)/900 = 456/900; κ = (780 − 456)/(900 − 456) = 324/444.
    assert_exact(x.percent_agreement, 26.0 / 30.0);
    assert_exact(x.cohen.pairs[0].cohen.observed, 26.0 / 30.0);
    assert_exact(x.cohen.pairs[0].cohen.expected, 456.0 / 900.0);
    assert_exact(x.cohen.pairs[0].cohen.kappa, 324.0 / 444.0);
    assert_exact(x.cohen.mean.value, 324.0 / 444.0);
    assert_eq!(x.cohen.mean.used, 1);
    // n = 60, n1 = 26, n0 = 34, S = 4: P̄ = 26/30, P_e = (26² + 34²)/60² = 1832/3600,
    // κ_F = (1·34·26 − 4·60)/(34·26) = 644/884.
    assert_exact(x.fleiss.observed, 26.0 / 30.0);
    assert_exact(x.fleiss.expected, 1832.0 / 3600.0);
    assert_exact(x.fleiss.kappa, 644.0 / 884.0);
    // D_o = 8/60, D_e = 2·26·34/(60·59) = 1768/3540, α = (884 − 4·59)/884 = 648/884.
    assert_exact(x.krippendorff.observed_disagreement, 8.0 / 60.0);
    assert_exact(x.krippendorff.expected_disagreement, 1768.0 / 3540.0);
    assert_exact(x.krippendorff.alpha, 648.0 / 884.0);
    assert_exact(
        x.krippendorff.alpha,
        1.0 - (8.0 / 60.0) / (2.0 * 26.0 * 34.0 / (60.0 * 59.0)),
    );

    printed(x.percent_agreement, 0.8667);
    printed(x.cohen.pairs[0].cohen.kappa, 0.7297);
    printed(x.cohen.pairs[0].cohen.expected, 0.5067);
    printed(x.fleiss.kappa, 0.7285);
    printed(x.fleiss.expected, 0.5089);
    printed(x.krippendorff.alpha, 0.7330);
    printed(x.krippendorff.observed_disagreement, 0.1333);
    printed(x.krippendorff.expected_disagreement, 0.4994);
}

#[test]
fn character_level_code_y() {
    let report = compute(&example(), UnitLevel::Character).unwrap();
    let y = &report.per_code[Y];
    let t = y.two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (0, 4, 2, 24));
    // pe = (4·2 + 26·28)/900 = 736/900; κ = (720 − 736)/(900 − 736) = −16/164.
    assert_exact(y.percent_agreement, 24.0 / 30.0);
    assert_exact(y.cohen.pairs[0].cohen.observed, 24.0 / 30.0);
    assert_exact(y.cohen.pairs[0].cohen.expected, 736.0 / 900.0);
    assert_exact(y.cohen.pairs[0].cohen.kappa, -16.0 / 164.0);
    // n1 = 6, n0 = 54, S = 6: P_e = (36 + 2916)/3600, κ_F = (324 − 360)/324.
    assert_exact(y.fleiss.observed, 24.0 / 30.0);
    assert_exact(y.fleiss.expected, 2952.0 / 3600.0);
    assert_exact(y.fleiss.kappa, -36.0 / 324.0);
    // D_o = 12/60, D_e = 2·54·6/3540, α = (324 − 6·59)/324 = −30/324.
    assert_exact(y.krippendorff.observed_disagreement, 12.0 / 60.0);
    assert_exact(y.krippendorff.expected_disagreement, 648.0 / 3540.0);
    assert_exact(y.krippendorff.alpha, -30.0 / 324.0);

    printed(y.percent_agreement, 0.8000);
    printed(y.cohen.pairs[0].cohen.kappa, -0.0976);
    printed(y.cohen.pairs[0].cohen.expected, 0.8178);
    printed(y.fleiss.kappa, -0.1111);
    printed(y.fleiss.expected, 0.8200);
    printed(y.krippendorff.alpha, -0.0926);
    printed(y.krippendorff.expected_disagreement, 0.1831);
}

#[test]
fn character_level_pooled_and_macro() {
    let report = compute(&example(), UnitLevel::Character).unwrap();
    let pooled = &report.pooled;
    assert_eq!(pooled.units, 60);
    let t = pooled.two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (11, 7, 3, 39));
    // 50 of 60 agree; r1 = 18, c1 = 14: chance = 18·14 + 42·46 = 2184;
    // κ = (3000 − 2184)/(3600 − 2184) = 816/1416.
    assert_exact(pooled.percent_agreement, 50.0 / 60.0);
    assert_exact(pooled.cohen.mean.value, 816.0 / 1416.0);
    // n = 120, n1 = 32, n0 = 88, S = 10: κ_F = (2816 − 1200)/2816, α = (2816 − 1190)/2816.
    assert_exact(pooled.fleiss.kappa, 1616.0 / 2816.0);
    assert_exact(pooled.krippendorff.alpha, 1626.0 / 2816.0);
    printed(pooled.percent_agreement, 0.8333);
    printed(pooled.cohen.mean.value, 0.5763);
    printed(pooled.fleiss.kappa, 0.5739);
    printed(pooled.krippendorff.alpha, 0.5774);

    let m = &report.macro_mean;
    assert_exact(m.percent_agreement.value, (26.0 / 30.0 + 24.0 / 30.0) / 2.0);
    assert_exact(m.cohen_kappa.value, (324.0 / 444.0 - 16.0 / 164.0) / 2.0);
    assert_exact(m.fleiss_kappa.value, (644.0 / 884.0 - 36.0 / 324.0) / 2.0);
    assert_exact(
        m.krippendorff_alpha.value,
        (648.0 / 884.0 - 30.0 / 324.0) / 2.0,
    );
    assert_eq!(
        (
            m.percent_agreement.used,
            m.cohen_kappa.used,
            m.fleiss_kappa.used,
            m.krippendorff_alpha.used
        ),
        (2, 2, 2, 2)
    );
    printed(m.percent_agreement.value, 0.8333);
    printed(m.cohen_kappa.value, 0.3161);
    printed(m.fleiss_kappa.value, 0.3087);
    printed(m.krippendorff_alpha.value, 0.3202);
}

#[test]
fn turn_level() {
    let report = compute(&example(), UnitLevel::Turn).unwrap();
    assert_eq!(report.units_per_code, 5);
    let x = &report.per_code[X];
    // Both coders mark turns 1–3 of D1 and turn 1 of D2.
    let t = x.two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (4, 0, 0, 1));
    assert_exact(x.percent_agreement, 1.0);
    assert_exact(x.cohen.mean.value, 1.0);
    assert_exact(x.fleiss.kappa, 1.0);
    assert_exact(x.krippendorff.alpha, 1.0);

    let y = &report.per_code[Y];
    let t = y.two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (0, 1, 1, 3));
    // chance = 1 + 16 = 17: κ = (15 − 17)/(25 − 17); n1 = 2, n0 = 8, S = 2:
    // κ_F = (16 − 20)/16, α = (16 − 18)/16.
    assert_exact(y.percent_agreement, 0.6);
    assert_exact(y.cohen.mean.value, -0.25);
    assert_exact(y.fleiss.kappa, -0.25);
    assert_exact(y.krippendorff.alpha, -0.125);

    // Pooled: n = 20, n1 = 10, n0 = 10, S = 2: α = (100 − 38)/100.
    assert_exact(report.pooled.krippendorff.alpha, 0.62);
}

#[test]
fn document_level() {
    let report = compute(&example(), UnitLevel::Document).unwrap();
    assert_eq!(report.units_per_code, 2);
    let x = &report.per_code[X];
    // Both coders used X in both documents: PA = 1, everything else null.
    assert_exact(x.percent_agreement, 1.0);
    assert_undefined(x.cohen.pairs[0].cohen.kappa, reason::COHEN_ONE_VALUE);
    assert_undefined(x.cohen.mean.value, reason::NO_DEFINED_PAIR);
    assert_eq!(x.cohen.mean.used, 0);
    assert_undefined(x.fleiss.kappa, reason::FLEISS_ONE_VALUE);
    assert_undefined(x.krippendorff.alpha, reason::ALPHA_ONE_VALUE);
    assert_exact(x.krippendorff.expected_disagreement, 0.0);

    let y = &report.per_code[Y];
    assert_exact(y.krippendorff.alpha, 1.0);
    assert_exact(y.cohen.mean.value, 1.0);
    assert_exact(y.fleiss.kappa, 1.0);

    // Macro means skip X's nulls.
    assert_exact(report.macro_mean.krippendorff_alpha.value, 1.0);
    assert_eq!(report.macro_mean.krippendorff_alpha.used, 1);
    assert_eq!(report.macro_mean.percent_agreement.used, 2);
}

#[test]
fn unitizing_alpha_per_code_and_overall() {
    let u = unitizing_alpha(&example()).unwrap();
    assert_eq!(u.continuum, 30);
    let x = &u.per_code[X];
    assert_eq!(x.units, 6);
    // Ordered δ² sum 12: D_O = 12/(2·1·30²) = 1/150. Gaps: a {2, 6, 1, 7},
    // b {4, 7, 7}; numerator 3158, denominator 60·59 − 110 = 3430:
    // D_E = (2·3158/30)/3430 = 1579/25725, α_U = 1 − (1/150)/(1579/25725) = 2815/3158.
    assert_exact(x.observed_disagreement, 1.0 / 150.0);
    assert_exact(x.expected_disagreement, 2.0 * 3158.0 / 30.0 / 3430.0);
    assert_exact(x.alpha, 2815.0 / 3158.0);
    printed(x.alpha, 0.8914);
    printed(x.observed_disagreement, 0.0067);
    printed(x.expected_disagreement, 0.0614);

    // Y: a [0,4) vs b [12,14): δ² 16 + 4 per order, D_O = 40/1800 = 1/45;
    // gaps {16, 12, 6, 10, 10}: numerator 652 + 198 = 850, denominator
    // 3540 − 14 = 3526, D_E = 1700/105780 = 85/5289, α_U = −488/1275.
    let y = &u.per_code[Y];
    assert_exact(y.observed_disagreement, 1.0 / 45.0);
    assert_exact(y.expected_disagreement, 85.0 / 5289.0);
    assert_exact(y.alpha, -488.0 / 1275.0);
    printed(y.alpha, -0.3827);

    // Overall: 1 − (1/150 + 1/45)/(1579/25725 + 85/5289) = 1016515/1621224.
    assert_exact(u.overall.alpha, 1016515.0 / 1621224.0);
    printed(u.overall.alpha, 0.6270);
    assert_exact(
        u.overall.observed_disagreement,
        (1.0 / 150.0 + 1.0 / 45.0) / 2.0,
    );
    assert_exact(u.macro_mean.value, (2815.0 / 3158.0 - 488.0 / 1275.0) / 2.0);
    assert_eq!(u.macro_mean.used, 2);
}

#[test]
fn reports_carry_unitizing_alpha_at_every_level() {
    let reports: Vec<Report> = compute_levels(&example(), &UnitLevel::ALL).unwrap();
    for report in &reports {
        assert_value(report.per_code[X].unitizing.alpha, 2815.0 / 3158.0, EXACT);
        assert_value(report.pooled.unitizing.alpha, 1016515.0 / 1621224.0, EXACT);
        assert_eq!(report.macro_mean.unitizing_alpha.used, 2);
    }
    assert_eq!(reports[1], compute(&example(), UnitLevel::Turn).unwrap());
}
