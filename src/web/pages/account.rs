//! Signing in and out, first-time set-up, and the personal settings page (password, API
//! tokens).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Layout, PageResult, PageRoute, after_form, render, render_with_status};
use crate::error::{AppError, AppResult};
use crate::service::sessions::{self, NewSession, Session};
use crate::service::tokens::{ApiToken, TokenScope};
use crate::service::{accounts, params, tokens};
use crate::web::AppState;
use crate::web::auth::{AnySession, ClientAddr, SignedIn, clear_session_cookie, session_cookie};
use crate::web::csrf::anonymous_form_token;
use crate::web::error::{PageError, status_of, with_retry_after};
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/login", login_form),
        PageRoute::post("/login", login),
        PageRoute::post("/logout", logout),
        PageRoute::get("/setup", setup_form),
        PageRoute::post("/setup", setup),
        PageRoute::get("/settings", settings_page),
        PageRoute::post("/settings/password", change_password),
        PageRoute::post("/settings/tokens", create_token),
        PageRoute::post("/settings/tokens/{id}/revoke", revoke_token),
    ]
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    State(app): State<AppState>,
    AnySession(session): AnySession,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> PageResult {
    if accounts::needs_setup(&app.db).await? {
        return Ok(Redirect::to(&urls::setup()).into_response());
    }
    if session.as_ref().is_some_and(|s| s.user.is_some()) {
        return Ok(Redirect::to(&urls::safe_next(query.next.as_deref())).into_response());
    }
    let (csrf, form_cookie) = form_csrf(&app, session, &headers)?;
    let page = LoginPage {
        layout: Layout::anonymous("Sign in", &csrf),
        username: String::new(),
        next: urls::safe_next(query.next.as_deref()),
        error: None,
    };
    with_form_cookie(render(&page)?, form_cookie)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(app): State<AppState>,
    AnySession(session): AnySession,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let signed_in = accounts::authenticate_from(
        &app.db,
        &app.throttle,
        client,
        &form.username,
        &form.password,
    );
    match signed_in.await {
        Ok(user) => {
            let new = sessions::sign_in(&app.db, session.as_ref(), user).await?;
            let to = urls::safe_next(form.next.as_deref());
            with_cookie(&app, Redirect::to(&to).into_response(), Some(new))
        }
        Err(
            err @ (AppError::BadCredentials | AppError::RateLimited(_) | AppError::Forbidden(_)),
        ) => {
            let (csrf, _) = form_csrf(&app, session, &headers)?;
            let page = LoginPage {
                layout: Layout::anonymous("Sign in", &csrf),
                username: form.username,
                next: urls::safe_next(form.next.as_deref()),
                error: Some(err.to_string()),
            };
            render_with_status(status_of(&err), &page).map(|r| with_retry_after(r, &err))
        }
        Err(other) => Err(PageError(other)),
    }
}

async fn logout(State(app): State<AppState>, AnySession(session): AnySession) -> PageResult {
    if let Some(session) = session {
        sessions::end(&app.db, &session).await?;
    }
    let mut response = Redirect::to(&urls::login()).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        clear_session_cookie(app.settings.secure_cookies),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    username: String,
    error: Option<String>,
}

async fn setup_form(
    State(app): State<AppState>,
    AnySession(session): AnySession,
    headers: HeaderMap,
) -> PageResult {
    if !accounts::needs_setup(&app.db).await? {
        return Ok(Redirect::to(&urls::login()).into_response());
    }
    let (csrf, form_cookie) = form_csrf(&app, session, &headers)?;
    let page = SetupPage {
        layout: Layout::anonymous("Set up Gloss", &csrf),
        username: String::new(),
        error: None,
    };
    with_form_cookie(render(&page)?, form_cookie)
}

#[derive(Deserialize)]
struct SetupForm {
    username: String,
    password: String,
    password_confirm: String,
}

