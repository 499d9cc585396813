//! Inter-coder agreement for a project: choosing coders, documents, codes and the unit,
//! loading the coding, and turning the statistics of `domain::agreement` into the report
//! shown on the page, returned by the API and downloaded as CSV.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::access::ProjectAccess;
use super::coders::{self, Coder};
use super::codes::{self, CodeView};
use crate::db::Db;
use crate::db::documents as doc_store;
use crate::db::excerpts as excerpt_store;
use crate::domain::Role;
use crate::domain::agreement::{
    self, AgreementInput, CodeStats, Coding, DocumentInput, Mean, Region, ReliabilityRow, Report,
    Stat, UnitLevel, UnitizingReport,
};
use crate::domain::import::SpeakerRole;
use crate::error::{AppError, AppResult};

/// Which documents the units come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DocumentScope {
    /// Documents at least one of the chosen coders coded (with any code, so that a code's
    /// figures do not depend on which other codes are chosen). The default: documents
    /// nobody has coded yet would only add agreed "uncoded" text.
    #[default]
    Coded,
    All,
    Ids(Vec<i64>),
    Attribute(String, String),
}

/// Which codes to report on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CodeScope {
    #[default]
    All,
    Ids(Vec<i64>),
    /// A code and everything below it.
    Subtree(i64),
}

#[derive(Debug, Clone)]
pub struct AgreementRequest {
    /// User names, or `consensus` for the consensus set; at least two.
    pub coders: Vec<String>,
    pub unit: UnitLevel,
    /// At turn level, count only turns of speakers whose role is participant.
    pub participant_turns_only: bool,
    pub codes: CodeScope,
    pub documents: DocumentScope,
}

/// Everything the statistics are computed from, with the names behind the indices.
pub struct AgreementData {
    pub coders: Vec<String>,
    pub codes: Vec<CodeView>,
    /// `(id, title)` of each document in the units, in index order.
    pub documents: Vec<(i64, String)>,
    pub input: AgreementInput,
    pub unit: UnitLevel,
    pub participant_turns_only: bool,
}

pub async fn load(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
) -> AppResult<AgreementData> {
    access.require(
        Role::can_run_reports,
        "Agreement reports are for project owners and viewers.",
    )?;
    let raters = resolve_coders(db, access, &request.coders).await?;
    let all_codes = codes::codebook(db, access).await?;
    let codes = select_codes(all_codes, &request.codes)?;
    let code_index: HashMap<i64, usize> =
        codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();

    let spans = excerpt_store::coded_spans(db, access.project_id()).await?;
    let rater_of = |span: &excerpt_store::CodedSpan| {
        raters
            .iter()
            .position(|r| r.made_span(span.consensus, span.coder_id))
    };
    let relevant: Vec<(usize, usize, &excerpt_store::CodedSpan)> = spans
        .iter()
        .filter_map(|s| Some((rater_of(s)?, *code_index.get(&s.code_id)?, s)))
        .collect();

    let documents = doc_store::lengths(db, access.project_id()).await?;
    let chosen: Vec<(i64, String, i64)> = match &request.documents {
        DocumentScope::All => documents,
        DocumentScope::Coded => {
            let coded: BTreeSet<i64> = spans
                .iter()
                .filter(|s| rater_of(s).is_some())
                .map(|s| s.document_id)
                .collect();
            documents
                .into_iter()
                .filter(|(id, _, _)| coded.contains(id))
                .collect()
        }
        DocumentScope::Ids(ids) => {
            let known: BTreeSet<i64> = documents.iter().map(|(id, _, _)| *id).collect();
            if let Some(unknown) = ids.iter().find(|id| !known.contains(id)) {
                return Err(AppError::invalid(
                    "documents",
                    format!("There is no document {unknown} in this project."),
                ));
            }
            documents
                .into_iter()
                .filter(|(id, _, _)| ids.contains(id))
                .collect()
        }
        DocumentScope::Attribute(name, value) => {
            let ids: BTreeSet<i64> =
                doc_store::ids_with_attribute(db, access.project_id(), name, value)
                    .await?
                    .into_iter()
                    .collect();
            documents
                .into_iter()
                .filter(|(id, _, _)| ids.contains(id))
                .collect()
        }
    };
    let doc_index: HashMap<i64, usize> = chosen
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    let mut inputs: Vec<DocumentInput> = chosen
        .iter()
        .map(|(_, _, len)| DocumentInput {
            len: *len as u64,
            turns: Vec::new(),
        })
        .collect();
    for (document_id, start, end, role) in doc_store::turn_spans(db, access.project_id()).await? {
        if request.participant_turns_only && role != SpeakerRole::Participant {
            continue;
        }
        if let Some(&i) = doc_index.get(&document_id) {
            inputs[i].turns.push((start as u64, end as u64));
        }
    }
    let codings = relevant
        .iter()
        .filter_map(|(coder, code, s)| {
            Some(Coding {
                coder: *coder,
                code: *code,
                document: *doc_index.get(&s.document_id)?,
                start: s.start as u64,
                end: s.end as u64,
            })
        })
        .collect();
    Ok(AgreementData {
        coders: request.coders.iter().map(|c| c.trim().to_owned()).collect(),
        input: AgreementInput {
            documents: inputs,
            coders: raters.len(),
            codes: codes.len(),
            codings,
        },
        codes,
        documents: chosen
            .into_iter()
            .map(|(id, title, _)| (id, title))
            .collect(),
        unit: request.unit,
        participant_turns_only: request.participant_turns_only,
    })
}

