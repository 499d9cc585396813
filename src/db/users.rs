//! The `users` table.

use sqlx::SqliteExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

pub async fn count(ex: impl SqliteExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(ex)
        .await
}

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    username: &str,
    password_hash: &str,
    is_admin: bool,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .bind(is_admin)
    .fetch_one(ex)
    .await
}

pub async fn by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as("SELECT id, username, is_admin, created_at FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(ex)
        .await
}

pub async fn by_username(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<User>> {
    sqlx::query_as("SELECT id, username, is_admin, created_at FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(ex)
        .await
}

pub async fn credentials(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(ex)
        .await
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> sqlx::Result<Vec<User>> {
    sqlx::query_as("SELECT id, username, is_admin, created_at FROM users ORDER BY username")
        .fetch_all(ex)
        .await
}

pub async fn set_password(ex: impl SqliteExecutor<'_>, id: i64, hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_admin(ex: impl SqliteExecutor<'_>, id: i64, is_admin: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE users SET is_admin = ? WHERE id = ?")
        .bind(is_admin)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_admins(ex: impl SqliteExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin = 1")
        .fetch_one(ex)
        .await
}
