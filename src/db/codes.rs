//! The `codes` table: each project's codebook.

use sqlx::SqliteExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Code {
    pub id: i64,
    pub project_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub color: String,
    pub description: String,
    pub position: i64,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, project_id, parent_id, name, color, description, position, created_at, updated_at";

pub async fn list(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<Vec<Code>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM codes WHERE project_id = ? ORDER BY id"
    )))
    .bind(project_id)
    .fetch_all(ex)
    .await
}

pub async fn by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<Code>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM codes WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// The colours the project's codes use.
pub async fn colors(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT color FROM codes WHERE project_id = ?")
        .bind(project_id)
        .fetch_all(ex)
        .await
}

pub async fn count(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM codes WHERE project_id = ?")
        .bind(project_id)
        .fetch_one(ex)
        .await
}

pub struct NewCode<'a> {
    pub project_id: i64,
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub color: &'a str,
    pub description: &'a str,
}

pub async fn insert(ex: impl SqliteExecutor<'_>, code: &NewCode<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO codes (project_id, parent_id, name, color, description, position)
         VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE project_id = ?))
         RETURNING id",
    )
    .bind(code.project_id)
    .bind(code.parent_id)
    .bind(code.name)
    .bind(code.color)
    .bind(code.description)
    .bind(code.project_id)
    .fetch_one(ex)
    .await
}

/// Changes to a code; `parent_id: Some(None)` moves it to the top level.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub name: Option<&'a str>,
    pub color: Option<&'a str>,
    pub description: Option<&'a str>,
    pub parent_id: Option<Option<i64>>,
}

pub async fn update(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    changes: &Changes<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE codes SET
            name = COALESCE(?, name),
            color = COALESCE(?, color),
            description = COALESCE(?, description),
            parent_id = CASE WHEN ? THEN ? ELSE parent_id END,
            updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?",
    )
    .bind(changes.name)
    .bind(changes.color)
    .bind(changes.description)
    .bind(changes.parent_id.is_some())
    .bind(changes.parent_id.flatten())
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Moves the children of `from` under `to` (or to the top level).
pub async fn reparent_children(
    ex: impl SqliteExecutor<'_>,
    from: i64,
    to: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE codes SET parent_id = ? WHERE parent_id = ?")
        .bind(to)
        .bind(from)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM codes WHERE id = ?")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Excerpt counts per code: by `coder_id`, and by everyone (the consensus set excluded),
/// from the counters that triggers keep (migration 0005).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Usage {
    pub code_id: i64,
    pub mine: i64,
    pub all: i64,
}

pub async fn usage(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    coder_id: i64,
) -> sqlx::Result<Vec<Usage>> {
    sqlx::query_as(
        "SELECT u.code_id,
                SUM(CASE WHEN u.coder_id = ? AND u.consensus = 0 THEN u.n ELSE 0 END) AS mine,
                SUM(CASE WHEN u.consensus = 0 THEN u.n ELSE 0 END) AS \"all\"
         FROM code_usage u JOIN codes c ON c.id = u.code_id
         WHERE c.project_id = ? GROUP BY u.code_id",
    )
    .bind(coder_id)
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// How many excerpts carry any of the given codes.
pub async fn excerpts_with(ex: impl SqliteExecutor<'_>, code_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM excerpt_codes WHERE code_id = ?")
        .bind(code_id)
        .fetch_one(ex)
        .await
}

/// Gives every excerpt that has `from` the code `into` instead (an excerpt that already
/// has both keeps one application).
pub async fn move_applications(
    ex: &mut sqlx::SqliteConnection,
    from: i64,
    into: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT OR IGNORE INTO excerpt_codes (excerpt_id, code_id) SELECT excerpt_id, ? FROM excerpt_codes WHERE code_id = ?")
        .bind(into)
        .bind(from)
        .execute(&mut *ex)
        .await?;
    sqlx::query("DELETE FROM excerpt_codes WHERE code_id = ?")
        .bind(from)
        .execute(&mut *ex)
        .await?;
    Ok(())
}
