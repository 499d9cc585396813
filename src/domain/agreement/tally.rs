//! Turning unit lists into per-code binary counts at each unit level (spec §2).
//!
//! For binary data every coefficient of spec §3–§5 depends only on `N` and,
//! for each coder pair, on how many units both coders gave 1 (the diagonal
//! being how many units each coder gave 1). That m × m "co-coding" matrix is
//! additive over units, so it is accumulated from runs of identical units
//! weighted by their length, and pooling codes is a plain sum.

use serde::Serialize;

use super::input::{Group, Prepared, Span, UnitLevel};
use super::sweep::CoverageSweep;

/// The 2 × 2 table of one coder pair; the first index is the first coder's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PairTable {
    pub n11: u64,
    pub n10: u64,
    pub n01: u64,
    pub n00: u64,
}

impl PairTable {
    pub fn units(&self) -> u64 {
        self.n11 + self.n10 + self.n01 + self.n00
    }
}

/// Sufficient statistics of an m × N binary reliability matrix with no
/// missing values: `N`, and for every coder pair `(i, j)` the number of
/// units both gave 1 (for `i == j`: the units coder `i` gave 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryCounts {
    coders: usize,
    units: u64,
    /// Row-major m × m; only `i <= j` is written, [`Self::both`] symmetrises.
    together: Vec<u64>,
}

impl BinaryCounts {
    /// `units` units that every coder rated 0; [`Self::mark_ones`] then
    /// records where coders gave 1.
    pub fn all_zero(coders: usize, units: u64) -> BinaryCounts {
        BinaryCounts {
            coders,
            units,
            together: vec![0; coders * coders],
        }
    }

    /// Records that `weight` of the units are rated 1 by exactly the coders in
    /// `coders_with_one` (sorted, distinct) and 0 by the rest. The units were
    /// already counted by [`Self::all_zero`].
    pub fn mark_ones(&mut self, weight: u64, coders_with_one: &[usize]) {
        for (k, &i) in coders_with_one.iter().enumerate() {
            for &j in &coders_with_one[k..] {
                self.together[i * self.coders + j] += weight;
            }
        }
    }

    /// Adds another matrix over the same coders: stacking units (pooling).
    pub fn absorb(&mut self, other: &BinaryCounts) {
        debug_assert_eq!(self.coders, other.coders);
        self.units += other.units;
        for (mine, theirs) in self.together.iter_mut().zip(&other.together) {
            *mine += theirs;
        }
    }

    pub fn coders(&self) -> usize {
        self.coders
    }

    pub fn units(&self) -> u64 {
        self.units
    }

    /// Units coder `i` gave 1.
    pub fn ones(&self, i: usize) -> u64 {
        self.together[i * self.coders + i]
    }

    /// Units coders `i` and `j` both gave 1.
    pub fn both(&self, i: usize, j: usize) -> u64 {
        let (lo, hi) = (i.min(j), i.max(j));
        self.together[lo * self.coders + hi]
    }

    pub fn pair_table(&self, i: usize, j: usize) -> PairTable {
        let n11 = self.both(i, j);
        let n10 = self.ones(i) - n11;
        let n01 = self.ones(j) - n11;
        PairTable {
            n11,
            n10,
            n01,
            n00: self.units - n11 - n10 - n01,
        }
    }

    /// `n1 = Σ_u k_u`: all 1-values given, over coders and units.
    pub fn total_ones(&self) -> u128 {
        (0..self.coders).map(|i| u128::from(self.ones(i))).sum()
    }

    /// `Σ_u k_u (m − k_u)`, the number of disagreeing ordered-by-value coder
    /// pairs summed over units. With `Σ_u k_u² = n1 + 2 Σ_{i<j} both(i, j)`
    /// it follows from the matrix without revisiting units.
    pub fn disagreement_sum(&self) -> u128 {
        let pairs_both: u128 = (0..self.coders)
            .flat_map(|i| (i + 1..self.coders).map(move |j| (i, j)))
            .map(|(i, j)| u128::from(self.both(i, j)))
            .sum();
        (self.coders as u128).saturating_sub(1) * self.total_ones() - 2 * pairs_both
    }
}

