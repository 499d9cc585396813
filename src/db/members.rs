//! The `project_members` table.

use sqlx::SqliteExecutor;

use crate::domain::Role;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub added_at: String,
}

pub async fn list(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT m.user_id, u.username, m.role, m.added_at FROM project_members m
         JOIN users u ON u.id = m.user_id
         WHERE m.project_id = ?
         ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'coder' THEN 1 ELSE 2 END, u.username",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

pub async fn role_of(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<Role>> {
    sqlx::query_scalar("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
        .bind(project_id)
        .bind(user_id)
        .fetch_optional(ex)
        .await
}

/// Adds a member or changes an existing member's role.
pub async fn upsert(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    user_id: i64,
    role: Role,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, role) VALUES (?, ?, ?)
         ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(project_id)
    .bind(user_id)
    .bind(role)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn remove(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM project_members WHERE project_id = ? AND user_id = ?")
        .bind(project_id)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_owners(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_members WHERE project_id = ? AND role = 'owner'",
    )
    .bind(project_id)
    .fetch_one(ex)
    .await
}

/// The id of the user called `username` if they are a member of the project or have coded
/// in it (a former member's excerpts stay theirs).
pub async fn coder_named(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    username: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.username = ?2 AND (
             EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = ?1 AND m.user_id = u.id)
             OR EXISTS (SELECT 1 FROM excerpts e
                        WHERE e.project_id = ?1 AND e.coder_id = u.id AND e.consensus = 0))",
    )
    .bind(project_id)
    .bind(username)
    .fetch_optional(ex)
    .await
}
