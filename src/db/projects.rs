//! The `projects` table. Every read that a user triggers goes through `for_member`, which
//! joins the membership, so a project is invisible to non-members by construction.

use sqlx::SqliteExecutor;

use crate::domain::Role;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub archived: bool,
    pub blind_coding: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A project as one member sees it, with that member's role.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberProject {
    #[sqlx(flatten)]
    pub project: Project,
    pub role: Role,
}

const COLUMNS: &str =
    "p.id, p.name, p.description, p.archived, p.blind_coding, p.created_at, p.updated_at";

pub async fn insert(
    ex: impl SqliteExecutor<'_>,
    name: &str,
    description: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("INSERT INTO projects (name, description) VALUES (?, ?) RETURNING id")
        .bind(name)
        .bind(description)
        .fetch_one(ex)
        .await
}

pub async fn for_member(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<MemberProject>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.role FROM projects p
         JOIN project_members m ON m.project_id = p.id AND m.user_id = ?
         WHERE p.id = ?"
    )))
    .bind(user_id)
    .bind(project_id)
    .fetch_optional(ex)
    .await
}

pub async fn list_for_member(
    ex: impl SqliteExecutor<'_>,
    user_id: i64,
) -> sqlx::Result<Vec<MemberProject>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.role FROM projects p
         JOIN project_members m ON m.project_id = p.id AND m.user_id = ?
         ORDER BY p.archived, p.updated_at DESC, p.id DESC"
    )))
    .bind(user_id)
    .fetch_all(ex)
    .await
}

pub async fn by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<Project>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM projects p WHERE p.id = ?"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Projects of a member whose name matches exactly (for the CLI's `--project NAME`).
pub async fn ids_by_name(ex: impl SqliteExecutor<'_>, name: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM projects WHERE name = ? ORDER BY id")
        .bind(name)
        .fetch_all(ex)
        .await
}

pub async fn exists(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM projects WHERE id = ?)")
        .bind(id)
        .fetch_one(ex)
        .await
}

/// The editable settings of a project; `None` leaves a field unchanged.
#[derive(Debug, Default, Clone)]
pub struct Changes<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub archived: Option<bool>,
    pub blind_coding: Option<bool>,
}

pub async fn update(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    changes: &Changes<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE projects SET
            name = COALESCE(?, name),
            description = COALESCE(?, description),
            archived = COALESCE(?, archived),
            blind_coding = COALESCE(?, blind_coding),
            updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?",
    )
    .bind(changes.name)
    .bind(changes.description)
    .bind(changes.archived)
    .bind(changes.blind_coding)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Deletes a project and, by cascade, everything in it. Codes are first detached from their
/// parents: `parent_id` restricts deletes, and the cascade removes codes in no set order.
pub async fn delete(tx: &mut super::Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE codes SET parent_id = NULL WHERE project_id = ?1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM projects WHERE id = ?1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
