//! `/api/v1/documents/{id}/excerpts` and `/api/v1/excerpts/{id}`: coding.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult};
use crate::service::coding::{self, ExcerptChanges, ExcerptView, NewExcerptInput};
use crate::web::AppState;
use crate::web::extract::{ApiDocument, ApiExcerpt};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}/excerpts", get(list).post(create))
        .route("/excerpts/{id}", get(show).patch(update).delete(remove))
}

/// An excerpt as the API shows it, with its exact text.
#[derive(Serialize)]
pub struct ExcerptJson {
    pub id: i64,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub code_ids: Vec<i64>,
    pub memo: String,
    pub coder: String,
    pub consensus: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<ExcerptView> for ExcerptJson {
    fn from(view: ExcerptView) -> Self {
        let e = view.excerpt;
        ExcerptJson {
            id: e.id,
            document_id: e.document_id,
            start: e.start,
            end: e.end,
            text: view.text,
            code_ids: view.code_ids,
            memo: e.memo,
            coder: e.coder,
            consensus: e.consensus,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Deserialize)]
struct ListParams {
    /// A user name, or `consensus`.
    coder: Option<String>,
}

#[derive(Serialize)]
struct ExcerptList {
    excerpts: Vec<ExcerptJson>,
}

async fn list(
    State(app): State<AppState>,
    ApiDocument { access, document }: ApiDocument,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ExcerptList>> {
    let filter = coding::coder_filter(&app.db, &access, params.coder.as_deref()).await?;
    let excerpts = coding::for_document(&app.db, &access, &document, filter).await?;
    Ok(Json(ExcerptList {
        excerpts: excerpts.into_iter().map(Into::into).collect(),
    }))
}

async fn create(
    State(app): State<AppState>,
    ApiDocument { access, document }: ApiDocument,
    ApiJson(input): ApiJson<NewExcerptInput>,
) -> ApiResult<(StatusCode, Json<ExcerptJson>)> {
    let excerpt = coding::create(&app.db, &access, &document, &input).await?;
    Ok((StatusCode::CREATED, Json(excerpt.into())))
}

async fn show(ApiExcerpt { excerpt, .. }: ApiExcerpt) -> Json<ExcerptJson> {
    Json(excerpt.into())
}

async fn update(
    State(app): State<AppState>,
    ApiExcerpt {
        access,
        document,
        excerpt,
    }: ApiExcerpt,
    ApiJson(changes): ApiJson<ExcerptChanges>,
) -> ApiResult<Json<ExcerptJson>> {
    Ok(Json(
        coding::update(&app.db, &access, &document, &excerpt, &changes)
            .await?
            .into(),
    ))
}

async fn remove(
    State(app): State<AppState>,
    ApiExcerpt {
        access, excerpt, ..
    }: ApiExcerpt,
) -> ApiResult<StatusCode> {
    coding::delete(&app.db, &access, &excerpt).await?;
    Ok(StatusCode::NO_CONTENT)
}
