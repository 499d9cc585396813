//! Who is asking: session cookies for browsers, bearer tokens for scripts. The extractors
//! here are the only way handlers learn the current user.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::error::{ApiError, PageError};
use super::urls;
use crate::error::{AppError, AppResult};
use crate::service::sessions::{self, Session};
use crate::service::{User, tokens};

pub const SESSION_COOKIE: &str = "gloss_session";

/// The session of this request, loaded at most once (by the CSRF guard or an extractor) and
/// kept in the request's extensions.
#[derive(Clone)]
pub struct LoadedSession(pub Option<Session>);

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub async fn load_session(app: &AppState, headers: &HeaderMap) -> AppResult<Option<Session>> {
    match cookie(headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => sessions::load(&app.db, token).await,
        _ => Ok(None),
    }
}

async fn session_of(parts: &mut Parts, app: &AppState) -> AppResult<Option<Session>> {
    if let Some(LoadedSession(session)) = parts.extensions.get::<LoadedSession>() {
        return Ok(session.clone());
    }
    let session = load_session(app, &parts.headers).await?;
    parts.extensions.insert(LoadedSession(session.clone()));
    Ok(session)
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Secure when configured.
pub fn session_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1209600{secure}"
    );
    HeaderValue::from_str(&value).expect("session cookies are ASCII")
}

pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
    HeaderValue::from_str(&value).expect("session cookies are ASCII")
}

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

const READ_ONLY_REFUSAL: &str = "This API token is read-only: it can read but not change \
     anything. Use a token with full access for this request.";

/// The caller of an API endpoint: a bearer token, or the browser session of Gloss's own
/// pages (whose unsafe requests the CSRF guard has already checked).
pub struct ApiUser(pub User);

impl<S> FromRequestParts<S> for ApiUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        if let Some(token) = bearer_token(&parts.headers) {
            return match tokens::authenticate(&app.db, token).await? {
                Some(bearer) if bearer.read_only && !parts.method.is_safe() => {
                    Err(AppError::forbidden(READ_ONLY_REFUSAL).into())
                }
                Some(bearer) => Ok(ApiUser(bearer.user)),
                None => Err(AppError::Unauthenticated.into()),
            };
        }
        match session_of(parts, &app).await? {
            Some(Session {
                user: Some(user), ..
            }) => Ok(ApiUser(user)),
            _ => Err(AppError::Unauthenticated.into()),
        }
    }
}

/// A signed-in person on an HTML page, with their session (for the CSRF token and flash).
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

impl SignedIn {
    /// The signed-in person of a session, if someone is signed in.
    pub fn from_session(session: Option<Session>) -> Option<SignedIn> {
        let session = session?;
        Some(SignedIn {
            user: session.user.clone()?,
            session,
        })
    }
}

/// Not signed in on a page: go to the sign-in page and come back afterwards.
pub struct ToLogin(String);

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to(&format!(
            "{}?next={}",
            urls::login(),
            urls::path_segment(&self.0)
        ))
        .into_response()
    }
}

pub enum SignInRejection {
    ToLogin(ToLogin),
    Error(PageError),
}

impl IntoResponse for SignInRejection {
    fn into_response(self) -> Response {
        match self {
            SignInRejection::ToLogin(r) => r.into_response(),
            SignInRejection::Error(e) => e.into_response(),
        }
    }
}

impl<S> FromRequestParts<S> for SignedIn
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = SignInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let session = session_of(parts, &app)
            .await
            .map_err(|e| SignInRejection::Error(e.into()))?;
        match session {
            Some(session) => match session.user.clone() {
                Some(user) => Ok(SignedIn { user, session }),
                None => Err(SignInRejection::ToLogin(ToLogin(original_path(parts)))),
            },
            None => Err(SignInRejection::ToLogin(ToLogin(original_path(parts)))),
        }
    }
}

fn original_path(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(urls::home)
}

/// Any session, signed in or not (for the sign-in and set-up pages).
pub struct AnySession(pub Option<Session>);

impl<S> FromRequestParts<S> for AnySession
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        Ok(AnySession(session_of(parts, &app).await?))
    }
}

/// The address of the client: the connection's peer or, with `--trust-proxy-header`, the
/// last address in that header (the one the proxy itself added). Sign-in throttling is
/// per client address.
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let forwarded = app
            .settings
            .trust_proxy_header
            .as_deref()
            .and_then(|name| forwarded_address(&parts.headers, name));
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientAddr(
            forwarded
                .or(peer)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        ))
    }
}

fn forwarded_address(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    // `1.2.3.4`, `1.2.3.4:5678`, `[::1]:5678` or `::1`.
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_address_counts() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 10.1.2.3"),
        );
        assert_eq!(
            forwarded_address(&headers, "x-forwarded-for"),
            Some("10.1.2.3".parse().unwrap())
        );
        headers.insert("x-real-ip", HeaderValue::from_static("[::1]:443"));
        assert_eq!(
            forwarded_address(&headers, "x-real-ip"),
            Some("::1".parse().unwrap())
        );
        headers.insert("x-bad", HeaderValue::from_static("nonsense"));
        assert_eq!(forwarded_address(&headers, "x-bad"), None);
        assert_eq!(forwarded_address(&headers, "x-missing"), None);
    }
}
