//! `/api/v1/projects/{id}/members`: who works on a project, in which role.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult};
use crate::db::members::Member;
use crate::service::projects;
use crate::web::AppState;
use crate::web::extract::ApiProject;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/members", get(list).post(set))
        .route("/projects/{id}/members/{username}", delete(remove))
}

#[derive(Serialize)]
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
            role: m.role,
            added_at: m.added_at,
        }
    }
}

#[derive(Serialize)]
struct MemberList {
    members: Vec<MemberView>,
}

async fn list(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
) -> ApiResult<Json<MemberList>> {
    let members = projects::members(&app.db, &access).await?;
    Ok(Json(MemberList {
        members: members.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetMember {
    username: String,
    role: String,
}

/// Adds a member (201) or changes an existing member's role (also answered 201 with the
/// member, so scripts can treat the call as idempotent "ensure").
async fn set(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    ApiJson(body): ApiJson<SetMember>,
) -> ApiResult<(StatusCode, Json<MemberView>)> {
    let member = projects::set_member(&app.db, &access, &body.username, &body.role).await?;
    Ok((StatusCode::CREATED, Json(member.into())))
}

async fn remove(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    Path((_, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    projects::remove_member(&app.db, &access, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
