//! Hand-made codings with answers worked out on paper.

use super::CodedExcerpt;
use super::cooccurrence::{Scope, Turns, document_table, meetings, table};

const A: i64 = 1;
const B: i64 = 2;
const C: i64 = 3;
const ALICE: i64 = 10;
const BOB: i64 = 11;

fn excerpt(id: i64, set: i64, document: i64, span: (i64, i64), codes: &[i64]) -> CodedExcerpt {
    CodedExcerpt {
        id,
        set,
        document_id: document,
        start: span.0,
        end: span.1,
        code_ids: codes.to_vec(),
    }
}

#[test]
fn adjacent_spans_do_not_overlap_but_one_shared_code_point_does() {
    let adjacent = [
        excerpt(1, ALICE, 1, (0, 5), &[A]),
        excerpt(2, ALICE, 1, (5, 9), &[B]),
    ];
    let t = table(&adjacent, &Turns::new(), Scope::Overlap);
    assert_eq!(t.count(A, B), 0);
    assert_eq!((t.n[&A], t.n[&B]), (1, 1));

    let touching = [
        excerpt(1, ALICE, 1, (0, 6), &[A]),
        excerpt(2, ALICE, 1, (5, 9), &[B]),
    ];
    let t = table(&touching, &Turns::new(), Scope::Overlap);
    assert_eq!(t.count(A, B), 1);
    assert_eq!(t.c(A, B), 1.0 / (1.0 + 1.0 - 1.0));
}

#[test]
fn nested_spans_meet_and_one_excerpt_with_both_codes_is_one_pair() {
    // A over [0, 100); B nested at [10, 20); C alone far away; one excerpt with A and B.
    let coding = [
        excerpt(1, ALICE, 1, (0, 100), &[A]),
        excerpt(2, ALICE, 1, (10, 20), &[B]),
        excerpt(3, ALICE, 1, (200, 210), &[A, B]),
        excerpt(4, ALICE, 1, (300, 310), &[C]),
    ];
    let t = table(&coding, &Turns::new(), Scope::Overlap);
    // (1, 2) nested + (3, 3) both codes = 2 pairs; n_A = 2, n_B = 2.
    assert_eq!(t.count(A, B), 2);
    assert_eq!(t.count(B, A), 2);
    assert_eq!(t.c(A, B), 2.0 / (2.0 + 2.0 - 2.0));
    assert_eq!(t.count(A, C), 0);
    assert_eq!(t.c(A, C), 0.0);
    assert_eq!(t.n[&C], 1);
    let met = meetings(&coding, &Turns::new(), Scope::Overlap, A, B);
    let pairs: Vec<_> = met
        .iter()
        .map(|m| (m.with_a[0], m.with_b[0], m.start, m.end))
        .collect();
    assert_eq!(pairs, vec![(1, 2, 10, 20), (3, 3, 200, 210)]);
}

#[test]
fn c_is_count_over_union() {
    // A: 3 excerpts, B: 2 excerpts, one overlapping pair.
    let coding = [
        excerpt(1, ALICE, 1, (0, 10), &[A]),
        excerpt(2, ALICE, 1, (5, 15), &[B]),
        excerpt(3, ALICE, 1, (20, 30), &[A]),
        excerpt(4, ALICE, 2, (0, 10), &[A]),
        excerpt(5, ALICE, 2, (40, 50), &[B]),
    ];
    let t = table(&coding, &Turns::new(), Scope::Overlap);
    assert_eq!(t.count(A, B), 1);
    assert!((t.c(A, B) - 1.0 / 4.0).abs() < 1e-12);
}

