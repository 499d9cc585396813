//! CSRF protection for every state-changing request that relies on the session cookie.
//!
//! The synchroniser token lives in the session row. Forms send it as a `_csrf` field, the
//! pages' JavaScript as an `X-CSRF-Token` header. The forms shown before sign-in (sign-in,
//! first set-up) have no session: their token is signed by the server and sent both as
//! the `gloss_form` cookie and in the form (signed double submit), so showing them stores
//! nothing. Requests authenticated by a bearer token
//! carry no ambient credential and need no token. Multipart uploads are checked by the
//! `CsrfMultipart` extractor, because their token is a part of the body.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::{LoadedSession, bearer_token, cookie, load_session};
use super::error::{ApiError, PageError, error_page};
use super::upload_routes;
use crate::error::AppError;
use crate::security::constant_time_eq;
use crate::service::sessions::Session;

pub const FORM_FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";
/// The cookie holding the signed token of the forms shown before sign-in.
pub const FORM_COOKIE: &str = "gloss_form";

/// Largest url-encoded form the guard will buffer to find the token.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Marks a multipart request whose token has not been checked yet.
#[derive(Clone)]
pub struct CsrfPending(pub String);

pub async fn guard(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    // A bearer token is no ambient credential, but only the API accepts one: pages
    // authenticate by cookie whatever other headers say, so they are always checked.
    if request.method().is_safe() || (is_api && bearer_token(request.headers()).is_some()) {
        return next.run(request).await;
    }
    let session = match load_session(&app, request.headers()).await {
        Ok(session) => session,
        Err(err) => return respond(is_api, err),
    };
    request
        .extensions_mut()
        .insert(LoadedSession(session.clone()));
    let signed_in = session.as_ref().is_some_and(|s| s.user.is_some());
    if !is_api && !signed_in && is_anonymous_form(request.uri().path()) {
        return check_anonymous_form(&app, request, next).await;
    }
    // Nobody signed in: nothing ambient to abuse. The API answers 401 itself (so a page
    // whose session ended learns that, not a token error, and can keep its unsaved work);
    // a page form without a session (expired, or forged) is refused.
    if is_api && !signed_in {
        return next.run(request).await;
    }
    let Some(session) = session else {
        return expired();
    };
    if header_token(request.headers()).is_some_and(|t| matches(&session, t)) {
        return next.run(request).await;
    }
    match content_type(request.headers()).as_deref() {
        Some("application/x-www-form-urlencoded") if !is_api => {
            check_form(request, next, &session.csrf_token).await
        }
        Some("multipart/form-data") if upload_routes::reads_token_from_body(&request) => {
            request
                .extensions_mut()
                .insert(CsrfPending(session.csrf_token.clone()));
            next.run(request).await
        }
        _ => respond(is_api, missing()),
    }
}

/// Forms used before anyone signs in; they carry the signed double-submit token.
fn is_anonymous_form(path: &str) -> bool {
    matches!(path, "/login" | "/setup")
}

/// The token for a form shown before sign-in: the browser's own if it is still valid,
/// else a new one with the `Set-Cookie` header that stores it.
pub fn anonymous_form_token(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), AppError> {
    if let Some(token) = cookie(headers, FORM_COOKIE).filter(|t| app.form_tokens.verify_now(t)) {
        return Ok((token.to_owned(), None));
    }
    let token = app.form_tokens.issue_now()?;
    let secure = if app.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let set_cookie = format!(
        "{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        crate::security::FormTokens::LIFETIME_SECONDS
    );
    let set_cookie = HeaderValue::from_str(&set_cookie).map_err(anyhow::Error::from)?;
    Ok((token, Some(set_cookie)))
}

/// A form shown before sign-in: its cookie must be a token this server signed, and the
/// form must repeat it (a page on another site can neither read nor set the cookie).
async fn check_anonymous_form(app: &AppState, request: Request, next: Next) -> Response {
    let token = cookie(request.headers(), FORM_COOKIE)
        .filter(|t| app.form_tokens.verify_now(t))
        .map(str::to_owned);
    let Some(token) = token else {
        return expired();
    };
    match content_type(request.headers()).as_deref() {
        Some("application/x-www-form-urlencoded") => check_form(request, next, &token).await,
        _ => respond(false, missing()),
    }
}

async fn check_form(request: Request, next: Next, expected: &str) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return PageError(AppError::PayloadTooLarge("This form is too large.".into()))
                .into_response();
        }
    };
    let token = form_urlencoded_field(&bytes, FORM_FIELD);
    if !token
        .as_deref()
        .is_some_and(|t| constant_time_eq(expected, t))
    {
        return respond(false, missing());
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

pub fn matches(session: &Session, token: &str) -> bool {
    constant_time_eq(&session.csrf_token, token)
}

fn header_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(HEADER)?.to_str().ok()
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn missing() -> AppError {
    AppError::CsrfRejected
}

fn expired() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Your session has expired or cookies are blocked. Reload the page and submit the form again.".into(),
    )
}

fn respond(is_api: bool, err: AppError) -> Response {
    if is_api {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}
