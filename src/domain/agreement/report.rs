//! The agreement report of one unit level: per code, pooled over codes, and
//! the macro mean over codes (spec §2 "Per code and overall").

use serde::Serialize;

use super::coefficients::{
    Alpha, Cohen, CohenSummary, Fleiss, PairKappa, cohen_summary, fleiss_kappa, krippendorff_alpha,
    percent_agreement,
};
use super::input::{AgreementInput, InputError, Prepared, UnitLevel, Warning};
use super::stat::{Mean, Stat, reason};
use super::tally::{BinaryCounts, PairTable, tally, units_at_level};
use super::unitizing::{Unitizing, UnitizingReport, unitizing_report};

/// Every statistic of one code at one unit level (or of all codes pooled).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeStats {
    /// `N`: units at this level (pooled: units × codes).
    pub units: u64,
    /// The 2 × 2 table when there are exactly two coders.
    pub two_by_two: Option<PairTable>,
    pub percent_agreement: Stat,
    pub cohen: CohenSummary,
    pub fleiss: Fleiss,
    pub krippendorff: Alpha,
    /// α_U, which does not depend on the unit level. In the pooled row this
    /// is the overall α_U of spec §7.5.
    pub unitizing: Unitizing,
}

/// Means over codes of the per-code values, skipping undefined ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MacroMean {
    pub percent_agreement: Mean,
    /// Mean over codes of each code's mean pairwise Cohen's kappa.
    pub cohen_kappa: Mean,
    pub fleiss_kappa: Mean,
    pub krippendorff_alpha: Mean,
    pub unitizing_alpha: Mean,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub level: UnitLevel,
    pub coders: usize,
    pub codes: usize,
    /// `N` of every per-code row.
    pub units_per_code: u64,
    pub per_code: Vec<CodeStats>,
    /// All codes' units stacked: the main "overall" figure.
    pub pooled: CodeStats,
    pub macro_mean: MacroMean,
    pub warnings: Vec<Warning>,
}

/// The report at one unit level, α_U included.
pub fn compute(input: &AgreementInput, level: UnitLevel) -> Result<Report, InputError> {
    let prep = Prepared::new(input)?;
    let unitizing = unitizing_report(&prep);
    Ok(level_report(&prep, level, &unitizing))
}

/// The pooled statistics alone (all codes stacked), without α_U: what a breakdown by
/// document needs, many times over, at a fraction of [`compute`]'s cost. Its `unitizing`
/// field is not computed (undefined with a reason saying so).
pub(super) fn pooled_only(
    input: &AgreementInput,
    level: UnitLevel,
) -> Result<CodeStats, InputError> {
    let prep = Prepared::new(input)?;
    let mut pooled = BinaryCounts::all_zero(prep.coders, 0);
    for code in &tally(&prep, level) {
        pooled.absorb(code);
    }
    let not_computed = Unitizing {
        units: 0,
        observed_disagreement: Stat::Undefined(NOT_COMPUTED),
        expected_disagreement: Stat::Undefined(NOT_COMPUTED),
        alpha: Stat::Undefined(NOT_COMPUTED),
    };
    Ok(code_stats(&pooled, not_computed, level))
}

const NOT_COMPUTED: &str = "not computed for this breakdown";

/// Reports for several levels from one validation pass and one α_U computation.
pub fn compute_levels(
    input: &AgreementInput,
    levels: &[UnitLevel],
) -> Result<Vec<Report>, InputError> {
    let prep = Prepared::new(input)?;
    let unitizing = unitizing_report(&prep);
    Ok(levels
        .iter()
        .map(|&level| level_report(&prep, level, &unitizing))
        .collect())
}

fn level_report(prep: &Prepared, level: UnitLevel, unitizing: &UnitizingReport) -> Report {
    let counts = tally(prep, level);
    let mut pooled_counts = BinaryCounts::all_zero(prep.coders, 0);
    for code in &counts {
        pooled_counts.absorb(code);
    }
    let per_code: Vec<CodeStats> = counts
        .iter()
        .zip(&unitizing.per_code)
        .map(|(code, &unitizing)| code_stats(code, unitizing, level))
        .collect();
    let macro_of = |pick: fn(&CodeStats) -> Stat| {
        Mean::of_defined(per_code.iter().map(pick), reason::NO_DEFINED_VALUE)
    };
    let macro_mean = MacroMean {
        percent_agreement: macro_of(|c| c.percent_agreement),
        cohen_kappa: macro_of(|c| c.cohen.mean.value),
        fleiss_kappa: macro_of(|c| c.fleiss.kappa),
        krippendorff_alpha: macro_of(|c| c.krippendorff.alpha),
        unitizing_alpha: unitizing.macro_mean,
    };
    Report {
        level,
        coders: prep.coders,
        codes: prep.codes,
        units_per_code: units_at_level(prep, level),
        pooled: code_stats(&pooled_counts, unitizing.overall, level),
        per_code,
        macro_mean,
        warnings: prep.warnings.clone(),
    }
}

fn code_stats(counts: &BinaryCounts, unitizing: Unitizing, level: UnitLevel) -> CodeStats {
    let two_by_two = (counts.coders() == 2).then(|| counts.pair_table(0, 1));
    if let Some(why) = blocked(counts, level) {
        return blocked_stats(counts, two_by_two, unitizing, why);
    }
    CodeStats {
        units: counts.units(),
        two_by_two,
        percent_agreement: percent_agreement(counts),
        cohen: cohen_summary(counts),
        fleiss: fleiss_kappa(counts),
        krippendorff: krippendorff_alpha(counts),
        unitizing,
    }
}

/// Why nothing but α_U can be computed, worded for the level.
fn blocked(counts: &BinaryCounts, level: UnitLevel) -> Option<&'static str> {
    if counts.coders() < 2 {
        Some(reason::FEWER_THAN_TWO_CODERS)
    } else if counts.units() == 0 && level == UnitLevel::Turn {
        Some(reason::NO_TURNS)
    } else if counts.units() == 0 {
        Some(reason::NO_UNITS)
    } else {
        None
    }
}

fn blocked_stats(
    counts: &BinaryCounts,
    two_by_two: Option<PairTable>,
    unitizing: Unitizing,
    why: &'static str,
) -> CodeStats {
    let undefined = Stat::Undefined(why);
    let m = counts.coders();
    let pairs = (0..m)
        .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
        .map(|(first, second)| {
            let table = counts.pair_table(first, second);
            PairKappa {
                first,
                second,
                table,
                cohen: Cohen::undefined(why),
            }
        })
        .collect();
    CodeStats {
        units: counts.units(),
        two_by_two,
        percent_agreement: undefined,
        cohen: CohenSummary {
            pairs,
            mean: Mean {
                value: undefined,
                used: 0,
            },
        },
        fleiss: Fleiss::undefined(why),
        krippendorff: Alpha::undefined(u128::from(counts.units()) * m as u128, why),
        unitizing,
    }
}
