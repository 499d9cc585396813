//! Reference implementations used only by the tests. They visit every
//! character, read the raw codings, and use the textbook formulas directly
//! in floating point. Apart from the input types they share no code with the
//! module, so agreement between the two is evidence, not tautology.

use super::super::{AgreementInput, UnitLevel};

/// One reliability-matrix row: `weight` identical units and each coder's value.
pub type WeightedUnit = (u64, Vec<u8>);

pub fn coder_count(input: &AgreementInput) -> usize {
    input
        .codings
        .iter()
        .map(|c| c.coder + 1)
        .fold(input.coders, usize::max)
}

pub fn code_count(input: &AgreementInput) -> usize {
    input
        .codings
        .iter()
        .map(|c| c.code + 1)
        .fold(input.codes, usize::max)
}

/// The m × N binary matrix of `code` at `level`, one weight-1 row per unit,
/// built straight from the definitions of spec §2.
pub fn units(input: &AgreementInput, level: UnitLevel, code: usize) -> Vec<WeightedUnit> {
    let m = coder_count(input);
    let has = |coder: usize, document: usize, overlaps: &dyn Fn(u64, u64) -> bool| {
        input.codings.iter().any(|c| {
            c.coder == coder && c.code == code && c.document == document && overlaps(c.start, c.end)
        })
    };
    let mut rows = Vec::new();
    for (d, doc) in input.documents.iter().enumerate() {
        if doc.len == 0 {
            continue;
        }
        let row = |test: &dyn Fn(u64, u64) -> bool| -> WeightedUnit {
            (1, (0..m).map(|i| u8::from(has(i, d, test))).collect())
        };
        match level {
            UnitLevel::Character => {
                for p in 0..doc.len {
                    rows.push(row(&|s, e| s <= p && p < e));
                }
            }
            UnitLevel::Turn => {
                for &(ts, te) in doc.turns.iter().filter(|(ts, te)| ts < te) {
                    rows.push(row(&|s, e| s.max(ts) < e.min(te)));
                }
            }
            UnitLevel::Document => rows.push(row(&|s, e| s < e)),
        }
    }
    rows
}

#[derive(Debug)]
pub struct NaiveStats {
    pub percent_agreement: Option<f64>,
    /// Pairs in order (0,1), (0,2), …, (1,2), …
    pub cohen_pairs: Vec<Option<f64>>,
    pub cohen_mean: Option<f64>,
    pub fleiss: Option<f64>,
    pub alpha: Option<f64>,
}

pub fn stats(rows: &[WeightedUnit], m: usize) -> NaiveStats {
    let n: u64 = rows.iter().map(|(w, _)| w).sum();
    if m < 2 || n == 0 {
        let pairs = m * m.saturating_sub(1) / 2;
        return NaiveStats {
            percent_agreement: None,
            cohen_pairs: vec![None; pairs],
            cohen_mean: None,
            fleiss: None,
            alpha: None,
        };
    }
    let nf = n as f64;
    let pairs: Vec<(usize, usize)> = (0..m)
        .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
        .collect();

    let agree = |i: usize, j: usize| {
        rows.iter()
            .filter(|(_, x)| x[i] == x[j])
            .map(|(w, _)| *w as f64)
            .sum::<f64>()
            / nf
    };
    let percent_agreement =
        Some(pairs.iter().map(|&(i, j)| agree(i, j)).sum::<f64>() / pairs.len() as f64);

    let ones = |i: usize| {
        rows.iter()
            .filter(|(_, x)| x[i] == 1)
            .map(|(w, _)| *w)
            .sum::<u64>()
    };
    let cohen_pairs: Vec<Option<f64>> = pairs
        .iter()
        .map(|&(i, j)| {
            let (r1, c1) = (ones(i), ones(j));
            // pe = 1 exactly when both coders used one and the same value throughout.
            if (r1 == n && c1 == n) || (r1 == 0 && c1 == 0) {
                return None;
            }
            let po = agree(i, j);
            let pe = (r1 as f64 * c1 as f64 + (n - r1) as f64 * (n - c1) as f64) / (nf * nf);
            Some((po - pe) / (1.0 - pe))
        })
        .collect();
    let defined: Vec<f64> = cohen_pairs.iter().flatten().copied().collect();
    let cohen_mean =
        (!defined.is_empty()).then(|| defined.iter().sum::<f64>() / defined.len() as f64);

    let mf = m as f64;
    let k_of = |x: &Vec<u8>| x.iter().map(|&v| u64::from(v)).sum::<u64>();
    let total_ones: u64 = rows.iter().map(|(w, x)| w * k_of(x)).sum();
    let single_value = total_ones == 0 || total_ones == n * m as u64;

    let fleiss = (!single_value).then(|| {
        let p_bar = rows
            .iter()
            .map(|(w, x)| {
                let k = k_of(x) as f64;
                *w as f64 * (k * (k - 1.0) + (mf - k) * (mf - k - 1.0)) / (mf * (mf - 1.0))
            })
            .sum::<f64>()
            / nf;
        let p1 = total_ones as f64 / (nf * mf);
        let p_e = p1 * p1 + (1.0 - p1) * (1.0 - p1);
        (p_bar - p_e) / (1.0 - p_e)
    });

    let alpha = (!single_value).then(|| coincidence_alpha(rows, mf));

    NaiveStats {
        percent_agreement,
        cohen_pairs,
        cohen_mean,
        fleiss,
        alpha,
    }
}