/// The coders to compare, in the order chosen: at least two.
async fn resolve_coders(
    db: &Db,
    access: &ProjectAccess,
    names: &[String],
) -> AppResult<Vec<Coder>> {
    let coders = coders::resolve(db, access, "coders", names).await?;
    if coders.len() < 2 {
        return Err(AppError::invalid(
            "coders",
            "Choose at least two coders (or a coder and the consensus set) to compare.",
        ));
    }
    Ok(coders)
}

fn select_codes(all: Vec<CodeView>, scope: &CodeScope) -> AppResult<Vec<CodeView>> {
    let wanted: BTreeSet<i64> = match scope {
        CodeScope::All => return Ok(all),
        CodeScope::Ids(ids) => ids.iter().copied().collect(),
        CodeScope::Subtree(root) => codes::subtree_ids(&all, *root).into_iter().collect(),
    };
    let known: BTreeSet<i64> = all.iter().map(|c| c.id).collect();
    if let Some(unknown) = wanted.iter().find(|id| !known.contains(id)) {
        return Err(AppError::invalid(
            "codes",
            format!("There is no code {unknown} in this project."),
        ));
    }
    Ok(all.into_iter().filter(|c| wanted.contains(&c.id)).collect())
}

/// The statistics at the requested unit, with α_U.
pub struct Computed {
    pub report: Report,
    pub unitizing: UnitizingReport,
}

pub async fn compute(data: AgreementData) -> AppResult<(AgreementData, Computed)> {
    // The sweep is fast, but a large project is still worth keeping off the async workers.
    super::blocking(move || {
        let report = agreement::compute(&data.input, data.unit);
        let unitizing = agreement::unitizing_alpha(&data.input);
        (data, report, unitizing)
    })
    .await
    .map_err(AppError::Internal)
    .and_then(|(data, report, unitizing)| match (report, unitizing) {
        (Ok(report), Ok(unitizing)) => Ok((data, Computed { report, unitizing })),
        (Err(err), _) | (_, Err(err)) => Err(AppError::Internal(anyhow::anyhow!(
            "agreement input rejected: {err}"
        ))),
    })
}

