//! Documents, their attributes, speaker turns, and the per-project speaker roles.

use crate::domain::import::SpeakerRole;
use crate::domain::text;
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};

/// A document without its text, for lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentSummary {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub external_id: Option<String>,
    pub source_name: String,
    pub source_format: String,
    pub length: i64,
    pub turn_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A document with its canonical text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    #[sqlx(flatten)]
    pub summary: DocumentSummary,
    pub text: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Turn {
    pub seq: i64,
    pub speaker: String,
    pub role: SpeakerRole,
    pub start: i64,
    pub end: i64,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Attribute {
    pub document_id: i64,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Speaker {
    pub label: String,
    pub role: SpeakerRole,
    pub turns: i64,
    pub documents: i64,
}

/// What is stored for a new document.
pub struct NewDocument<'a> {
    pub project_id: i64,
    pub title: &'a str,
    pub external_id: Option<&'a str>,
    pub source_name: &'a str,
    pub source_format: &'a str,
    pub text: &'a str,
    pub length: i64,
    pub turn_count: i64,
    pub created_by: Option<i64>,
}

pub struct NewTurn<'a> {
    pub speaker: &'a str,
    pub start: i64,
    pub end: i64,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "d.id, d.project_id, d.title, d.external_id, d.source_name, \
     d.source_format, d.length, d.turn_count, d.created_at, d.updated_at";

/// SQLite accepts up to 32,766 bound values per statement; stay well below.
const ROWS_PER_INSERT: usize = 400;

pub async fn insert(ex: impl SqliteExecutor<'_>, doc: &NewDocument<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO documents (project_id, title, external_id, source_name, source_format,
                                text, length, turn_count, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    .fetch_one(ex)
    .await
}

/// Inserts turns in multi-row statements (imports write tens of thousands).
/// Stores a document's turns and indexes their text for search (`text` is the document's
/// stored text, which the turns' spans index).
pub async fn insert_turns(
    tx: &mut super::Tx,
    document_id: i64,
    text: &str,
    turns: &[NewTurn<'_>],
) -> sqlx::Result<()> {
    for (chunk_index, chunk) in turns.chunks(ROWS_PER_INSERT).enumerate() {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO turns (document_id, seq, speaker, start, end, start_ms, end_ms) ",
        );
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, turn)| {
            let seq = (chunk_index * ROWS_PER_INSERT + i) as i64;
            row.push_bind(document_id)
                .push_bind(seq)
                .push_bind(turn.speaker)
                .push_bind(turn.start)
                .push_bind(turn.end)
                .push_bind(turn.start_ms)
                .push_bind(turn.end_ms);
        });
        insert.build().execute(&mut **tx).await?;
    }
    let spans: Vec<(usize, usize)> = turns
        .iter()
        .map(|t| (t.start.max(0) as usize, t.end.max(0) as usize))
        .collect();
    super::search::index_turns(tx, document_id, &text::slices(text, &spans)).await
}

