//! Inserts that keep a peer's GUID when no row of the table has it yet (else the
//! trigger mints one), and what REFI-QDA exchange reads besides the rows other exports read: the stored GUIDs of
//! users, codes, documents and excerpts (migration 0012) and the project's consensus GUID.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};

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

/// A coder account that cannot sign in (its password hash is no hash) until an
/// administrator sets a password.
pub async fn insert_coder(
    ex: impl SqliteExecutor<'_>,
    username: &str,
    guid: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, guid) VALUES (?1, '!imported', (SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE guid = ?2) THEN NULL ELSE ?2 END)) RETURNING id",
    )
    .bind(username)
    .bind(guid)
    .fetch_one(ex)
    .await
}

pub async fn insert_code(
    ex: impl SqliteExecutor<'_>,
    code: &super::codes::NewCode<'_>,
    guid: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO codes (project_id, parent_id, name, color, description, position, guid)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE project_id = ?1),
                 (SELECT CASE WHEN EXISTS (SELECT 1 FROM codes WHERE guid = ?6) THEN NULL ELSE ?6 END))
         RETURNING id",
    )
    .bind(code.project_id)
    .bind(code.parent_id)
    .bind(code.name)
    .bind(code.color)
    .bind(code.description)
    .bind(guid)
    .fetch_one(ex)
    .await
}

pub async fn insert_document(
    ex: impl SqliteExecutor<'_>,
    doc: &super::documents::NewDocument<'_>,
    guid: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO documents (project_id, title, external_id, source_name, source_format,
                                text, length, turn_count, created_by, guid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                 (SELECT CASE WHEN EXISTS (SELECT 1 FROM documents WHERE guid = ?10) THEN NULL ELSE ?10 END))
         RETURNING id",
    )
    .bind(doc.project_id)
    .bind(doc.title)
    .bind(doc.external_id)
    .bind(doc.source_name)
    .bind(doc.source_format)
    .bind(doc.text)
    .bind(doc.length)
    .bind(doc.turn_count)
    .bind(doc.created_by)
    .bind(guid)
    .fetch_one(ex)
    .await
}

pub async fn insert_excerpt(
    ex: impl SqliteExecutor<'_>,
    new: &super::excerpts::NewExcerpt<'_>,
    guid: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO excerpts (project_id, document_id, coder_id, consensus, start, end, memo, guid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 (SELECT CASE WHEN EXISTS (SELECT 1 FROM excerpts WHERE guid = ?8) THEN NULL ELSE ?8 END))
         RETURNING id",
    )
    .bind(new.project_id)
    .bind(new.document_id)
    .bind(new.coder_id)
    .bind(new.consensus)
    .bind(new.start)
    .bind(new.end)
    .bind(new.memo)
    .bind(guid)
    .fetch_one(ex)
    .await
}

/// The id the next excerpt inserted gets, when its inserter holds the write transaction
/// and names ids itself (as [`insert_excerpts`] does).
pub async fn next_excerpt_id(ex: impl SqliteExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM excerpts), 0),
                    COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'excerpts'), 0)) + 1",
    )
    .fetch_one(ex)
    .await
}

/// An excerpt of an import, with the id its inserter chose and the peer's GUID, if it
/// has one (owned, so an importer can hold rows of several documents until it has a
/// full statement's worth).
pub struct ImportedExcerpt {
    pub id: i64,
    pub document_id: i64,
    pub coder_id: i64,
    pub consensus: bool,
    pub start: i64,
    pub end: i64,
    pub memo: String,
    pub guid: Option<String>,
}

/// Ten values a row; SQLite takes at most 32,766 in one statement. An importer that
/// passes whole multiples of this gets statements of one shape, which the connection
/// keeps prepared (preparing a 150-row insert cost as much as running it).
pub const EXCERPTS_PER_INSERT: usize = 1000;

/// Inserts a project's excerpts many rows a statement. A GUID some row already has is
/// replaced by a fresh one (minted here, so no trigger has to rewrite the row, which made
/// re-importing a project a quarter slower); the caller passes GUIDs distinct among
/// themselves.
pub async fn insert_excerpts(
    tx: &mut super::Tx,
    project_id: i64,
    excerpts: &[ImportedExcerpt],
) -> sqlx::Result<()> {
    for chunk in excerpts.chunks(EXCERPTS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpts (id, project_id, document_id, coder_id, consensus, start, end, memo, guid)
             SELECT column1, column2, column3, column4, column5, column6, column7, column8,
                    CASE WHEN column9 IS NULL
                           OR EXISTS (SELECT 1 FROM excerpts x WHERE x.guid = column9)
                         THEN column10 ELSE column9 END
             FROM (",
        );
        let fresh = super::fresh_guids(chunk.len())?;
        insert.push_values(chunk.iter().zip(fresh), |mut row, (excerpt, fresh)| {
            row.push_bind(excerpt.id)
                .push_bind(project_id)
                .push_bind(excerpt.document_id)
                .push_bind(excerpt.coder_id)
                .push_bind(excerpt.consensus)
                .push_bind(excerpt.start)
                .push_bind(excerpt.end)
                .push_bind(excerpt.memo.as_str())
                .push_bind(excerpt.guid.as_deref())
                .push_bind(fresh);
        });
        insert.push(")");
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}
