//! Where coders disagree: the regions the lead walks through one by one.

use std::cmp::Reverse;

use serde::Serialize;

use super::input::{AgreementInput, InputError, Prepared};
use super::sweep::CoverageSweep;

/// A maximal stretch of one document where some coders gave `code` and the
/// others did not, with the same split throughout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub code: usize,
    pub document: usize,
    pub start: u64,
    pub end: u64,
    pub coders_with: Vec<usize>,
    pub coders_without: Vec<usize>,
}

impl Region {
    /// Length in code points.
    pub fn length(&self) -> u64 {
        self.end - self.start
    }
}

/// The disagreement regions of one code, longest first, then by document
/// and start. An unknown code has none.
pub fn disagreements(input: &AgreementInput, code: usize) -> Result<Vec<Region>, InputError> {
    let prep = Prepared::new(input)?;
    let mut regions = Vec::new();
    collect_regions(&prep, code, &mut regions);
    sort_regions(&mut regions);
    Ok(regions)
}

/// The disagreement regions of every code, longest first, then by
/// document, start and code.
pub fn disagreements_all_codes(input: &AgreementInput) -> Result<Vec<Region>, InputError> {
    let prep = Prepared::new(input)?;
    let mut regions = Vec::new();
    for code in 0..prep.codes {
        collect_regions(&prep, code, &mut regions);
    }
    sort_regions(&mut regions);
    Ok(regions)
}

fn collect_regions(prep: &Prepared, code: usize, out: &mut Vec<Region>) {
    let mut sweep = CoverageSweep::default();
    for group in prep.units.groups_of_code(code) {
        let len = prep.doc_lens[group.document];
        // The sweep merges stretches with the same coders, so each run with
        // a split is already maximal.
        sweep.for_each_run(group.by_coder(), len, |run, with| {
            if !with.is_empty() && with.len() < prep.coders {
                out.push(Region {
                    code,
                    document: group.document,
                    start: run.start,
                    end: run.end,
                    coders_with: with.to_vec(),
                    coders_without: (0..prep.coders).filter(|c| !with.contains(c)).collect(),
                });
            }
        });
    }
}

fn sort_regions(regions: &mut [Region]) {
    regions.sort_by_key(|r| (Reverse(r.length()), r.document, r.start, r.code));
}
