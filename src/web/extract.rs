//! Extractors that resolve "which project, and may this caller see it" before any request
//! body is read, so a non-member gets 404 whatever else the request contains.

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;

use super::AppState;
use super::auth::{ApiUser, SignInRejection, SignedIn};
use super::error::{ApiError, PageError};
use crate::db::documents::Document;
use crate::error::AppError;
use crate::service::documents;
use crate::service::projects::{self, ProjectAccess};

/// The `{id}` segment of `/projects/{id}/...` and `/documents/{id}/...` routes.
#[derive(Deserialize)]
struct ProjectId {
    id: i64,
}

async fn project_id(parts: &mut Parts) -> Result<i64, AppError> {
    Path::<ProjectId>::from_request_parts(parts, &())
        .await
        .map(|Path(p)| p.id)
        .map_err(|_| AppError::NotFound("Project"))
}

/// An API caller who is a member of the project in the path.
pub struct ApiProject(pub ProjectAccess);

impl<S> FromRequestParts<S> for ApiProject
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let id = project_id(parts).await?;
        let app = AppState::from_ref(state);
        Ok(ApiProject(projects::open(&app.db, &user, id).await?))
    }
}

/// A signed-in page visitor who is a member of the project in the path.
pub struct PageProject {
    pub page: SignedIn,
    pub access: ProjectAccess,
}

impl<S> FromRequestParts<S> for PageProject
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = SignInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = SignedIn::from_request_parts(parts, state).await?;
        let fail = |e: AppError| SignInRejection::Error(PageError(e));
        let id = project_id(parts).await.map_err(fail)?;
        let app = AppState::from_ref(state);
        let access = projects::open(&app.db, &page.user, id)
            .await
            .map_err(fail)?;
        Ok(PageProject { page, access })
    }
}

/// The `{id}` segment of `/documents/{id}/...` routes.
async fn document_id(parts: &mut Parts) -> Result<i64, AppError> {
    Path::<ProjectId>::from_request_parts(parts, &())
        .await
        .map(|Path(p)| p.id)
        .map_err(|_| AppError::NotFound("Document"))
}

/// An API caller who may see the document in the path, with the document.
pub struct ApiDocument {
    pub access: ProjectAccess,
    pub document: Document,
}

impl<S> FromRequestParts<S> for ApiDocument
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let id = document_id(parts).await?;
        let app = AppState::from_ref(state);
        let (access, document) = documents::open(&app.db, &user, id).await?;
        Ok(ApiDocument { access, document })
    }
}

/// A signed-in page visitor who may see the document in the path.
pub struct PageDocument {
    pub page: SignedIn,
    pub access: ProjectAccess,
    pub document: Document,
}

impl<S> FromRequestParts<S> for PageDocument
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = SignInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = SignedIn::from_request_parts(parts, state).await?;
        let fail = |e: AppError| SignInRejection::Error(PageError(e));
        let id = document_id(parts).await.map_err(fail)?;
        let app = AppState::from_ref(state);
        let (access, document) = documents::open(&app.db, &page.user, id)
            .await
            .map_err(fail)?;
        Ok(PageDocument {
            page,
            access,
            document,
        })
    }
}
