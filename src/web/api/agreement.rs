//! `/api/v1/projects/{id}/agreement`: the agreement report as JSON (a public contract),
//! its CSV, the reliability data behind it, and the disagreements on one code.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, ErrorBody};
use crate::error::AppError;
use crate::service::access::ProjectAccess;
use crate::service::adjudication::{self, ConsensusProgress, Decision, RegionView};
use crate::service::agreement::{self, AgreementReport};
use crate::service::export;
use crate::service::params::{AgreementParams, ids};
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(report_csv))
        .routes(routes!(reliability_csv))
        .routes(routes!(disagreements))
        .routes(routes!(decide))
        .routes(routes!(consensus_progress))
}

/// Inter-coder agreement (owners and viewers): per code and overall (pooled and macro
/// mean), with percent agreement, Cohen's kappa (mean and pairs), Fleiss' kappa,
/// Krippendorff's alpha and unitizing alpha. Undefined statistics are `null` and
/// `undefined` maps their name to the reason. This shape is a stable contract.
#[utoipa::path(get, path = "/projects/{id}/agreement", tag = "agreement", params(("id" = i64, Path, description = "Project id"), AgreementParams),
    responses((status = 200, body = AgreementReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> ApiResult<Json<AgreementReport>> {
    let data = agreement::load(&app.db, &access, &params.request()?).await?;
    let (data, computed) = agreement::compute(data).await?;
    Ok(Json(agreement::figures(&data, &computed)))
}

/// A CSV of the agreement on `data`: named for the project, the kind, the unit and the
/// coders compared.
fn csv_download(
    access: &ProjectAccess,
    kind: &str,
    data: &agreement::AgreementData,
    body: String,
) -> impl IntoResponse + use<> {
    let qualifiers = [
        agreement::unit_name(data.unit).to_owned(),
        data.coders.join(" "),
    ];
    let name = export::file_name(access, kind, &qualifiers, "csv");
    (download::csv(&name), body)
}

/// The same report as CSV: one row per code, then pooled and macro mean.
#[utoipa::path(get, path = "/projects/{id}/agreement.csv", tag = "agreement", params(("id" = i64, Path, description = "Project id"), AgreementParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn report_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> ApiResult<impl IntoResponse> {
    let data = agreement::load(&app.db, &access, &params.request()?).await?;
    let (data, computed) = agreement::compute(data).await?;
    let csv = agreement::report_csv(&agreement::figures(&data, &computed));
    Ok(csv_download(&access, "agreement", &data, csv))
}

/// The reliability data behind the report: one row per unit (or run of identical
/// character units, with its `weight`) and code, one 0/1 column per coder.
#[utoipa::path(get, path = "/projects/{id}/agreement/reliability.csv", tag = "agreement", params(("id" = i64, Path, description = "Project id"), AgreementParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reliability_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> ApiResult<impl IntoResponse> {
    let data = agreement::load(&app.db, &access, &params.request()?).await?;
    let csv = agreement::reliability_csv(&data)?;
    Ok(csv_download(&access, "reliability-data", &data, csv))
}

#[derive(Serialize, ToSchema)]
struct Disagreements {
    code_id: i64,
    regions: Vec<RegionView>,
}

/// Regions where the coders differ on `code`, largest first.
#[utoipa::path(get, path = "/projects/{id}/agreement/disagreements", tag = "agreement", params(("id" = i64, Path, description = "Project id"), AgreementParams),
    responses((status = 200, body = Disagreements), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn disagreements(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> ApiResult<Json<Disagreements>> {
    let code_id = ids("code", &params.code)?
        .first()
        .copied()
        .ok_or_else(|| AppError::invalid("code", "Name the code: code=ID."))?;
    let data = agreement::load(&app.db, &access, &params.request()?).await?;
    let regions = adjudication::regions(&app.db, &access, &data, code_id).await?;
    Ok(Json(Disagreements { code_id, regions }))
}

/// A decision on a disagreement region, into the project's consensus set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    code_id: i64,
    document_id: i64,
    /// The region `[start, end)` decided on (code points).
    start: i64,
    end: i64,
    /// `accept:<coder>` (that coder's overlapping excerpts join the consensus set), `none`
    /// (the code does not apply here) or `draw` (a new consensus excerpt, see below).
    decision: String,
    /// For `draw`: the new excerpt's span.
    draw_start: Option<i64>,
    draw_end: Option<i64>,
}

/// Adjudicates a disagreement (owners): records the decision and updates the consensus set.
#[utoipa::path(post, path = "/projects/{id}/agreement/decisions", tag = "agreement",
    params(("id" = i64, Path, description = "Project id")), request_body = DecisionBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    crate::web::api::ApiJson(body): crate::web::api::ApiJson<DecisionBody>,
) -> ApiResult<axum::http::StatusCode> {
    let decision = Decision::parse(&body.decision, body.draw_start, body.draw_end)?;
    adjudication::decide(
        &app.db,
        &access,
        body.code_id,
        body.document_id,
        body.start,
        body.end,
        &decision,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Adjudication progress (owners and viewers): per code of the report, the regions where
/// the coders differ and how many are decided; and each coder's agreement with the
/// consensus set (pooled percent agreement and α, same unit and document rule).
#[utoipa::path(get, path = "/projects/{id}/agreement/consensus", tag = "agreement", params(("id" = i64, Path, description = "Project id"), AgreementParams),
    responses((status = 200, body = ConsensusProgress), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn consensus_progress(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<AgreementParams>,
) -> ApiResult<Json<ConsensusProgress>> {
    let request = params.request()?;
    Ok(Json(
        adjudication::consensus_progress(&app.db, &access, &request).await?,
    ))
}
