//! The `server_keys` table: secrets of this installation, created once.

use sqlx::SqliteExecutor;

/// The secret called `name`, storing `candidate` first if there is none yet (so two
/// processes starting together agree on one).
pub async fn get_or_create(
    ex: impl SqliteExecutor<'_> + Copy,
    name: &str,
    candidate: &str,
) -> sqlx::Result<String> {
    sqlx::query(
        "INSERT INTO server_keys (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .execute(ex)
    .await?;
    sqlx::query_scalar("SELECT secret FROM server_keys WHERE name = ?")
        .bind(name)
        .fetch_one(ex)
        .await
}
