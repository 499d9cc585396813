//! What REFI-QDA exchange reads besides the rows other exports read: the stored GUIDs of
//! users, codes, documents and excerpts (migration 0012) and the project's consensus GUID.

use std::collections::HashMap;

use sqlx::SqliteExecutor;

use super::excerpts::ExcerptKey;

/// `(code id, GUID)` of every code of a project.
pub async fn code_guids(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, guid FROM codes WHERE project_id = ?")
            .bind(project_id)
            .fetch_all(ex)
            .await?;
    Ok(rows.into_iter().collect())
}

/// A document as the project file names it (no text).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    pub id: i64,
    pub guid: String,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Every document of a project, in id order, without its text.
pub async fn sources(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<Vec<SourceRow>> {
    sqlx::query_as(
        "SELECT id, guid, title, created_at, updated_at FROM documents
         WHERE project_id = ? ORDER BY id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// `(user id, name, GUID)` of the members of a project and of everyone who has coded in it.
pub async fn users(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.username, u.guid FROM users u
         WHERE u.id IN (SELECT user_id FROM project_members WHERE project_id = ?1)
            OR EXISTS (SELECT 1 FROM excerpts e WHERE e.project_id = ?1 AND e.coder_id = u.id)
         ORDER BY u.username",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// The GUID the project's consensus set is exported under.
pub async fn consensus_guid(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT consensus_guid FROM projects WHERE id = ?")
        .bind(project_id)
        .fetch_one(ex)
        .await
}

/// The GUIDs of the excerpts `excerpts::coded_batch` returns for the same arguments.
pub async fn excerpt_guids(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    after: ExcerptKey,
    limit: i64,
) -> sqlx::Result<HashMap<i64, String>> {
    let packed: String = sqlx::query_scalar(
        "SELECT json_group_object(id, guid) FROM
           (SELECT id, guid FROM excerpts
            WHERE document_id = ? AND (start, end, id) > (?, ?, ?)
            ORDER BY start, end, id LIMIT ?)",
    )
    .bind(document_id)
    .bind(after.0)
    .bind(after.1)
    .bind(after.2)
    .bind(limit)
    .fetch_one(ex)
    .await?;
    let by_text: HashMap<String, String> =
        serde_json::from_str(&packed).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(by_text
        .into_iter()
        .filter_map(|(id, guid)| id.parse().ok().map(|id| (id, guid)))
        .collect())
}
