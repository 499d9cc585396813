//! `/api/v1/documents/{id}/excerpts` and `/api/v1/excerpts/{id}`: coding.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::access::InDocument;
use crate::service::coders;
use crate::service::excerpts::{self, ExcerptChanges, ExcerptView, InExcerpt, NewExcerptInput};
use crate::web::AppState;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_batch))
        .routes(routes!(show, update, remove))
}

/// An excerpt as the API shows it, with its exact text.
#[derive(Serialize, ToSchema)]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only this coder's excerpts: a user name, or `consensus`.
    coder: Option<String>,
    /// Items per page (default 100, at most 1000); excerpts come in document order.
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct ExcerptList {
    next_cursor: Option<String>,
    excerpts: Vec<ExcerptJson>,
}

/// The document's excerpts you may see (blind coding: only yours), in document order.
#[utoipa::path(get, path = "/documents/{id}/excerpts", tag = "excerpts", params(("id" = i64, Path, description = "Document id"), ListParams),
    responses((status = 200, body = ExcerptList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    Api(InDocument { access, document }): Api<InDocument>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<ExcerptList>> {
    let filter = coders::filter(&app.db, &access, params.coder.as_deref()).await?;
    let all = excerpts::for_document(&app.db, &access, &document, filter).await?;
    let page = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    };
    // Document order; the cursor names the last excerpt's (start, end, id).
    let (excerpts, next_cursor) =
        page.page_by_key(all, |e| [e.excerpt.start, e.excerpt.end, e.excerpt.id])?;
    Ok(Json(ExcerptList {
        excerpts: excerpts.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Codes a span `[start, end)` (code points; whitespace at the edges is trimmed) with
/// codes and a memo. The excerpt belongs to you.
#[utoipa::path(post, path = "/documents/{id}/excerpts", tag = "excerpts", params(("id" = i64, Path, description = "Document id")), request_body = NewExcerptInput,
    responses((status = 201, body = ExcerptJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    Api(InDocument { access, document }): Api<InDocument>,
    ApiJson(input): ApiJson<NewExcerptInput>,
) -> ApiResult<(StatusCode, Json<ExcerptJson>)> {
    let excerpt = excerpts::create(&app.db, &access, &document, &input).await?;
    Ok((StatusCode::CREATED, Json(excerpt.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewExcerpts {
    /// Up to 1000 excerpts, each as for a single create.
    excerpts: Vec<NewExcerptInput>,
}

#[derive(Serialize, ToSchema)]
struct CreatedExcerpts {
    /// The new excerpts, in the order they were sent.
    excerpts: Vec<ExcerptJson>,
}

/// Creates up to 1000 excerpts of the document in one transaction: all of them, or none
/// if any is invalid (the error message says which). For scripts that bring in coding
/// done elsewhere: one request instead of a thousand.
#[utoipa::path(post, path = "/documents/{id}/excerpts/batch", tag = "excerpts", params(("id" = i64, Path, description = "Document id")), request_body = NewExcerpts,
    responses((status = 201, body = CreatedExcerpts), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_batch(
    State(app): State<AppState>,
    Api(InDocument { access, document }): Api<InDocument>,
    ApiJson(input): ApiJson<NewExcerpts>,
) -> ApiResult<(StatusCode, Json<CreatedExcerpts>)> {
    let created = excerpts::create_many(&app.db, &access, &document, &input.excerpts).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedExcerpts {
            excerpts: created.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// One excerpt with its exact text.
#[utoipa::path(get, path = "/excerpts/{id}", tag = "excerpts", params(("id" = i64, Path, description = "Excerpt id")),
    responses((status = 200, body = ExcerptJson), (status = 404, body = ErrorBody)))]
async fn show(Api(InExcerpt { excerpt, .. }): Api<InExcerpt>) -> Json<ExcerptJson> {
    Json(excerpt.into())
}

/// Changes your excerpt: span, codes (replace, add, remove) and memo. Send the `version`
/// you last saw; a stale one is refused with 409 so nobody overwrites anybody.
#[utoipa::path(patch, path = "/excerpts/{id}", tag = "excerpts", params(("id" = i64, Path, description = "Excerpt id")), request_body = ExcerptChanges,
    responses((status = 200, body = ExcerptJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(app): State<AppState>,
    Api(InExcerpt {
        access,
        document,
        excerpt,
    }): Api<InExcerpt>,
    ApiJson(changes): ApiJson<ExcerptChanges>,
) -> ApiResult<Json<ExcerptJson>> {
    Ok(Json(
        excerpts::update(&app.db, &access, &document, &excerpt, &changes)
            .await?
            .into(),
    ))
}

/// Deletes your excerpt.
#[utoipa::path(delete, path = "/excerpts/{id}", tag = "excerpts", params(("id" = i64, Path, description = "Excerpt id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove(
    State(app): State<AppState>,
    Api(InExcerpt {
        access, excerpt, ..
    }): Api<InExcerpt>,
) -> ApiResult<StatusCode> {
    excerpts::delete(&app.db, &access, &excerpt).await?;
    Ok(StatusCode::NO_CONTENT)
}