#[test]
fn coders_are_counted_apart_and_added() {
    // Alice codes A, Bob codes B over the same text: no co-occurrence across coders.
    let crossed = [
        excerpt(1, ALICE, 1, (0, 10), &[A]),
        excerpt(2, BOB, 1, (0, 10), &[B]),
    ];
    assert_eq!(
        table(&crossed, &Turns::new(), Scope::Overlap).count(A, B),
        0
    );
    // Each codes both, overlapping: one pair each, added.
    let both = [
        excerpt(1, ALICE, 1, (0, 10), &[A]),
        excerpt(2, ALICE, 1, (5, 12), &[B]),
        excerpt(3, BOB, 1, (0, 10), &[A, B]),
    ];
    let t = table(&both, &Turns::new(), Scope::Overlap);
    assert_eq!(t.count(A, B), 2);
    assert_eq!((t.n[&A], t.n[&B]), (2, 2));
    let t = table(&both, &Turns::new(), Scope::Document);
    assert_eq!((t.count(A, B), t.n[&A]), (2, 2));
}

#[test]
fn turns_and_documents_count_units_not_excerpts() {
    let turns: Turns = [(1, vec![(0, 50), (50, 100)]), (2, vec![(0, 80)])].into();
    let coding = [
        // Turn 1 of document 1: A twice and B once, apart.
        excerpt(1, ALICE, 1, (0, 5), &[A]),
        excerpt(2, ALICE, 1, (10, 15), &[A]),
        excerpt(3, ALICE, 1, (40, 45), &[B]),
        // Turn 2: A only.
        excerpt(4, ALICE, 1, (60, 70), &[A]),
        // Document 2: B only.
        excerpt(5, ALICE, 2, (0, 5), &[B]),
    ];
    let t = table(&coding, &turns, Scope::Turn);
    assert_eq!((t.count(A, B), t.n[&A], t.n[&B]), (1, 2, 2));
    assert!((t.c(A, B) - 1.0 / 3.0).abs() < 1e-12);
    let t = table(&coding, &turns, Scope::Document);
    assert_eq!((t.count(A, B), t.n[&A], t.n[&B]), (1, 1, 2));
    let met = meetings(&coding, &turns, Scope::Turn, A, B);
    assert_eq!(met.len(), 1);
    assert_eq!((met[0].start, met[0].end), (0, 50));
    assert_eq!(
        (met[0].with_a.clone(), met[0].with_b.clone()),
        (vec![1, 2], vec![3])
    );
    // An excerpt across a turn boundary occurs in both turns.
    let across = [
        excerpt(1, ALICE, 1, (45, 55), &[A]),
        excerpt(2, ALICE, 1, (90, 95), &[B]),
    ];
    let t = table(&across, &turns, Scope::Turn);
    assert_eq!((t.count(A, B), t.n[&A]), (1, 2));
}

#[test]
fn overlapping_excerpts_with_both_codes_cap_c_at_one() {
    let coding = [
        excerpt(1, ALICE, 1, (0, 10), &[A, B]),
        excerpt(2, ALICE, 1, (5, 15), &[A, B]),
    ];
    let t = table(&coding, &Turns::new(), Scope::Overlap);
    // (1,1), (2,2), (1,2) and (2,1).
    assert_eq!(t.count(A, B), 4);
    assert_eq!(t.c(A, B), 1.0);
    assert_eq!(
        meetings(&coding, &Turns::new(), Scope::Overlap, A, B).len(),
        4
    );
}

