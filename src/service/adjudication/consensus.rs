//! Consensus progress: how many disagreement regions are decided per code, and how each
//! coder agrees with the consensus set the decisions built.

use crate::db::Db;
use crate::db::adjudications::{self as store, Adjudication};
use crate::domain::names::CONSENSUS;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::agreement::{self, AgreementRequest};

/// How far adjudication has got on one code: regions where the report's coders differ, and
/// how many of them have a decision.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CodeConsensus {
    pub code_id: i64,
    pub path: String,
    pub regions: usize,
    pub decided: usize,
}

/// One coder's agreement with the consensus set (pooled over the report's codes, same
/// documents rule and unit as the report, with the consensus set as the second coder).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CoderConsensus {
    pub coder: String,
    pub documents: usize,
    pub percent_agreement: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    /// Why the figures are missing: no shared document, or an undefined statistic.
    pub note: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ConsensusProgress {
    pub codes: Vec<CodeConsensus>,
    pub coders: Vec<CoderConsensus>,
}

/// Decisions taken per code of the report, and each coder's agreement with the consensus.
pub async fn consensus_progress(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
) -> AppResult<ConsensusProgress> {
    let data = agreement::load(db, access, request).await?;
    let mut codes = Vec::with_capacity(data.codes.len());
    for code in &data.codes {
        let regions = agreement::disagreements(&data, code.id)?;
        let decisions = store::for_code(db, access.project_id(), code.id).await?;
        let decided = regions
            .iter()
            .filter(|r| {
                let document_id = data.documents[r.document].0;
                decision_covering(&decisions, document_id, r.start as i64, r.end as i64).is_some()
            })
            .count();
        codes.push(CodeConsensus {
            code_id: code.id,
            path: code.path.clone(),
            regions: regions.len(),
            decided,
        });
    }
    let mut coders = Vec::new();
    for coder in data
        .coders
        .iter()
        .filter(|c| !c.eq_ignore_ascii_case(CONSENSUS))
    {
        coders.push(against_consensus(db, access, request, coder).await?);
    }
    Ok(ConsensusProgress { codes, coders })
}

async fn against_consensus(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
    coder: &str,
) -> AppResult<CoderConsensus> {
    let mut pair = request.clone();
    pair.coders = vec![coder.to_owned(), CONSENSUS.to_owned()];
    let mut row = CoderConsensus {
        coder: coder.to_owned(),
        documents: 0,
        percent_agreement: None,
        krippendorff_alpha: None,
        note: None,
    };
    let data = match agreement::load(db, access, &pair).await {
        Ok(data) => data,
        Err(AppError::Invalid(invalid)) => {
            row.note = Some(invalid.message);
            return Ok(row);
        }
        Err(err) => return Err(err),
    };
    let (data, computed) = agreement::compute(data).await?;
    let pooled = &computed.report.pooled;
    row.documents = data.documents.len();
    row.percent_agreement = pooled.percent_agreement.value();
    row.krippendorff_alpha = pooled.krippendorff.alpha.value();
    row.note = pooled.krippendorff.alpha.reason().map(str::to_owned);
    Ok(row)
}

/// The decision whose region covers `[start, end)` of a document, in words, if any.
pub(super) fn decision_covering(
    decisions: &[Adjudication],
    document_id: i64,
    start: i64,
    end: i64,
) -> Option<String> {
    decisions
        .iter()
        .rev()
        .find(|d| d.document_id == document_id && d.start <= start && end <= d.end)
        .map(|d| format!("{} ({})", describe(&d.decision), d.decided_by))
}

pub(super) fn describe(decision: &str) -> String {
    match decision.split_once(':') {
        Some(("coder", names)) if names.contains(',') => {
            format!("accepted the versions of {}", names.replace(',', " and "))
        }
        Some(("coder", name)) => format!("accepted {name}'s version"),
        _ if decision == "none" => "code does not apply".into(),
        _ => "new excerpt drawn".into(),
    }
}
