//! The `sessions` table: server-side sessions keyed by the digest of the cookie token.

use sqlx::SqliteExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub flash: Option<String>,
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    user_id: Option<i64>,
    csrf_token: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find_live(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    now: i64,
) -> sqlx::Result<Option<Session>> {
    sqlx::query_as(
        "SELECT token_hash, user_id, csrf_token, flash FROM sessions
         WHERE token_hash = ? AND expires_at > ?",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(ex)
    .await
}

pub async fn delete(ex: impl SqliteExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_for_user(ex: impl SqliteExecutor<'_>, user_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete_expired(ex: impl SqliteExecutor<'_>, now: i64) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
        .bind(now)
        .execute(ex)
        .await?;
    Ok(done.rows_affected())
}

pub async fn set_flash(
    ex: impl SqliteExecutor<'_>,
    token_hash: &str,
    flash: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET flash = ? WHERE token_hash = ?")
        .bind(flash)
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}
