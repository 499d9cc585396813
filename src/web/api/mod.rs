//! The JSON API under `/api/v1`. Authenticated by `Authorization: Bearer <token>` or by the
//! browser session of Gloss's own pages. Errors are `{"error": {"code", "message"}}`.

pub mod agreement;
mod codes;
mod documents;
mod excerpts;
pub mod export;

pub use excerpts::ExcerptJson;
mod members;
mod projects;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::AppState;
use super::auth::ApiUser;
use super::error::ApiError;
use crate::error::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .merge(projects::router())
        .merge(members::router())
        .merge(documents::router())
        .merge(codes::router())
        .merge(agreement::router())
        .merge(export::router())
        .merge(excerpts::router())
}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize)]
struct Me {
    id: i64,
    username: String,
    is_admin: bool,
}

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
