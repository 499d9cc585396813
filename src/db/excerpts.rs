//! The `excerpts` and `excerpt_codes` tables.

use crate::domain::import::SpeakerRole;
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Excerpt {
    pub id: i64,
    pub project_id: i64,
    pub document_id: i64,
    pub coder_id: i64,
    pub coder: String,
    pub consensus: bool,
    pub start: i64,
    pub end: i64,
    pub memo: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "e.id, e.project_id, e.document_id, e.coder_id, u.username AS coder, e.consensus, \
     e.start, e.end, e.memo, e.version, e.created_at, e.updated_at";

/// Whose excerpts to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoderFilter {
    /// Every coder's excerpts and the consensus set.
    Everyone,
    /// One coder's own excerpts (not the consensus set).
    Coder(i64),
    /// The consensus set only.
    Consensus,
}

/// Narrows a query over `excerpts e` to `filter`'s excerpts.
pub(super) fn push_coder_filter(query: &mut QueryBuilder<Sqlite>, filter: CoderFilter) {
    match filter {
        CoderFilter::Everyone => {}
        CoderFilter::Coder(id) => {
            query.push(" AND e.consensus = 0 AND e.coder_id = ");
            query.push_bind(id);
        }
        CoderFilter::Consensus => {
            query.push(" AND e.consensus = 1");
        }
    }
}

pub async fn by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<Excerpt>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM excerpts e JOIN users u ON u.id = e.coder_id WHERE e.id = ?"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn for_document(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    filter: CoderFilter,
) -> sqlx::Result<Vec<Excerpt>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM excerpts e JOIN users u ON u.id = e.coder_id WHERE e.document_id = "
    ));
    query.push_bind(document_id);
    push_coder_filter(&mut query, filter);
    query.push(" ORDER BY e.start, e.end, e.id");
    query.build_query_as().fetch_all(ex).await
}

/// `(excerpt_id, code_id)` pairs for the excerpts of one document.
pub async fn codes_for_document(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT ec.excerpt_id, ec.code_id FROM excerpt_codes ec
         JOIN excerpts e ON e.id = ec.excerpt_id WHERE e.document_id = ? ORDER BY ec.excerpt_id, ec.code_id",
    )
    .bind(document_id)
    .fetch_all(ex)
    .await
}

pub async fn code_ids(ex: impl SqliteExecutor<'_>, excerpt_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT code_id FROM excerpt_codes WHERE excerpt_id = ? ORDER BY code_id")
        .bind(excerpt_id)
        .fetch_all(ex)
        .await
}

pub struct NewExcerpt<'a> {
    pub project_id: i64,
    pub document_id: i64,
    pub coder_id: i64,
    pub consensus: bool,
    pub start: i64,
    pub end: i64,
    pub memo: &'a str,
}

/// What the database fills in for a new excerpt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Inserted {
    pub id: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub async fn insert(ex: impl SqliteExecutor<'_>, new: &NewExcerpt<'_>) -> sqlx::Result<Inserted> {
    sqlx::query_as(
        "INSERT INTO excerpts (project_id, document_id, coder_id, consensus, start, end, memo, guid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, version, created_at, updated_at",
    )
    .bind(new.project_id)
    .bind(new.document_id)
    .bind(new.coder_id)
    .bind(new.consensus)
    .bind(new.start)
    .bind(new.end)
    .bind(new.memo)
    .bind(super::fresh_guids(1)?.pop())
    .fetch_one(ex)
    .await
}