pub async fn insert_attributes(
    tx: &mut super::Tx,
    document_id: i64,
    attributes: &[(String, String)],
) -> sqlx::Result<()> {
    for (chunk_index, chunk) in attributes.chunks(ROWS_PER_INSERT).enumerate() {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO document_attributes (document_id, position, name, value) ",
        );
        insert.push_values(chunk.iter().enumerate(), |mut row, (i, (name, value))| {
            row.push_bind(document_id)
                .push_bind((chunk_index * ROWS_PER_INSERT + i) as i64)
                .push_bind(name)
                .push_bind(value);
        });
        insert.push(" ON CONFLICT (document_id, name) DO UPDATE SET value = excluded.value");
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records speaker labels not seen before in the project, with their default roles.
pub async fn add_speakers(
    tx: &mut super::Tx,
    project_id: i64,
    speakers: &[(String, SpeakerRole)],
) -> sqlx::Result<()> {
    for chunk in speakers.chunks(ROWS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO speakers (project_id, label, role) ");
        insert.push_values(chunk, |mut row, (label, role)| {
            row.push_bind(project_id).push_bind(label).push_bind(*role);
        });
        insert.push(" ON CONFLICT (project_id, label) DO NOTHING");
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// External ids among `candidates` that the project already has.
pub async fn existing_external_ids(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT external_id FROM documents WHERE project_id = ? AND external_id IS NOT NULL",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

pub async fn by_id(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<Option<Document>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, d.text FROM documents d WHERE d.id = ?"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn summary_by_id(
    ex: impl SqliteExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<DocumentSummary>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS} FROM documents d WHERE d.id = ?"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

/// Which documents to list: keyset pagination by id, optionally only those with an
/// attribute of a given value.
pub struct ListFilter<'a> {
    pub after_id: i64,
    pub limit: i64,
    pub attribute: Option<(&'a str, &'a str)>,
}

pub async fn list(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    filter: &ListFilter<'_>,
) -> sqlx::Result<Vec<DocumentSummary>> {
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("SELECT {SUMMARY_COLUMNS} FROM documents d "));
    if filter.attribute.is_some() {
        query.push("JOIN document_attributes a ON a.document_id = d.id AND ");
        query.push(ATTRIBUTE_IS);
        query.push_bind(filter.attribute.map(|(n, v)| format!("{n}:{v}")));
    }
    query.push(" WHERE d.project_id = ");
    query.push_bind(project_id);
    query.push(" AND d.id > ");
    query.push_bind(filter.after_id);
    query.push(" ORDER BY d.id LIMIT ");
    query.push_bind(filter.limit);
    query.build_query_as().fetch_all(ex).await
}

pub async fn count(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE project_id = ?")
        .bind(project_id)
        .fetch_one(ex)
        .await
}

/// Attributes of the documents with ids in `[first_id, last_id]` of a project, in each
/// document's source order.
pub async fn attributes_in_range(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    first_id: i64,
    last_id: i64,
) -> sqlx::Result<Vec<Attribute>> {
    sqlx::query_as(
        "SELECT a.document_id, a.name, a.value FROM document_attributes a
         JOIN documents d ON d.id = a.document_id
         WHERE d.project_id = ? AND a.document_id BETWEEN ? AND ?
         ORDER BY a.document_id, a.position",
    )
    .bind(project_id)
    .bind(first_id)
    .bind(last_id)
    .fetch_all(ex)
    .await
}

pub async fn attributes_of(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
) -> sqlx::Result<Vec<Attribute>> {
    sqlx::query_as(
        "SELECT document_id, name, value FROM document_attributes WHERE document_id = ? ORDER BY position",
    )
    .bind(document_id)
    .fetch_all(ex)
    .await
}

/// Distinct attribute names and values in a project, for filters.
pub async fn attribute_values(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(String, String, i64)>> {
    sqlx::query_as(
        "SELECT a.name, a.value, COUNT(*) FROM document_attributes a
         JOIN documents d ON d.id = a.document_id
         WHERE d.project_id = ?
         GROUP BY a.name, a.value ORDER BY a.name, a.value LIMIT 5000",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// The document's turns with each speaker's role in the project.
/// Compares an attribute `a` with a `name:value` filter as one string. Filters reach the
/// server as `name:value` and are split at the first colon, but names may hold colons
/// too (`Q1: age`); put back together, the split point does not matter.
pub const ATTRIBUTE_IS: &str = "a.name || ':' || a.value = ";

pub async fn turns_of(ex: impl SqliteExecutor<'_>, document_id: i64) -> sqlx::Result<Vec<Turn>> {
    sqlx::query_as(
        "SELECT t.seq, t.speaker, COALESCE(s.role, 'participant') AS role, t.start, t.end,
                t.start_ms, t.end_ms
         FROM turns t
         JOIN documents d ON d.id = t.document_id
         LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
         WHERE t.document_id = ? ORDER BY t.seq",
    )
    .bind(document_id)
    .fetch_all(ex)
    .await
}

pub async fn set_title(ex: impl SqliteExecutor<'_>, id: i64, title: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE documents SET title = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?")
        .bind(title)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn touch(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE documents SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
    )
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn next_attribute_position(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COALESCE(MAX(position) + 1, 0) FROM document_attributes WHERE document_id = ?",
    )
    .bind(document_id)
    .fetch_one(ex)
    .await
}

pub async fn set_attribute(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    position: i64,
    name: &str,
    value: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO document_attributes (document_id, position, name, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (document_id, name) DO UPDATE SET value = excluded.value",
    )
    .bind(document_id)
    .bind(position)
    .bind(name)
    .bind(value)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn remove_attribute(
    ex: impl SqliteExecutor<'_>,
    document_id: i64,
    name: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM document_attributes WHERE document_id = ? AND name = ?")
        .bind(document_id)
        .bind(name)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete(ex: impl SqliteExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM documents WHERE id = ?")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The project's speaker labels with how many turns and documents each has: one pass over
/// the project's turns (`turns_by_document_speaker` covers it), grouped by label.
pub async fn speakers(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<Vec<Speaker>> {
    sqlx::query_as(SPEAKERS_SQL)
        .bind(project_id)
        .fetch_all(ex)
        .await
}

/// The query of [`speakers`] (public so a test can check its plan).
pub const SPEAKERS_SQL: &str = "SELECT s.label, s.role, COALESCE(c.turns, 0) AS turns,
            COALESCE(c.documents, 0) AS documents
     FROM speakers s
     LEFT JOIN (SELECT t.speaker, COUNT(*) AS turns, COUNT(DISTINCT t.document_id) AS documents
                FROM documents d JOIN turns t ON t.document_id = d.id
                WHERE d.project_id = ?1
                GROUP BY t.speaker) c ON c.speaker = s.label
     WHERE s.project_id = ?1 ORDER BY s.label";

pub async fn set_speaker_role(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    label: &str,
    role: SpeakerRole,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE speakers SET role = ? WHERE project_id = ? AND label = ?")
        .bind(role)
        .bind(project_id)
        .bind(label)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A turn with the document it belongs to, for work across documents.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentTurn {
    pub document_id: i64,
    #[sqlx(flatten)]
    pub turn: Turn,
}

/// The turns (with roles) of the given documents, in document and turn order.
pub async fn turns_of_documents(
    ex: impl SqliteExecutor<'_>,
    document_ids: &[i64],
) -> sqlx::Result<Vec<DocumentTurn>> {
    if document_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT t.document_id, t.seq, t.speaker, COALESCE(s.role, 'participant') AS role, t.start, t.end,
                t.start_ms, t.end_ms
         FROM turns t JOIN documents d ON d.id = t.document_id
         LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
         WHERE t.document_id IN (",
    );
    let mut ids = query.separated(", ");
    for id in document_ids {
        ids.push_bind(*id);
    }
    query.push(") ORDER BY t.document_id, t.seq");
    query.build_query_as().fetch_all(ex).await
}

/// The texts of the given documents.
pub async fn texts_of(
    ex: impl SqliteExecutor<'_>,
    document_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    if document_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT id, text FROM documents WHERE id IN (");
    let mut ids = query.separated(", ");
    for id in document_ids {
        ids.push_bind(*id);
    }
    query.push(")");
    query.build_query_as().fetch_all(ex).await
}

/// Every document of a project without its text: id, title and length, in id order.
pub async fn lengths(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as("SELECT id, title, length FROM documents WHERE project_id = ? ORDER BY id")
        .bind(project_id)
        .fetch_all(ex)
        .await
}

/// Every turn of a project's documents: `(document_id, start, end, role)`.
pub async fn turn_spans(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, i64, i64, SpeakerRole)>> {
    sqlx::query_as(
        "SELECT t.document_id, t.start, t.end, COALESCE(s.role, 'participant')
         FROM turns t JOIN documents d ON d.id = t.document_id
         LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
         WHERE d.project_id = ? ORDER BY t.document_id, t.seq",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}

/// Ids of a project's documents with a given attribute value.
pub async fn ids_with_attribute(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    name: &str,
    value: &str,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT d.id FROM documents d JOIN document_attributes a ON a.document_id = d.id
         WHERE d.project_id = ? AND {ATTRIBUTE_IS} ? ORDER BY d.id"
    )))
    .bind(project_id)
    .bind(format!("{name}:{value}"))
    .fetch_all(ex)
    .await
}

/// Whether any transcript of the project has turn times (subtitles, timestamps).
pub async fn has_times(ex: impl SqliteExecutor<'_>, project_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM turns t JOIN documents d ON d.id = t.document_id
                        WHERE d.project_id = ? AND t.start_ms IS NOT NULL)",
    )
    .bind(project_id)
    .fetch_one(ex)
    .await
}

/// The titles of the given documents of one project (documents since deleted are absent).
pub async fn titles_of(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    document_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    if document_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT id, title FROM documents WHERE project_id = ");
    query.push_bind(project_id).push(" AND id IN (");
    let mut ids = query.separated(", ");
    for id in document_ids {
        ids.push_bind(*id);
    }
    query.push(")");
    query.build_query_as().fetch_all(ex).await
}

/// A project's documents for the list: `(id, title, length, turns, created_at, the start
/// of the first participant turn)`, in id order. Reads no whole text: the line is cut in
/// SQL (`substr` counts code points, as offsets do).
pub async fn list_rows(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, String, i64, i64, String, Option<String>)>> {
    sqlx::query_as(
        "SELECT d.id, d.title, d.length, d.turn_count, d.created_at,
                (SELECT substr(d.text, t.start + 1, MIN(t.end - t.start, 160))
                 FROM turns t
                 LEFT JOIN speakers s ON s.project_id = d.project_id AND s.label = t.speaker
                 WHERE t.document_id = d.id AND COALESCE(s.role, 'participant') = 'participant'
                   AND t.end > t.start
                 ORDER BY t.seq LIMIT 1)
         FROM documents d WHERE d.project_id = ? ORDER BY d.id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await
}
