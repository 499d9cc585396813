//! `/api/v1/users`: accounts, for administrators.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::accounts;
use crate::service::accounts::Account;
use crate::web::AppState;
use crate::web::auth::ApiUser;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

#[derive(Serialize, ToSchema)]
struct UserView {
    id: i64,
    username: String,
    is_admin: bool,
    created_at: String,
    /// `false` once an administrator deactivated the account.
    active: bool,
    deactivated_at: Option<String>,
}

impl From<Account> for UserView {
    fn from(a: Account) -> Self {
        UserView {
            id: a.user.id,
            username: a.user.username,
            is_admin: a.user.is_admin,
            created_at: a.user.created_at,
            active: a.deactivated_at.is_none(),
            deactivated_at: a.deactivated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
struct UserList {
    users: Vec<UserView>,
    next_cursor: Option<String>,
}

/// Every account (administrators only).
#[utoipa::path(get, path = "/users", tag = "account", params(PageParams), responses((status = 200, body = UserList), (status = 403, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    ApiUser(admin): ApiUser,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<UserList>> {
    let all: Vec<UserView> = accounts::list_users(&app.db, &admin)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let (users, next_cursor) = page.page_of(all)?;
    Ok(Json(UserList { users, next_cursor }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    /// At least 8 characters.
    password: String,
    #[serde(default)]
    is_admin: bool,
}

/// Creates an account (administrators only).
#[utoipa::path(post, path = "/users", tag = "account", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    ApiUser(admin): ApiUser,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    accounts::require_admin(&admin)?;
    let user =
        accounts::create_user(&app.db, &body.username, &body.password, body.is_admin).await?;
    let account = Account {
        user,
        deactivated_at: None,
    };
    Ok((StatusCode::CREATED, Json(account.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UserChanges {
    is_admin: Option<bool>,
    /// A new password; the user's browser sessions end (API tokens stay valid).
    password: Option<String>,
    /// `false` deactivates the account: it cannot sign in, its sessions end and its tokens
    /// are revoked (its work stays attributed). `true` reactivates it.
    active: Option<bool>,
}

/// Makes a user an administrator (or not), sets their password, or deactivates or
/// reactivates the account (administrators only).
#[utoipa::path(patch, path = "/users/{username}", tag = "account", params(("username" = String, Path)), request_body = UserChanges,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(app): State<AppState>,
    ApiUser(admin): ApiUser,
    Path(username): Path<String>,
    ApiJson(changes): ApiJson<UserChanges>,
) -> ApiResult<Json<UserView>> {
    accounts::require_admin(&admin)?;
    // Check everything that can be refused before changing anything, so a refused
    // request changes nothing: the password's rules first, then the administrator change
    // (which may be refused for the last administrator), then the password.
    if let Some(password) = &changes.password {
        crate::domain::Password::parse(password)?;
    }
    if let Some(is_admin) = changes.is_admin {
        accounts::set_admin(&app.db, &admin, &username, is_admin).await?;
    }
    if let Some(password) = &changes.password {
        accounts::set_password(&app.db, &username, password).await?;
    }
    if let Some(active) = changes.active {
        accounts::set_active(&app.db, &admin, &username, active).await?;
    }
    let account = accounts::account_named(&app.db, &admin, &username).await?;
    Ok(Json(account.into()))
}