/// Krippendorff's alpha from the coincidence matrix, built entry by entry.
fn coincidence_alpha(rows: &[WeightedUnit], mf: f64) -> f64 {
    let mut o = [[0.0f64; 2]; 2];
    for (w, x) in rows {
        let count = |c: u8| x.iter().filter(|&&v| v == c).count() as f64;
        for c in 0..2u8 {
            for k in 0..2u8 {
                let same = if c == k { 1.0 } else { 0.0 };
                o[c as usize][k as usize] += *w as f64 * count(c) * (count(k) - same) / (mf - 1.0);
            }
        }
    }
    let n_c = [o[0][0] + o[0][1], o[1][0] + o[1][1]];
    let total = n_c[0] + n_c[1];
    let d_o = (o[0][1] + o[1][0]) / total;
    let d_e = 2.0 * n_c[0] * n_c[1] / (total * (total - 1.0));
    1.0 - d_o / d_e
}

/// α_U parts of one code: `(D_O, D_E, α)`, `None` where undefined.
pub fn unitizing(input: &AgreementInput, code: usize) -> (Option<f64>, Option<f64>, Option<f64>) {
    let m = coder_count(input);
    let l: u64 = input.documents.iter().map(|d| d.len).sum();
    if m < 2 || l == 0 {
        return (None, None, None);
    }
    let mut observed: u128 = 0;
    let mut unit_lens: Vec<u64> = Vec::new();
    let mut gap_lens: Vec<u64> = Vec::new();
    for (d, doc) in input.documents.iter().enumerate() {
        if doc.len == 0 {
            continue;
        }
        let partitions: Vec<Vec<(u64, u64, bool)>> = (0..m)
            .map(|i| partition(input, code, d, i, doc.len))
            .collect();
        for (i, a) in partitions.iter().enumerate() {
            for (j, b) in partitions.iter().enumerate() {
                if i != j {
                    for &s in a {
                        for &t in b {
                            observed += delta_squared(s, t);
                        }
                    }
                }
            }
            unit_lens.extend(a.iter().filter(|s| s.2).map(|s| s.1 - s.0));
            gap_lens.extend(a.iter().filter(|s| !s.2).map(|s| s.1 - s.0));
        }
    }
    let d_o = observed as f64 / (m * (m - 1)) as f64 / (l as f64 * l as f64);
    let n_c = unit_lens.len() as u128;
    let mut numerator: u128 = 0;
    for &len in &unit_lens {
        let u = u128::from(len);
        let fits: u128 = gap_lens
            .iter()
            .filter(|&&g| g >= len)
            .map(|&g| u128::from(g - len + 1))
            .sum();
        numerator += (n_c - 1) * (2 * u * u * u + u - 3 * u * u) / 3 + u * u * fits;
    }
    let ml = (m as u128) * u128::from(l);
    let denominator = ml * (ml - 1)
        - unit_lens
            .iter()
            .map(|&u| u128::from(u) * u128::from(u.saturating_sub(1)))
            .sum::<u128>();
    let d_e = 2.0 * numerator as f64 / l as f64 / denominator as f64;
    let alpha = (numerator != 0).then(|| 1.0 - d_o / d_e);
    (Some(d_o), Some(d_e), alpha)
}

/// Overall α_U: `1 − Σ D_O / Σ D_E` over codes that have at least one unit.
pub fn unitizing_overall(input: &AgreementInput) -> Option<f64> {
    let used: Vec<usize> = (0..code_count(input))
        .filter(|&c| input.codings.iter().any(|x| x.code == c && x.start < x.end))
        .collect();
    let parts: Vec<_> = used.iter().map(|&c| unitizing(input, c)).collect();
    if parts.is_empty() || parts.iter().any(|p| p.0.is_none()) {
        return None;
    }
    let o: f64 = parts.iter().map(|p| p.0.unwrap()).sum();
    let e: f64 = parts.iter().map(|p| p.1.unwrap()).sum();
    (e != 0.0).then(|| 1.0 - o / e)
}

/// Coder `i`'s gaps and units for `code` in document `d`: spans merged when
/// they share a code point, kept apart when they only touch.
fn partition(
    input: &AgreementInput,
    code: usize,
    d: usize,
    i: usize,
    len: u64,
) -> Vec<(u64, u64, bool)> {
    let mut spans: Vec<(u64, u64)> = input
        .codings
        .iter()
        .filter(|c| c.coder == i && c.code == code && c.document == d && c.start < c.end)
        .map(|c| (c.start, c.end))
        .collect();
    spans.sort();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for (s, e) in merged {
        if pos < s {
            out.push((pos, s, false));
        }
        out.push((s, e, true));
        pos = e;
    }
    if pos < len {
        out.push((pos, len, false));
    }
    out
}

/// The table of spec §7.2, row by row.
fn delta_squared((b1, e1, unit1): (u64, u64, bool), (b2, e2, unit2): (u64, u64, bool)) -> u128 {
    let sq = |a: u64, b: u64| u128::from(a.abs_diff(b)).pow(2);
    if unit1 && unit2 && b1 < e2 && b2 < e1 {
        sq(b1, b2) + sq(e1, e2)
    } else if unit1 && !unit2 && b2 <= b1 && e1 <= e2 {
        sq(e1, b1)
    } else if !unit1 && unit2 && b1 <= b2 && e2 <= e1 {
        sq(e2, b2)
    } else {
        0
    }
}
