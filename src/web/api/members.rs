//! `/api/v1/projects/{id}/members`: who works on a project, in which role.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::access::ProjectAccess;
use crate::service::projects;
use crate::service::projects::Member;
use crate::web::AppState;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, set))
        .routes(routes!(remove))
}

#[derive(Serialize, ToSchema)]
struct MemberView {
    id: i64,
    username: String,
    role: String,
    added_at: String,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> Self {
        MemberView {
            id: m.user_id,
            username: m.username,
            role: m.role.to_string(),
            added_at: m.added_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct MemberList {
    members: Vec<MemberView>,
    next_cursor: Option<String>,
}

/// The project's members: owners, then coders, then viewers.
#[utoipa::path(get, path = "/projects/{id}/members", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), PageParams),
    responses((status = 200, body = MemberList), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<MemberList>> {
    let all: Vec<MemberView> = projects::members(&app.db, &access)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let (members, next_cursor) = page.page_of(all)?;
    Ok(Json(MemberList {
        members,
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SetMember {
    username: String,
    role: String,
}

/// Adds a member (201) or changes an existing member's role (also answered 201 with the
/// member, so scripts can treat the call as idempotent "ensure").
#[utoipa::path(post, path = "/projects/{id}/members", tag = "projects",
    params(("id" = i64, Path, description = "Project id")), request_body = SetMember,
    responses((status = 201, body = MemberView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<SetMember>,
) -> ApiResult<(StatusCode, Json<MemberView>)> {
    let member = projects::set_member(&app.db, &access, &body.username, &body.role).await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

/// Removes a member (owners); a project keeps at least one owner (409).
#[utoipa::path(delete, path = "/projects/{id}/members/{username}", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), ("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Path((_, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    projects::remove_member(&app.db, &access, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