// ---------------------------------------------------------------------------------------
// The report as users and scripts see it (a public contract: see README).

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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementReport {
    pub unit: &'static str,
    pub participant_turns_only: bool,
    pub coders: Vec<String>,
    pub documents: usize,
    pub codes: Vec<CodeFigures>,
    pub overall: Overall,
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
    let report = &computed.report;
    let codes = report
        .per_code
        .iter()
        .zip(&data.codes)
        .map(|(stats, code)| code_figures(data, stats, code))
        .collect();
    let mut undefined = BTreeMap::new();
    let pooled = &report.pooled;
    let pooled = PooledFigures {
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
    };
    let m = &report.macro_mean;
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
    let macro_mean = MacroFigures {
        percent_agreement: pa,
        cohen_kappa: kappa,
        fleiss_kappa: fleiss,
        krippendorff_alpha: alpha,
        unitizing_alpha: unitizing,
        codes_used: m.krippendorff_alpha.used,
        used,
        undefined,
    };
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
    let warnings = report
        .warnings
        .iter()
        .chain(&computed.unitizing.warnings)
        .map(|w| w.to_string())
        .chain(turn_note)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    AgreementReport {
        unit: unit_name(data.unit),
        participant_turns_only: data.participant_turns_only && data.unit == UnitLevel::Turn,
        coders: data.coders.clone(),
        documents: data.documents.len(),
        codes,
        overall: Overall { pooled, macro_mean },
        warnings,
    }
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

// ---------------------------------------------------------------------------------------
// Audit downloads

/// The report as CSV: one row per code, then the pooled and macro-mean rows.
pub fn report_csv(report: &AgreementReport) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "row",
        "code_id",
        "code_path",
        "units",
        "percent_agreement",
        "cohen_kappa_mean",
        "fleiss_kappa",
        "krippendorff_alpha",
        "unitizing_alpha",
        "undefined",
    ];
    let _ = writer.write_record(header);
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let reasons = |u: &BTreeMap<&str, &str>| {
        u.iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for code in &report.codes {
        let _ = writer.write_record([
            "code".to_owned(),
            code.code_id.to_string(),
            crate::domain::spreadsheet::neutralise(&code.path).into_owned(),
            code.units.to_string(),
            num(code.percent_agreement),
            num(code.cohen_kappa),
            num(code.fleiss_kappa),
            num(code.krippendorff_alpha),
            num(code.unitizing_alpha),
            reasons(&code.undefined),
        ]);
    }
    let p = &report.overall.pooled;
    let _ = writer.write_record([
        "pooled".to_owned(),
        String::new(),
        String::new(),
        p.units.to_string(),
        num(p.percent_agreement),
        num(p.cohen_kappa),
        num(p.fleiss_kappa),
        num(p.krippendorff_alpha),
        num(p.unitizing_alpha),
        reasons(&p.undefined),
    ]);
    let m = &report.overall.macro_mean;
    let _ = writer.write_record([
        "macro_mean".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        num(m.percent_agreement),
        num(m.cohen_kappa),
        num(m.fleiss_kappa),
        num(m.krippendorff_alpha),
        num(m.unitizing_alpha),
        reasons(&m.undefined),
    ]);
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The reliability data behind the report: one row per unit (or run of identical
/// character units, with its `weight`) and code, one 0/1 column per coder.
pub fn reliability_csv(data: &AgreementData) -> AppResult<String> {
    let rows: Vec<ReliabilityRow> = agreement::reliability_rows(&data.input, data.unit)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "code_id".to_owned(),
        "code_path".to_owned(),
        "document_id".to_owned(),
        "document".to_owned(),
        "unit".to_owned(),
        "start".to_owned(),
        "end".to_owned(),
        "weight".to_owned(),
    ];
    header.extend(
        data.coders
            .iter()
            .map(|c| crate::domain::spreadsheet::neutralise(c).into_owned()),
    );
    let _ = writer.write_record(&header);
    let unit = unit_name(data.unit);
    for row in rows {
        let code = &data.codes[row.code];
        let (document_id, title) = &data.documents[row.document];
        let mut record = vec![
            code.id.to_string(),
            crate::domain::spreadsheet::neutralise(&code.path).into_owned(),
            document_id.to_string(),
            crate::domain::spreadsheet::neutralise(title).into_owned(),
            unit.to_owned(),
            row.start.to_string(),
            row.end.to_string(),
            row.weight.to_string(),
        ];
        record.extend(row.values.iter().map(u8::to_string));
        let _ = writer.write_record(&record);
    }
    Ok(String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default())
}

/// Where the chosen coders disagree on a code, largest regions first.
pub fn disagreements(data: &AgreementData, code_id: i64) -> AppResult<Vec<Region>> {
    let code = data
        .codes
        .iter()
        .position(|c| c.id == code_id)
        .ok_or_else(|| AppError::invalid("code", "That code is not part of this report."))?;
    agreement::disagreements(&data.input, code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

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
