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
use crate::service::export;
use crate::service::params::{CellParams, CooccurrenceParams};
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cooccurrence_table))
        .routes(routes!(cooccurrence_csv))
        .routes(routes!(cooccurrence_passages))
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
