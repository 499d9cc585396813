//! Builders, assertions and a tiny seeded PRNG shared by the tests.

use super::super::{AgreementInput, Coding, DocumentInput, Stat};

/// Spec §10.7: exact values are compared with an absolute tolerance of 1e-9.
pub const EXACT: f64 = 1e-9;

#[track_caller]
pub fn assert_value(stat: Stat, expected: f64, tolerance: f64) {
    match stat {
        Stat::Value(v) => assert!(
            (v - expected).abs() <= tolerance,
            "expected {expected} ± {tolerance}, got {v} (off by {})",
            (v - expected).abs()
        ),
        Stat::Undefined(why) => panic!("expected {expected}, got undefined: {why}"),
    }
}

#[track_caller]
pub fn assert_exact(stat: Stat, expected: f64) {
    assert_value(stat, expected, EXACT);
}

#[track_caller]
pub fn assert_undefined(stat: Stat, reason: &'static str) {
    assert_eq!(
        stat,
        Stat::Undefined(reason),
        "expected undefined ({reason})"
    );
}

/// Both undefined, or both defined and within `tolerance`.
#[track_caller]
pub fn assert_same(actual: Stat, expected: Stat, tolerance: f64, what: &str) {
    match (actual, expected) {
        (Stat::Value(a), Stat::Value(e)) => {
            assert!((a - e).abs() <= tolerance, "{what}: {a} vs {e}")
        }
        (Stat::Undefined(_), Stat::Undefined(_)) => {}
        _ => panic!("{what}: {actual:?} vs {expected:?}"),
    }
}

pub fn doc(len: u64, turns: &[(u64, u64)]) -> DocumentInput {
    DocumentInput {
        len,
        turns: turns.to_vec(),
    }
}

pub fn coding(coder: usize, code: usize, document: usize, start: u64, end: u64) -> Coding {
    Coding {
        coder,
        code,
        document,
        start,
        end,
    }
}

/// One document of length `len`, `coders` coders, one code (index 0); each
/// coder's spans given as `(start, end)`.
pub fn single_code(len: u64, per_coder: &[&[(u64, u64)]]) -> AgreementInput {
    AgreementInput {
        documents: vec![doc(len, &[])],
        coders: per_coder.len(),
        codes: 1,
        codings: per_coder
            .iter()
            .enumerate()
            .flat_map(|(coder, spans)| spans.iter().map(move |&(s, e)| coding(coder, 0, 0, s, e)))
            .collect(),
    }
}

/// SplitMix64: small, seeded, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.index(i + 1));
        }
    }
}

/// A small random input exercising every normalisation rule: empty
/// documents, empty and overlapping turns, empty, duplicate, overlapping
/// and touching spans, coders without codings and unused codes.
pub fn random_input(rng: &mut Rng) -> AgreementInput {
    let documents: Vec<_> = (0..1 + rng.index(4))
        .map(|_| {
            let len = if rng.chance(10) { 0 } else { 1 + rng.below(30) };
            let turns = (0..rng.index(5))
                .map(|_| {
                    let a = rng.below(len + 1);
                    let b = rng.below(len + 1);
                    (a.min(b), a.max(b))
                })
                .collect();
            DocumentInput { len, turns }
        })
        .collect();
    let coders = 1 + rng.index(4);
    let codes = 1 + rng.index(3);
    let mut codings: Vec<Coding> = Vec::new();
    for _ in 0..rng.index(30) {
        let document = rng.index(documents.len());
        let len = documents[document].len;
        let a = rng.below(len + 1);
        let b = rng.below(len + 1);
        let coder = rng.index(coders);
        let code = rng.index(codes);
        codings.push(coding(coder, code, document, a.min(b), a.max(b)));
        // Touching and duplicate spans of the same coder and code.
        if rng.chance(15) && a.max(b) < len {
            codings.push(coding(coder, code, document, a.max(b), len));
        }
        if rng.chance(10) {
            codings.push(*codings.last().expect("just pushed"));
        }
    }
    // Sometimes a coder or code that only appears in the codings.
    if rng.chance(20) && documents[0].len > 1 {
        codings.push(coding(coders, codes, 0, 0, 1));
    }
    AgreementInput {
        documents,
        coders,
        codes,
        codings,
    }
}
