//! `/api/v1/projects/{id}/cooccurrence…`: the code co-occurrence table, its CSV, and the
//! passages behind one cell.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, ErrorBody};
use crate::service::access::ProjectAccess;
use crate::service::analysis::cooccurrence::{self, Cooccurrence, Passages};
use crate::service::analysis::crosstab::{self, CellExcerpts, Crosstab};
use crate::service::export;
use crate::service::params::{CellParams, CooccurrenceParams, CrosstabCellParams, CrosstabParams};
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cooccurrence_table))
        .routes(routes!(cooccurrence_csv))
        .routes(routes!(cooccurrence_passages))
        .routes(routes!(crosstab_table))
        .routes(routes!(crosstab_csv))
        .routes(routes!(crosstab_passages))
}

/// Code co-occurrence (any member; in a blind project a coder's own coding only). With
/// `scope=overlap`, `count` is the number of pairs (an excerpt with code a, an excerpt
/// with code b) sharing at least one code point, one excerpt carrying both being one
/// pair; with `turn` or `document`, the number of turns or documents where both occur.
/// `c = count / (n_a + n_b − count)` (capped at 1), `n` per code in `codes`. Each coder
/// (and the consensus set) is counted on its own and the counts added.
#[utoipa::path(get, path = "/projects/{id}/cooccurrence", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CooccurrenceParams),
    responses((status = 200, body = Cooccurrence), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cooccurrence_table(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
) -> ApiResult<Json<Cooccurrence>> {
    Ok(Json(
        cooccurrence::table(&app.db, &access, &params.request()?).await?,
    ))
}

/// The co-occurrence table as CSV: one row per pair of codes that meet, with `n_a`,
/// `n_b`, `count` and `c`. Cells a spreadsheet would run as formulas are prefixed with `'`.
#[utoipa::path(get, path = "/projects/{id}/cooccurrence.csv", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CooccurrenceParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cooccurrence_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
) -> ApiResult<impl IntoResponse> {
    let request = params.request()?;
    let table = cooccurrence::table(&app.db, &access, &request).await?;
    let qualifiers = [table.scope.clone(), table.coders.join(" ")];
    let name = export::file_name(&access, "cooccurrence", &qualifiers, "csv");
    Ok((download::csv(&name), cooccurrence::csv(&table)?))
}

/// Where codes `a` and `b` meet: one passage per unit the cell counts (the first 200),
/// with the document, the coder, the shared text and the excerpts of each code.
#[utoipa::path(get, path = "/projects/{id}/cooccurrence/passages", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CooccurrenceParams, CellParams),
    responses((status = 200, body = Passages), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cooccurrence_passages(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CooccurrenceParams>,
    Query(cell): Query<CellParams>,
) -> ApiResult<Json<Passages>> {
    let request = params.request()?;
    Ok(Json(
        cooccurrence::passages(&app.db, &access, &request, &cell.a, &cell.b).await?,
    ))
}

/// Code × attribute value (`attribute=KEY`) or, without `attribute`, code × document (any
/// member; in a blind project a coder's own coding only). Per cell: `excerpts` (every
/// coder's added), `documents` of the column where the code occurs, `share` of the
/// column's documents, `characters` coded (overlapping excerpts of one coder once). A
/// document with two values of the attribute is in both columns; one without it in none.
#[utoipa::path(get, path = "/projects/{id}/crosstab", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CrosstabParams),
    responses((status = 200, body = Crosstab), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn crosstab_table(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CrosstabParams>,
) -> ApiResult<Json<Crosstab>> {
    Ok(Json(
        crosstab::table(&app.db, &access, &params.request()).await?,
    ))
}

/// The crosstab as CSV, one row per cell with coding. Cells a spreadsheet would run as
/// formulas are prefixed with `'`.
#[utoipa::path(get, path = "/projects/{id}/crosstab.csv", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CrosstabParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn crosstab_csv(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CrosstabParams>,
) -> ApiResult<impl IntoResponse> {
    let table = crosstab::table(&app.db, &access, &params.request()).await?;
    let by = table
        .attribute
        .clone()
        .unwrap_or_else(|| "documents".into());
    let qualifiers = [by, table.coders.join(" ")];
    let name = export::file_name(&access, "crosstab", &qualifiers, "csv");
    Ok((download::csv(&name), crosstab::csv(&table)?))
}

/// The excerpts behind one crosstab cell (the first 200): `code`, and `document` (code ×
/// document) or `value` (with `attribute`).
#[utoipa::path(get, path = "/projects/{id}/crosstab/passages", tag = "analysis", params(("id" = i64, Path, description = "Project id"), CrosstabParams, CrosstabCellParams),
    responses((status = 200, body = CellExcerpts), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn crosstab_passages(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<CrosstabParams>,
    Query(cell): Query<CrosstabCellParams>,
) -> ApiResult<Json<CellExcerpts>> {
    Ok(Json(
        crosstab::cell(&app.db, &access, &params.request(), &cell.key()).await?,
    ))
}
