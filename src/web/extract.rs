//! Extractors that resolve "which project, and may this caller see it" before any request
//! body is read, so a non-member gets 404 whatever else the request contains.

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;

use super::AppState;
use super::auth::{ApiUser, SignInRejection, SignedIn};
use super::error::{ApiError, PageError};
use crate::db::codes::Code;
use crate::db::documents::Document;
use crate::error::AppError;
use crate::service::excerpts::{self, ExcerptView};
use crate::service::projects::{self, ProjectAccess};
use crate::service::{codes, documents};

/// The `{id}` segment of `/projects/{id}/...` and `/documents/{id}/...` routes.
#[derive(Deserialize)]
struct ProjectId {
    id: i64,
}

async fn project_id(parts: &mut Parts) -> Result<i64, AppError> {
    path_id(parts, "Project").await
}

/// The `{id}` path segment; anything that is not a number cannot name a resource.
async fn path_id(parts: &mut Parts, what: &'static str) -> Result<i64, AppError> {
    Path::<ProjectId>::from_request_parts(parts, &())
        .await
        .map(|Path(p)| p.id)
        .map_err(|_| AppError::NotFound(what))
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

async fn document_id(parts: &mut Parts) -> Result<i64, AppError> {
    path_id(parts, "Document").await
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

/// An API caller who may see the code in the path (`/codes/{id}`), with the code.
pub struct ApiCode {
    pub access: ProjectAccess,
    pub code: Code,
}

impl<S> FromRequestParts<S> for ApiCode
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let id = path_id(parts, "Code").await?;
        let app = AppState::from_ref(state);
        let (access, code) = codes::open(&app.db, &user, id).await?;
        Ok(ApiCode { access, code })
    }
}

/// A signed-in page visitor who may see the code in the path.
pub struct PageCode {
    pub page: SignedIn,
    pub access: ProjectAccess,
    pub code: Code,
}

impl<S> FromRequestParts<S> for PageCode
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = SignInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = SignedIn::from_request_parts(parts, state).await?;
        let fail = |e: AppError| SignInRejection::Error(PageError(e));
        let id = path_id(parts, "Code").await.map_err(fail)?;
        let app = AppState::from_ref(state);
        let (access, code) = codes::open(&app.db, &page.user, id).await.map_err(fail)?;
        Ok(PageCode { page, access, code })
    }
}

/// An API caller who may see the excerpt in the path (`/excerpts/{id}`).
pub struct ApiExcerpt {
    pub access: ProjectAccess,
    pub document: Document,
    pub excerpt: ExcerptView,
}

impl<S> FromRequestParts<S> for ApiExcerpt
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let id = path_id(parts, "Excerpt").await?;
        let app = AppState::from_ref(state);
        let (access, document, excerpt) = excerpts::open(&app.db, &user, id).await?;
        Ok(ApiExcerpt {
            access,
            document,
            excerpt,
        })
    }
}