async fn setup(
    State(app): State<AppState>,
    AnySession(session): AnySession,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> PageResult {
    if !accounts::needs_setup(&app.db).await? {
        return Err(PageError(AppError::NotFound("Page")));
    }
    let result = if form.password != form.password_confirm {
        Err(AppError::invalid(
            "password_confirm",
            "The two passwords do not match.",
        ))
    } else {
        accounts::create_first_admin(&app.db, &form.username, &form.password).await
    };
    match result {
        Ok(user) => {
            let new = sessions::sign_in(&app.db, session.as_ref(), user).await?;
            sessions::set_flash(
                &app.db,
                &new.session,
                "Welcome to Gloss. Create your first project below.",
            )
            .await?;
            with_cookie(&app, Redirect::to(&urls::home()).into_response(), Some(new))
        }
        Err(AppError::Internal(cause)) => Err(PageError(AppError::Internal(cause))),
        Err(err) => {
            let (csrf, _) = form_csrf(&app, session, &headers)?;
            let page = SetupPage {
                layout: Layout::anonymous("Set up Gloss", &csrf),
                username: form.username,
                error: Some(err.to_string()),
            };
            render_with_status(status_of(&err), &page)
        }
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
}

async fn settings_page(State(app): State<AppState>, page: SignedIn) -> PageResult {
    settings_view(&app, page, None).await
}

async fn settings_view(
    app: &AppState,
    mut page: SignedIn,
    new_token: Option<String>,
) -> PageResult {
    let tokens = tokens::list(&app.db, &page.user).await?;
    let layout = Layout::for_user(app, &mut page, "Settings").await?;
    render(&SettingsPage {
        layout,
        tokens,
        new_token,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

async fn change_password(
    State(app): State<AppState>,
    page: SignedIn,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let result = if form.new_password != form.new_password_confirm {
        Err(AppError::invalid(
            "new_password_confirm",
            "The two new passwords do not match.",
        ))
    } else {
        accounts::change_own_password(
            &app.db,
            &page.user,
            &form.current_password,
            &form.new_password,
        )
        .await
    };
    if result.is_ok() {
        // Changing the password ended every session, including this one.
        return Ok(Redirect::to(&urls::login()).into_response());
    }
    after_form(
        &app,
        &page.session,
        result,
        "",
        &urls::settings(),
        &urls::settings(),
    )
    .await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
    /// Empty for "never".
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    read_only: Option<String>,
}

impl TokenForm {
    fn scope(&self) -> AppResult<TokenScope> {
        let days = self.expires_in_days.trim();
        let expires_in_days = if days.is_empty() {
            None
        } else {
            Some(days.parse().map_err(|_| {
                AppError::invalid("expires_in_days", "Choose when the token expires.")
            })?)
        };
        Ok(TokenScope {
            expires_in_days,
            read_only: self.read_only.as_deref().is_some_and(params::flag),
        })
    }
}

async fn create_token(
    State(app): State<AppState>,
    page: SignedIn,
    Form(form): Form<TokenForm>,
) -> PageResult {
    let created = match form.scope() {
        Ok(scope) => tokens::create(&app.db, &page.user, &form.name, scope).await,
        Err(err) => Err(err),
    };
    match created {
        // The secret is shown in this response only; it is never stored or shown again.
        Ok(created) => settings_view(&app, page, Some(created.secret)).await,
        Err(err) => {
            after_form::<()>(
                &app,
                &page.session,
                Err(err),
                "",
                &urls::settings(),
                &urls::settings(),
            )
            .await
        }
    }
}

async fn revoke_token(
    State(app): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let result = tokens::revoke(&app.db, &page.user, id).await;
    after_form(
        &app,
        &page.session,
        result,
        "Token revoked.",
        &urls::settings(),
        &urls::settings(),
    )
    .await
}

/// The CSRF token for the sign-in and set-up forms: the session's when someone is signed
/// in, else a signed token (and its cookie when new), so that no session is stored for
/// visitors who have not signed in.
fn form_csrf(
    app: &AppState,
    session: Option<Session>,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), PageError> {
    match session {
        Some(session) if session.user.is_some() => Ok((session.csrf_token, None)),
        _ => Ok(anonymous_form_token(app, headers)?),
    }
}

fn with_form_cookie(mut response: Response, cookie: Option<HeaderValue>) -> PageResult {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

fn with_cookie(app: &AppState, mut response: Response, new: Option<NewSession>) -> PageResult {
    if let Some(new) = new {
        response.headers_mut().insert(
            header::SET_COOKIE,
            session_cookie(&new.cookie_token, app.settings.secure_cookies),
        );
    }
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            "no-store".parse().expect("static header"),
        );
    }
    Ok(response)
}
