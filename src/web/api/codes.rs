//! `/api/v1/projects/{id}/codes` and `/api/v1/codes/{id}`: the codebook.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::access::{InCode, ProjectAccess};
use crate::service::codes::{self, CodeChanges, CodeView, CodebookImport, NewCodeInput};
use crate::web::AppState;
use crate::web::download;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export_codebook, import_codebook))
        .routes(routes!(show, update, remove))
        .routes(routes!(merge))
}

#[derive(Serialize, ToSchema)]
struct CodeList {
    codes: Vec<CodeView>,
    next_cursor: Option<String>,
}

/// The codebook in tree order (depth-first), with usage counts you may see.
#[utoipa::path(get, path = "/projects/{id}/codes", tag = "codes", params(("id" = i64, Path, description = "Project id"), PageParams),
    responses((status = 200, body = CodeList), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<CodeList>> {
    let (codes, next_cursor) = page.page_of(codes::codebook(&app.db, &access).await?)?;
    Ok(Json(CodeList { codes, next_cursor }))
}

/// Creates a code (owners and coders); the colour defaults to the next of the palette.
#[utoipa::path(post, path = "/projects/{id}/codes", tag = "codes", params(("id" = i64, Path, description = "Project id")), request_body = NewCodeInput,
    responses((status = 201, body = CodeView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(input): ApiJson<NewCodeInput>,
) -> ApiResult<(StatusCode, Json<CodeView>)> {
    Ok((
        StatusCode::CREATED,
        Json(codes::create(&app.db, &access, &input).await?),
    ))
}

/// One code with its path and usage.
#[utoipa::path(get, path = "/codes/{id}", tag = "codes", params(("id" = i64, Path, description = "Code id")),
    responses((status = 200, body = CodeView), (status = 404, body = ErrorBody)))]
async fn show(
    State(app): State<AppState>,
    Api(InCode { access, code }): Api<InCode>,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(codes::find(&app.db, &access, code.id).await?))
}

/// Renames, recolours, describes or moves a code (`parent_id: null` moves it to the top).
#[utoipa::path(patch, path = "/codes/{id}", tag = "codes", params(("id" = i64, Path, description = "Code id")), request_body = CodeChanges,
    responses((status = 200, body = CodeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(app): State<AppState>,
    Api(InCode { access, code }): Api<InCode>,
    ApiJson(changes): ApiJson<CodeChanges>,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(
        codes::update(&app.db, &access, &code, &changes).await?,
    ))
}

#[derive(Serialize, ToSchema)]
struct Deleted {
    /// How many excerpts lost this code.
    excerpts_affected: i64,
}

/// Deletes a code (owners): its excerpts lose it, its sub-codes move up.
#[utoipa::path(delete, path = "/codes/{id}", tag = "codes", params(("id" = i64, Path, description = "Code id")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove(
    State(app): State<AppState>,
    Api(InCode { access, code }): Api<InCode>,
) -> ApiResult<Json<Deleted>> {
    let excerpts_affected = codes::delete(&app.db, &access, &code).await?;
    Ok(Json(Deleted { excerpts_affected }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MergeInto {
    into: i64,
}

/// Merges this code into another (owners): its excerpts get `into` (once each), its
/// sub-codes move under `into`, and this code disappears. One transaction.
#[utoipa::path(post, path = "/codes/{id}/merge", tag = "codes", params(("id" = i64, Path, description = "Code id")), request_body = MergeInto,
    responses((status = 200, body = CodeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn merge(
    State(app): State<AppState>,
    Api(InCode { access, code }): Api<InCode>,
    ApiJson(body): ApiJson<MergeInto>,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(
        codes::merge(&app.db, &access, &code, body.into).await?,
    ))
}

/// The codebook as CSV: `name,parent_path,color,description`.
#[utoipa::path(get, path = "/projects/{id}/codebook.csv", tag = "codes", params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
async fn export_codebook(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
) -> ApiResult<impl IntoResponse> {
    let csv = codes::export_csv(&app.db, &access).await?;
    let name = crate::service::export::file_name(&access, "codebook", &[], "csv");
    Ok((download::csv(&name), csv))
}

/// The body is the CSV file itself (`Content-Type: text/csv`).
/// Imports a codebook CSV sent as the request body (owners): new codes are added (with
/// missing parents), existing ones get the file's colour and description. All or nothing.
#[utoipa::path(post, path = "/projects/{id}/codebook.csv", tag = "codes", params(("id" = i64, Path, description = "Project id")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = CodebookImport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_codebook(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CodebookImport>)> {
    Ok((
        StatusCode::CREATED,
        Json(codes::import_csv(&app.db, &access, &body).await?),
    ))
}
