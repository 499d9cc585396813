//! The append-only `events` table: who changed what, when.

use sqlx::SqliteExecutor;

pub async fn record(
    ex: impl SqliteExecutor<'_>,
    project_id: Option<i64>,
    user_id: Option<i64>,
    kind: &str,
    payload: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO events (project_id, user_id, kind, payload) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(project_id)
    .bind(user_id)
    .bind(kind)
    .bind(payload)
    .fetch_one(ex)
    .await
}

/// An event to record with [`record_all`].
pub struct NewEvent {
    pub project_id: Option<i64>,
    pub user_id: Option<i64>,
    pub kind: String,
    /// JSON text.
    pub payload: String,
}

/// Records events, in order, in one statement.
pub async fn record_all(ex: impl SqliteExecutor<'_>, events: &[NewEvent]) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::json!([e.project_id, e.user_id, e.kind, e.payload]))
        .collect();
    sqlx::query(
        "INSERT INTO events (project_id, user_id, kind, payload)
         SELECT e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3 FROM json_each(?) e ORDER BY e.key",
    )
    .bind(serde_json::Value::from(rows).to_string())
    .execute(ex)
    .await?;
    Ok(())
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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    /// Who made the change (`null` for the command line).
    pub username: Option<String>,
    pub kind: String,
    /// The change's details, as JSON text.
    pub payload: String,
    pub created_at: String,
}

/// A project's events, newest first, older than `before_id`.
pub async fn for_project(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    before_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as(
        "SELECT e.id, u.username, e.kind, e.payload, e.created_at FROM events e
         LEFT JOIN users u ON u.id = e.user_id
         WHERE e.project_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?",
    )
    .bind(project_id)
    .bind(before_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}
