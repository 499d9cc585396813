//! The web edge: application state, the router, and the two faces of Gloss — server-rendered
//! HTML pages (`pages`) and the JSON API (`api`) — both thin layers over `service`.

pub mod api;
pub mod assets;
pub mod auth;
pub mod csrf;
pub mod download;
pub mod error;
pub mod extract;
pub mod limits;
pub mod pages;
pub mod server;
pub mod upload;
pub mod upload_routes;
pub mod urls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use pages::PageRoute;

use crate::config::Settings;
use crate::security::FormTokens;
use crate::service::Db;
use crate::service::accounts::LoginThrottle;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub throttle: Arc<LoginThrottle>,
    /// Signs the CSRF tokens of the forms shown before sign-in (`csrf::anonymous_form`).
    pub form_tokens: Arc<FormTokens>,
}

impl AppState {
    pub fn new(db: Db, settings: Settings, form_tokens: FormTokens) -> Self {
        Self {
            db,
            settings: Arc::new(settings),
            throttle: Arc::new(LoginThrottle::default()),
            form_tokens: Arc::new(form_tokens),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let max_upload = state.settings.max_upload_bytes;
    // Server-rendered pages for people, the API's description, monitoring, static files.
    let pages = page_routes()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        });
    let router = pages
        // The JSON API for scripts (and the pages' own JavaScript); its routes are listed
        // by its OpenAPI document.
        .merge(api::router().split_for_parts().0)
        .fallback(error::not_found_fallback)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn(error::uniform_errors))
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(middleware::from_fn_with_state(state.clone(), limits::guard))
        .layer(middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state);
    with_request_log(router)
}

/// Every route outside the JSON API: the pages, and the few plain routes beside them.
/// The router is built from this list; the access sweep (`tests/api/access`) reads it.
pub fn page_routes() -> Vec<PageRoute> {
    let mut routes = pages::page_routes();
    routes.extend([
        PageRoute::get("/api/v1/openapi.json", openapi_json),
        PageRoute::get("/healthz", healthz),
        PageRoute::get("/static/{*path}", assets::serve),
        // Browsers ask for /favicon.ico whatever the page says; answer with the icon.
        PageRoute::get("/favicon.ico", favicon),
    ]);
    routes
}

async fn openapi_json() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(
        DOCUMENT
            .get_or_init(|| serde_json::to_value(api::openapi()).unwrap_or_default())
            .clone(),
    )
}

async fn favicon(headers: axum::http::HeaderMap) -> Response {
    assets::serve(axum::extract::Path("favicon.svg".to_owned()), headers).await
}

async fn healthz(State(app): State<AppState>) -> impl IntoResponse {
    let db_ok = sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&app.db)
        .await
        .is_ok();
    let status = if db_ok {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(serde_json::json!({ "status": if db_ok { "ok" } else { "database unavailable" } })),
    )
}

/// One log line per request: method, path, status and latency (time to the headers); a
/// response whose body takes `SLOW_BODY` or longer to send adds a line when it is done.
fn with_request_log(router: Router) -> Router {
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(|req: &Request<axum::body::Body>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            })
            .on_request(())
            .on_response(
                DefaultOnResponse::new()
                    .level(Level::INFO)
                    .latency_unit(tower_http::LatencyUnit::Micros),
            )
            .on_body_chunk(())
            // A body that takes a while to send (a streamed export) also logs when its
            // last byte went out; the first line's latency is only the time to the headers.
            .on_eos(
                |_: Option<&axum::http::HeaderMap>, streamed: Duration, _: &tracing::Span| {
                    if streamed >= SLOW_BODY {
                        tracing::info!(stream_ms = streamed.as_millis() as u64, "body sent");
                    }
                },
            )
            .on_failure(()),
    )
}

/// Conservative browser-side defences on every response. With `--secure-cookies` Gloss is
/// served over HTTPS, so browsers are also told to use nothing else (HSTS, one year).
async fn security_headers(State(app): State<AppState>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            // Scripts only from our own files; inline style attributes carry code colours.
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if app.settings.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// Bodies that take this long to send get their own log line.
const SLOW_BODY: Duration = Duration::from_millis(100);
