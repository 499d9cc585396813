//! The `api_tokens` table: personal API tokens, stored as digests.

use sqlx::SqliteExecutor;

use super::users::User;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When the token stops working (UTC); `None`: it works until revoked.
    pub expires_at: Option<String>,
    /// A read-only token may only read (GET); anything else is refused.
    pub read_only: bool,
}

/// What a bearer token proves: whose it is, what it may do, and whether it has expired.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenOwner {
    #[sqlx(flatten)]
    pub user: User,
    pub read_only: bool,
    pub expires_at: Option<String>,
    /// Past its expiry time.
    pub expired: bool,
    /// Its "last used" time is more than a minute old.
    pub stale: bool,
}

/// Stores a new token; answers its id and expiry time.
pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    name: &str,
    token_hash: &str,
    expires_in_days: Option<u32>,
    read_only: bool,
) -> sqlx::Result<(i64, Option<String>)> {
    sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, token_hash, expires_at, read_only)
         VALUES (?, ?, ?,
                 CASE WHEN ?4 IS NULL THEN NULL
                      ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ?4 || ' days') END,
                 ?5)
         RETURNING id, expires_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(expires_in_days)
    .bind(read_only)
    .fetch_one(ex)
    .await
}

/// The owner of a live (not revoked) token, with its scope and expiry.
pub async fn owner(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> sqlx::Result<Option<TokenOwner>> {
    sqlx::query_as(
        "SELECT u.id, u.username, u.is_admin, u.created_at, t.read_only, t.expires_at,
                (t.expires_at IS NOT NULL AND
                 t.expires_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) AS expired,
                (t.last_used_at IS NULL OR t.last_used_at <
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 seconds')) AS stale
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.deactivated_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await
}

/// Records that a token was used. Callers skip this when it was used recently, so that a
/// busy script does not take SQLite's write lock on every request.
pub async fn touch(ex: impl SqliteExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE token_hash = ?",
    )
    .bind(token_hash)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn list_for_user(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at, expires_at, read_only
         FROM api_tokens
         WHERE user_id = ? ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(ex)
    .await
}

/// Revokes every live token of a user (their account was deactivated).
pub async fn revoke_all(ex: impl SqliteExecutor<'_>, user_id: i64) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE user_id = ? AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes one of the user's own tokens; false when there is no such live token.
pub async fn revoke(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    token_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
    )
    .bind(token_id)
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}