/// Applies codes to new excerpts, `(excerpt_id, code_id)` pairs, skipping codes that are
/// not codes of `project_id`, in one statement; returns how many were applied (fewer than
/// asked means an unknown code).
pub async fn apply_project_codes(
    conn: &mut sqlx::SqliteConnection,
    project_id: i64,
    applications: &[(i64, i64)],
) -> sqlx::Result<u64> {
    if applications.is_empty() {
        return Ok(0);
    }
    // Bound as rows of a VALUES list (two parameters a pair, well under SQLite's 32,766):
    // unpacking the same pairs from JSON cost ~10 % of a large REFI import.
    let mut applied = 0;
    for chunk in applications.chunks(8_000) {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpt_codes (excerpt_id, code_id)
             SELECT v.column1, c.id FROM (VALUES ",
        );
        let mut rows = query.separated(", ");
        for (excerpt_id, code_id) in chunk {
            rows.push("(");
            rows.push_bind_unseparated(*excerpt_id);
            rows.push_unseparated(", ");
            rows.push_bind_unseparated(*code_id);
            rows.push_unseparated(")");
        }
        query.push(") v JOIN codes c ON c.id = v.column2 WHERE c.project_id = ");
        query.push_bind(project_id);
        applied += query.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(applied)
}

/// Deletes excerpts by id (their codes go with them).
pub async fn delete_all(ex: impl SqliteExecutor<'_>, ids: &[i64]) -> sqlx::Result<()> {
    let ids = serde_json::to_string(ids).expect("integers serialise");
    sqlx::query("DELETE FROM excerpts WHERE id IN (SELECT value FROM json_each(?))")
        .bind(ids)
        .execute(ex)
        .await?;
    Ok(())
}

/// Replaces an excerpt's codes.
pub async fn set_codes(
    ex: &mut sqlx::SqliteConnection,
    excerpt_id: i64,
    code_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM excerpt_codes WHERE excerpt_id = ?")
        .bind(excerpt_id)
        .execute(&mut *ex)
        .await?;
    if code_ids.is_empty() {
        return Ok(());
    }
    let mut insert: QueryBuilder<Sqlite> =
        QueryBuilder::new("INSERT OR IGNORE INTO excerpt_codes (excerpt_id, code_id) ");
    insert.push_values(code_ids, |mut row, code_id| {
        row.push_bind(excerpt_id).push_bind(*code_id);
    });
    insert.build().execute(&mut *ex).await?;
    Ok(())
}

/// Updates span and memo if the stored version is `expected_version`; returns whether it
/// did (false means someone changed the excerpt in the meantime).
pub async fn update(
    ex: impl SqliteExecutor<'_>,
    id: i64,
    expected_version: i64,
    start: i64,
    end: i64,
    memo: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE excerpts SET start = ?, end = ?, memo = ?, version = version + 1,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ? AND version = ?",
    )
    .bind(start)
    .bind(end)
    .bind(memo)
    .bind(id)
    .bind(expected_version)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM excerpts WHERE id = ?")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Users who have excerpts in a project (the coders a lead can compare).
pub async fn coders(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    // Steps from one coder to the next through the (project, coder) index instead of
    // reading every excerpt of the project: 3 seeks instead of 150,000 rows.
    sqlx::query_as(
        "WITH RECURSIVE coder(id) AS (
             SELECT MIN(coder_id) FROM excerpts WHERE project_id = ?1
             UNION ALL
             SELECT (SELECT MIN(coder_id) FROM excerpts WHERE project_id = ?1 AND coder_id > coder.id)
             FROM coder WHERE coder.id IS NOT NULL)
         SELECT u.id, u.username FROM coder JOIN users u ON u.id = coder.id
         WHERE EXISTS (SELECT 1 FROM excerpts e
                       WHERE e.project_id = ?1 AND e.coder_id = coder.id AND e.consensus = 0)
         ORDER BY u.username",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// An excerpt with its document's title, for retrieval across documents.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Located {
    #[sqlx(flatten)]
    pub excerpt: Excerpt,
    pub document_title: String,
}

/// Excerpts of a project carrying any of `code_ids`, optionally only in documents with an
/// attribute value, in document and text order.
pub async fn with_codes(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    code_ids: &[i64],
    filter: CoderFilter,
    attribute: Option<(&str, &str)>,
) -> sqlx::Result<Vec<Located>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {COLUMNS}, d.title AS document_title FROM excerpts e
         JOIN users u ON u.id = e.coder_id JOIN documents d ON d.id = e.document_id
         WHERE e.project_id = "
    ));
    query.push_bind(project_id);
    query.push(" AND e.id IN (SELECT excerpt_id FROM excerpt_codes WHERE code_id IN (");
    let mut ids = query.separated(", ");
    for id in code_ids {
        ids.push_bind(*id);
    }
    query.push("))");
    push_coder_filter(&mut query, filter);
    if let Some((name, value)) = attribute {
        query.push(" AND EXISTS (SELECT 1 FROM document_attributes a WHERE a.document_id = e.document_id AND ");
        query.push(super::documents::ATTRIBUTE_IS);
        query.push_bind(format!("{name}:{value}"));
        query.push(")");
    }
    query.push(" ORDER BY e.document_id, e.start, e.end, e.id");
    query.build_query_as().fetch_all(ex).await
}

