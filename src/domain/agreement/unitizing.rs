//! Krippendorff's unitizing alpha α_U (spec §7): agreement on where coded
//! stretches begin and end, per code, with the documents as sections of one
//! continuum.
//!
//! Numerators and denominators of `D_O` and `D_E` are exact `u128`
//! integers; only the final ratios are converted to f64.

use serde::Serialize;

use super::input::{AgreementInput, InputError, Prepared, Span, Warning};
use super::stat::{Mean, Stat, ratio_to_f64, reason, signed};

/// α_U of one code, or the overall α_U (spec §7.5), whose `D_O` and `D_E`
/// are then the means over the codes that have at least one unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Unitizing {
    /// Units (`N_c`): merged spans of the code over all coders.
    pub units: u64,
    pub observed_disagreement: Stat,
    pub expected_disagreement: Stat,
    pub alpha: Stat,
}

impl Unitizing {
    fn undefined(units: u64, why: &'static str) -> Unitizing {
        let u = Stat::Undefined(why);
        Unitizing {
            units,
            observed_disagreement: u,
            expected_disagreement: u,
            alpha: u,
        }
    }
}

/// α_U for every code. It does not depend on the unit level, so compute it
/// once per request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitizingReport {
    /// `L`: total length of all documents, in code points.
    pub continuum: u64,
    pub coders: usize,
    pub per_code: Vec<Unitizing>,
    /// `1 − mean D_O / mean D_E` over the codes with at least one unit (DKPro's definition).
    pub overall: Unitizing,
    /// Mean of the defined per-code α_U values.
    pub macro_mean: Mean,
    pub warnings: Vec<Warning>,
}

pub fn unitizing_alpha(input: &AgreementInput) -> Result<UnitizingReport, InputError> {
    Ok(unitizing_report(&Prepared::new(input)?))
}

pub(super) fn unitizing_report(prep: &Prepared) -> UnitizingReport {
    let per_code: Vec<Unitizing> = (0..prep.codes)
        .map(|code| code_unitizing(prep, code))
        .collect();
    UnitizingReport {
        continuum: prep.total_len(),
        coders: prep.coders,
        overall: overall(prep, &per_code),
        macro_mean: Mean::of_defined(per_code.iter().map(|u| u.alpha), reason::NO_DEFINED_VALUE),
        per_code,
        warnings: prep.warnings.clone(),
    }
}

/// Why α_U cannot be computed for any code, if that is so.
fn unusable(prep: &Prepared) -> Option<&'static str> {
    if prep.coders < 2 {
        Some(reason::FEWER_THAN_TWO_CODERS)
    } else if prep.total_len() == 0 {
        Some(reason::NO_TEXT)
    } else {
        None
    }
}

fn code_unitizing(prep: &Prepared, code: usize) -> Unitizing {
    let units: u64 = prep
        .units
        .groups_of_code(code)
        .flat_map(|group| group.by_coder())
        .map(|list| list.len() as u64)
        .sum();
    if let Some(why) = unusable(prep) {
        return Unitizing::undefined(units, why);
    }
    let observed = observed_disagreement(prep, code);
    let expected = expected_disagreement(prep, code);
    let alpha = match (observed, expected) {
        (Some(_), Some((0, _))) if units == 0 => Stat::Undefined(reason::CODE_UNUSED),
        (Some(_), Some((0, _))) => Stat::Undefined(reason::UNITIZING_NO_CHANCE),
        (Some(o), Some(e)) => Stat::Value(one_minus_quotient(o, e)),
        _ => Stat::Undefined(reason::TOO_LARGE),
    };
    let as_stat = |parts: Option<(u128, u128)>| {
        Stat::exact_ratio(
            parts.and_then(|(n, d)| Some((signed(n)?, signed(d)?))),
            reason::NO_TEXT,
        )
    };
    Unitizing {
        units,
        observed_disagreement: as_stat(observed),
        expected_disagreement: as_stat(expected),
        alpha,
    }
}

