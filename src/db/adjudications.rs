//! The `adjudications` table: decisions on disagreement regions.

use sqlx::SqliteExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Adjudication {
    pub id: i64,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub decision: String,
    pub decided_by: String,
    pub created_at: String,
}

pub struct NewAdjudication<'a> {
    pub project_id: i64,
    pub code_id: i64,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub decision: &'a str,
    pub decided_by: i64,
}

pub async fn insert(ex: impl SqliteExecutor<'_>, new: &NewAdjudication<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO adjudications (project_id, code_id, document_id, start, end, decision, decided_by)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.project_id)
    .bind(new.code_id)
    .bind(new.document_id)
    .bind(new.start)
    .bind(new.end)
    .bind(new.decision)
    .bind(new.decided_by)
    .fetch_one(ex)
    .await
}

/// Decisions taken on a code in a project.
pub async fn for_code(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    code_id: i64,
) -> sqlx::Result<Vec<Adjudication>> {
    sqlx::query_as(
        "SELECT a.id, a.document_id, a.start, a.end, a.decision, u.username AS decided_by, a.created_at
         FROM adjudications a JOIN users u ON u.id = a.decided_by
         WHERE a.project_id = ? AND a.code_id = ? ORDER BY a.id",
    )
    .bind(project_id)
    .bind(code_id)
    .fetch_all(ex)
    .await
}
