//! Whole-project reads for the analyses (co-occurrence, crosstabs). Rows come packed, one
//! per document, for the reason given at `excerpts::coded_spans`: sqlx hands rows over one
//! at a time, and 150,000 single rows cost far more than 1,000 packed ones.

use std::sync::LazyLock;

use sqlx::SqliteExecutor;

use crate::domain::analysis::digest::{self, Pair};

/// One coded excerpt: who made it (a coder, or the consensus set), where, and its codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedRow {
    pub id: i64,
    pub coder_id: i64,
    pub consensus: bool,
    pub document_id: i64,
    pub start: i64,
    pub end: i64,
    pub code_ids: Vec<i64>,
}

fn number(raw: Option<&str>) -> sqlx::Result<i64> {
    raw.unwrap_or_default()
        .parse()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Documents with a recount mark: a write outside `db::Tx` (which recounts and drops
/// digests before it commits) leaves its marks for the next write to recount, and until
/// then a digest of a marked document may be stale, so it is not read.
const MARKED: &str = "(SELECT document_id FROM document_coverage_stale
     UNION SELECT document_id FROM code_coverage_stale)";

/// The (excerpt, code) pairs of every coded document without a usable digest, one row
/// per document holding no digest (NULL) and six comma lists, one per column, whose n-th
/// items belong to the same pair: SQLite steps every aggregate of a group over the same
/// row. Lists of bare integers cost a third less than one list of `printf` items, and
/// those half as much as grouping by excerpt in SQL, which sorted 150,000 rows through a
/// temporary B-tree. CROSS JOIN keeps the documents outermost, so digested documents cost
/// one lookup each and their excerpts are never read.
static UNDIGESTED_PAIRS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT d.id, NULL, group_concat(e.id), group_concat(e.coder_id),
                group_concat(e.consensus), group_concat(e.start), group_concat(e.end),
                group_concat(ec.code_id)
         FROM documents d CROSS JOIN excerpts e CROSS JOIN excerpt_codes ec
         WHERE d.project_id = ?1
           AND (d.id NOT IN (SELECT document_id FROM coding_digests) OR d.id IN {MARKED})
           AND e.project_id = ?1 AND e.document_id = d.id AND ec.excerpt_id = e.id
         GROUP BY d.id"
    )
});

/// Each usable digest, and the pairs of coded documents without one.
static DIGESTS_AND_UNDIGESTED_PAIRS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT g.document_id, g.pairs, NULL, NULL, NULL, NULL, NULL, NULL
         FROM documents d CROSS JOIN coding_digests g
         WHERE d.project_id = ?1 AND g.document_id = d.id AND g.document_id NOT IN {MARKED}
         UNION ALL {}",
        UNDIGESTED_PAIRS.as_str()
    )
});

type PackedRow = (
    i64,
    Option<Vec<u8>>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The pairs one packed row holds, sorted by excerpt and code.
fn unpack(row: PackedRow) -> sqlx::Result<(i64, Vec<Pair>)> {
    let (document_id, digest, ids, coders, consensus, starts, ends, codes) = row;
    let corrupt =
        || sqlx::Error::Decode(format!("document {document_id}: a corrupt digest").into());
    if let Some(bytes) = digest {
        return Ok((document_id, digest::decode(&bytes).ok_or_else(corrupt)?));
    }
    let lists = [ids, coders, consensus, starts, ends, codes].map(Option::unwrap_or_default);
    let mut columns = lists.each_ref().map(|list| list.split(','));
    let mut pairs = Vec::new();
    while let Some(id) = columns[0].next() {
        let mut next = |i: usize| number(columns[i].next());
        pairs.push([
            number(Some(id))?,
            next(1)?,
            next(2)?,
            next(3)?,
            next(4)?,
            next(5)?,
        ]);
    }
    pairs.sort_unstable_by_key(|p| (p[0], p[5]));
    Ok((document_id, pairs))
}

/// Every excerpt of a project that carries at least one code, by document and id, codes
/// in ascending order; and whether some document had no digest yet (then
/// [`store_missing_digests`] would make the next read faster).
///
/// One statement, so digests and excerpts are read from one snapshot: a digest stored
/// between two reads could otherwise make a document appear twice or not at all.
pub async fn coded_excerpts(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<(Vec<CodedRow>, bool)> {
    let packed: Vec<PackedRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(DIGESTS_AND_UNDIGESTED_PAIRS.as_str()))
            .bind(project_id)
            .fetch_all(ex)
            .await?;
    let some_undigested = packed.iter().any(|row| row.1.is_none());
    let mut documents = packed
        .into_iter()
        .map(unpack)
        .collect::<sqlx::Result<Vec<_>>>()?;
    documents.sort_unstable_by_key(|(document_id, _)| *document_id);
    let mut rows = Vec::new();
    for (document_id, pairs) in documents {
        for [id, coder_id, consensus, start, end, code_id] in pairs {
            match rows.last_mut() {
                Some(CodedRow {
                    id: last, code_ids, ..
                }) if *last == id => code_ids.push(code_id),
                _ => rows.push(CodedRow {
                    id,
                    coder_id,
                    consensus: consensus != 0,
                    document_id,
                    start,
                    end,
                    code_ids: vec![code_id],
                }),
            }
        }
    }
    Ok((rows, some_undigested))
}

/// Digests up to `limit` of the project's coded documents that have none; returns how
/// many. In a write transaction, so the excerpts it reads are current: a digest made from
/// an older snapshot could outlive the change that the recount deleted it for.
pub async fn store_missing_digests(
    tx: &mut super::Tx,
    project_id: i64,
    limit: i64,
) -> sqlx::Result<usize> {
    let packed: Vec<PackedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{} LIMIT ?2",
        UNDIGESTED_PAIRS.as_str()
    )))
    .bind(project_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let count = packed.len();
    for row in packed {
        let (document_id, pairs) = unpack(row)?;
        // REPLACE: a marked document's digest is not read, but may be there (see MARKED).
        sqlx::query("INSERT OR REPLACE INTO coding_digests (document_id, pairs) VALUES (?, ?)")
            .bind(document_id)
            .bind(digest::encode(&pairs))
            .execute(&mut **tx)
            .await?;
    }
    Ok(count)
}

/// Every speaker turn of a project's documents, `(document_id, [(start, end)])`, turns in
/// text order.
pub async fn turns(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<(i64, Vec<(i64, i64)>)>> {
    let packed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT t.document_id, group_concat(t.start || ' ' || t.end, ' ')
         FROM turns t JOIN documents d ON d.id = t.document_id
         WHERE d.project_id = ? GROUP BY t.document_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await?;
    let mut out = Vec::with_capacity(packed.len());
    for (document_id, list) in packed {
        let mut numbers = list.split(' ');
        let mut spans = Vec::new();
        while let Some(start) = numbers.next() {
            spans.push((number(Some(start))?, number(numbers.next())?));
        }
        spans.sort_unstable();
        out.push((document_id, spans));
    }
    Ok(out)
}

/// `(document_id, value)` of one attribute across a project's documents (a document may
/// hold the attribute more than once).
pub async fn attribute(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    name: &str,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT a.document_id, a.value FROM document_attributes a
         JOIN documents d ON d.id = a.document_id
         WHERE d.project_id = ? AND a.name = ? ORDER BY a.value, a.document_id",
    )
    .bind(project_id)
    .bind(name)
    .fetch_all(ex)
    .await
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
