//! Normalisation and validation (spec §1) and the null policy (spec §6).

use super::super::{
    AgreementInput, InputError, Stat, UnitLevel, Warning, compute, compute_levels, disagreements,
    reason, reliability_rows, unitizing_alpha,
};
use super::support::{assert_exact, assert_undefined, coding, doc, single_code};

fn with_codings(
    documents: Vec<super::super::DocumentInput>,
    codings: Vec<super::super::Coding>,
) -> AgreementInput {
    AgreementInput {
        documents,
        coders: 2,
        codes: 1,
        codings,
    }
}

#[test]
fn invalid_spans_and_turns_are_rejected_with_their_location() {
    let docs = || vec![doc(10, &[]), doc(5, &[])];
    let cases = [
        (
            with_codings(docs(), vec![coding(0, 0, 0, 0, 2), coding(0, 0, 2, 0, 1)]),
            InputError::UnknownDocument {
                coding: 1,
                document: 2,
                documents: 2,
            },
        ),
        (
            with_codings(docs(), vec![coding(1, 0, 1, 4, 3)]),
            InputError::SpanReversed {
                coding: 0,
                start: 4,
                end: 3,
            },
        ),
        (
            with_codings(docs(), vec![coding(0, 0, 1, 0, 6)]),
            InputError::SpanOutOfRange {
                coding: 0,
                document: 1,
                end: 6,
                len: 5,
            },
        ),
        (
            with_codings(vec![doc(10, &[(0, 4), (6, 5)])], vec![]),
            InputError::TurnReversed {
                document: 0,
                turn: 1,
                start: 6,
                end: 5,
            },
        ),
        (
            with_codings(vec![doc(10, &[]), doc(5, &[(0, 6)])], vec![]),
            InputError::TurnOutOfRange {
                document: 1,
                turn: 0,
                end: 6,
                len: 5,
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(compute(&input, UnitLevel::Character), Err(expected.clone()));
        assert_eq!(unitizing_alpha(&input), Err(expected.clone()));
        assert_eq!(disagreements(&input, 0), Err(expected.clone()));
        assert_eq!(
            reliability_rows(&input, UnitLevel::Turn),
            Err(expected.clone())
        );
        assert!(!expected.to_string().is_empty());
    }
    assert_eq!(
        InputError::SpanOutOfRange {
            coding: 7,
            document: 1,
            end: 6,
            len: 5
        }
        .to_string(),
        "coding 7 ends at 6, beyond the end of document 1 (length 5)"
    );
}

#[test]
fn empty_spans_and_turns_are_ignored_with_warnings() {
    let input = with_codings(
        vec![doc(10, &[(0, 5), (5, 5), (5, 10)])],
        vec![
            coding(0, 0, 0, 3, 3),
            coding(0, 0, 0, 0, 4),
            coding(1, 0, 0, 0, 4),
        ],
    );
    let report = compute(&input, UnitLevel::Turn).unwrap();
    assert_eq!(
        report.warnings,
        vec![
            Warning::EmptyTurnIgnored {
                document: 0,
                turn: 1
            },
            Warning::EmptySpanIgnored { coding: 0 }
        ]
    );
    assert_eq!(report.units_per_code, 2);
    assert_exact(report.per_code[0].krippendorff.alpha, 1.0);
    assert_eq!(unitizing_alpha(&input).unwrap().per_code[0].units, 2);
    assert_eq!(
        report.warnings[1].to_string(),
        "coding 0 is empty (start = end) and was ignored"
    );
}

#[test]
fn overlapping_and_duplicate_spans_count_once_but_touching_units_stay_apart() {
    // Coder 0 codes [0,6) as [0,4) + [2,6) + a duplicate; coder 1 as [0,3) + [3,6).
    let input = single_code(10, &[&[(0, 4), (2, 6), (2, 6)], &[(0, 3), (3, 6)]]);
    let report = compute(&input, UnitLevel::Character).unwrap();
    let t = report.per_code[0].two_by_two.unwrap();
    assert_eq!((t.n11, t.n10, t.n01, t.n00), (6, 0, 0, 4));
    assert_exact(report.per_code[0].krippendorff.alpha, 1.0);
    // For α_U coder 0 has one unit and coder 1 two touching units.
    let u = unitizing_alpha(&input).unwrap();
    assert_eq!(u.per_code[0].units, 3);
    assert!(u.per_code[0].alpha.value().unwrap() < 1.0);
    // No disagreement region: the coverage is identical.
    assert!(disagreements(&input, 0).unwrap().is_empty());
}

#[test]
fn coders_and_codes_from_codings_extend_the_declared_lists() {
    let mut input = single_code(10, &[&[(0, 5)], &[(0, 5)]]);
    input.codings.push(coding(3, 2, 0, 5, 6));
    let report = compute(&input, UnitLevel::Document).unwrap();
    assert_eq!((report.coders, report.codes), (4, 3));
    assert_eq!(report.per_code.len(), 3);
    // Coder 2 never coded anything and still rates every unit 0.
    assert_eq!(report.per_code[0].cohen.pairs.len(), 6);
    assert_eq!(report.pooled.units, 3);
}

#[test]
fn a_declared_coder_without_codings_rates_everything_zero() {
    let two = single_code(10, &[&[(0, 5)], &[(0, 5)]]);
    let mut three = two.clone();
    three.coders = 3;
    let report = compute(&three, UnitLevel::Character).unwrap();
    // k = 2 of 3 on 5 units, 0 on 5: S = 5·2·1 = 10, n1 = 10, n0 = 20:
    // α = (2·20·10 − 10·29)/(2·20·10) = 110/400.
    assert_exact(report.per_code[0].krippendorff.alpha, 110.0 / 400.0);
    assert_exact(
        compute(&two, UnitLevel::Character).unwrap().per_code[0]
            .krippendorff
            .alpha,
        1.0,
    );
}

#[test]
fn a_code_nobody_used_has_null_coefficients_but_full_agreement() {
    let mut input = single_code(10, &[&[(0, 5)], &[(2, 5)]]);
    input.documents[0].turns = vec![(0, 4), (4, 10)];
    input.codes = 2;
    for report in compute_levels(&input, &UnitLevel::ALL).unwrap() {
        let unused = &report.per_code[1];
        assert_exact(unused.percent_agreement, 1.0);
        assert_undefined(unused.krippendorff.alpha, reason::ALPHA_ONE_VALUE);
        assert_undefined(unused.fleiss.kappa, reason::FLEISS_ONE_VALUE);
        assert_undefined(unused.cohen.pairs[0].cohen.kappa, reason::COHEN_ONE_VALUE);
        assert_undefined(unused.cohen.mean.value, reason::NO_DEFINED_PAIR);
        assert_undefined(unused.unitizing.alpha, reason::CODE_UNUSED);
        // Its all-zero units still enter the pooled figures.
        assert_eq!(report.pooled.units, 2 * report.units_per_code);
        assert_eq!(
            report.macro_mean.krippendorff_alpha.used,
            report.per_code[0].krippendorff.alpha.is_defined() as usize
        );
        assert_eq!(report.macro_mean.unitizing_alpha.used, 1);
    }
}

#[test]
fn fewer_than_two_coders_makes_everything_null() {
    let input = single_code(10, &[&[(0, 5)]]);
    let report = compute(&input, UnitLevel::Character).unwrap();
    let s = &report.per_code[0];
    for stat in [
        s.percent_agreement,
        s.cohen.mean.value,
        s.fleiss.kappa,
        s.krippendorff.alpha,
        s.unitizing.alpha,
    ] {
        assert_undefined(stat, reason::FEWER_THAN_TWO_CODERS);
    }
    assert!(s.cohen.pairs.is_empty());
    assert_undefined(
        report.pooled.percent_agreement,
        reason::FEWER_THAN_TWO_CODERS,
    );
    assert_undefined(
        report.macro_mean.percent_agreement.value,
        reason::NO_DEFINED_VALUE,
    );
}

#[test]
fn no_turns_makes_the_turn_level_null() {
    let input = single_code(10, &[&[(0, 5)], &[(0, 5)]]);
    let report = compute(&input, UnitLevel::Turn).unwrap();
    assert_eq!(report.units_per_code, 0);
    assert_undefined(report.per_code[0].percent_agreement, reason::NO_TURNS);
    assert_undefined(report.pooled.krippendorff.alpha, reason::NO_TURNS);
    // α_U does not depend on the level.
    assert_exact(report.per_code[0].unitizing.alpha, 1.0);
}

#[test]
fn empty_documents_contribute_no_units() {
    let mut input = single_code(10, &[&[(0, 5)], &[(0, 5)]]);
    input.documents.push(doc(0, &[(0, 0)]));
    input.codings.push(coding(0, 0, 1, 0, 0));
    assert_eq!(
        compute(&input, UnitLevel::Document).unwrap().units_per_code,
        1
    );
    assert_eq!(
        compute(&input, UnitLevel::Character)
            .unwrap()
            .units_per_code,
        10
    );
    let all_empty = AgreementInput {
        documents: vec![doc(0, &[])],
        coders: 2,
        codes: 1,
        codings: vec![],
    };
    let report = compute(&all_empty, UnitLevel::Character).unwrap();
    assert_undefined(report.per_code[0].percent_agreement, reason::NO_UNITS);
    assert_undefined(report.per_code[0].unitizing.alpha, reason::NO_TEXT);
}

#[test]
fn degenerate_values_are_values() {
    // Perfect disagreement: one coder marks what the other leaves out.
    let input = single_code(10, &[&[(0, 5)], &[(5, 10)]]);
    let s = &compute(&input, UnitLevel::Character).unwrap().per_code[0];
    assert_exact(s.percent_agreement, 0.0);
    assert_exact(s.cohen.mean.value, -1.0);
    // n = 20, n1 = n0 = 10, S = 10: α = (100 − 190)/100.
    assert_exact(s.krippendorff.alpha, -0.9);
}

#[test]
fn stat_serialises_to_value_or_null_with_reason() {
    let json = |s: Stat| serde_json::to_string(&s).unwrap();
    assert_eq!(json(Stat::Value(0.5)), r#"{"value":0.5,"reason":null}"#);
    assert_eq!(
        json(Stat::Undefined(reason::NO_TURNS)),
        format!(r#"{{"value":null,"reason":"{}"}}"#, reason::NO_TURNS)
    );
    let warning = serde_json::to_string(&Warning::EmptySpanIgnored { coding: 3 }).unwrap();
    assert_eq!(warning, r#"{"kind":"empty_span_ignored","coding":3}"#);
    let report = compute(
        &single_code(4, &[&[(0, 2)], &[(1, 2)]]),
        UnitLevel::Character,
    )
    .unwrap();
    assert!(
        serde_json::to_string(&report)
            .unwrap()
            .contains(r#""percent_agreement":{"value":0.75,"reason":null}"#)
    );
}
