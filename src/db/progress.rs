//! The `document_completions` and `assignments` tables: which documents a coder has
//! marked complete, and which an owner assigned to whom.

use sqlx::SqliteExecutor;

/// `(document_id, user_id)` of every completion in a project.
pub async fn completions(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT c.document_id, c.user_id FROM document_completions c
         JOIN documents d ON d.id = c.document_id WHERE d.project_id = ?
         ORDER BY c.document_id, c.user_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// When `user_id` marked the document complete, if they did.
pub async fn completed_at(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    user_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT completed_at FROM document_completions WHERE document_id = ? AND user_id = ?",
    )
    .bind(document_id)
    .bind(user_id)
    .fetch_optional(ex)
    .await
}

/// Marks the document complete for the user; returns whether that changed anything.
pub async fn complete(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO document_completions (document_id, user_id) VALUES (?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(document_id)
    .bind(user_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Reopens the document for the user; returns whether it had been complete.
pub async fn reopen(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("DELETE FROM document_completions WHERE document_id = ? AND user_id = ?")
            .bind(document_id)
            .bind(user_id)
            .execute(ex)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// `(document_id, user_id)` of every assignment in a project.
pub async fn assignments(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT a.document_id, a.user_id FROM assignments a
         JOIN documents d ON d.id = a.document_id WHERE d.project_id = ?
         ORDER BY a.document_id, a.user_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// Assigns the document to the user; returns whether it was new.
pub async fn assign(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    user_id: i64,
    assigned_by: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO assignments (document_id, user_id, assigned_by) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(document_id)
    .bind(user_id)
    .bind(assigned_by)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Takes the document back from the user; returns whether it had been assigned.
pub async fn unassign(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    user_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM assignments WHERE document_id = ? AND user_id = ?")
        .bind(document_id)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Coders' own excerpts of a project (not the consensus set), of one coder when `only`
/// names them: `(document_id, coder_id, start, end)`, for progress figures.
pub async fn coder_spans(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    only: Option<i64>,
) -> sqlx::Result<Vec<(i64, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT document_id, coder_id, start, end FROM excerpts
         WHERE project_id = ?1 AND consensus = 0 AND (?2 IS NULL OR coder_id = ?2)
         ORDER BY document_id, coder_id, start",
    )
    .bind(project_id)
    .bind(only)
    .fetch_all(ex)
    .await
}
