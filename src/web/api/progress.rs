//! Team workflow: a coder's completion of a document, owners' assignments, and progress.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody};
use crate::service::access::{InDocument, ProjectAccess};
use crate::service::progress::assignments::{self, AssignmentOutcome, AssignmentRequest};
use crate::service::progress::{self, Completion, DocumentProgress, ProjectProgress};
use crate::web::AppState;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(completion, set_completion))
        .routes(routes!(project_progress))
        .routes(routes!(my_documents))
        .routes(routes!(assign))
        .routes(routes!(unassign))
}

/// Your status on a document: `not_started`, `in_progress` (you have coded in it) or
/// `complete` (you marked it so).
#[utoipa::path(get, path = "/documents/{id}/completion", tag = "progress",
    params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = Completion), (status = 404, body = ErrorBody)))]
async fn completion(
    State(app): State<AppState>,
    Api(doc): Api<InDocument>,
) -> ApiResult<Json<Completion>> {
    Ok(Json(progress::completion(&app.db, &doc).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CompletionBody {
    /// `true` marks the document complete, `false` reopens it.
    complete: bool,
}

/// Marks your coding of a document complete, or reopens it (coders and owners). Recorded
/// in the audit log; completion decides the agreement report's default documents.
#[utoipa::path(put, path = "/documents/{id}/completion", tag = "progress",
    params(("id" = i64, Path, description = "Document id")), request_body = CompletionBody,
    responses((status = 200, body = Completion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The project is archived"), (status = 422, body = ErrorBody)))]
async fn set_completion(
    State(app): State<AppState>,
    Api(doc): Api<InDocument>,
    ApiJson(body): ApiJson<CompletionBody>,
) -> ApiResult<Json<Completion>> {
    Ok(Json(
        progress::set_completion(&app.db, &doc, body.complete).await?,
    ))
}

/// Every coder's status, excerpts and coded characters per document, and the documents
/// nobody has coded (owners).
#[utoipa::path(get, path = "/projects/{id}/progress", tag = "progress",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = ProjectProgress), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn project_progress(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
) -> ApiResult<Json<ProjectProgress>> {
    Ok(Json(progress::project_progress(&app.db, &access).await?))
}

#[derive(Serialize, ToSchema)]
struct MyDocuments {
    /// Documents assigned to you, or that you coded or completed; `coders` holds only you.
    documents: Vec<DocumentProgress>,
}

/// Your documents in the project with your status on each.
#[utoipa::path(get, path = "/projects/{id}/progress/mine", tag = "progress",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = MyDocuments), (status = 404, body = ErrorBody)))]
async fn my_documents(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
) -> ApiResult<Json<MyDocuments>> {
    let documents = progress::my_documents(&app.db, &access).await?;
    Ok(Json(MyDocuments { documents }))
}

/// Assigns documents to coders (owners): `documents` (ids), `attribute` (`name:value`) or
/// `percent` (a share of the project's documents at random, the same ones for every coder
/// named; `seed` makes the choice repeatable). Assigning twice changes nothing.
#[utoipa::path(post, path = "/projects/{id}/assignments", tag = "progress",
    params(("id" = i64, Path, description = "Project id")), request_body = AssignmentRequest,
    responses((status = 200, body = AssignmentOutcome), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<AssignmentRequest>,
) -> ApiResult<Json<AssignmentOutcome>> {
    Ok(Json(assignments::set(&app.db, &access, &body, true).await?))
}

/// Takes documents back from coders (owners); the same body as assigning.
#[utoipa::path(post, path = "/projects/{id}/assignments/remove", tag = "progress",
    params(("id" = i64, Path, description = "Project id")), request_body = AssignmentRequest,
    responses((status = 200, body = AssignmentOutcome), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn unassign(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<AssignmentRequest>,
) -> ApiResult<Json<AssignmentOutcome>> {
    Ok(Json(
        assignments::set(&app.db, &access, &body, false).await?,
    ))
}
