//! The agreement report as users and scripts see it (a public contract: see README): the
//! figures per code, pooled and as macro means, with the reason wherever one is undefined.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{AgreementData, Computed, Coverage, LeftOut, Within};
use crate::domain::agreement::{CodeStats, Mean, Stat, UnitLevel};
use crate::error::AppError;
use crate::service::codes::CodeView;

/// Why a macro mean is undefined: it averages the codes whose value is defined.
pub const NO_CODE_DEFINED: &str = "no code has a defined value";

/// One figure per statistic; `None` when undefined, with the reason in `undefined`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeFigures {
    pub code_id: i64,
    pub code: String,
    pub path: String,
    pub color: String,
    pub units: u64,
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub cohen_kappa_pairs: Vec<PairFigure>,
    pub fleiss_kappa: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub unitizing_alpha: Option<f64>,
    pub undefined: BTreeMap<&'static str, &'static str>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairFigure {
    pub coders: [String; 2],
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PooledFigures {
    pub units: u64,
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub unitizing_alpha: Option<f64>,
    pub undefined: BTreeMap<&'static str, &'static str>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MacroFigures {
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub unitizing_alpha: Option<f64>,
    /// Codes that entered the mean of Krippendorff's alpha.
    pub codes_used: usize,
    /// Codes that entered each mean.
    pub used: BTreeMap<&'static str, usize>,
    pub undefined: BTreeMap<&'static str, &'static str>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overall {
    pub pooled: PooledFigures,
    pub macro_mean: MacroFigures,
}

/// One document and coder pair: the pooled figures of that document for those two coders.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentPairFigures {
    pub document_id: i64,
    pub title: String,
    pub coders: [String; 2],
    pub units: u64,
    pub percent_agreement: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub undefined: BTreeMap<&'static str, &'static str>,
}

/// A document the report uses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentRef {
    pub id: i64,
    pub title: String,
}

/// The documents behind the figures: the rule asked for, the rule applied (the default
/// falls back from "complete" to "coded" while no document is complete for everyone),
/// the documents used and the ones left out with the reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeFigures {
    /// `shared` (the default), `complete`, `coded_by_all`, `coded_by_any`, `all`, or
    /// `picked` (documents chosen one by one).
    pub requested: &'static str,
    pub applied: &'static str,
    /// The applied rule in words.
    pub label: String,
    pub used: Vec<DocumentRef>,
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementReport {
    pub unit: &'static str,
    pub participant_turns_only: bool,
    pub coders: Vec<String>,
    /// How many documents the units come from.
    pub documents: usize,
    /// Which rule chose them, and the documents on each side.
    pub document_scope: ScopeFigures,
    pub codes: Vec<CodeFigures>,
    pub overall: Overall,
    /// Pooled percent agreement and α per document and coder pair (all codes stacked, at
    /// the report's unit), in document order: which interview or pair drives disagreement.
    pub by_document: Vec<DocumentPairFigures>,
    pub warnings: Vec<String>,
}

pub fn unit_name(unit: UnitLevel) -> &'static str {
    match unit {
        UnitLevel::Character => "character",
        UnitLevel::Turn => "turn",
        UnitLevel::Document => "document",
    }
}

pub fn parse_unit(raw: &str) -> Result<UnitLevel, AppError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "character" | "char" => Ok(UnitLevel::Character),
        "turn" | "speaker_turn" => Ok(UnitLevel::Turn),
        "document" | "doc" => Ok(UnitLevel::Document),
        other => Err(AppError::invalid(
            "unit",
            format!("Unknown unit '{other}': use character, turn or document."),
        )),
    }
}

/// Collects a statistic's value, noting why it is undefined.
fn figure(
    stat: Stat,
    name: &'static str,
    undefined: &mut BTreeMap<&'static str, &'static str>,
) -> Option<f64> {
    if let Some(why) = stat.reason() {
        undefined.insert(name, why);
    }
    stat.value()
}

pub fn figures(data: &AgreementData, computed: &Computed) -> AgreementReport {
    let codes = computed
        .report
        .per_code
        .iter()
        .zip(&data.codes)
        .map(|(stats, code)| code_figures(data, stats, code))
        .collect();
    AgreementReport {
        unit: unit_name(data.unit),
        participant_turns_only: data.participant_turns_only && data.unit == UnitLevel::Turn,
        coders: data.coders.clone(),
        documents: data.documents.len(),
        document_scope: scope_figures(data),
        codes,
        overall: Overall {
            pooled: pooled_figures(computed),
            macro_mean: macro_figures(computed),
        },
        by_document: by_document(data, computed),
        warnings: warnings(data, computed),
    }
}