/// Overall α_U (spec §7.5): `1 − mean D_O / mean D_E` over the codes that
/// have at least one unit. The two means share their count, so this is
/// `1 − Σ D_O / Σ D_E`; the sums are taken in f64 from the exact per-code
/// ratios, since their denominators differ from code to code.
fn overall(prep: &Prepared, per_code: &[Unitizing]) -> Unitizing {
    let used: Vec<&Unitizing> = per_code.iter().filter(|u| u.units > 0).collect();
    let units = used.iter().map(|u| u.units).sum();
    if let Some(why) = unusable(prep) {
        return Unitizing::undefined(units, why);
    }
    if used.is_empty() {
        return Unitizing::undefined(units, reason::NO_CODE_USED);
    }
    let mut sum_observed = 0.0;
    let mut sum_expected = 0.0;
    for code in &used {
        match (code.observed_disagreement, code.expected_disagreement) {
            (Stat::Value(o), Stat::Value(e)) => {
                sum_observed += o;
                sum_expected += e;
            }
            _ => return Unitizing::undefined(units, reason::TOO_LARGE),
        }
    }
    let count = used.len() as f64;
    let alpha = if sum_expected == 0.0 {
        Stat::Undefined(reason::UNITIZING_NO_CHANCE)
    } else {
        Stat::Value(1.0 - sum_observed / sum_expected)
    };
    Unitizing {
        units,
        observed_disagreement: Stat::Value(sum_observed / count),
        expected_disagreement: Stat::Value(sum_expected / count),
        alpha,
    }
}

// ---------------------------------------------------------------------------
// Segments and distances (spec §7.1–7.2)
// ---------------------------------------------------------------------------

/// One piece of a coder's partition of a document: a unit or a gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Segment {
    pub span: Span,
    pub is_unit: bool,
}

/// `δ²` of spec §7.2. Only overlapping segments can be at a distance; a
/// unit inside the other coder's gap counts its full length squared.
/// Exact for offsets below 2^63.
pub(super) fn squared_distance(a: Segment, b: Segment) -> u128 {
    let square = |x: u64| u128::from(x) * u128::from(x);
    let contains = |outer: Span, inner: Span| outer.start <= inner.start && inner.end <= outer.end;
    match (a.is_unit, b.is_unit) {
        (true, true) if a.span.overlaps(b.span) => {
            square(a.span.start.abs_diff(b.span.start)) + square(a.span.end.abs_diff(b.span.end))
        }
        (true, false) if contains(b.span, a.span) => square(a.span.len()),
        (false, true) if contains(a.span, b.span) => square(b.span.len()),
        _ => 0,
    }
}

/// A coder's partition of `[0, len)` into alternating gaps and units (two
/// touching units follow each other without a gap between them).
fn segments(units: &[Span], len: u64) -> impl Iterator<Item = Segment> + '_ {
    let mut pos = 0;
    let mut next = 0;
    std::iter::from_fn(move || {
        let gap_end = units.get(next).map_or(len, |unit| unit.start);
        if pos < gap_end {
            let gap = Span {
                start: pos,
                end: gap_end,
            };
            pos = gap_end;
            return Some(Segment {
                span: gap,
                is_unit: false,
            });
        }
        let unit = *units.get(next)?;
        next += 1;
        pos = unit.end;
        Some(Segment {
            span: unit,
            is_unit: true,
        })
    })
}

// ---------------------------------------------------------------------------
// Observed disagreement (spec §7.3)
// ---------------------------------------------------------------------------

/// `D_O = Σ_{i≠j} Σ_g Σ_h δ²(seg_ig, seg_jh) / (m (m − 1) L²)` as an exact
/// fraction; `None` on overflow.
fn observed_disagreement(prep: &Prepared, code: usize) -> Option<(u128, u128)> {
    let mut unordered: u128 = 0;
    for group in prep.units.groups_of_code(code) {
        let len = prep.doc_lens[group.document];
        for i in 0..prep.coders {
            for j in i + 1..prep.coders {
                let (a, b) = (group.coder(i), group.coder(j));
                // Two whole-document gaps are at distance 0.
                if !(a.is_empty() && b.is_empty()) {
                    unordered = unordered.checked_add(pair_distance(a, b, len)?)?;
                }
            }
        }
    }
    let m = prep.coders as u128;
    let l = u128::from(prep.total_len());
    // δ² is symmetric, so the ordered-pair sum is twice the unordered one.
    Some((
        unordered.checked_mul(2)?,
        (m * (m - 1)).checked_mul(l)?.checked_mul(l)?,
    ))
}

/// Σ δ² over every pair of overlapping segments of two coders' partitions
/// of one document: a single merge pass, since both partitions tile
/// `[0, len)` and the current pair always overlaps.
fn pair_distance(a: &[Span], b: &[Span], len: u64) -> Option<u128> {
    let (mut xs, mut ys) = (segments(a, len), segments(b, len));
    let (mut x, mut y) = (xs.next(), ys.next());
    let mut sum: u128 = 0;
    while let (Some(s), Some(t)) = (x, y) {
        sum = sum.checked_add(squared_distance(s, t))?;
        // Advance whichever ends first; both when they end together.
        if s.span.end <= t.span.end {
            x = xs.next();
        }
        if t.span.end <= s.span.end {
            y = ys.next();
        }
    }
    Some(sum)
}

