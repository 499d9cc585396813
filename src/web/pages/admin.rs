//! User administration, for administrators only.

use askama::Template;
use axum::extract::{Form, Path, State};
use serde::{Deserialize, Serialize};

use super::{Layout, PageResult, PageRoute, after_form, after_form_keeping, render};
use crate::service::accounts;
use crate::service::accounts::Account;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::get("/admin/users", users_page),
        PageRoute::post("/admin/users", add_user),
        PageRoute::post("/admin/users/{username}/admin", set_admin),
        PageRoute::post("/admin/users/{username}/password", reset_password),
        PageRoute::post("/admin/users/{username}/active", set_active),
    ]
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<Account>,
    /// The administrator looking (who cannot deactivate themselves).
    me: i64,
}

async fn users_page(State(app): State<AppState>, mut page: SignedIn) -> PageResult {
    let users = accounts::list_users(&app.db, &page.user).await?;
    let layout = Layout::for_user(&app, &mut page, "Users").await?;
    let me = page.user.id;
    render(&UsersPage { layout, users, me })
}

#[derive(Deserialize, Serialize)]
struct NewUserForm {
    username: String,
    password: String,
    admin: Option<String>,
}

async fn add_user(
    State(app): State<AppState>,
    page: SignedIn,
    Form(form): Form<NewUserForm>,
) -> PageResult {
    accounts::require_admin(&page.user)?;
    let result = accounts::create_user(
        &app.db,
        &form.username,
        &form.password,
        form.admin.is_some(),
    )
    .await;
    let done = format!("Created the account '{}'.", form.username.trim());
    let users = urls::admin_users();
    let steps = (done.as_str(), users.as_str(), users.as_str());
    after_form_keeping(&app, &page.session, result, steps, &form).await
}

#[derive(Deserialize)]
struct AdminForm {
    admin: Option<String>,
}

async fn set_admin(
    State(app): State<AppState>,
    page: SignedIn,
    Path(username): Path<String>,
    Form(form): Form<AdminForm>,
) -> PageResult {
    let result = accounts::set_admin(&app.db, &page.user, &username, form.admin.is_some()).await;
    after_form(
        &app,
        &page.session,
        result,
        "Saved.",
        &urls::admin_users(),
        &urls::admin_users(),
    )
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn reset_password(
    State(app): State<AppState>,
    page: SignedIn,
    Path(username): Path<String>,
    Form(form): Form<ResetForm>,
) -> PageResult {
    accounts::require_admin(&page.user)?;
    let result = accounts::set_password(&app.db, &username, &form.password).await;
    let done = format!(
        "Set a new password for {username}; their browser sessions have ended (API tokens are unaffected)."
    );
    after_form(
        &app,
        &page.session,
        result,
        &done,
        &urls::admin_users(),
        &urls::admin_users(),
    )
    .await
}

#[derive(Deserialize)]
struct ActiveForm {
    active: Option<String>,
}

async fn set_active(
    State(app): State<AppState>,
    page: SignedIn,
    Path(username): Path<String>,
    Form(form): Form<ActiveForm>,
) -> PageResult {
    let active = form.active.is_some();
    let result = accounts::set_active(&app.db, &page.user, &username, active).await;
    let done = if active {
        format!("Reactivated {username}: they can sign in again.")
    } else {
        format!(
            "Deactivated {username}: their sessions have ended and their API tokens are \
             revoked; their work stays attributed to them."
        )
    };
    let users = urls::admin_users();
    after_form(&app, &page.session, result, &done, &users, &users).await
}
