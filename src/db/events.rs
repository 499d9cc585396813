//! The append-only `events` table: who changed what, when.

use sqlx::SqliteExecutor;

pub async fn record(
    ex: impl SqliteExecutor<'_>,
    project_id: Option<i64>,
    user_id: Option<i64>,
    kind: &str,
    payload: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO events (project_id, user_id, kind, payload) VALUES (?, ?, ?, ?)")
        .bind(project_id)
        .bind(user_id)
        .bind(kind)
        .bind(payload.to_string())
        .execute(ex)
        .await?;
    Ok(())
}