/// `(excerpt_id, code_id)` pairs for the given excerpts.
pub async fn codes_of(
    ex: impl SqliteExecutor<'_>,
    excerpt_ids: &[i64],
) -> sqlx::Result<Vec<(i64, i64)>> {
    if excerpt_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT excerpt_id, code_id FROM excerpt_codes WHERE excerpt_id IN (");
    let mut ids = query.separated(", ");
    for id in excerpt_ids {
        ids.push_bind(*id);
    }
    query.push(") ORDER BY excerpt_id, code_id");
    query.build_query_as().fetch_all(ex).await
}

/// One code applied by one coder (or the consensus set) to a span: the raw material of
/// agreement statistics.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct CodedSpan {
    pub coder_id: i64,
    pub consensus: bool,
    pub code_id: i64,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
}

/// Every coded span of a project. They come packed, one row per document holding
/// `coder consensus code start end` groups: sqlx hands rows over one at a time between
/// threads, which made 150,000 single rows cost 0.3–1.5 s; 1,000 packed rows cost a tenth.
pub async fn coded_spans(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<CodedSpan>> {
    let packed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.document_id,
                group_concat(e.coder_id || ' ' || e.consensus || ' ' || ec.code_id || ' ' ||
                             e.start || ' ' || e.end, ' ')
         FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
         WHERE e.project_id = ? GROUP BY e.document_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await?;
    let decode = |n: Option<&str>| -> sqlx::Result<i64> {
        n.unwrap_or_default()
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    let mut spans = Vec::new();
    for (document_id, list) in packed {
        let mut numbers = list.split(' ');
        while let Some(coder) = numbers.next() {
            spans.push(CodedSpan {
                coder_id: decode(Some(coder))?,
                consensus: decode(numbers.next())? != 0,
                code_id: decode(numbers.next())?,
                document_id,
                start: decode(numbers.next())?,
                end: decode(numbers.next())?,
            });
        }
    }
    Ok(spans)
}

/// Excerpts with `code_id` in a document that overlap `[start, end)`, for one coder (or
/// the consensus set).
pub async fn with_code_overlapping(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    code_id: i64,
    filter: CoderFilter,
    start: i64,
    end: i64,
) -> sqlx::Result<Vec<Excerpt>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM excerpts e JOIN users u ON u.id = e.coder_id
         JOIN excerpt_codes ec ON ec.excerpt_id = e.id WHERE e.document_id = "
    ));
    query.push_bind(document_id);
    query.push(" AND ec.code_id = ");
    query.push_bind(code_id);
    query.push(" AND e.start < ");
    query.push_bind(end);
    query.push(" AND e.end > ");
    query.push_bind(start);
    push_coder_filter(&mut query, filter);
    query.push(" ORDER BY e.start, e.end");
    query.build_query_as().fetch_all(ex).await
}

/// Consensus excerpts of a document with exactly this span.
pub async fn consensus_with_span(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    start: i64,
    end: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM excerpts WHERE document_id = ? AND consensus = 1 AND start = ? AND end = ? LIMIT 1")
        .bind(document_id)
        .bind(start)
        .bind(end)
        .fetch_optional(ex)
        .await
}

