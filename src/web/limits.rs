//! Limits on every request, before and around its handler: a declared body over the upload
//! limit is refused before any of it is read (413), a body that stops arriving is given up
//! (408), and a request still unanswered after the request timeout gets 503. Each answer
//! closes the connection, whose request body may be half read.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use super::AppState;
use super::error::{ApiError, PageError};
use super::upload;
use crate::error::AppError;

pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let settings = app.settings.clone();
    if declared_length(request.headers()).is_some_and(|len| len > settings.max_upload_bytes as u64)
    {
        return closing(respond(
            is_api,
            upload::too_large(settings.max_upload_bytes),
        ));
    }
    let stalled = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(StallTimeout {
            inner: body,
            stall: settings.body_stall_timeout,
            timer: None,
            stalled: stalled.clone(),
        })
    });
    match tokio::time::timeout(settings.request_timeout, next.run(request)).await {
        Ok(_) if stalled.load(Ordering::Relaxed) => closing(respond(
            is_api,
            AppError::RequestTimeout(format!(
                "The request body stopped arriving (nothing for {} seconds); send it again.",
                settings.body_stall_timeout.as_secs()
            )),
        )),
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                timeout_seconds = settings.request_timeout.as_secs(),
                "request timed out"
            );
            closing(respond(
                is_api,
                AppError::unavailable(
                    format!(
                        "The server did not finish this request within {} seconds. It may be \
                         busy; try again in a moment.",
                        settings.request_timeout.as_secs()
                    ),
                    5,
                ),
            ))
        }
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn respond(is_api: bool, err: AppError) -> Response {
    if is_api {
        ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    }
}

/// Asks hyper to close the connection after this response.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that fails once no data has come for `stall` while it is being read.
/// The clock starts at the first read, so a handler may do other work first.
struct StallTimeout {
    inner: Body,
    stall: Duration,
    timer: Option<Pin<Box<Sleep>>>,
    stalled: Arc<AtomicBool>,
}

impl HttpBody for StallTimeout {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let stall = this.stall;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                timer
                    .as_mut()
                    .reset(tokio::time::Instant::now() + this.stall);
                Poll::Ready(frame)
            }
            Poll::Pending => match timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.stalled.store(true, Ordering::Relaxed);
                    Poll::Ready(Some(Err(axum::Error::new(
                        "the request body stopped arriving",
                    ))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Adds the limits and timeouts to the OpenAPI document's description, from the same
/// constants that enforce them.
pub struct DocumentedLimits;

impl utoipa::Modify for DocumentedLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::domain::codebook::MAX_CODES_PER_PROJECT;
        use crate::domain::import::limits::*;
        let defaults = crate::config::Settings::for_tests(Default::default());
        let text = format!(
            "\n\n**Limits.** Request bodies up to the server's upload limit (`--max-upload-mb`, \
             default 50 MB): a larger declared `Content-Length` gets 413 before the body is \
             read. Per imported document at most {MAX_SPEAKERS_PER_DOCUMENT} distinct speaker \
             labels, {MAX_TURNS_PER_DOCUMENT} turns and {MAX_ATTRIBUTES_PER_DOCUMENT} \
             attributes (names up to {MAX_ATTRIBUTE_NAME_CHARS}, values up to \
             {MAX_ATTRIBUTE_VALUE_CHARS} characters); CSV data sets at most {MAX_CSV_COLUMNS} \
             columns; codebook files at most {MAX_CODES_PER_PROJECT} codes; excerpt batches \
             at most {} excerpts. Past one of these the answer is 422 naming the limit, and \
             nothing is stored. JSON bodies are typed (unknown fields are refused) and \
             nesting beyond 128 levels is refused.\n\n**Timeouts.** A request unanswered \
             after the request timeout (`--request-timeout-secs`, default {} s) gets 503 with \
             `Retry-After`; a request body that stops arriving for {} s gets 408; \
             connections that send no complete request head for {} s are closed. Sign-in \
             answers 429 with `Retry-After` while throttled and 503 with `Retry-After` when \
             the server is busy checking passwords.",
            crate::service::excerpts::MAX_BATCH,
            defaults.request_timeout.as_secs(),
            defaults.body_stall_timeout.as_secs(),
            defaults.header_timeout.as_secs(),
        );
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str(&text);
    }
}
