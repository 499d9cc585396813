//! The `invitations` table: a project's offers of membership, kept by user name until a
//! user of that name accepts or declines.

use sqlx::SqliteExecutor;

use crate::domain::Role;

/// One pending invitation, with the names a person needs to decide on it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    /// The user name invited, as the inviter typed it.
    pub username: String,
    #[schema(value_type = String)]
    pub role: Role,
    /// Who sent it.
    pub invited_by: String,
    pub created_at: String,
}

// Queries below append only constant text to this; values are always bound.
const SELECT: &str = "SELECT i.id, i.project_id, p.name AS project_name, i.username, i.role,
            u.username AS invited_by, i.created_at
     FROM invitations i
     JOIN projects p ON p.id = i.project_id
     JOIN users u ON u.id = i.invited_by";

/// Invites `username` (or changes the role of their pending invitation); answers its id.
pub async fn upsert(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    username: &str,
    role: Role,
    invited_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO invitations (project_id, username, role, invited_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (project_id, username)
         DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by
         RETURNING id",
    )
    .bind(project_id)
    .bind(username)
    .bind(role)
    .bind(invited_by)
    .fetch_one(ex)
    .await
}

pub async fn for_project(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<Invitation>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.project_id = ? ORDER BY i.username"
    )))
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// The invitations waiting for a user of this name, newest first.
pub async fn for_username(
    ex: impl SqliteExecutor<'_>,
    username: &str,
) -> sqlx::Result<Vec<Invitation>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.username = ? ORDER BY i.id DESC"
    )))
    .bind(username)
    .fetch_all(ex)
    .await
}

/// One invitation, if it is addressed to `username`.
pub async fn addressed_to(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    username: &str,
) -> sqlx::Result<Option<Invitation>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.id = ? AND i.username = ?"
    )))
    .bind(id)
    .bind(username)
    .fetch_optional(ex)
    .await
}

/// Withdraws or settles an invitation of a project; false when there is none.
pub async fn delete(ex: impl SqliteExecutor<'_>, project_id: i64, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM invitations WHERE id = ? AND project_id = ?")
        .bind(id)
        .bind(project_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Drops a pending invitation of `username` to a project (they were added directly).
pub async fn delete_for(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    username: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM invitations WHERE project_id = ? AND username = ?")
        .bind(project_id)
        .bind(username)
        .execute(ex)
        .await?;
    Ok(())
}