pub async fn add_code(
    ex: impl SqliteExecutor<'_>,
    excerpt_id: i64,
    code_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT OR IGNORE INTO excerpt_codes (excerpt_id, code_id) VALUES (?, ?)")
        .bind(excerpt_id)
        .bind(code_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn remove_code(
    ex: impl SqliteExecutor<'_>,
    excerpt_id: i64,
    code_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM excerpt_codes WHERE excerpt_id = ? AND code_id = ?")
        .bind(excerpt_id)
        .bind(code_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Deletes an excerpt that carries no code and no memo (nothing would be lost).
pub async fn delete_if_empty(ex: impl SqliteExecutor<'_>, excerpt_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM excerpts WHERE id = ? AND memo = ''
           AND NOT EXISTS (SELECT 1 FROM excerpt_codes WHERE excerpt_id = excerpts.id)",
    )
    .bind(excerpt_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Columns of one packed excerpt, in `coded_batch`'s `json_array` order.
type PackedExcerpt = (
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Vec<i64>,
);

/// Columns of one packed turn: seq, speaker, role, start, end, start_ms, end_ms.
type PackedTurn = (i64, String, SpeakerRole, i64, i64, Option<i64>, Option<i64>);

fn decode_error(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// A document's text and speaker turns (with their roles), in one row: what an export
/// needs besides the excerpts. `None` if the document is gone.
pub async fn document_frame(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
) -> sqlx::Result<Option<(String, Vec<super::documents::Turn>)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT d.text,
                (SELECT json_group_array(json_array(
                            t.seq, t.speaker, COALESCE(s.role, 'participant'), t.start, t.end,
                            t.start_ms, t.end_ms))
                 FROM turns t
                 LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
                 WHERE t.document_id = d.id)
         FROM documents d WHERE d.id = ?",
    )
    .bind(document_id)
    .fetch_optional(ex)
    .await?;
    let Some((text, turns)) = row else {
        return Ok(None);
    };
    let turns: Vec<PackedTurn> = serde_json::from_str(&turns).map_err(decode_error)?;
    let mut turns: Vec<super::documents::Turn> = turns
        .into_iter()
        .map(|t| super::documents::Turn {
            seq: t.0,
            speaker: t.1,
            role: t.2,
            start: t.3,
            end: t.4,
            start_ms: t.5,
            end_ms: t.6,
        })
        .collect();
    turns.sort_by_key(|t| t.seq);
    Ok(Some((text, turns)))
}

/// Where a document's excerpts are ordered: `(start, end, id)`.
pub type ExcerptKey = (i64, i64, i64);

/// Up to `limit` of a document's excerpts after `after` in document order, each with its
/// code ids, in one row (a JSON array built by SQLite). Exports read every excerpt of a
/// project, and sqlx hands rows over between threads one at a time, so 100,000 single
/// rows cost more than writing the CSV; a few packed rows per document cost a fraction
/// (BENCHMARKS.md, export). Batches keep memory bounded however many excerpts a document
/// has.
pub async fn coded_batch(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    after: ExcerptKey,
    limit: i64,
) -> sqlx::Result<Vec<(Excerpt, Vec<i64>)>> {
    let packed: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(
                    e.id, e.project_id, e.document_id, e.coder_id, u.username, e.consensus,
                    e.start, e.end, e.memo, e.version, e.created_at, e.updated_at,
                    json((SELECT json_group_array(ec.code_id) FROM excerpt_codes ec
                          WHERE ec.excerpt_id = e.id))))
         FROM (SELECT * FROM excerpts
               WHERE document_id = ? AND (start, end, id) > (?, ?, ?)
               ORDER BY start, end, id LIMIT ?) e
         JOIN users u ON u.id = e.coder_id",
    )
    .bind(document_id)
    .bind(after.0)
    .bind(after.1)
    .bind(after.2)
    .bind(limit)
    .fetch_one(ex)
    .await?;
    let packed: Vec<PackedExcerpt> = serde_json::from_str(&packed).map_err(decode_error)?;
    let mut excerpts: Vec<(Excerpt, Vec<i64>)> = packed
        .into_iter()
        .map(|p| {
            let mut codes = p.12;
            codes.sort_unstable();
            let excerpt = Excerpt {
                id: p.0,
                project_id: p.1,
                document_id: p.2,
                coder_id: p.3,
                coder: p.4,
                consensus: p.5 != 0,
                start: p.6,
                end: p.7,
                memo: p.8,
                version: p.9,
                created_at: p.10,
                updated_at: p.11,
            };
            (excerpt, codes)
        })
        .collect();
    excerpts.sort_by_key(|(e, _)| (e.start, e.end, e.id));
    Ok(excerpts)
}
