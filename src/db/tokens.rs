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
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
    name: &str,
    token_hash: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .fetch_one(ex)
    .await
}

/// The owner of a live (not revoked) token, and whether its "last used" time is more than
/// a minute old.
pub async fn owner(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
) -> sqlx::Result<Option<(User, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        stale: bool,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT u.id, u.username, u.is_admin, u.created_at,
                (t.last_used_at IS NULL OR t.last_used_at <
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 seconds')) AS stale
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ? AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|r| (r.user, r.stale)))
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
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
         WHERE user_id = ? ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(ex)
    .await
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
