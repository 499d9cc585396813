//! The JSON API under `/api/v1`. Authenticated by `Authorization: Bearer <token>` or by the
//! browser session of Gloss's own pages. Errors are `{"error": {"code", "message", "field"}}`
//! (`field` names the input to fix, when there is one; see `ErrorBody`).

pub mod agreement;
mod analysis;
mod codes;
mod documents;
mod excerpts;
pub mod export;
mod invitations;
mod members;
mod progress;
pub(crate) mod projects;
mod refi;
mod retrieval;
mod search;
mod tokens;
mod users;

pub use excerpts::ExcerptJson;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::openapi::OpenApi as OpenApiDocument;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::auth::ApiUser;
use super::error::ApiError;
use super::limits::DocumentedLimits;
use crate::error::AppError;

/// Where the API lives; every documented path starts here.
pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gloss API",
        description = "Script everything Gloss does: projects, members, documents, codes, excerpts, \
                       agreement and exports. Authenticate with `Authorization: Bearer <token>` \
                       (create a token on your settings page or with `gloss token create NAME`). \
                       Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`. \
                       Offsets are Unicode code points into a document's stored text, half-open.",
        version = "1"
    ),
    modifiers(&BearerAuth, &DocumentedLimits),
    security(("bearer" = [])),
    tags(
        (name = "account", description = "Who you are and your API tokens"),
        (name = "projects", description = "Projects and their members"),
        (name = "documents", description = "Importing and reading transcripts"),
        (name = "codes", description = "The codebook"),
        (name = "excerpts", description = "Coding: excerpts with codes and memos"),
        (name = "search", description = "Full-text search and auto-coding"),
        (name = "progress", description = "Team workflow: assignments, completion, progress"),
        (name = "agreement", description = "Inter-coder agreement and disagreements"),
        (name = "analysis", description = "Looking across the coding: co-occurrence and crosstabs"),
        (name = "exports", description = "CSV and REFI-QDA exports of the coding")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route, registered together with its OpenAPI description: a handler can only
/// be routed here through `routes!`, which documents it.
pub fn router() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .routes(routes!(me))
        .merge(tokens::router())
        .merge(users::router())
        .merge(projects::router())
        .merge(members::router())
        .merge(invitations::router())
        .merge(documents::router())
        .merge(codes::router())
        .merge(retrieval::router())
        .merge(search::router())
        .merge(excerpts::router())
        .merge(progress::router())
        .merge(agreement::router())
        .merge(analysis::router())
        .merge(export::router())
        .merge(refi::router());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(PREFIX, api)
}

/// The OpenAPI 3 document of the API, generated from the handlers.
pub fn openapi() -> OpenApiDocument {
    router().split_for_parts().1
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    /// Stable machine-readable code: bad_request, invalid, unauthenticated, forbidden,
    /// not_found, conflict, payload_too_large, rate_limited, internal.
    code: String,
    /// What went wrong and what to change, in words.
    message: String,
    /// The offending field, for `invalid`.
    field: Option<String>,
}

/// `?limit=&cursor=` of every list endpoint. The cursor is opaque: pass back the
/// `next_cursor` of the previous page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page (default 100, at most 1000).
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1000;

impl PageParams {
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize
    }

    /// The cursor as a number (an id or an offset).
    pub fn cursor_number(&self) -> Result<Option<i64>, AppError> {
        match self
            .cursor
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => Ok(None),
            Some(raw) => raw.parse().map(Some).map_err(|_| {
                AppError::invalid(
                    "cursor",
                    "This cursor is not one Gloss gave out; pass back next_cursor unchanged.",
                )
            }),
        }
    }

    /// One page of a list sorted by a key of integers; the cursor is the last item's key,
    /// so inserts and deletes elsewhere never shift what the next page holds.
    pub fn page_by_key<T, const N: usize>(
        &self,
        items: Vec<T>,
        key: impl Fn(&T) -> [i64; N],
    ) -> Result<(Vec<T>, Option<String>), AppError> {
        let after: Option<[i64; N]> = match self
            .cursor
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => None,
            Some(raw) => {
                let parts: Vec<i64> = raw
                    .split('.')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad_cursor())?;
                Some(parts.try_into().map_err(|_| bad_cursor())?)
            }
        };
        let limit = self.limit();
        let mut rest = items
            .into_iter()
            .filter(|item| after.is_none_or(|a| key(item) > a))
            .peekable();
        let page: Vec<T> = rest.by_ref().take(limit).collect();
        let next = match (rest.peek(), page.last()) {
            (Some(_), Some(last)) => Some(
                key(last)
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join("."),
            ),
            _ => None,
        };
        Ok((page, next))
    }

    /// One page of an ordered list held in memory; the cursor is a position, for short
    /// lists in a meaningful order (codebook tree, members by role).
    pub fn page_of<T>(&self, items: Vec<T>) -> Result<(Vec<T>, Option<String>), AppError> {
        let offset = self.cursor_number()?.unwrap_or(0).max(0) as usize;
        let limit = self.limit();
        let total = items.len();
        let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
        let next = (offset + limit < total).then(|| (offset + limit).to_string());
        Ok((page, next))
    }
}

fn bad_cursor() -> AppError {
    AppError::invalid(
        "cursor",
        "This cursor is not one Gloss gave out; pass back next_cursor unchanged.",
    )
}

#[derive(Serialize, ToSchema)]
struct Me {
    id: i64,
    username: String,
    is_admin: bool,
}

/// The account the token (or session) belongs to.
#[utoipa::path(get, path = "/me", tag = "account", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        username: user.username,
        is_admin: user.is_admin,
    })
}

/// `Json<T>` whose rejections are API errors that say what to fix.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(json_rejection(rejection))),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::bad_request(
            "Send a JSON body with the header Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(err) => AppError::bad_request(format!(
            "The request body is not valid JSON: {}",
            err.body_text()
        )),
        JsonRejection::JsonDataError(err) => AppError::Invalid(crate::domain::Invalid::new(
            "body",
            format!(
                "The JSON does not have the expected fields: {}",
                err.body_text()
            ),
        )),
        JsonRejection::BytesRejection(err)
            if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            AppError::PayloadTooLarge("The request body is larger than this server accepts.".into())
        }
        other => AppError::bad_request(other.body_text()),
    }
}
