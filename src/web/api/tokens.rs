//! `/api/v1/tokens`: your personal API tokens (also on the settings page and the CLI).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::service::tokens;
use crate::service::tokens::ApiToken;
use crate::service::tokens::{Credential, TokenScope};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::auth::bearer_token;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Serialize, ToSchema)]
struct TokenList {
    tokens: Vec<ApiToken>,
    next_cursor: Option<String>,
}

/// Your tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/tokens", tag = "account", params(PageParams), responses((status = 200, body = TokenList), (status = 401, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<TokenList>> {
    let (tokens, next_cursor) = page.page_of(tokens::list(&app.db, &user).await?)?;
    Ok(Json(TokenList {
        tokens,
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// A label to recognise the token by.
    name: String,
    /// Days until the token stops working (1 to 3650); leave out for "until revoked".
    #[serde(default)]
    expires_in_days: Option<u32>,
    /// `true`: the token may only read; requests that change anything get 403.
    #[serde(default)]
    read_only: bool,
}

#[derive(Serialize, ToSchema)]
struct CreatedToken {
    id: i64,
    name: String,
    /// The token itself: shown only in this response.
    token: String,
    /// When it stops working (UTC), or `null`: until revoked.
    expires_at: Option<String>,
    read_only: bool,
}

/// Creates a token acting as you; its secret is returned once. It may expire after
/// `expires_in_days` and may be `read_only` (any request other than GET then gets 403). Only from a signed-in
/// browser session (the pages' scripts): a request authenticated by a token gets 403.
#[utoipa::path(post, path = "/tokens", tag = "account", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let credential = match bearer_token(&headers) {
        Some(_) => Credential::Token,
        None => Credential::Person,
    };
    let scope = TokenScope {
        expires_in_days: body.expires_in_days,
        read_only: body.read_only,
    };
    let created = tokens::create_as(&app.db, &user, &body.name, scope, credential).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: created.id,
            name: created.name,
            token: created.secret,
            expires_at: created.expires_at,
            read_only: created.read_only,
        }),
    ))
}

/// Revokes one of your tokens; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "account", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke(
    State(app): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&app.db, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
