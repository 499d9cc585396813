//! The boundary sweep behind every character-level figure, the disagreement
//! regions and the run-length reliability rows.
//!
//! Documents run to tens of thousands of code points while codings have a
//! few dozen boundaries, so nothing here visits characters: the coders'
//! unit boundaries are sorted and swept, and each stretch between two
//! boundaries is handled once, weighted by its length.

use super::input::Span;

/// Reusable buffers, so sweeping thousands of (code, document) groups does
/// not allocate per group.
#[derive(Default)]
pub(super) struct CoverageSweep {
    /// `(position, coder, is_start)` of every unit boundary.
    events: Vec<(u64, usize, bool)>,
    /// How many of a coder's units cover the current position. Units of one
    /// coder never overlap, so this is 0 or 1 except at a shared boundary.
    depth: Vec<u32>,
    covered: Vec<bool>,
    members: Vec<usize>,
}

impl CoverageSweep {
    /// Calls `visit(run, coders_with_code)` for each maximal run of
    /// `[0, len)` on which the same coders cover every position.
    ///
    /// `lists` gives each coder's units (sorted, non-overlapping, inside
    /// `[0, len)`), indexed by coder. `coders_with_code` is sorted and empty
    /// for uncovered runs. Runs arrive in order, tile `[0, len)`, and two
    /// consecutive runs always differ in coders, so touching units of one
    /// coder do not split a run. Cost: O(B log B + changes × m) for B
    /// boundaries and m coders, independent of `len`.
    pub fn for_each_run<'a>(
        &mut self,
        lists: impl IntoIterator<Item = &'a [Span]>,
        len: u64,
        mut visit: impl FnMut(Span, &[usize]),
    ) {
        self.events.clear();
        let mut coders = 0;
        for (coder, units) in lists.into_iter().enumerate() {
            coders = coder + 1;
            for unit in units {
                self.events.push((unit.start, coder, true));
                self.events.push((unit.end, coder, false));
            }
        }
        self.events.sort_unstable_by_key(|event| event.0);
        self.depth.clear();
        self.depth.resize(coders, 0);
        self.covered.clear();
        self.covered.resize(coders, false);
        self.members.clear();

        let mut run_start = 0;
        let mut rest = &self.events[..];
        while let Some(&(pos, _, _)) = rest.first() {
            let (here, tail) = rest.split_at(rest.partition_point(|event| event.0 <= pos));
            for &(_, coder, is_start) in here {
                if is_start {
                    self.depth[coder] += 1;
                } else {
                    self.depth[coder] -= 1;
                }
            }
            // Apply all boundaries at `pos` before comparing: a unit ending
            // where the same coder's next unit starts changes nothing.
            let changed = here
                .iter()
                .any(|&(_, coder, _)| (self.depth[coder] > 0) != self.covered[coder]);
            if changed {
                if pos > run_start {
                    visit(
                        Span {
                            start: run_start,
                            end: pos,
                        },
                        &self.members,
                    );
                }
                run_start = pos;
                for &(_, coder, _) in here {
                    self.covered[coder] = self.depth[coder] > 0;
                }
                self.members.clear();
                self.members
                    .extend((0..coders).filter(|&coder| self.covered[coder]));
            }
            rest = tail;
        }
        if len > run_start {
            visit(
                Span {
                    start: run_start,
                    end: len,
                },
                &self.members,
            );
        }
    }
}
