//! The full-text index of speaker turns (`turn_search`, see `migrations/0013_search.sql`:
//! rows written with the turns by [`index_turns`], removed with them by a trigger) and
//! the auto-code batches.

use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};

use crate::domain::import::SpeakerRole;
use crate::domain::search::{HIT_END, HIT_START};

/// The FTS rowid of turn `seq` of a document (see the migration).
pub const ROWID_PER_DOCUMENT: i64 = 131_072;

/// Indexes the turns of a document as they are stored: `bodies[seq]` is turn `seq`'s text.
/// Called by `documents::insert_turns` only, so no path stores a turn without indexing it.
pub(super) async fn index_turns(
    tx: &mut super::Tx,
    document_id: i64,
    bodies: &[&str],
) -> sqlx::Result<()> {
    const ROWS_PER_INSERT: usize = 500;
    for (chunk_index, chunk) in bodies.chunks(ROWS_PER_INSERT).enumerate() {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO turn_search (rowid, body) ");
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, body)| {
            let seq = (chunk_index * ROWS_PER_INSERT + i) as i64;
            row.push_bind(document_id * ROWID_PER_DOCUMENT + seq)
                .push_bind(*body);
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// A turn that matches a query, with its text highlighted by FTS5.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatchingTurn {
    pub rowid: i64,
    pub document_id: i64,
    pub document_title: String,
    pub seq: i64,
    /// Code-point offset of the turn in its document.
    pub turn_start: i64,
    pub speaker: String,
    pub role: SpeakerRole,
    /// The turn's text with every hit between `HIT_START` and `HIT_END`.
    pub highlighted: String,
}

/// Which turns a search covers besides matching the query.
#[derive(Debug, Clone, Default)]
pub struct TurnFilter<'a> {
    pub role: Option<SpeakerRole>,
    pub attribute: Option<(&'a str, &'a str)>,
    /// Only these documents (e.g. the hits an auto-code was given).
    pub documents: Option<&'a [i64]>,
}

/// Which of the matching turns to read: those from FTS rowid `from` on (all when `None`),
/// at most `limit` of them (all when `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct TurnRange {
    pub from: Option<i64>,
    pub limit: Option<i64>,
}

/// The turns of the project matching the FTS5 query `fts` in `range`, in document and
/// turn order (FTS rowid order, so a range reads only the turns it returns).
pub async fn matching_turns(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    fts: &str,
    filter: &TurnFilter<'_>,
    range: TurnRange,
) -> sqlx::Result<Vec<MatchingTurn>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT ts.rowid AS rowid, t.document_id, d.title AS document_title, t.seq,
                t.start AS turn_start, t.speaker, COALESCE(s.role, 'participant') AS role,
                highlight(turn_search, 0, '{HIT_START}', '{HIT_END}') AS highlighted"
    ));
    push_matching(&mut query, project_id, fts, filter);
    if let Some(from) = range.from {
        query.push(" AND ts.rowid >= ");
        query.push_bind(from);
    }
    query.push(" ORDER BY ts.rowid");
    if let Some(limit) = range.limit {
        query.push(" LIMIT ");
        query.push_bind(limit);
    }
    query.build_query_as().fetch_all(ex).await
}

/// How many hits the turns `matching_turns` would return (all of them) hold, counted from
/// the index without reading their text (see [`super::hit_count`]).
pub async fn hit_total(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    fts: &str,
    filter: &TurnFilter<'_>,
) -> sqlx::Result<i64> {
    // In a materialized CTE: inside an aggregate's argument SQLite no longer sees
    // `turn_search` as the table's column, and FTS5 cannot take the call ("unable to use
    // function hit_count in the requested context"); a plain subquery would be flattened
    // into the aggregate.
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("WITH turn_hits AS MATERIALIZED (SELECT hit_count(turn_search) AS hits");
    push_matching(&mut query, project_id, fts, filter);
    query.push(") SELECT COALESCE(SUM(hits), 0) FROM turn_hits");
    query.build_query_scalar().fetch_one(ex).await
}

