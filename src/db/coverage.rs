//! Coded characters per document: the length of the union of a view's excerpts, kept in
//! `document_coverage` (migration 0016). Excerpt writes only mark their document stale
//! (triggers); [`refresh`] recounts the marked documents inside the write transaction,
//! and [`coded_characters`] counts any document still marked itself, so a reader never
//! sees a stale count.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor};

use super::excerpts::CoderFilter;

/// The union of spans in SQL, per document and view: with the spans ordered by start,
/// each adds what it reaches beyond the furthest end before it (`reach`). `{spans}` is a
/// query yielding `(document_id, view, start, end)`.
const UNION_OF_SPANS: &str = "SELECT document_id, view, SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))) AS coded FROM (
       SELECT document_id, view, start, end,
              MAX(end) OVER (PARTITION BY document_id, view ORDER BY start, end
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
       FROM ({spans}))
     GROUP BY document_id, view";

/// Every view an excerpt belongs to: everyone's (0), and its coder's or the consensus
/// set's (-1).
const VIEWS_OF_STALE: &str = "SELECT document_id, 0 AS view, start, end FROM excerpts
       WHERE document_id IN (SELECT document_id FROM coverage_stale)
     UNION ALL
     SELECT document_id, CASE consensus WHEN 1 THEN -1 ELSE coder_id END, start, end FROM excerpts
       WHERE document_id IN (SELECT document_id FROM coverage_stale)";

fn view_of(filter: CoderFilter) -> i64 {
    match filter {
        CoderFilter::Everyone => 0,
        CoderFilter::Consensus => -1,
        CoderFilter::Coder(id) => id,
    }
}

/// Recounts every document marked stale and clears the marks. Called by every write
/// transaction before it commits (`Tx::commit`) and when the database opens; cheap when
/// nothing is marked (one probe).
pub async fn refresh(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    let marked: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM coverage_stale)")
        .fetch_one(&mut *conn)
        .await?;
    if !marked {
        return Ok(());
    }
    sqlx::query(
        "DELETE FROM document_coverage WHERE document_id IN (SELECT document_id FROM coverage_stale)",
    )
    .execute(&mut *conn)
    .await?;
    let recount = format!(
        "INSERT INTO document_coverage (document_id, coder_id, coded) {}",
        UNION_OF_SPANS.replace("{spans}", VIEWS_OF_STALE)
    );
    sqlx::query(sqlx::AssertSqlSafe(recount))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM coverage_stale")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Coded characters `(document_id, characters)` of `filter`'s view for the project's
/// documents with an id in the range (documents with nothing coded are left out): the
/// kept counts, and for any document still marked stale, a count made here.
pub async fn coded_characters(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    first_document: i64,
    last_document: i64,
    filter: CoderFilter,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let view = view_of(filter);
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT c.document_id, c.coded FROM document_coverage c
         JOIN documents d ON d.id = c.document_id
         WHERE c.coded > 0 AND c.document_id NOT IN (SELECT document_id FROM coverage_stale)
           AND d.project_id = ",
    );
    query.push_bind(project_id);
    push_range(&mut query, "c.document_id", first_document, last_document);
    query.push(" AND c.coder_id = ");
    query.push_bind(view);
    // Documents still marked: counted here, over the view's excerpts only.
    let (head, tail) = UNION_OF_SPANS.split_once("{spans}").expect("a placeholder");
    query.push(format!(" UNION ALL SELECT document_id, coded FROM ({head}"));
    query.push(
        "SELECT e.document_id, 0 AS view, e.start, e.end FROM excerpts e
         WHERE e.document_id IN (SELECT document_id FROM coverage_stale) AND e.project_id = ",
    );
    query.push_bind(project_id);
    push_range(&mut query, "e.document_id", first_document, last_document);
    super::excerpts::push_coder_filter(&mut query, filter);
    query.push(format!("{tail})"));
    query.build_query_as().fetch_all(ex).await
}

fn push_range(query: &mut QueryBuilder<Sqlite>, column: &str, first: i64, last: i64) {
    query.push(format!(" AND {column} BETWEEN "));
    query.push_bind(first);
    query.push(" AND ");
    query.push_bind(last);
}
