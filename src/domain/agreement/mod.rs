//! Inter-coder agreement: the mathematics of `shared/spec/AGREEMENT.md`.
//!
//! Pure domain code: no I/O, no framework types. The caller maps coders,
//! codes and documents to dense indices and text offsets to code points.
//!
//! How the pieces fit:
//! - [`input`] validates the codings and normalises them (spec §1) into each
//!   coder's units per (code, document): the single source for everything.
//! - [`sweep`] and [`tally`] turn units into per-code binary counts at the
//!   character, turn and document level (spec §2) by sweeping unit
//!   boundaries; the cost depends on the number of codings, not on the
//!   length of the text.
//! - [`coefficients`] computes percent agreement, Cohen's and Fleiss' kappa
//!   and Krippendorff's alpha (spec §3–§5) from those counts as exact
//!   integer ratios, plus general nominal versions for labelled data.
//! - [`unitizing`] computes Krippendorff's α_U (spec §7).
//! - [`report`] assembles a level's report: per code, pooled, macro mean.
//! - [`disagreements`] and [`reliability_data`] expose where coders differ
//!   and the exact data every figure was computed from.
//!
//! Undefined results are [`Stat::Undefined`] with a reason (spec §6).

mod breakdown;
mod coefficients;
mod disagreements;
mod input;
mod reliability_data;
mod report;
mod stat;
mod sweep;
mod tally;
mod unitizing;

#[cfg(test)]
mod tests;

pub use breakdown::{DocumentPair, by_document_and_pair};
pub use coefficients::{
    Alpha, Cohen, CohenSummary, Fleiss, PairKappa, cohen_kappa, cohen_kappa_nominal,
    cohen_kappa_table, cohen_summary, fleiss_kappa, fleiss_kappa_counts, fleiss_kappa_nominal,
    krippendorff_alpha, krippendorff_alpha_nominal, percent_agreement,
};
pub use disagreements::{Region, disagreements, disagreements_all_codes};
pub use input::{AgreementInput, Coding, DocumentInput, InputError, UnitLevel, Warning};
pub use reliability_data::{ReliabilityRow, reliability_rows};
pub use report::{CodeStats, MacroMean, Report, compute, compute_levels};
pub use stat::{Mean, Stat, reason};
pub use tally::{BinaryCounts, PairTable};
pub use unitizing::{Unitizing, UnitizingReport, unitizing_alpha};
