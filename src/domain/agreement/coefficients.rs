//! Percent agreement, Cohen's kappa, Fleiss' kappa and Krippendorff's alpha
//! (spec §3–§5).
//!
//! The app's binary path works on [`BinaryCounts`] and evaluates every
//! coefficient as one exact integer ratio, converted to f64 once. The
//! general nominal functions (any categories, and missing values for alpha)
//! serve the published multi-category checks and any caller with labels.

use std::collections::BTreeMap;

use serde::Serialize;

use super::stat::{Mean, Stat, reason, signed};
use super::tally::{BinaryCounts, PairTable};

/// Cohen's kappa with its parts: `observed` is `po`, `expected` is `pe`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cohen {
    pub observed: Stat,
    pub expected: Stat,
    pub kappa: Stat,
}

/// Fleiss' kappa with its parts: `observed` is `P̄`, `expected` is `P_e`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fleiss {
    pub observed: Stat,
    pub expected: Stat,
    pub kappa: Stat,
}

/// Krippendorff's alpha with its parts `D_o` and `D_e`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Alpha {
    /// `n`: values in units with at least two values (binary path: `N m`).
    pub pairable_values: u128,
    pub observed_disagreement: Stat,
    pub expected_disagreement: Stat,
    pub alpha: Stat,
}

/// Cohen's kappa of coders `first < second`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairKappa {
    pub first: usize,
    pub second: usize,
    pub table: PairTable,
    pub cohen: Cohen,
}

/// Every pair's Cohen's kappa and their mean over defined pairs (Light 1971).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohenSummary {
    pub pairs: Vec<PairKappa>,
    pub mean: Mean,
}

impl Cohen {
    pub(super) fn undefined(why: &'static str) -> Cohen {
        let u = Stat::Undefined(why);
        Cohen {
            observed: u,
            expected: u,
            kappa: u,
        }
    }
}

impl Fleiss {
    pub(super) fn undefined(why: &'static str) -> Fleiss {
        let u = Stat::Undefined(why);
        Fleiss {
            observed: u,
            expected: u,
            kappa: u,
        }
    }
}

impl Alpha {
    pub(super) fn undefined(pairable_values: u128, why: &'static str) -> Alpha {
        let u = Stat::Undefined(why);
        Alpha {
            pairable_values,
            observed_disagreement: u,
            expected_disagreement: u,
            alpha: u,
        }
    }
}

