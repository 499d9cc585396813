//! `/api/v1/projects/{id}/search` (full-text search, one item per hit) and
//! `/api/v1/projects/{id}/autocode` (code the hits of a search; undo a run).

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody};
use crate::service::access::ProjectAccess;
use crate::service::autocode::{self, AutocodeInput};
use crate::service::search::{self, Hit, SearchParams};
use crate::web::AppState;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_project))
        .routes(routes!(autocode_hits))
        .routes(routes!(undo_autocode))
}

#[derive(Serialize, ToSchema)]
struct HitJson {
    document_id: i64,
    /// The document's title.
    document: String,
    /// The hit itself: code points into the document's stored text, half-open.
    start: usize,
    end: usize,
    speaker: String,
    /// `participant` or `interviewer`.
    role: String,
    /// The sentence around the hit (at most 120 code points either side of it).
    snippet: String,
    /// Where `snippet` starts in the document: the hit is at
    /// `[start - snippet_start, end - snippet_start)` of the snippet.
    snippet_start: usize,
}

impl From<Hit> for HitJson {
    fn from(hit: Hit) -> Self {
        HitJson {
            document_id: hit.document_id,
            document: hit.document_title,
            start: hit.start,
            end: hit.end,
            speaker: hit.speaker,
            role: hit.role.to_string(),
            snippet: hit.snippet,
            snippet_start: hit.snippet_start,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct SearchJson {
    /// Hits on all pages.
    total: usize,
    items: Vec<HitJson>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// Searches every turn of the project's documents. Query syntax: words (all must
/// occur), `"exact phrases"`, prefixes (`automat*`), upper-case `AND` / `OR` / `NOT`
/// (`jobs NOT robots`), parentheses and `NEAR(word word, 10)`; case and diacritics are
/// ignored. A hit never spans two turns. A malformed query is a 422 saying what to fix.
#[utoipa::path(get, path = "/projects/{id}/search", tag = "search",
    params(("id" = i64, Path, description = "Project id"), SearchParams),
    responses((status = 200, body = SearchJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn search_project(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<SearchJson>> {
    let request = params.request()?;
    let found = search::search(
        &app.db,
        &access,
        &request,
        params.limit()?,
        params.cursor()?,
    )
    .await?;
    Ok(Json(SearchJson {
        total: found.total,
        items: found.items.into_iter().map(Into::into).collect(),
        next_cursor: found.next_cursor,
    }))
}

#[derive(Serialize, ToSchema)]
struct AutocodeJson {
    /// Hits the run covered.
    hits: usize,
    /// Excerpts created (on a dry run: that would be created).
    created: usize,
    /// Hits with nothing new to code: you already have an excerpt with the code covering
    /// the extent, or another hit of the run does.
    skipped: usize,
    excerpt_ids: Vec<i64>,
    /// The run, for `POST …/autocode/{batch_id}/undo`; `null` on a dry run or when
    /// nothing was created.
    batch_id: Option<i64>,
}

/// Codes every hit of a search (or the `hits` given, each `{document_id, start, end}` as
/// the search returned it) with `code_id`, as you, at an `extent`: `match`, `sentence`,
/// `paragraph` or `turn`. `dry_run: true` only counts. One transaction, one undo.
#[utoipa::path(post, path = "/projects/{id}/autocode", tag = "search",
    params(("id" = i64, Path, description = "Project id")), request_body = AutocodeInput,
    responses((status = 200, body = AutocodeJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn autocode_hits(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<AutocodeInput>,
) -> ApiResult<Json<AutocodeJson>> {
    let done = autocode::autocode(&app.db, &access, &body).await?;
    Ok(Json(AutocodeJson {
        hits: done.hits,
        created: done.created,
        skipped: done.skipped,
        excerpt_ids: done.excerpt_ids,
        batch_id: done.batch_id,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct UndoRequest {
    /// The run to undo (`batch_id` of its answer); default: your latest run not undone.
    #[serde(default)]
    batch_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
struct UndoJson {
    /// The run undone; `null` when you had none left to undo.
    batch_id: Option<i64>,
    /// Excerpts removed (those of the run still there).
    removed: u64,
}

/// Undoes one of your auto-code runs (by default your latest): removes the excerpts it
/// created. 409 if that run was already undone; 404 if it is not one of yours.
#[utoipa::path(post, path = "/projects/{id}/autocode/undo", tag = "search",
    params(("id" = i64, Path, description = "Project id")), request_body = UndoRequest,
    responses((status = 200, body = UndoJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn undo_autocode(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<UndoRequest>,
) -> ApiResult<Json<UndoJson>> {
    let undone = autocode::undo(&app.db, &access, body.batch_id).await?;
    Ok(Json(UndoJson {
        batch_id: undone.map(|(id, _)| id),
        removed: undone.map_or(0, |(_, removed)| removed),
    }))
}