// ---------------------------------------------------------------------------
// Expected disagreement (spec §7.4)
// ---------------------------------------------------------------------------

/// `D_E` as an exact fraction; `None` on overflow.
///
/// `D_E = (2/L) Σ_u [(N_c − 1) l(l−1)(2l−1)/3 + l² Σ_{g ≥ l} (g − l + 1)]
///        / (m L (m L − 1) − Σ_u l (l − 1))`
/// over all units `u` of the code (length `l`) and the multiset of all
/// coders' gap lengths `g`, with gaps split at document boundaries.
fn expected_disagreement(prep: &Prepared, code: usize) -> Option<(u128, u128)> {
    let mut unit_lens: Vec<u64> = Vec::new();
    let mut gaps: Vec<u64> = Vec::new();
    let mut groups = prep.units.groups_of_code(code).peekable();
    for (document, &len) in prep.doc_lens.iter().enumerate() {
        if len == 0 {
            continue;
        }
        match groups.next_if(|group| group.document == document) {
            Some(group) => {
                for units in group.by_coder() {
                    unit_lens.extend(units.iter().map(|unit| unit.len()));
                    gaps.extend(
                        segments(units, len)
                            .filter(|segment| !segment.is_unit)
                            .map(|segment| segment.span.len()),
                    );
                }
            }
            // Nobody used the code here: every coder has one gap, the document.
            None => gaps.extend(std::iter::repeat_n(len, prep.coders)),
        }
    }

    let fits = GapFits::new(gaps);
    let others = (unit_lens.len() as u128).saturating_sub(1);
    let mut numerator: u128 = 0;
    let mut self_pairs: u128 = 0;
    for &len in &unit_lens {
        let l = u128::from(len);
        // l(l−1)(2l−1)/3 = 2 Σ_{k<l} k² is an integer.
        let within = others.checked_mul(l.checked_mul(l - 1)?.checked_mul(2 * l - 1)? / 3)?;
        let across = (l * l).checked_mul(fits.sum_for(len)?)?;
        numerator = numerator.checked_add(within)?.checked_add(across)?;
        self_pairs = self_pairs.checked_add(l * (l - 1))?;
    }
    let m = prep.coders as u128;
    let l_total = u128::from(prep.total_len());
    let ml = m.checked_mul(l_total)?;
    let pairs = ml.checked_mul(ml - 1)?.checked_sub(self_pairs)?;
    Some((numerator.checked_mul(2)?, l_total.checked_mul(pairs)?))
}

/// The gap-length multiset, sorted with suffix sums, so that
/// `Σ_{g ≥ l} (g − l + 1)` (the number of positions a unit of length `l`
/// fits into the gaps) is one binary search instead of a pass over all gaps.
struct GapFits {
    sorted: Vec<u64>,
    /// `suffix[i] = Σ sorted[i..]`, with `suffix[len] = 0`.
    suffix: Vec<u128>,
}

impl GapFits {
    fn new(mut gaps: Vec<u64>) -> GapFits {
        gaps.sort_unstable();
        let mut suffix = vec![0u128; gaps.len() + 1];
        for i in (0..gaps.len()).rev() {
            suffix[i] = suffix[i + 1] + u128::from(gaps[i]);
        }
        GapFits {
            sorted: gaps,
            suffix,
        }
    }

    fn sum_for(&self, len: u64) -> Option<u128> {
        let first = self.sorted.partition_point(|&gap| gap < len);
        let count = (self.sorted.len() - first) as u128;
        self.suffix[first].checked_sub(count.checked_mul(u128::from(len) - 1)?)
    }
}

// ---------------------------------------------------------------------------
// Exact α_U = 1 − D_O / D_E
// ---------------------------------------------------------------------------

/// `1 − (a/b) / (c/d) = (c·b − a·d) / (c·b)` for `c > 0`: exact when the
/// products fit in 128 bits, otherwise through f64. Equal fractions give
/// exactly 0 either way (spec §6: `D_O = D_E ≠ 0` means α_U = 0).
fn one_minus_quotient(observed: (u128, u128), expected: (u128, u128)) -> f64 {
    let (a, b) = reduced(observed);
    let (c, d) = reduced(expected);
    if (a, b) == (c, d) {
        return 0.0;
    }
    let exact = || {
        let cb = signed(c.checked_mul(b)?)?;
        Some((cb - signed(a.checked_mul(d)?)?, cb))
    };
    match exact() {
        Some((num, den)) => ratio_to_f64(num, den),
        None => 1.0 - (a as f64 / b as f64) / (c as f64 / d as f64),
    }
}

fn reduced((num, den): (u128, u128)) -> (u128, u128) {
    let g = super::stat::gcd(num, den).max(1);
    (num / g, den / g)
}
