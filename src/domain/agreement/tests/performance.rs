//! Cost must follow the number of codings, not the length of the text.
//! The full-size timing (1,000 documents, 150,000 codings) is the agreement
//! benchmark (`cargo bench --bench agreement`); here a tenth of it runs as a test.

use std::time::{Duration, Instant};

use super::super::{
    AgreementInput, Coding, DocumentInput, UnitLevel, compute_levels, disagreements_all_codes,
};
use super::support::Rng;

/// Interview-like data: documents of ~9k code points with 20 turns; each
/// document has `passages` coded passages of random codes, which each coder
/// codes with 85 % probability with jittered boundaries, plus stray codings.
fn synthetic(
    documents: usize,
    coders: usize,
    codes: usize,
    passages: usize,
    seed: u64,
) -> AgreementInput {
    let mut rng = Rng::new(seed);
    let mut docs = Vec::with_capacity(documents);
    let mut codings = Vec::new();
    for document in 0..documents {
        let len = 8_000 + rng.below(2_000);
        let mut cuts: Vec<u64> = (0..19).map(|_| rng.below(len)).collect();
        cuts.extend([0, len]);
        cuts.sort_unstable();
        docs.push(DocumentInput {
            len,
            turns: cuts.windows(2).map(|w| (w[0], w[1])).collect(),
        });
        for _ in 0..passages {
            let code = rng.index(codes);
            let start = rng.below(len - 600);
            let end = start + 50 + rng.below(450);
            for coder in 0..coders {
                if rng.chance(85) {
                    let s = (start + rng.below(41)).saturating_sub(20);
                    let e = (end + rng.below(41) - 20).min(len);
                    codings.push(Coding {
                        coder,
                        code,
                        document,
                        start: s,
                        end: e,
                    });
                }
            }
        }
        for coder in 0..coders {
            if rng.chance(30) {
                let start = rng.below(len - 100);
                codings.push(Coding {
                    coder,
                    code: rng.index(codes),
                    document,
                    start,
                    end: start + 100,
                });
            }
        }
    }
    AgreementInput {
        documents: docs,
        coders,
        codes,
        codings,
    }
}

#[test]
fn a_tenth_of_the_target_workload_runs_quickly_even_unoptimised() {
    let input = synthetic(100, 3, 50, 55, 42);
    assert!(
        input.codings.len() > 13_000,
        "{} codings",
        input.codings.len()
    );
    let started = Instant::now();
    let reports = compute_levels(&input, &UnitLevel::ALL).unwrap();
    let regions = disagreements_all_codes(&input).unwrap();
    let elapsed = started.elapsed();
    for report in &reports {
        let alpha = report.pooled.krippendorff.alpha.value().unwrap();
        assert!(
            alpha > 0.5 && alpha < 1.0,
            "{:?}: α = {alpha}",
            report.level
        );
    }
    let alpha_u = reports[0].pooled.unitizing.alpha.value().unwrap();
    assert!(alpha_u > 0.5 && alpha_u < 1.0, "α_U = {alpha_u}");
    assert!(!regions.is_empty());
    // Generous for debug builds on slow machines; release takes milliseconds.
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn cost_does_not_depend_on_text_length() {
    // A billion code points per document: anything that visits characters
    // would take minutes; boundary sweeps take microseconds.
    let mut input = synthetic(10, 3, 5, 20, 7);
    for document in &mut input.documents {
        document.len = 1_000_000_000;
    }
    let started = Instant::now();
    let reports = compute_levels(&input, &UnitLevel::ALL).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(reports[0].units_per_code, 10_000_000_000);
    assert!(reports[0].pooled.unitizing.alpha.is_defined());
    assert!(reports[0].pooled.krippendorff.alpha.is_defined());
}
