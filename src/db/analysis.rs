//! Whole-project reads for the analyses (co-occurrence, crosstabs). Rows come packed, one
//! per document, for the reason given at `excerpts::coded_spans`: sqlx hands rows over one
//! at a time, and 150,000 single rows cost far more than 1,000 packed ones.

use sqlx::SqliteExecutor;

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

/// Every excerpt of a project that carries at least one code, by document and id, codes
/// in ascending order.
///
/// One item per (excerpt, code) pair, written with `printf` and merged here: grouping by
/// excerpt in SQL sorted 150,000 rows through a temporary B-tree and `||` built each item
/// from eleven intermediate strings, which together took three times as long (issue 13's
/// benchmark, `benches/analysis.rs`). The scan follows `excerpts_by_project_document`, so
/// the outer grouping needs no sort either.
pub async fn coded_excerpts(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<CodedRow>> {
    let packed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.document_id,
                group_concat(printf('%d %d %d %d %d %d', e.id, e.coder_id, e.consensus,
                                    e.start, e.end, ec.code_id), ';')
         FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
         WHERE e.project_id = ? GROUP BY e.document_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await?;
    let mut rows = Vec::new();
    for (document_id, list) in packed {
        let mut pairs = list
            .split(';')
            .map(|item| {
                let mut fields = item.split(' ');
                let mut next = || number(fields.next());
                Ok([next()?, next()?, next()?, next()?, next()?, next()?])
            })
            .collect::<sqlx::Result<Vec<[i64; 6]>>>()?;
        pairs.sort_unstable_by_key(|p| (p[0], p[5]));
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
    Ok(rows)
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