fn by_document(data: &AgreementData, computed: &Computed) -> Vec<DocumentPairFigures> {
    computed
        .by_document
        .iter()
        .map(|row| {
            let mut undefined = BTreeMap::new();
            let (document_id, title) = &data.documents[row.document];
            DocumentPairFigures {
                document_id: *document_id,
                title: title.clone(),
                coders: [
                    data.coders[row.first].clone(),
                    data.coders[row.second].clone(),
                ],
                units: row.units,
                percent_agreement: figure(
                    row.percent_agreement,
                    "percent_agreement",
                    &mut undefined,
                ),
                krippendorff_alpha: figure(row.alpha, "krippendorff_alpha", &mut undefined),
                undefined,
            }
        })
        .collect()
}

fn scope_figures(data: &AgreementData) -> ScopeFigures {
    let picked = matches!(data.within, Within::Picked(_));
    let (requested, applied, label) = if picked {
        (
            "picked",
            "picked",
            "the documents picked one by one".to_owned(),
        )
    } else {
        (
            data.coverage.name(),
            data.applied.name(),
            data.applied.label().to_owned(),
        )
    };
    let label = match (&data.within, data.coverage == Coverage::Shared && !picked) {
        (Within::Attribute(name, value), _) => {
            format!("{label}, among those with {name} = {value}")
        }
        (_, true) if data.applied == Coverage::CodedByAll => {
            format!("{label} (no document is marked complete by every chosen coder yet)")
        }
        _ => label,
    };
    ScopeFigures {
        requested,
        applied,
        label,
        used: data
            .documents
            .iter()
            .map(|(id, title)| DocumentRef {
                id: *id,
                title: title.clone(),
            })
            .collect(),
        left_out: data.left_out.clone(),
    }
}

fn pooled_figures(computed: &Computed) -> PooledFigures {
    let mut undefined = BTreeMap::new();
    let pooled = &computed.report.pooled;
    PooledFigures {
        units: pooled.units,
        percent_agreement: figure(
            pooled.percent_agreement,
            "percent_agreement",
            &mut undefined,
        ),
        cohen_kappa: figure(pooled.cohen.mean.value, "cohen_kappa", &mut undefined),
        fleiss_kappa: figure(pooled.fleiss.kappa, "fleiss_kappa", &mut undefined),
        krippendorff_alpha: figure(
            pooled.krippendorff.alpha,
            "krippendorff_alpha",
            &mut undefined,
        ),
        unitizing_alpha: figure(
            computed.unitizing.overall.alpha,
            "unitizing_alpha",
            &mut undefined,
        ),
        undefined,
    }
}

fn macro_figures(computed: &Computed) -> MacroFigures {
    let m = &computed.report.macro_mean;
    let mean = |mean: &Mean| mean.value.value();
    let used = BTreeMap::from([
        ("percent_agreement", m.percent_agreement.used),
        ("cohen_kappa", m.cohen_kappa.used),
        ("fleiss_kappa", m.fleiss_kappa.used),
        ("krippendorff_alpha", m.krippendorff_alpha.used),
        ("unitizing_alpha", computed.unitizing.macro_mean.used),
    ]);
    let means = [
        ("percent_agreement", mean(&m.percent_agreement)),
        ("cohen_kappa", mean(&m.cohen_kappa)),
        ("fleiss_kappa", mean(&m.fleiss_kappa)),
        ("krippendorff_alpha", mean(&m.krippendorff_alpha)),
        ("unitizing_alpha", mean(&computed.unitizing.macro_mean)),
    ];
    let undefined = means
        .iter()
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| (*name, NO_CODE_DEFINED))
        .collect();
    let [pa, kappa, fleiss, alpha, unitizing] = means.map(|(_, value)| value);
    MacroFigures {
        percent_agreement: pa,
        cohen_kappa: kappa,
        fleiss_kappa: fleiss,
        krippendorff_alpha: alpha,
        unitizing_alpha: unitizing,
        codes_used: m.krippendorff_alpha.used,
        used,
        undefined,
    }
}

