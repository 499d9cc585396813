//! Inter-coder agreement for a project: choosing coders, documents, codes and the unit,
//! and assembling the coding into the input of `domain::agreement`. [`report`] turns the
//! statistics into the report shown on the page and returned by the API; [`csv`] writes
//! the audit downloads.

mod csv;
mod report;
mod scope;

pub use csv::{reliability_csv, report_csv};
pub use report::*;
pub use scope::{Coverage, DocumentScope, LeftOut, Within};

use std::collections::{BTreeSet, HashMap};

use super::access::ProjectAccess;
use super::coders::{self, Coder};
use super::codes::{self, CodeView};
use crate::db::Db;
use crate::db::documents as doc_store;
use crate::db::excerpts as excerpt_store;
use crate::db::progress as progress_store;
use crate::domain::Role;
use crate::domain::agreement::{
    self, AgreementInput, Coding, DocumentInput, Region, Report, UnitLevel, UnitizingReport,
};
use crate::domain::import::SpeakerRole;
use crate::error::{AppError, AppResult};

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
    /// The project's other documents, with the reason each is left out.
    pub left_out: Vec<LeftOut>,
    /// The coverage rule asked for, and the one applied (they differ when the default
    /// falls back from "complete" to "coded").
    pub coverage: Coverage,
    pub applied: Coverage,
    /// Picked documents that not every chosen coder coded.
    pub not_coded_by_all: usize,
    pub within: Within,
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
    let mut coded_by: HashMap<i64, BTreeSet<usize>> = HashMap::new();
    for span in &spans {
        if let Some(rater) = rater_of(span) {
            coded_by.entry(span.document_id).or_default().insert(rater);
        }
    }
    let names: Vec<String> = request.coders.iter().map(|c| c.trim().to_owned()).collect();
    let scoped = documents_in_scope(db, access, request, &raters, &names, &coded_by).await?;
    let chosen = &scoped.used;
    let doc_index: HashMap<i64, usize> =
        chosen.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let inputs = document_inputs(db, access, request, chosen, &doc_index).await?;
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
        coders: names,
        input: AgreementInput {
            documents: inputs,
            coders: raters.len(),
            codes: codes.len(),
            codings,
        },
        codes,
        documents: scoped.used.into_iter().map(|d| (d.id, d.title)).collect(),
        left_out: scoped.left_out,
        coverage: request.documents.coverage,
        applied: scoped.applied,
        not_coded_by_all: scoped.not_coded_by_all,
        within: request.documents.within.clone(),
        unit: request.unit,
        participant_turns_only: request.participant_turns_only,
    })
}

/// The documents the report covers (see [`scope`]), from who coded and completed what.
async fn documents_in_scope(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
    raters: &[Coder],
    names: &[String],
    coded_by: &HashMap<i64, BTreeSet<usize>>,
) -> AppResult<scope::Scoped> {
    let project = access.project_id();
    let documents = doc_store::lengths(db, project)
        .await?
        .into_iter()
        .map(|(id, title, len)| scope::Candidate { id, title, len })
        .collect();
    let completed = progress_store::completions(db, project)
        .await?
        .into_iter()
        .collect();
    let with_attribute = match &request.documents.within {
        Within::Attribute(name, value) => doc_store::ids_with_attribute(db, project, name, value)
            .await?
            .into_iter()
            .collect(),
        _ => BTreeSet::new(),
    };
    let coverages = scope::Coverages {
        coders: raters,
        names,
        coded_by,
        completed: &completed,
        with_attribute: &with_attribute,
    };
    scope::apply(&request.documents, documents, &coverages)
}

/// Each chosen document's length and turns (participant turns only, if asked).
async fn document_inputs(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
    chosen: &[scope::Candidate],
    doc_index: &HashMap<i64, usize>,
) -> AppResult<Vec<DocumentInput>> {
    let mut inputs: Vec<DocumentInput> = chosen
        .iter()
        .map(|d| DocumentInput {
            len: d.len as u64,
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
    Ok(inputs)
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
    /// Pooled figures per document and coder pair.
    pub by_document: Vec<agreement::DocumentPair>,
}

pub async fn compute(data: AgreementData) -> AppResult<(AgreementData, Computed)> {
    // The sweep is fast, but a large project is still worth keeping off the async workers.
    super::blocking(move || {
        let computed = agreement::compute(&data.input, data.unit).and_then(|report| {
            Ok(Computed {
                report,
                unitizing: agreement::unitizing_alpha(&data.input)?,
                by_document: agreement::by_document_and_pair(&data.input, data.unit)?,
            })
        });
        (data, computed)
    })
    .await
    .map_err(AppError::Internal)
    .and_then(|(data, computed)| match computed {
        Ok(computed) => Ok((data, computed)),
        Err(err) => Err(AppError::Internal(anyhow::anyhow!(
            "agreement input rejected: {err}"
        ))),
    })
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
