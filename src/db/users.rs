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
    /// Deactivated accounts cannot sign in.
    pub active: bool,
}

/// An account as administrators list it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    #[sqlx(flatten)]
    pub user: User,
    /// When an administrator deactivated it; `None`: active.
    pub deactivated_at: Option<String>,
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
    sqlx::query_as(
        "SELECT id, password_hash, deactivated_at IS NULL AS active FROM users WHERE username = ?",
    )
    .bind(username)
    .fetch_optional(ex)
    .await
}

pub async fn list(ex: impl SqliteExecutor<'_>) -> sqlx::Result<Vec<Account>> {
    sqlx::query_as(
        "SELECT id, username, is_admin, created_at, deactivated_at FROM users ORDER BY username",
    )
    .fetch_all(ex)
    .await
}

pub async fn account_named(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<Account>> {
    sqlx::query_as(
        "SELECT id, username, is_admin, created_at, deactivated_at FROM users WHERE username = ?",
    )
    .bind(username)
    .fetch_optional(ex)
    .await
}

/// An active account by id (a deactivated one is `None`: its sessions are over).
pub async fn active_by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as(
        "SELECT id, username, is_admin, created_at FROM users
         WHERE id = ? AND deactivated_at IS NULL",
    )
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Deactivates (`true`) or reactivates an account; false when nothing changed.
pub async fn set_deactivated(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    deactivated: bool,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET deactivated_at = CASE WHEN ?2
             THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE NULL END
         WHERE id = ?1 AND (deactivated_at IS NULL) = ?2",
    )
    .bind(id)
    .bind(deactivated)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Active administrators.
pub async fn count_active_admins(ex: impl SqliteExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_admin = 1 AND deactivated_at IS NULL")
        .fetch_one(ex)
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