/// `FROM … WHERE …` of the turns of the project matching `fts` and the filter.
fn push_matching<'a>(
    query: &mut QueryBuilder<Sqlite>,
    project_id: i64,
    fts: &'a str,
    filter: &TurnFilter<'a>,
) {
    query.push(format!(
        " FROM turn_search ts
         JOIN turns t ON t.document_id = ts.rowid / {ROWID_PER_DOCUMENT}
                     AND t.seq = ts.rowid % {ROWID_PER_DOCUMENT}
         JOIN documents d ON d.id = t.document_id
         LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
         WHERE turn_search MATCH "
    ));
    query.push_bind(fts);
    query.push(" AND d.project_id = ");
    query.push_bind(project_id);
    if let Some(role) = filter.role {
        query.push(" AND COALESCE(s.role, 'participant') = ");
        query.push_bind(role);
    }
    if let Some((name, value)) = filter.attribute {
        query.push(
            " AND EXISTS (SELECT 1 FROM document_attributes a WHERE a.document_id = d.id AND a.name = ",
        );
        query.push_bind(name);
        query.push(" AND a.value = ");
        query.push_bind(value);
        query.push(")");
    }
    if let Some(documents) = filter.documents {
        query.push(" AND d.id IN (SELECT value FROM json_each(");
        query.push_bind(serde_json::to_string(documents).expect("integers serialise"));
        query.push("))");
    }
}

/// An excerpt's span with whose it is, for the "coded with" filter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodedSpan {
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub consensus: bool,
    pub coder_id: i64,
}

/// Every excerpt of the project carrying `code_id`, by document and start.
pub async fn spans_with_code(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    code_id: i64,
) -> sqlx::Result<Vec<CodedSpan>> {
    sqlx::query_as(
        "SELECT e.document_id, e.start, e.end, e.consensus, e.coder_id
         FROM excerpt_codes ec JOIN excerpts e ON e.id = ec.excerpt_id
         WHERE ec.code_id = ? AND e.project_id = ?
         ORDER BY e.document_id, e.start",
    )
    .bind(code_id)
    .bind(project_id)
    .fetch_all(ex)
    .await
}

pub struct NewBatch<'a> {
    pub project_id: i64,
    pub coder_id: i64,
    pub code_id: i64,
    pub query: &'a str,
    pub extent: &'a str,
    pub created: i64,
}

pub async fn insert_batch(ex: impl SqliteExecutor<'_>, batch: &NewBatch<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO autocode_batches (project_id, coder_id, code_id, query, extent, created)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(batch.project_id)
    .bind(batch.coder_id)
    .bind(batch.code_id)
    .bind(batch.query)
    .bind(batch.extent)
    .bind(batch.created)
    .fetch_one(ex)
    .await
}

/// Records which excerpts a batch created.
pub async fn insert_batch_excerpts(
    ex: impl SqliteExecutor<'_>,
    batch_id: i64,
    excerpt_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO autocode_excerpts (batch_id, excerpt_id)
         SELECT ?, value FROM json_each(?)",
    )
    .bind(batch_id)
    .bind(serde_json::to_string(excerpt_ids).expect("integers serialise"))
    .execute(ex)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Batch {
    pub id: i64,
    pub project_id: i64,
    pub coder_id: i64,
    pub code_id: Option<i64>,
    pub query: String,
    pub extent: String,
    pub created: i64,
    pub created_at: String,
    pub undone_at: Option<String>,
}

const BATCH_COLUMNS: &str =
    "id, project_id, coder_id, code_id, query, extent, created, created_at, undone_at";

pub async fn batch(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    batch_id: i64,
) -> sqlx::Result<Option<Batch>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BATCH_COLUMNS} FROM autocode_batches WHERE id = ? AND project_id = ?"
    )))
    .bind(batch_id)
    .bind(project_id)
    .fetch_optional(ex)
    .await
}

/// The coder's most recent batch that is not undone, if any.
pub async fn latest_batch(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    coder_id: i64,
) -> sqlx::Result<Option<Batch>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {BATCH_COLUMNS} FROM autocode_batches
         WHERE project_id = ? AND coder_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1"
    )))
    .bind(project_id)
    .bind(coder_id)
    .fetch_optional(ex)
    .await
}

/// Deletes the batch's excerpts that still exist and marks it undone; returns how many
/// excerpts went.
pub async fn undo_batch(ex: &mut sqlx::SqliteConnection, batch_id: i64) -> sqlx::Result<u64> {
    let removed = sqlx::query(
        "DELETE FROM excerpts WHERE id IN (SELECT excerpt_id FROM autocode_excerpts WHERE batch_id = ?)",
    )
    .bind(batch_id)
    .execute(&mut *ex)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE autocode_batches SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
    )
    .bind(batch_id)
    .execute(&mut *ex)
    .await?;
    Ok(removed)
}
