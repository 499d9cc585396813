//! Turning `AppError` into responses: JSON bodies for the API, HTML pages for people.
//! Internal errors are logged with their cause and shown without it.

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use crate::error::AppError;

use super::urls;

pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthenticated | AppError::BadCredentials | AppError::CredentialExpired(_) => {
            StatusCode::UNAUTHORIZED
        }
        AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A stable machine-readable code for scripts, next to the human message.
pub fn code_of(err: &AppError) -> &'static str {
    match err {
        AppError::BadRequest(_) => "bad_request",
        AppError::Invalid(_) => "invalid",
        AppError::Unauthenticated => "unauthenticated",
        AppError::BadCredentials => "bad_credentials",
        AppError::CredentialExpired(_) => "token_expired",
        AppError::Forbidden(_) => "forbidden",
        AppError::CsrfRejected => "csrf_rejected",
        AppError::NotFound(_) => "not_found",
        AppError::Conflict(_) => "conflict",
        AppError::PayloadTooLarge(_) => "payload_too_large",
        AppError::RateLimited(_) => "rate_limited",
        AppError::Unavailable { .. } => "unavailable",
        AppError::RequestTimeout(_) => "request_timeout",
        AppError::Internal(_) => "internal",
    }
}

/// The message shown to the user; internal causes stay in the log.
pub fn message_of(err: &AppError) -> String {
    match err {
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error");
            "Something went wrong on the server. It has been logged; please try again.".into()
        }
        other => other.to_string(),
    }
}

/// An error answered as JSON: `{"error": {"code": "...", "message": "...", "field": "..."}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "code": code_of(&self.0), "message": message_of(&self.0) });
        if let AppError::Invalid(invalid) = &self.0 {
            body["field"] = json!(invalid.field);
        }
        let response = (status_of(&self.0), Json(json!({ "error": body }))).into_response();
        with_retry_after(response, &self.0)
    }
}

/// An error answered as an HTML page (or, when the visitor is not signed in, a redirect to
/// the sign-in page).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    heading: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to(&urls::login()).into_response();
        }
        let response = error_page(status_of(&self.0), message_of(&self.0));
        with_retry_after(response, &self.0)
    }
}

/// Adds `Retry-After` to the answer to an error that is worth retrying later (429, 503).
pub fn with_retry_after(mut response: Response, err: &AppError) -> Response {
    if let Some(seconds) = err.retry_after() {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
}

pub fn error_page(status: StatusCode, message: String) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "That did not work",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "Please check your input",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::TOO_MANY_REQUESTS => "Slow down",
        StatusCode::SERVICE_UNAVAILABLE => "Busy",
        StatusCode::REQUEST_TIMEOUT => "Too slow",
        _ => "Something went wrong",
    };
    let page = ErrorPage {
        status: status.as_u16(),
        heading,
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the error page");
            (status, page.message).into_response()
        }
    }
}

/// Unknown paths: JSON under the API, a page elsewhere.
pub async fn not_found_fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError(AppError::NotFound("API route")).into_response()
    } else {
        error_page(
            StatusCode::NOT_FOUND,
            "There is no page at this address.".into(),
        )
    }
}

/// A panic in a handler becomes a logged 500, never a dropped connection.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    ApiError(AppError::Internal(anyhow::anyhow!("panic: {detail}"))).into_response()
}

/// Rejections from axum's own extractors (a bad path segment, a query that does not
/// parse, a malformed form) come as plain text. This rewrites them into the app's error
/// format — JSON under `/api`, an HTML page elsewhere — so every error looks the same.
pub async fn uniform_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    // Axum's own rejections are plain text, or (405) have no body at all.
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let from_axum = content_type.is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !from_axum {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let message = String::from_utf8_lossy(&body).trim().to_owned();
    let message = match (status, message.is_empty()) {
        // Axum adds the `Allow` header (the methods that are possible) further out.
        (StatusCode::METHOD_NOT_ALLOWED, _) => format!(
            "{method} is not possible here; the Allow header lists what is, and \
             /api/v1/openapi.json every route."
        ),
        (_, true) => status.canonical_reason().unwrap_or("Error").to_owned(),
        (_, false) => message,
    };
    if is_api {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid",
            StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response()
    } else {
        error_page(status, message)
    }
}
