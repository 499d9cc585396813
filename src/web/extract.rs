//! Extractors that resolve "what does the path name, and may this caller see it" before
//! any request body is read, so a non-member gets 404 whatever else the request contains.
//! One extractor per audience: [`Api`] for bearer-token or session callers of the JSON
//! API, [`Page`] for signed-in visitors of the HTML pages; what they open is any
//! [`Scoped`] resource (a project, or a document, code or excerpt inside one).

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;

use super::AppState;
use super::auth::{ApiUser, SignInRejection, SignedIn};
use super::error::{ApiError, PageError};
use crate::error::AppError;
use crate::service::access::{self, Scoped};

/// The `{id}` segment of `/projects/{id}/...`, `/documents/{id}/...` and similar routes.
#[derive(Deserialize)]
struct PathId {
    id: i64,
}

/// The `{id}` path segment; anything that is not a number cannot name a resource.
async fn path_id(parts: &mut Parts, what: &'static str) -> Result<i64, AppError> {
    Path::<PathId>::from_request_parts(parts, &())
        .await
        .map(|Path(p)| p.id)
        .map_err(|_| AppError::NotFound(what))
}

/// An API caller who may see the resource in the path, with it.
pub struct Api<R>(pub R);

impl<S, R> FromRequestParts<S> for Api<R>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    R: Scoped,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        let id = path_id(parts, R::NAME).await?;
        let app = AppState::from_ref(state);
        Ok(Api(access::open(&app.db, &user, id).await?))
    }
}

/// A signed-in page visitor who may see the resource in the path, with it.
pub struct Page<R>(pub SignedIn, pub R);

impl<S, R> FromRequestParts<S> for Page<R>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    R: Scoped,
{
    type Rejection = SignInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = SignedIn::from_request_parts(parts, state).await?;
        let fail = |e: AppError| SignInRejection::Error(PageError(e));
        let id = path_id(parts, R::NAME).await.map_err(fail)?;
        let app = AppState::from_ref(state);
        let resource = access::open(&app.db, &page.user, id).await.map_err(fail)?;
        Ok(Page(page, resource))
    }
}
