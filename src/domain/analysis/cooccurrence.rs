//! Code co-occurrence: how often two codes meet, at one of three scopes, with ATLAS.ti's
//! c-coefficient `count / (n_a + n_b − count)`.
//!
//! - `Overlap`: `count` is the number of pairs (an excerpt with code a, an excerpt with
//!   code b) whose spans share at least one code point; one excerpt carrying both codes is
//!   one pair. `n` counts excerpts.
//! - `Turn` / `Document`: `count` is the number of turns (documents) in which both codes
//!   occur, `n` the number in which the code occurs. An excerpt occurs in every turn it
//!   touches; an excerpt touching no turn counts for no turn.
//!
//! With several coding sets (coders, the consensus set) every set is counted on its own
//! and the counts are added: excerpts of different sets never pair, and a turn coded by
//! two coders is two units.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::CodedExcerpt;
use crate::domain::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Overlap,
    Turn,
    Document,
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Scope, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "overlap" => Ok(Scope::Overlap),
            "turn" => Ok(Scope::Turn),
            "document" => Ok(Scope::Document),
            other => Err(Invalid::new(
                "scope",
                format!("'{other}' is not a scope; use overlap, turn or document."),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Overlap => "overlap",
            Scope::Turn => "turn",
            Scope::Document => "document",
        }
    }
}

/// The speaker turns of each document, `[start, end)` in text order.
pub type Turns = HashMap<i64, Vec<(i64, i64)>>;

/// The whole table: `n` per code and `count` per unordered pair `(a, b)`, `a < b`; pairs
/// that never meet are absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub n: BTreeMap<i64, u64>,
    pub counts: BTreeMap<(i64, i64), u64>,
}

impl Table {
    pub fn count(&self, a: i64, b: i64) -> u64 {
        self.counts.get(&ordered(a, b)).copied().unwrap_or(0)
    }

    /// ATLAS.ti's c-coefficient, capped at 1: when excerpts carrying both codes overlap
    /// one another there can be more pairs than excerpts.
    pub fn c(&self, a: i64, b: i64) -> f64 {
        let count = self.count(a, b) as f64;
        let n = |code| self.n.get(&code).copied().unwrap_or(0) as f64;
        let denominator = n(a) + n(b) - count;
        if count == 0.0 {
            0.0
        } else if denominator <= count {
            1.0
        } else {
            count / denominator
        }
    }
}

fn ordered(a: i64, b: i64) -> (i64, i64) {
    (a.min(b), a.max(b))
}

/// Every excerpt grouped by (set, document), each group sorted by start.
fn groups(excerpts: &[CodedExcerpt]) -> BTreeMap<(i64, i64), Vec<&CodedExcerpt>> {
    let mut groups: BTreeMap<(i64, i64), Vec<&CodedExcerpt>> = BTreeMap::new();
    for e in excerpts.iter().filter(|e| !e.code_ids.is_empty()) {
        groups.entry((e.set, e.document_id)).or_default().push(e);
    }
    for group in groups.values_mut() {
        group.sort_by_key(|e| (e.start, e.end, e.id));
    }
    groups
}

/// Calls `meet(i, j)` (`i < j`, indices into `group`) once for every unordered pair of
/// distinct overlapping excerpts of one group (sorted by start): a sweep, so sparse coding
/// costs little more than a scan.
fn overlapping_pairs(group: &[&CodedExcerpt], mut meet: impl FnMut(usize, usize)) {
    for (i, x) in group.iter().enumerate() {
        for (j, _) in group
            .iter()
            .enumerate()
            .skip(i + 1)
            .take_while(|(_, y)| y.start < x.end)
        {
            meet(i, j);
        }
    }
}

/// The counts while they are being made: a dense matrix over the codes that occur (in id
/// order), turned into the table's maps at the end. The overlap sweep meets millions of
/// pairs on a large project, and a map lookup per pair was most of the table's time.
struct Tally {
    /// Sorted: a code's dense index is its place here.
    ids: Vec<i64>,
    n: Vec<u64>,
    /// `counts[a * k + b]` for dense indices `a <= b`.
    counts: Vec<u64>,
}

impl Tally {
    fn new(excerpts: &[CodedExcerpt]) -> Tally {
        Tally::over(excerpts.iter().flat_map(|e| e.code_ids.iter().copied()))
    }

    /// A tally over the codes in `codes` (repeats allowed).
    fn over(codes: impl Iterator<Item = i64>) -> Tally {
        let ids: Vec<i64> = codes.collect::<BTreeSet<_>>().into_iter().collect();
        let k = ids.len();
        Tally {
            ids,
            n: vec![0; k],
            counts: vec![0; k * k],
        }
    }

    fn dense(&self, code: i64) -> usize {
        self.ids
            .binary_search(&code)
            .expect("every code is in the tally")
    }

    fn pair(&mut self, a: usize, b: usize) {
        let k = self.ids.len();
        self.counts[a.min(b) * k + a.max(b)] += 1;
    }

    fn into_table(self) -> Table {
        let k = self.ids.len();
        let mut table = Table::default();
        for (a, &id) in self.ids.iter().enumerate() {
            if self.n[a] > 0 {
                table.n.insert(id, self.n[a]);
            }
            for b in a..k {
                let count = self.counts[a * k + b];
                if count > 0 {
                    table.counts.insert((id, self.ids[b]), count);
                }
            }
        }
        table
    }
}

