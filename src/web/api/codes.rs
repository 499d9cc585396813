//! `/api/v1/projects/{id}/codes` and `/api/v1/codes/{id}`: the codebook.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult};
use crate::service::codes::{self, CodeChanges, CodeView, CodebookImport, NewCodeInput};
use crate::web::AppState;
use crate::web::extract::{ApiCode, ApiProject};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/codes", get(list).post(create))
        .route(
            "/projects/{id}/codebook.csv",
            get(export_codebook).post(import_codebook),
        )
        .route("/codes/{id}", get(show).patch(update).delete(remove))
        .route("/codes/{id}/merge", post(merge))
}

#[derive(Serialize)]
struct CodeList {
    codes: Vec<CodeView>,
}

async fn list(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
) -> ApiResult<Json<CodeList>> {
    Ok(Json(CodeList {
        codes: codes::codebook(&app.db, &access).await?,
    }))
}

async fn create(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    ApiJson(input): ApiJson<NewCodeInput>,
) -> ApiResult<(StatusCode, Json<CodeView>)> {
    Ok((
        StatusCode::CREATED,
        Json(codes::create(&app.db, &access, &input).await?),
    ))
}

async fn show(
    State(app): State<AppState>,
    ApiCode { access, code }: ApiCode,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(codes::find(&app.db, &access, code.id).await?))
}

async fn update(
    State(app): State<AppState>,
    ApiCode { access, code }: ApiCode,
    ApiJson(changes): ApiJson<CodeChanges>,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(
        codes::update(&app.db, &access, &code, &changes).await?,
    ))
}

#[derive(Serialize)]
struct Deleted {
    /// How many excerpts lost this code.
    excerpts_affected: i64,
}

async fn remove(
    State(app): State<AppState>,
    ApiCode { access, code }: ApiCode,
) -> ApiResult<Json<Deleted>> {
    let excerpts_affected = codes::delete(&app.db, &access, &code).await?;
    Ok(Json(Deleted { excerpts_affected }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeInto {
    into: i64,
}

async fn merge(
    State(app): State<AppState>,
    ApiCode { access, code }: ApiCode,
    ApiJson(body): ApiJson<MergeInto>,
) -> ApiResult<Json<CodeView>> {
    Ok(Json(
        codes::merge(&app.db, &access, &code, body.into).await?,
    ))
}

async fn export_codebook(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
) -> ApiResult<impl IntoResponse> {
    let csv = codes::export_csv(&app.db, &access).await?;
    let disposition = format!(
        "attachment; filename=\"codebook-project-{}.csv\"",
        access.project_id()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    ))
}

/// The body is the CSV file itself (`Content-Type: text/csv`).
async fn import_codebook(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CodebookImport>)> {
    Ok((
        StatusCode::CREATED,
        Json(codes::import_csv(&app.db, &access, &body).await?),
    ))
}
