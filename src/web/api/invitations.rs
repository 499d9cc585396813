//! Invitations: a project's pending offers (`/projects/{id}/invitations`, for owners) and
//! your own (`/invitations`), which you accept or decline.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, ErrorBody};
use crate::service::access::ProjectAccess;
use crate::service::invitations::{self, Invitation};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(of_project))
        .routes(routes!(withdraw))
        .routes(routes!(mine))
        .routes(routes!(accept))
        .routes(routes!(decline))
}

#[derive(Serialize, ToSchema)]
struct InvitationList {
    invitations: Vec<Invitation>,
}

/// The project's pending invitations (owners).
#[utoipa::path(get, path = "/projects/{id}/invitations", tag = "projects",
    params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = InvitationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn of_project(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
) -> ApiResult<Json<InvitationList>> {
    let invitations = invitations::of_project(&app.db, &access).await?;
    Ok(Json(InvitationList { invitations }))
}

/// Withdraws a pending invitation (owners).
#[utoipa::path(delete, path = "/projects/{id}/invitations/{invitation_id}", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), ("invitation_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn withdraw(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Path((_, invitation_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    invitations::withdraw(&app.db, &access, invitation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations waiting for you: which project, which role, who sent it.
#[utoipa::path(get, path = "/invitations", tag = "account",
    responses((status = 200, body = InvitationList), (status = 401, body = ErrorBody)))]
async fn mine(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<InvitationList>> {
    let invitations = invitations::mine(&app.db, &user).await?;
    Ok(Json(InvitationList { invitations }))
}

#[derive(Serialize, ToSchema)]
struct Joined {
    project_id: i64,
}

/// Accepts an invitation: you join the project in its role.
#[utoipa::path(post, path = "/invitations/{id}/accept", tag = "account",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 200, body = Joined), (status = 404, body = ErrorBody)))]
async fn accept(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Joined>> {
    let project_id = invitations::accept(&app.db, &user, id).await?;
    Ok(Json(Joined { project_id }))
}

/// Declines an invitation: it is gone and you do not join.
#[utoipa::path(post, path = "/invitations/{id}/decline", tag = "account",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn decline(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    invitations::decline(&app.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