/// The co-occurrence table of `excerpts` at `scope` (`turns` is read only for `Turn`).
pub fn table(excerpts: &[CodedExcerpt], turns: &Turns, scope: Scope) -> Table {
    let mut tally = Tally::new(excerpts);
    for ((_, document_id), group) in groups(excerpts) {
        match scope {
            Scope::Overlap => add_overlaps(&mut tally, &group),
            Scope::Document => add_unit(&mut tally, group.iter().flat_map(|e| &e.code_ids)),
            Scope::Turn => {
                let document_turns = turns.get(&document_id).map(Vec::as_slice);
                for (start, end) in document_turns.unwrap_or_default() {
                    let inside = group
                        .iter()
                        .filter(|e| e.start < *end && *start < e.end)
                        .flat_map(|e| &e.code_ids);
                    add_unit(&mut tally, inside);
                }
            }
        }
    }
    tally.into_table()
}

/// The table at document scope from where codes occur: `(set, document_id, code_id)`, in
/// any order, repeats allowed (what the database keeps per document, code and set).
pub fn document_table(mut occurrences: Vec<(i64, i64, i64)>) -> Table {
    let mut tally = Tally::over(occurrences.iter().map(|o| o.2));
    occurrences.sort_unstable();
    for unit in occurrences.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        add_unit(&mut tally, unit.iter().map(|o| &o.2));
    }
    tally.into_table()
}

fn add_overlaps(tally: &mut Tally, group: &[&CodedExcerpt]) {
    // Every excerpt's codes as dense indices, in one vector.
    let mut flat = Vec::new();
    let mut bounds = Vec::with_capacity(group.len());
    for e in group {
        let from = flat.len();
        flat.extend(e.code_ids.iter().map(|c| tally.dense(*c)));
        bounds.push(from..flat.len());
    }
    let codes = |i: usize| &flat[bounds[i].clone()];
    for i in 0..group.len() {
        let own = codes(i);
        for (i, &a) in own.iter().enumerate() {
            tally.n[a] += 1;
            for &b in &own[i + 1..] {
                tally.pair(a, b);
            }
        }
    }
    overlapping_pairs(group, |i, j| {
        for &a in codes(i) {
            for &b in codes(j).iter().filter(|&&b| b != a) {
                tally.pair(a, b);
            }
        }
    });
}

/// One unit (a turn or a document) in which these codes occur (repeats allowed).
fn add_unit<'c>(tally: &mut Tally, codes: impl Iterator<Item = &'c i64>) {
    let present: Vec<usize> = codes
        .map(|c| tally.dense(*c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (i, &a) in present.iter().enumerate() {
        tally.n[a] += 1;
        for &b in &present[i + 1..] {
            tally.pair(a, b);
        }
    }
}

/// One place where codes a and b meet: a pair of excerpts (overlap), a turn or a
/// document, with the excerpts of each code there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub set: i64,
    pub document_id: i64,
    /// The shared span (overlap), the turn, or `[0, 0)` for a whole document.
    pub start: i64,
    pub end: i64,
    pub with_a: Vec<i64>,
    pub with_b: Vec<i64>,
}

/// Where `a` and `b` meet, one entry per unit the table's `count(a, b)` counts.
pub fn meetings(
    excerpts: &[CodedExcerpt],
    turns: &Turns,
    scope: Scope,
    a: i64,
    b: i64,
) -> Vec<Meeting> {
    let mut out = Vec::new();
    for ((set, document_id), group) in groups(excerpts) {
        let meeting = |start, end, with_a, with_b| Meeting {
            set,
            document_id,
            start,
            end,
            with_a,
            with_b,
        };
        match scope {
            Scope::Overlap => {
                for e in group.iter().filter(|e| e.has(a) && e.has(b) && a != b) {
                    out.push(meeting(e.start, e.end, vec![e.id], vec![e.id]));
                }
                overlapping_pairs(&group, |i, j| {
                    let (x, y) = (group[i], group[j]);
                    let (start, end) = (y.start, x.end.min(y.end));
                    for (p, q) in [(x, y), (y, x)] {
                        if p.has(a) && q.has(b) {
                            out.push(meeting(start, end, vec![p.id], vec![q.id]));
                        }
                    }
                });
            }
            Scope::Document => {
                let (with_a, with_b) = split(&group, a, b, 0, i64::MAX);
                if !with_a.is_empty() && !with_b.is_empty() {
                    out.push(meeting(0, 0, with_a, with_b));
                }
            }
            Scope::Turn => {
                let document_turns = turns.get(&document_id).map(Vec::as_slice);
                for (start, end) in document_turns.unwrap_or_default() {
                    let (with_a, with_b) = split(&group, a, b, *start, *end);
                    if !with_a.is_empty() && !with_b.is_empty() {
                        out.push(meeting(*start, *end, with_a, with_b));
                    }
                }
            }
        }
    }
    // In reading order, whichever way they were found.
    out.sort_by_key(|m| (m.document_id, m.start, m.end, m.set));
    out
}

/// Ids of the group's excerpts touching `[start, end)` with code a, and with code b.
fn split(group: &[&CodedExcerpt], a: i64, b: i64, start: i64, end: i64) -> (Vec<i64>, Vec<i64>) {
    let touching = || group.iter().filter(move |e| e.start < end && start < e.end);
    let with = |code| touching().filter(|e| e.has(code)).map(|e| e.id).collect();
    (with(a), with(b))
}
