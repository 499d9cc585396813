//! Server-rendered HTML pages. One askama struct per page, rendered through `render`, which
//! logs failures; forms post back, and successful posts redirect (post/redirect/get).

mod account;
mod admin;
mod agreement;
mod agreement_chart;
mod analysis;
mod analysis_charts;
mod api_docs;
mod code_chart;
mod codes;
mod consensus;
mod document_list;
mod documents;
mod home;
mod progress;
mod project_sections;
mod projects;
mod search;
mod tabs;

use std::collections::BTreeMap;

use askama::Template;
use axum::handler::Handler;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{self, MethodRouter};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::SignedIn;
use super::error::{PageError, error_page};
use crate::error::{AppError, AppResult};
use crate::service::User;
use crate::service::sessions::{self, Session};

/// Every page route. The web router is built from this list (`web::router`), so it is
/// also the list the access sweep in `tests/api/access` reads: a page cannot be routed
/// without being in it.
pub fn page_routes() -> Vec<PageRoute> {
    [
        account::routes(),
        home::routes(),
        projects::routes(),
        project_sections::routes(),
        admin::routes(),
        documents::routes(),
        codes::routes(),
        progress::routes(),
        agreement::routes(),
        consensus::routes(),
        analysis::routes(),
        search::routes(),
        api_docs::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One method on one path template, with its handler.
pub struct PageRoute {
    pub method: Method,
    /// The path template as axum matches it (`/projects/{id}`).
    pub path: &'static str,
    pub(in crate::web) handler: MethodRouter<AppState>,
}

impl PageRoute {
    pub(in crate::web) fn get<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        PageRoute {
            method: Method::GET,
            path,
            handler: routing::get(handler),
        }
    }

    pub(in crate::web) fn post<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        PageRoute {
            method: Method::POST,
            path,
            handler: routing::post(handler),
        }
    }
}

pub type PageResult = Result<Response, PageError>;

/// Everything the base layout needs: title, who is signed in, the CSRF token for forms,
/// and the flash message left by the previous request.
pub struct Layout {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub flash: Option<Flash>,
}

pub struct Flash {
    pub kind: &'static str,
    pub message: String,
    /// The input a refused form's error is about, if any.
    pub field: Option<String>,
    /// What the user had typed into a refused form, by field name.
    pub kept: BTreeMap<String, String>,
}

/// A refused form as kept in the session until the page shows it again.
#[derive(Serialize, Deserialize)]
struct RefusedForm {
    message: String,
    field: Option<String>,
    kept: BTreeMap<String, String>,
}

impl Flash {
    const ERROR_PREFIX: &'static str = "error:";
    const FORM_PREFIX: &'static str = "form:";

    fn decode(stored: String) -> Self {
        if let Some(refused) = stored
            .strip_prefix(Self::FORM_PREFIX)
            .and_then(|json| serde_json::from_str::<RefusedForm>(json).ok())
        {
            return Flash {
                kind: "error",
                message: refused.message,
                field: refused.field,
                kept: refused.kept,
            };
        }
        let (field, kept) = (None, BTreeMap::new());
        match stored.strip_prefix(Self::ERROR_PREFIX) {
            Some(message) => Flash {
                kind: "error",
                message: message.to_owned(),
                field,
                kept,
            },
            None => Flash {
                kind: "ok",
                message: stored,
                field,
                kept,
            },
        }
    }
}

impl Layout {
    /// The layout for a signed-in page; takes (and so clears) the pending flash message.
    pub async fn for_user(
        app: &AppState,
        page: &mut SignedIn,
        title: impl Into<String>,
    ) -> AppResult<Self> {
        let flash = sessions::take_flash(&app.db, &mut page.session).await?;
        Ok(Layout {
            title: title.into(),
            user: Some(page.user.clone()),
            csrf: page.session.csrf_token.clone(),
            flash: flash.map(Flash::decode),
        })
    }

    /// What the user typed into `name` before their form was refused (else empty), so a
    /// refused form comes back as it was sent and nothing typed is lost.
    pub fn kept(&self, name: &str) -> &str {
        self.flash
            .as_ref()
            .and_then(|f| f.kept.get(name))
            .map_or("", String::as_str)
    }

