//! `/api/v1/projects`: list, create, read and change projects.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiResult};
use crate::db::projects::Project;
use crate::domain::Role;
use crate::service::projects::{self, ProjectAccess, ProjectChanges};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::extract::ApiProject;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/{id}", get(show).patch(update))
}

/// A project as the API shows it, with the caller's role.
#[derive(Serialize)]
pub struct ProjectView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub archived: bool,
    pub blind_coding: bool,
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

#[derive(Serialize)]
struct ProjectList {
    projects: Vec<ProjectView>,
}

async fn list(State(app): State<AppState>, ApiUser(user): ApiUser) -> ApiResult<Json<ProjectList>> {
    let projects = projects::list_mine(&app.db, &user)
        .await?
        .into_iter()
        .map(|(project, role)| ProjectView::new(project, role))
        .collect();
    Ok(Json(ProjectList { projects }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewProject {
    name: String,
    #[serde(default)]
    description: String,
}

async fn create(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    let access = projects::create(&app.db, &user, &body.name, &body.description).await?;
    Ok((StatusCode::CREATED, Json(access.into())))
}

async fn show(ApiProject(access): ApiProject) -> Json<ProjectView> {
    Json(access.into())
}

async fn update(
    State(app): State<AppState>,
    ApiProject(access): ApiProject,
    ApiJson(changes): ApiJson<ProjectChanges>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(
        projects::update(&app.db, &access, &changes).await?.into(),
    ))
}