/// Per-code counts at `level`, in code order.
pub(super) fn tally(prep: &Prepared, level: UnitLevel) -> Vec<BinaryCounts> {
    let units_per_code = units_at_level(prep, level);
    let mut per_code = vec![BinaryCounts::all_zero(prep.coders, units_per_code); prep.codes];
    let mut walker = UnitWalker::default();
    // Only (code, document) groups somebody coded can hold a 1; the other
    // units are all-zero and already counted by `all_zero`.
    for group in prep.units.groups() {
        let counts = &mut per_code[group.code];
        walker.walk(
            prep,
            level,
            group.document,
            Some(group),
            |_, weight, with| {
                counts.mark_ones(weight, with);
            },
        );
    }
    per_code
}

/// Enumerates the units of one (code, document) pair at a unit level as
/// runs of identical units, reusing its buffers across calls.
#[derive(Default)]
pub(super) struct UnitWalker {
    sweep: CoverageSweep,
    members: Vec<usize>,
}

impl UnitWalker {
    /// Calls `visit(span, weight, coders_with_one)` for the units of
    /// `document`: `weight` identical units covering `span`, rated 1 by the
    /// sorted `coders_with_one` and 0 by everybody else. `group` holds the
    /// code's units in the document, `None` if nobody used the code there.
    ///
    /// Character level: one call per run of constant coverage (weight =
    /// run length). Turn level: one call per turn (weight 1). Document
    /// level: one call for a non-empty document (weight 1).
    pub fn walk(
        &mut self,
        prep: &Prepared,
        level: UnitLevel,
        document: usize,
        group: Option<Group<'_>>,
        mut visit: impl FnMut(Span, u64, &[usize]),
    ) {
        let len = prep.doc_lens[document];
        let whole = Span { start: 0, end: len };
        match (level, group) {
            (UnitLevel::Character, Some(group)) => {
                self.sweep.for_each_run(group.by_coder(), len, |run, with| {
                    visit(run, run.len(), with)
                });
            }
            (UnitLevel::Character, None) if len > 0 => visit(whole, len, &[]),
            (UnitLevel::Turn, _) => {
                for &turn in &prep.turns[document] {
                    self.members.clear();
                    if let Some(group) = group {
                        self.members.extend(coders_touching(group, turn));
                    }
                    visit(turn, 1, &self.members);
                }
            }
            (UnitLevel::Document, _) if len > 0 => {
                self.members.clear();
                if let Some(group) = group {
                    self.members.extend(
                        group
                            .by_coder()
                            .enumerate()
                            .filter(|(_, units)| !units.is_empty())
                            .map(|(coder, _)| coder),
                    );
                }
                visit(whole, 1, &self.members);
            }
            _ => {}
        }
    }
}

/// `N` of spec §2: the same for every code.
pub(super) fn units_at_level(prep: &Prepared, level: UnitLevel) -> u64 {
    match level {
        UnitLevel::Character => prep.total_len(),
        UnitLevel::Turn => prep.turns.iter().map(|turns| turns.len() as u64).sum(),
        UnitLevel::Document => prep.doc_lens.iter().filter(|&&len| len > 0).count() as u64,
    }
}

/// The coders with a unit overlapping `turn` by at least one code point.
fn coders_touching(group: Group<'_>, turn: Span) -> impl Iterator<Item = usize> + '_ {
    group
        .by_coder()
        .enumerate()
        .filter(move |(_, units)| any_overlap(units, turn))
        .map(|(coder, _)| coder)
}

/// Whether some unit of a sorted, non-overlapping list overlaps `span`.
/// Such lists are sorted by end as well, so the first unit ending after
/// `span.start` is the only candidate.
fn any_overlap(units: &[Span], span: Span) -> bool {
    let first = units.partition_point(|unit| unit.end <= span.start);
    units.get(first).is_some_and(|unit| unit.start < span.end)
}