#[test]
fn meetings_agree_with_the_table_on_a_busy_document() {
    let mut coding = Vec::new();
    for i in 0..60 {
        let start = (i * 7) % 97;
        let codes: Vec<i64> = [A, B, C]
            .into_iter()
            .filter(|c| (i + c) % 3 != 0 || i % 5 == 0)
            .collect();
        coding.push(excerpt(
            i,
            if i % 4 == 0 { BOB } else { ALICE },
            1 + i % 2,
            (start, start + 1 + i % 13),
            &codes,
        ));
    }
    let turns: Turns = [(1, vec![(0, 40), (40, 120)]), (2, vec![(0, 120)])].into();
    for scope in [Scope::Overlap, Scope::Turn, Scope::Document] {
        let t = table(&coding, &turns, scope);
        for (a, b) in [(A, B), (A, C), (B, C)] {
            let naive = meetings(&coding, &turns, scope, a, b).len() as u64;
            assert_eq!(t.count(a, b), naive, "{scope:?} {a} {b}");
        }
    }
    // Overlap by brute force over every ordered pair.
    let t = table(&coding, &turns, Scope::Overlap);
    let brute = coding
        .iter()
        .flat_map(|x| coding.iter().map(move |y| (x, y)))
        .filter(|(x, y)| x.set == y.set && x.overlaps(y) && x.has(A) && y.has(B))
        .count() as u64;
    assert_eq!(t.count(A, B), brute);
}

#[test]
fn scope_names_parse_and_others_are_refused() {
    assert_eq!(Scope::parse("").unwrap(), Scope::Overlap);
    assert_eq!(Scope::parse("Turn").unwrap(), Scope::Turn);
    assert_eq!(Scope::parse("document").unwrap(), Scope::Document);
    assert_eq!(Scope::parse("sentence").unwrap_err().field, "scope");
}

/// A busy, pseudo-random coding with scattered code ids, by two coders in two documents.
fn busy_coding() -> Vec<CodedExcerpt> {
    let codes = [7, 42, 3, 100, 5];
    let mut seed: u64 = 13;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    (0..80)
        .map(|id| {
            let start = next(400) as i64;
            let mut own: Vec<i64> = (0..1 + next(2)).map(|_| codes[next(5) as usize]).collect();
            own.sort_unstable();
            own.dedup();
            let span = (start, start + 1 + next(60) as i64);
            excerpt(
                id,
                [ALICE, BOB][next(2) as usize],
                1 + next(2) as i64,
                span,
                &own,
            )
        })
        .collect()
}

/// The sweep and the dense tally against every pair checked one by one.
#[test]
fn overlap_counts_match_a_check_of_every_pair() {
    use std::collections::BTreeMap;
    let excerpts = busy_coding();
    let mut n: BTreeMap<i64, u64> = BTreeMap::new();
    let mut counts: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for (i, x) in excerpts.iter().enumerate() {
        for (j, a) in x.code_ids.iter().enumerate() {
            *n.entry(*a).or_default() += 1;
            for b in &x.code_ids[j + 1..] {
                *counts.entry((*a.min(b), *a.max(b))).or_default() += 1;
            }
        }
        for y in &excerpts[i + 1..] {
            let same = x.set == y.set && x.document_id == y.document_id;
            if same && x.start < y.end && y.start < x.end {
                for a in &x.code_ids {
                    for b in y.code_ids.iter().filter(|b| *b != a) {
                        *counts.entry((*a.min(b), *a.max(b))).or_default() += 1;
                    }
                }
            }
        }
    }
    let t = table(&excerpts, &Turns::new(), Scope::Overlap);
    assert!(counts.values().sum::<u64>() > 50, "the coding is busy");
    assert_eq!((t.n, t.counts), (n, counts));
}

/// The document table from where codes occur (what the database keeps) equals the one
/// counted from the excerpts, and the first coder's document 1 is one unit however many
/// excerpts it holds.
#[test]
fn the_document_table_from_occurrences_equals_the_one_from_excerpts() {
    let excerpts = busy_coding();
    let occurrences = excerpts
        .iter()
        .flat_map(|e| e.code_ids.iter().map(|&c| (e.set, e.document_id, c)))
        .collect();
    let from_occurrences = document_table(occurrences);
    assert_eq!(
        from_occurrences,
        table(&excerpts, &Turns::new(), Scope::Document)
    );
    assert!(
        from_occurrences.n.values().all(|&n| n <= 4),
        "2 sets × 2 documents"
    );
    let empty = document_table(Vec::new());
    assert!(empty.n.is_empty() && empty.counts.is_empty());
}
