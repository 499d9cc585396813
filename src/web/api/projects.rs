//! `/api/v1/projects`: list, create, read and change projects.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::domain::Role;
use crate::service::access::ProjectAccess;
use crate::service::demo;
use crate::service::events::LoggedEvent;
use crate::service::projects::Project;
use crate::service::projects::{self, ProjectChanges};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::extract::Api;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(create_demo))
        .routes(routes!(show, update, delete))
        .routes(routes!(events))
}

/// A project as the API shows it, with the caller's role.
#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub archived: bool,
    /// Coders see and receive only their own excerpts.
    pub blind_coding: bool,
    /// Your role: owner, coder or viewer.
    #[schema(value_type = String, example = "owner")]
    pub role: Role,
    pub created_at: String,
    pub updated_at: String,
}

impl ProjectView {
    fn new(project: Project, role: Role) -> Self {
        Self {
            id: project.id,
            name: project.name,
            description: project.description,
            archived: project.archived,
            blind_coding: project.blind_coding,
            role,
            created_at: project.created_at,
            updated_at: project.updated_at,
        }
    }
}

impl From<ProjectAccess> for ProjectView {
    fn from(access: ProjectAccess) -> Self {
        ProjectView::new(access.project, access.role)
    }
}

#[derive(Serialize, ToSchema)]
struct ProjectList {
    projects: Vec<ProjectView>,
    next_cursor: Option<String>,
}

/// The projects you are a member of, in id order.
#[utoipa::path(get, path = "/projects", tag = "projects", params(PageParams),
    responses((status = 200, body = ProjectList), (status = 401, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<ProjectList>> {
    let all: Vec<ProjectView> = projects::list_mine(&app.db, &user)
        .await?
        .into_iter()
        .map(|(project, role)| ProjectView::new(project, role))
        .collect();
    let mut all = all;
    all.sort_by_key(|p| p.id);
    let (projects, next_cursor) = page.page_by_key(all, |p| [p.id])?;
    Ok(Json(ProjectList {
        projects,
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewProject {
    name: String,
    #[serde(default)]
    description: String,
}

/// Creates a project; you become its owner.
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectView), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    let access = projects::create(&app.db, &user, &body.name, &body.description).await?;
    Ok((StatusCode::CREATED, Json(access.into())))
}

/// Creates a demo project that you own: 21 real interviews (CC-BY, with attribution), a
/// codebook of 13 codes, two demo coders' coding (they cannot sign in), partly adjudicated.
#[utoipa::path(post, path = "/projects/demo", tag = "projects",
    responses((status = 201, body = ProjectView), (status = 401, body = ErrorBody)))]
async fn create_demo(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    let access = demo::create(&app.db, &user).await?;
    Ok((StatusCode::CREATED, Json(access.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DeleteParams {
    /// The project's name, repeated to confirm.
    #[serde(default)]
    confirm: String,
}

/// Deletes a project with everything in it (owners; `confirm` repeats its name).
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), ("confirm" = String, Query, description = "The project's name, to confirm")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<DeleteParams>,
) -> ApiResult<StatusCode> {
    projects::delete(&app.db, &access, &params.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One project (404 unless you are a member).
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "Project id")),
    responses((status = 200, body = ProjectView), (status = 404, body = ErrorBody)))]
async fn show(Api(access): Api<ProjectAccess>) -> Json<ProjectView> {
    Json(access.into())
}

/// Renames, describes, archives a project or switches blind coding (owners).
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", params(("id" = i64, Path, description = "Project id")),
    request_body = ProjectChanges,
    responses((status = 200, body = ProjectView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    ApiJson(changes): ApiJson<ProjectChanges>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(
        projects::update(&app.db, &access, &changes).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
struct EventList {
    events: Vec<Event>,
    next_cursor: Option<String>,
}

/// One entry of the audit trail.
#[derive(Serialize, ToSchema)]
struct Event {
    id: i64,
    /// Who made the change (`null` for the command line).
    username: Option<String>,
    kind: String,
    /// The change's details, as JSON text.
    payload: String,
    created_at: String,
}

impl From<LoggedEvent> for Event {
    fn from(e: LoggedEvent) -> Self {
        Event {
            id: e.id,
            username: e.username,
            kind: e.kind,
            payload: e.payload,
            created_at: e.created_at,
        }
    }
}

/// The project's audit trail, newest first (owners and viewers): every change with who
/// made it and when.
#[utoipa::path(get, path = "/projects/{id}/events", tag = "projects",
    params(("id" = i64, Path, description = "Project id"), PageParams),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn events(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<EventList>> {
    let (events, next) =
        projects::activity(&app.db, &access, page.cursor_number()?, page.limit() as i64).await?;
    Ok(Json(EventList {
        events: events.into_iter().map(Event::from).collect(),
        next_cursor: next.map(|id| id.to_string()),
    }))
}
