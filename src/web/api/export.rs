//! `/api/v1/projects/{id}/excerpts.csv` and `/api/v1/projects/{id}/matrix.csv`: exports of
//! the coding, with the same filters as the pages.

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, ErrorBody};
use crate::service::access::ProjectAccess;
use crate::service::export;
use crate::service::params::ExportParams;
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::Api;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::IntoResponse;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(excerpts_csv))
        .routes(routes!(matrix_csv))
}

/// Every (excerpt, code) as one CSV row, streamed: project, document, its attributes,
/// excerpt, coder, code and path, span, speakers and roles, times, exact text, memo and
/// timestamps. Cells a spreadsheet would run as formulas are prefixed with `'`.
#[utoipa::path(get, path = "/projects/{id}/excerpts.csv", tag = "exports", params(("id" = i64, Path, description = "Project id"), ExportParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn excerpts_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let filter = params.filter()?;
    let export = export::prepare(&app.db, &access, &filter).await?;
    let name = export::file_name(&access, "excerpts", &filter.qualifiers(), "csv");
    Ok((
        download::csv(&name),
        Body::from_stream(export.into_stream()),
    ))
}

/// Code × document matrix: per document and code, the number of excerpts and the
/// characters they cover, with the same filters as the excerpts export.
#[utoipa::path(get, path = "/projects/{id}/matrix.csv", tag = "exports", params(("id" = i64, Path, description = "Project id"), ExportParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn matrix_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<ExportParams>,
) -> ApiResult<impl IntoResponse> {
    let filter = params.filter()?;
    let csv = export::matrix_csv(&app.db, &access, &filter).await?;
    let name = export::file_name(&access, "code-document-matrix", &filter.qualifiers(), "csv");
    Ok((download::csv(&name), csv))
}