/// Why no coefficient can be computed at all, if that is the case.
pub(super) fn unusable(coders: usize, units: u64) -> Option<&'static str> {
    if coders < 2 {
        Some(reason::FEWER_THAN_TWO_CODERS)
    } else if units == 0 {
        Some(reason::NO_UNITS)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Binary, complete data (the app)
// ---------------------------------------------------------------------------

/// Mean pairwise percent agreement (spec §3). With `S = Σ_u k_u (m − k_u)`
/// disagreeing coder pairs over all units and `P = m(m−1)/2` pairs,
/// `PA = (P·N − S) / (P·N)`, which also equals Fleiss' `P̄`.
pub fn percent_agreement(counts: &BinaryCounts) -> Stat {
    if let Some(why) = unusable(counts.coders(), counts.units()) {
        return Stat::Undefined(why);
    }
    let m = counts.coders() as u128;
    let parts = || {
        let comparisons = signed((m * (m - 1) / 2).checked_mul(u128::from(counts.units()))?)?;
        let disagreements = signed(counts.disagreement_sum())?;
        Some((comparisons - disagreements, comparisons))
    };
    Stat::exact_ratio(parts(), reason::NO_UNITS)
}

/// Cohen's kappa of one 2 × 2 table (spec §4.1).
pub fn cohen_kappa(table: &PairTable) -> Cohen {
    let n = u128::from(table.units());
    let agree = u128::from(table.n11 + table.n00);
    let (r1, c1) = (
        u128::from(table.n11 + table.n10),
        u128::from(table.n11 + table.n01),
    );
    cohen_from_margins(n, agree, r1 * c1 + (n - r1) * (n - c1))
}

/// Cohen's kappa for every coder pair `i < j`, and their mean over the
/// defined pairs (spec §4.1).
pub fn cohen_summary(counts: &BinaryCounts) -> CohenSummary {
    let m = counts.coders();
    let pairs: Vec<PairKappa> = (0..m)
        .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
        .map(|(first, second)| {
            let table = counts.pair_table(first, second);
            PairKappa {
                first,
                second,
                table,
                cohen: cohen_kappa(&table),
            }
        })
        .collect();
    let no_mean = unusable(m, counts.units()).unwrap_or(reason::NO_DEFINED_PAIR);
    let mean = Mean::of_defined(pairs.iter().map(|p| p.cohen.kappa), no_mean);
    CohenSummary { pairs, mean }
}

/// Fleiss' kappa (spec §4.2) of binary data: per unit, `k_u` coders gave 1
/// and `m − k_u` gave 0.
pub fn fleiss_kappa(counts: &BinaryCounts) -> Fleiss {
    if let Some(why) = unusable(counts.coders(), counts.units()) {
        return Fleiss::undefined(why);
    }
    let m = counts.coders() as u128;
    let subjects = u128::from(counts.units());
    let ones = counts.total_ones();
    let zeros = subjects * m - ones;
    let sums = || {
        // Σ_u [k_u² + (m − k_u)²] = N m² − 2 S, as k² + (m − k)² = m² − 2k(m − k).
        let cells = (subjects * m)
            .checked_mul(m)?
            .checked_sub(counts.disagreement_sum().checked_mul(2)?)?;
        let totals = ones
            .checked_mul(ones)?
            .checked_add(zeros.checked_mul(zeros)?)?;
        Some((cells, totals))
    };
    match sums() {
        Some((cells, totals)) => fleiss_from_sums(subjects, m, cells, totals),
        None => Fleiss::undefined(reason::TOO_LARGE),
    }
}

/// Krippendorff's alpha (spec §5) of binary data without missing values:
/// `α = 1 − (n − 1) S / ((m − 1) n0 n1)` with `n = N m` values, `n1` ones,
/// `n0` zeros and `S = Σ_u k_u (m − k_u)`.
pub fn krippendorff_alpha(counts: &BinaryCounts) -> Alpha {
    let m = counts.coders() as u128;
    let n = u128::from(counts.units()) * m;
    if let Some(why) = unusable(counts.coders(), counts.units()) {
        return Alpha::undefined(n, why);
    }
    let ones = counts.total_ones();
    let zeros = n - ones;
    let s = counts.disagreement_sum();
    // Σ_{c≠k} o_ck = Σ_u 2 k_u (m − k_u) / (m − 1) and Σ_{c≠k} n_c n_k = 2 n0 n1.
    let observed = || Some((signed(s.checked_mul(2)?)?, signed((m - 1).checked_mul(n)?)?));
    let expected = || {
        let mass = ones.checked_mul(zeros)?.checked_mul(2)?;
        Some((signed(mass)?, signed(n.checked_mul(n - 1)?)?))
    };
    let alpha = || {
        let chance = signed((m - 1).checked_mul(ones)?.checked_mul(zeros)?)?;
        let seen = signed(s.checked_mul(n - 1)?)?;
        Some((chance - seen, chance))
    };
    Alpha {
        pairable_values: n,
        observed_disagreement: Stat::exact_ratio(observed(), reason::NO_UNITS),
        expected_disagreement: Stat::exact_ratio(expected(), reason::NO_UNITS),
        alpha: Stat::exact_ratio(alpha(), reason::ALPHA_ONE_VALUE),
    }
}

// ---------------------------------------------------------------------------
// Shared exact cores
// ---------------------------------------------------------------------------

/// Cohen's kappa from `n` units, `agree` units on the diagonal and
/// `chance = Σ_c r_c c_c` (row total × column total per category):
/// `κ = (n·agree − chance) / (n² − chance)`.
fn cohen_from_margins(n: u128, agree: u128, chance: u128) -> Cohen {
    if n == 0 {
        return Cohen::undefined(reason::NO_UNITS);
    }
    let observed = || Some((signed(agree)?, signed(n)?));
    let expected = || Some((signed(chance)?, signed(n.checked_mul(n)?)?));
    let kappa = || {
        let (chance, n_sq) = expected()?;
        Some((signed(n.checked_mul(agree)?)? - chance, n_sq - chance))
    };
    Cohen {
        observed: Stat::exact_ratio(observed(), reason::NO_UNITS),
        expected: Stat::exact_ratio(expected(), reason::NO_UNITS),
        kappa: Stat::exact_ratio(kappa(), reason::COHEN_ONE_VALUE),
    }
}

/// Fleiss' kappa from `subjects` rated by `raters` each, `cells = Σ_{i,c} n_ic²`
/// and `totals = Σ_c (Σ_i n_ic)²`. With `T = subjects · raters`:
/// `P̄ = (cells − T) / (T (raters − 1))`, `P_e = totals / T²`, and
/// `κ = ((cells − T) T − totals (raters − 1)) / ((raters − 1)(T² − totals))`.
fn fleiss_from_sums(subjects: u128, raters: u128, cells: u128, totals: u128) -> Fleiss {
    if raters < 2 {
        return Fleiss::undefined(reason::FEWER_THAN_TWO_CODERS);
    }
    if subjects == 0 {
        return Fleiss::undefined(reason::NO_UNITS);
    }
    let t = subjects * raters;
    let agreeing = || signed(cells.checked_sub(t)?);
    let t_sq = || signed(t.checked_mul(t)?);
    let observed = || Some((agreeing()?, signed(t.checked_mul(raters - 1)?)?));
    let expected = || Some((signed(totals)?, t_sq()?));
    let kappa = || {
        let r = signed(raters - 1)?;
        let totals = signed(totals)?;
        let num = agreeing()?
            .checked_mul(signed(t)?)?
            .checked_sub(totals.checked_mul(r)?)?;
        Some((num, r.checked_mul(t_sq()?.checked_sub(totals)?)?))
    };
    Fleiss {
        observed: Stat::exact_ratio(observed(), reason::NO_UNITS),
        expected: Stat::exact_ratio(expected(), reason::NO_UNITS),
        kappa: Stat::exact_ratio(kappa(), reason::FLEISS_ONE_VALUE),
    }
}

// ---------------------------------------------------------------------------
// General nominal data (any number of categories)
// ---------------------------------------------------------------------------

/// Cohen's kappa of a square contingency table: `table[a][b]` units got
/// category `a` from the first coder and `b` from the second.
pub fn cohen_kappa_table(table: &[Vec<u64>]) -> Cohen {
    let k = table.len();
    let row = |a: usize| table[a].iter().map(|&x| u128::from(x)).sum::<u128>();
    let col = |b: usize| table.iter().map(|r| u128::from(r[b])).sum::<u128>();
    let n: u128 = (0..k).map(row).sum();
    let agree: u128 = (0..k).map(|c| u128::from(table[c][c])).sum();
    let chance: u128 = (0..k).map(|c| row(c) * col(c)).sum();
    cohen_from_margins(n, agree, chance)
}

/// Cohen's kappa of two coders' labels, one `(first, second)` pair per unit.
pub fn cohen_kappa_nominal<C: Ord>(units: &[(C, C)]) -> Cohen {
    let categories = category_index(units.iter().flat_map(|(a, b)| [a, b]));
    let mut table = vec![vec![0u64; categories.len()]; categories.len()];
    for (a, b) in units {
        table[categories[a]][categories[b]] += 1;
    }
    cohen_kappa_table(&table)
}

/// Fleiss' kappa from a subjects × categories table of rater counts; every
/// row must sum to the same number of raters.
pub fn fleiss_kappa_counts(rows: &[Vec<u64>]) -> Fleiss {
    let raters_of = |row: &Vec<u64>| row.iter().map(|&x| u128::from(x)).sum::<u128>();
    let Some(raters) = rows.first().map(raters_of) else {
        return Fleiss::undefined(reason::NO_UNITS);
    };
    if rows.iter().any(|row| raters_of(row) != raters) {
        return Fleiss::undefined(reason::UNEQUAL_RATERS);
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let column = |c: usize| {
        rows.iter()
            .map(|r| u128::from(r.get(c).copied().unwrap_or(0)))
            .sum::<u128>()
    };
    let cells: u128 = rows
        .iter()
        .flatten()
        .map(|&x| u128::from(x) * u128::from(x))
        .sum();
    let totals: u128 = (0..width).map(|c| column(c) * column(c)).sum();
    fleiss_from_sums(rows.len() as u128, raters, cells, totals)
}

/// Fleiss' kappa of labels, one `Vec` of all raters' labels per subject.
pub fn fleiss_kappa_nominal<C: Ord>(units: &[Vec<C>]) -> Fleiss {
    let categories = category_index(units.iter().flatten());
    let rows: Vec<Vec<u64>> = units
        .iter()
        .map(|unit| {
            let mut row = vec![0u64; categories.len()];
            for label in unit {
                row[categories[label]] += 1;
            }
            row
        })
        .collect();
    fleiss_kappa_counts(&rows)
}

/// Krippendorff's nominal alpha in its general coincidence form (spec §5):
/// one `Vec` per unit with one entry per coder, `None` for a missing value.
/// Units with fewer than two values are not pairable and are skipped.
///
/// `D_e` is an exact integer ratio; `D_o` sums fractions with the per-unit
/// denominators `m_u − 1` and is accumulated in f64.
pub fn krippendorff_alpha_nominal<C: Ord>(units: &[Vec<Option<C>>]) -> Alpha {
    let mut per_category: BTreeMap<&C, u128> = BTreeMap::new();
    let mut disagreement = 0.0;
    for unit in units {
        let mut here: BTreeMap<&C, u128> = BTreeMap::new();
        for value in unit.iter().flatten() {
            *here.entry(value).or_default() += 1;
        }
        let m_u: u128 = here.values().sum();
        if m_u < 2 {
            continue;
        }
        // Row c of the unit's coincidences sums to n_uc, and its
        // off-diagonal mass is (m_u² − Σ_c n_uc²) / (m_u − 1).
        let same: u128 = here.values().map(|n| n * n).sum();
        disagreement += (m_u * m_u - same) as f64 / (m_u - 1) as f64;
        for (value, n) in here {
            *per_category.entry(value).or_default() += n;
        }
    }
    let n: u128 = per_category.values().sum();
    if n < 2 {
        return Alpha::undefined(n, reason::TOO_FEW_VALUES);
    }
    let expected_mass = n * n - per_category.values().map(|c| c * c).sum::<u128>();
    let observed = disagreement / n as f64;
    let expected = Stat::exact_ratio(
        signed(expected_mass).zip(signed(n * (n - 1))),
        reason::NO_UNITS,
    );
    let alpha = if expected_mass == 0 {
        Stat::Undefined(reason::ALPHA_ONE_VALUE)
    } else {
        Stat::Value(1.0 - (n - 1) as f64 * disagreement / expected_mass as f64)
    };
    Alpha {
        pairable_values: n,
        observed_disagreement: Stat::Value(observed),
        expected_disagreement: expected,
        alpha,
    }
}

/// Dense indices for the distinct labels, in label order.
fn category_index<'a, C: Ord + 'a>(labels: impl Iterator<Item = &'a C>) -> BTreeMap<&'a C, usize> {
    let mut index: BTreeMap<&C, usize> = labels.map(|label| (label, 0)).collect();
    for (i, slot) in index.values_mut().enumerate() {
        *slot = i;
    }
    index
}
