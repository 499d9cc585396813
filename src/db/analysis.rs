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

/// Every excerpt of a project that carries at least one code.
pub async fn coded_excerpts(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
) -> sqlx::Result<Vec<CodedRow>> {
    let packed: Vec<(i64, String)> = sqlx::query_as(
        "SELECT document_id, group_concat(item, ';') FROM (
             SELECT e.document_id,
                    e.id || ' ' || e.coder_id || ' ' || e.consensus || ' ' || e.start || ' ' ||
                    e.end || ' ' || group_concat(ec.code_id, ',') AS item
             FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
             WHERE e.project_id = ? GROUP BY e.id)
         GROUP BY document_id",
    )
    .bind(project_id)
    .fetch_all(ex)
    .await?;
    let mut rows = Vec::new();
    for (document_id, list) in packed {
        for item in list.split(';') {
            let mut fields = item.split(' ');
            rows.push(CodedRow {
                id: number(fields.next())?,
                coder_id: number(fields.next())?,
                consensus: number(fields.next())? != 0,
                document_id,
                start: number(fields.next())?,
                end: number(fields.next())?,
                code_ids: fields
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|c| number(Some(c)))
                    .collect::<sqlx::Result<_>>()?,
            });
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
