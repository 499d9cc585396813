//! `/api/v1/projects/{id}/members`: who works on a project, in which role.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::access::ProjectAccess;
use crate::service::invitations::Invitation;
use crate::service::projects;
use crate::service::projects::{Member, Membership};
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

/// Changes an existing member's role, or adds someone. An administrator adds them at once
/// (201 with the member; an unknown name is 422). Any other owner's request becomes an
/// **invitation** (202 with the invitation) that the invitee accepts under
/// `/invitations`: they join only then. The 202 is the same whether or not an account of
/// that name exists, so owners cannot probe for accounts. Repeating the call is an
/// idempotent "ensure".
#[utoipa::path(post, path = "/projects/{id}/members", tag = "projects",
    params(("id" = i64, Path, description = "Project id")), request_body = SetMember,
    responses((status = 201, body = MemberView, description = "A member now (role set or added by an administrator)"),
        (status = 202, body = Invitation, description = "Invited: they join when they accept"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(body): ApiJson<SetMember>,
) -> ApiResult<Response> {
    let outcome = projects::set_member(&app.db, &access, &body.username, &body.role).await?;
    Ok(match outcome {
        Membership::Member(member) => {
            (StatusCode::CREATED, Json(MemberView::from(member))).into_response()
        }
        Membership::Invited(invitation) => (StatusCode::ACCEPTED, Json(invitation)).into_response(),
    })
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