    /// Like [`Self::kept`], with a default for a field the user has not sent yet.
    pub fn kept_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        match self.flash.as_ref().and_then(|f| f.kept.get(name)) {
            Some(value) => value,
            None => default,
        }
    }

    /// The refusal's message if it was about the input `name`, shown next to it.
    pub fn error_for(&self, name: &str) -> Option<&str> {
        self.flash
            .as_ref()
            .filter(|f| f.field.as_deref() == Some(name))
            .map(|f| f.message.as_str())
    }

    pub fn anonymous(title: impl Into<String>, csrf: &str) -> Self {
        Layout {
            title: title.into(),
            user: None,
            csrf: csrf.to_owned(),
            flash: None,
        }
    }
}

/// Renders a page with status 200.
pub fn render(page: &impl Template) -> PageResult {
    render_with_status(StatusCode::OK, page)
}

/// Renders a page; a template failure is logged and answered with an error page.
pub fn render_with_status(status: StatusCode, page: &impl Template) -> PageResult {
    match page.render() {
        // Pages carry private data and a CSRF token: never keep them in a shared cache.
        Ok(html) => Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()),
        Err(err) => {
            tracing::error!(error = %err, template = std::any::type_name_of_val(page), "template failed to render");
            Ok(error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "This page could not be displayed. The problem has been logged.".into(),
            ))
        }
    }
}

/// Leaves a message for the next page and redirects there.
pub async fn redirect_with_flash(
    app: &AppState,
    session: &Session,
    message: &str,
    to: &str,
) -> PageResult {
    sessions::set_flash(&app.db, session, message).await?;
    Ok(Redirect::to(to).into_response())
}

/// After a form post: success goes to `to` with `done` as flash; a user error goes back to
/// `back` with the error's message as flash; anything else is an error page.
pub async fn after_form<T>(
    app: &AppState,
    session: &Session,
    result: AppResult<T>,
    done: &str,
    to: &str,
    back: &str,
) -> PageResult {
    match result {
        Ok(_) => redirect_with_flash(app, session, done, to).await,
        Err(AppError::Internal(cause)) => Err(PageError(AppError::Internal(cause))),
        Err(user_error) => {
            let message = format!("{}{}", Flash::ERROR_PREFIX, user_error);
            redirect_with_flash(app, session, &message, back).await
        }
    }
}

/// [`after_form`] for a form whose input is worth keeping: a refused form goes back to
/// `back` with what the user typed, and the error beside the field it is about.
pub async fn after_form_keeping<T>(
    app: &AppState,
    session: &Session,
    result: AppResult<T>,
    (done, to, back): (&str, &str, &str),
    form: &impl Serialize,
) -> PageResult {
    match result {
        Ok(_) => redirect_with_flash(app, session, done, to).await,
        Err(AppError::Internal(cause)) => Err(PageError(AppError::Internal(cause))),
        Err(user_error) => {
            let field = match &user_error {
                AppError::Invalid(invalid) => Some(invalid.field.to_owned()),
                _ => None,
            };
            let kept = kept_fields(form);
            let refused = RefusedForm {
                message: user_error.to_string(),
                field,
                kept,
            };
            let stored = serde_json::to_string(&refused).map_err(anyhow::Error::from)?;
            let message = format!("{}{stored}", Flash::FORM_PREFIX);
            redirect_with_flash(app, session, &message, back).await
        }
    }
}

/// A form's text fields by name (never the CSRF token or a password).
fn kept_fields(form: &impl Serialize) -> BTreeMap<String, String> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(form) else {
        return BTreeMap::new();
    };
    fields
        .into_iter()
        .filter(|(name, _)| !name.starts_with('_') && !name.contains("password"))
        .filter_map(|(name, value)| match value {
            serde_json::Value::String(text) => Some((name, text)),
            serde_json::Value::Number(n) => Some((name, n.to_string())),
            _ => None,
        })
        .collect()
}
