//! The append-only `events` table: who changed what, when.

use sqlx::SqliteExecutor;

pub async fn record(
    ex: impl SqliteExecutor<'_>,
    project_id: Option<i64>,
    user_id: Option<i64>,
    kind: &str,
    payload: serde_json::Value,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO events (project_id, user_id, kind, payload) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(project_id)
    .bind(user_id)
    .bind(kind)
    .bind(payload.to_string())
    .fetch_one(ex)
    .await
}

/// The payload of one event of a project, by id and kind.
pub async fn payload(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    id: i64,
    kind: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT payload FROM events WHERE id = ? AND project_id = ? AND kind = ?")
        .bind(id)
        .bind(project_id)
        .bind(kind)
        .fetch_optional(ex)
        .await
}