/// The statistics' warnings, and at turn level, documents that add no units.
fn warnings(data: &AgreementData, computed: &Computed) -> Vec<String> {
    let without_turns = data
        .input
        .documents
        .iter()
        .filter(|d| d.len > 0 && d.turns.is_empty())
        .count();
    let turn_note = (data.unit == UnitLevel::Turn && without_turns > 0).then(|| {
        format!(
            "{without_turns} of {} documents have no speaker turns and add no units at this level.",
            data.documents.len()
        )
    });
    let picked_note = (data.not_coded_by_all > 0).then(|| {
        format!(
            "{} of the picked documents were not coded by every chosen coder: their uncoded text counts as agreement to leave it uncoded.",
            data.not_coded_by_all
        )
    });
    computed
        .report
        .warnings
        .iter()
        .chain(&computed.unitizing.warnings)
        .map(|w| w.to_string())
        .chain(turn_note)
        .chain(picked_note)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn code_figures(data: &AgreementData, stats: &CodeStats, code: &CodeView) -> CodeFigures {
    let mut undefined = BTreeMap::new();
    let pairs = stats
        .cohen
        .pairs
        .iter()
        .map(|pair| PairFigure {
            coders: [
                data.coders[pair.first].clone(),
                data.coders[pair.second].clone(),
            ],
            value: pair.cohen.kappa.value(),
            reason: pair.cohen.kappa.reason(),
        })
        .collect();
    CodeFigures {
        code_id: code.id,
        code: code.name.clone(),
        path: code.path.clone(),
        color: code.color.clone(),
        units: stats.units,
        percent_agreement: figure(stats.percent_agreement, "percent_agreement", &mut undefined),
        cohen_kappa: figure(stats.cohen.mean.value, "cohen_kappa", &mut undefined),
        cohen_kappa_pairs: pairs,
        fleiss_kappa: figure(stats.fleiss.kappa, "fleiss_kappa", &mut undefined),
        krippendorff_alpha: figure(
            stats.krippendorff.alpha,
            "krippendorff_alpha",
            &mut undefined,
        ),
        unitizing_alpha: figure(stats.unitizing.alpha, "unitizing_alpha", &mut undefined),
        undefined,
    }
}

/// Krippendorff's (2004) reading of alpha, in plain words.
pub fn interpretation(alpha: Option<f64>) -> &'static str {
    match alpha {
        None => "Not defined for this data (see the reason).",
        Some(a) if a >= 0.8 => "Reliable: α ≥ 0.800, conclusions can rest on this coding.",
        Some(a) if a >= 0.667 => "Tentative: 0.667 ≤ α < 0.800, draw only tentative conclusions.",
        Some(_) => "Not reliable: α < 0.667, the coders do not apply this consistently.",
    }
}

/// Whether percent agreement flatters a code: high because most units carry the code for
/// nobody (two coders who both leave a unit uncoded count as agreeing on it), while α,
/// which discounts the agreement expected by chance, says the coders do not agree. The
/// report page then explains the gap where both figures are shown.
pub fn chance_flattered(percent_agreement: Option<f64>, alpha: Option<f64>) -> bool {
    percent_agreement.is_some_and(|pa| pa >= 0.9) && alpha.is_none_or(|a| a < 0.667)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_agreement_with_a_low_or_undefined_alpha_is_flattered_by_chance() {
        assert!(chance_flattered(Some(0.999), Some(-0.001)));
        assert!(chance_flattered(Some(1.0), None), "nobody used the code");
        assert!(!chance_flattered(Some(0.95), Some(0.85)), "α agrees");
        assert!(
            !chance_flattered(Some(0.6), Some(0.1)),
            "not high to begin with"
        );
        assert!(!chance_flattered(None, None));
    }

    #[test]
    fn units_parse_with_friendly_spellings() {
        assert_eq!(parse_unit("").unwrap(), UnitLevel::Character);
        assert_eq!(parse_unit("Turn").unwrap(), UnitLevel::Turn);
        assert_eq!(parse_unit("document").unwrap(), UnitLevel::Document);
        assert!(matches!(parse_unit("sentence"), Err(AppError::Invalid(i)) if i.field == "unit"));
    }

    #[test]
    fn readings_follow_krippendorffs_thresholds() {
        assert!(interpretation(Some(0.8)).starts_with("Reliable"));
        assert!(interpretation(Some(0.7999)).starts_with("Tentative"));
        assert!(interpretation(Some(0.667)).starts_with("Tentative"));
        assert!(interpretation(Some(0.6669)).starts_with("Not reliable"));
        assert!(interpretation(Some(-0.2)).starts_with("Not reliable"));
        assert!(interpretation(None).starts_with("Not defined"));
    }
}
