//! Coded characters per document (the length of the union of a view's excerpts, kept in
//! `document_coverage`, migration 0016) and per document, code and coding set
//! (`code_coverage`, 0019). Writes only mark what they changed (triggers, migration 0020:
//! a document's set, or a document's code in a set); [`refresh`] recounts exactly the
//! marked views and rows inside the write transaction, and the readers count any document
//! still marked themselves, so a reader never sees a stale count. The recount also drops
//! the marked documents' coding digests (0022, `analysis::coded_excerpts`).

use std::sync::LazyLock;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqliteExecutor};

use super::excerpts::CoderFilter;
use crate::domain::analysis::CONSENSUS_SET;
use crate::domain::analysis::coverage::{CodeSetCoverage, EVERYONE, ViewCoverage};

/// The union of spans in SQL, per document and view: with the spans ordered by start,
/// each adds what it reaches beyond the furthest end before it (`reach`). `{spans}` is a
/// query yielding `(document_id, view, start, end)`.
const UNION_OF_SPANS: &str = "SELECT document_id, view, SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))) AS coded FROM (
       SELECT document_id, view, start, end,
              MAX(end) OVER (PARTITION BY document_id, view ORDER BY start, end
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
       FROM ({spans}))
     GROUP BY document_id, view";

/// The spans to recount for `document_coverage`: everyone's view (0) of every marked
/// document, and each marked (document, set) pair's own view (a coder's, or -1 for the
/// consensus set). `CROSS JOIN` keeps the marks as the outer loop: left to itself SQLite
/// scanned every excerpt of the database through a covering index and looked each up
/// among the marks, so every commit that saved an excerpt cost a scan (59 ms against
/// 0.6 ms with 450,000 excerpts in the database).
const VIEWS_OF_STALE: &str = "SELECT document_id, 0 AS view, start, end FROM excerpts
       WHERE document_id IN (SELECT document_id FROM document_coverage_stale)
     UNION ALL
     SELECT e.document_id, s.coder_id, e.start, e.end
       FROM document_coverage_stale s CROSS JOIN excerpts e ON e.document_id = s.document_id
       WHERE CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END = s.coder_id";

fn view_of(filter: CoderFilter) -> i64 {
    match filter {
        CoderFilter::Everyone => EVERYONE,
        CoderFilter::Consensus => CONSENSUS_SET,
        CoderFilter::Coder(id) => id,
    }
}

/// Per document, code and set (coder, or -1 for the consensus set): the excerpts with
/// the code and the union of their spans, as `code_coverage` (migration 0019) keeps them.
/// `{spans}` is a query yielding `(document_id, code_id, view, start, end)`.
const CODE_UNION_OF_SPANS: &str = "SELECT document_id, code_id, view, COUNT(*) AS excerpts,
            SUM(MAX(0, end - MAX(start, COALESCE(reach, start)))) AS characters FROM (
       SELECT document_id, code_id, view, start, end,
              MAX(end) OVER (PARTITION BY document_id, code_id, view ORDER BY start, end
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
       FROM ({spans}))
     GROUP BY document_id, code_id, view";

/// The (excerpt, code) pairs to recount for `code_coverage`: those of each marked
/// (document, code, set). Which way to read them depends on how much is marked, and
/// SQLite (without statistics) cannot tell, so both plans are written out and a guard
/// evaluated once before each loop runs exactly one of them:
/// - a few documents marked (every ordinary write): the marked documents' excerpts through
///   the document index, `CROSS JOIN` fixing the order. Left to itself SQLite read every
///   excerpt of each marked code through the code index (that code's excerpts in every
///   document), and recounting one document of a 150,000-excerpt project took 79 ms
///   instead of 2 ms;
/// - many (an import, a migration): each marked code's excerpts through the code index,
///   7x faster than the document order when a whole project is marked (0.17 s against
///   1.23 s for 151,361 excerpts).
const CODED_SPANS_OF_STALE: &str = "SELECT e.document_id, ec.code_id,
            CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END AS view, e.start, e.end
     FROM (SELECT DISTINCT document_id FROM code_coverage_stale) marked
     CROSS JOIN excerpts e ON e.document_id = marked.document_id
     CROSS JOIN excerpt_codes ec ON ec.excerpt_id = e.id
     WHERE {few}
       AND (e.document_id, ec.code_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END)
           IN (SELECT document_id, code_id, coder_id FROM code_coverage_stale)
     UNION ALL
     SELECT e.document_id, ec.code_id,
            CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END AS view, e.start, e.end
     FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
     WHERE NOT {few}
       AND e.document_id IN (SELECT document_id FROM code_coverage_stale)
       AND (e.document_id, ec.code_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END)
           IN (SELECT document_id, code_id, coder_id FROM code_coverage_stale)";

/// Whether few enough documents are marked for the document-driven plan above.
pub(crate) const FEW_MARKED_DOCUMENTS: usize = 32;

fn coded_spans_of_stale() -> String {
    let few = format!(
        "((SELECT COUNT(*) FROM (SELECT DISTINCT document_id FROM code_coverage_stale \
         LIMIT {FEW_MARKED_DOCUMENTS})) < {FEW_MARKED_DOCUMENTS})"
    );
    CODED_SPANS_OF_STALE.replace("{few}", &few)
}

/// The statements of [`refresh`], written once. Each `DELETE` names the marked documents
/// first, so it goes through the kept table's key instead of scanning it.
static RECOUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "DELETE FROM document_coverage
           WHERE document_id IN (SELECT document_id FROM document_coverage_stale)
             AND (coder_id = 0 OR (document_id, coder_id)
                  IN (SELECT document_id, coder_id FROM document_coverage_stale));
         INSERT INTO document_coverage (document_id, coder_id, coded) {};
         DELETE FROM code_coverage
           WHERE document_id IN (SELECT document_id FROM code_coverage_stale)
             AND (document_id, code_id, coder_id)
                 IN (SELECT document_id, code_id, coder_id FROM code_coverage_stale);
         INSERT INTO code_coverage (document_id, code_id, coder_id, excerpts, characters) {};
         -- After the inserts, not first: a statement reading the marks ahead of them made
         -- the code recount of one marked document insert nothing (the unit test below),
         -- an interaction inside SQLite's trigger program not yet understood.
         DELETE FROM coding_digests
           WHERE document_id IN (SELECT document_id FROM document_coverage_stale)
              OR document_id IN (SELECT document_id FROM code_coverage_stale);
         DELETE FROM document_coverage_stale;
         DELETE FROM code_coverage_stale;",
        UNION_OF_SPANS.replace("{spans}", VIEWS_OF_STALE),
        CODE_UNION_OF_SPANS.replace("{spans}", &coded_spans_of_stale()),
    )
});

/// Gives a connection the statement [`refresh`] runs: an insert into a view whose
/// `INSTEAD OF` trigger is [`RECOUNT`]. The recount is six statements, and sent as a
/// batch they were parsed and planned again on every commit (0.6 ms, as long as running
/// them, on the write path every excerpt saved waits for). A trigger's statements are
/// compiled with the one statement that fires it, which the connection keeps prepared,
/// and it is still one round trip to the database thread. TEMP, so it lives with the
/// connection (it may act on the main database's tables) and no migration holds SQL
/// that the code builds.
pub(super) async fn install(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    let statements = format!(
        "CREATE TEMP VIEW IF NOT EXISTS coverage_recount AS SELECT 0 AS go;
         CREATE TEMP TRIGGER IF NOT EXISTS coverage_recount_runs
         INSTEAD OF INSERT ON coverage_recount BEGIN {} END;",
        RECOUNT.as_str()
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(statements))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Recounts every document marked stale, drops its coding digest (migration 0022) and
/// clears the marks. Called by every write transaction before it commits (`Tx::commit`)
/// and when the database opens. One statement (see [`install`]), one round trip to the database thread: each round trip
/// costs a thread wake-up on either side, which was most of what a probe-then-recount
/// added to every excerpt saved (`benches/excerpts_api.rs`). With nothing marked, each
/// statement of the recount finds empty mark tables and does nothing.
pub async fn refresh(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO coverage_recount (go) VALUES (0)")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Stores counts that the caller made itself (`domain::analysis::coverage`) of documents
/// whose every excerpt it inserts in this transaction: an import does this, because
/// recounting a new 150,000-excerpt project at commit took 1.0-1.7 s, growing with the
/// rest of the database (the code index spans every project). The documents must have
/// no kept rows yet: a duplicate is an error, never a silent double count. The caller
/// then clears the marks its inserts left ([`clear_marks_of_project`]).
pub async fn store_counted(
    tx: &mut super::Tx,
    views: &[ViewCoverage],
    codes: &[CodeSetCoverage],
) -> sqlx::Result<()> {
    const ROWS_PER_INSERT: usize = 5000;
    for chunk in views.chunks(ROWS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO document_coverage (document_id, coder_id, coded) ");
        insert.push_values(chunk, |mut row, view| {
            row.push_bind(view.document_id)
                .push_bind(view.view)
                .push_bind(view.coded as i64);
        });
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    for chunk in codes.chunks(ROWS_PER_INSERT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO code_coverage (document_id, code_id, coder_id, excerpts, characters) ",
        );
        insert.push_values(chunk, |mut row, count| {
            row.push_bind(count.document_id)
                .push_bind(count.code_id)
                .push_bind(count.set)
                .push_bind(count.excerpts as i64)
                .push_bind(count.characters as i64);
        });
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Clears the recount marks of every document of the project, whose counts the caller
/// has stored with [`store_counted`], so the commit does not recount them.
pub async fn clear_marks_of_project(tx: &mut super::Tx, project_id: i64) -> sqlx::Result<()> {
    // And drops their coding digests, as the recount would have.
    for marks in [
        "coding_digests",
        "document_coverage_stale",
        "code_coverage_stale",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {marks}
               WHERE document_id IN (SELECT id FROM documents WHERE project_id = ?)"
        )))
        .bind(project_id)
        .execute(&mut **tx)
        .await?;
    }
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
         WHERE c.coded > 0
           AND c.document_id NOT IN (SELECT document_id FROM document_coverage_stale)
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
         WHERE e.document_id IN (SELECT document_id FROM document_coverage_stale)
           AND e.project_id = ",
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

/// Excerpts and coded characters of one code in one document, for one set or summed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeCounts {
    pub document_id: i64,
    pub code_id: i64,
    /// The coding set (a coder, or -1 for the consensus set); 0 when sets are summed.
    pub set: i64,
    pub excerpts: i64,
    pub characters: i64,
}

/// Whose coding [`code_counts`] covers, and whether each set is kept apart.
#[derive(Debug, Clone, Copy)]
pub struct CodeCountsOf<'a> {
    /// `None`: every set; else these sets (coder ids, -1 for the consensus set).
    pub sets: Option<&'a [i64]>,
    /// One row per set, or the chosen sets' counts summed per document and code.
    pub by_set: bool,
}

/// The project's [`CodeCounts`] by document and code: the kept counts, and for any
/// document still marked stale, a count made here. Packed one row per document (see
/// `excerpts::coded_spans` for why).
pub async fn code_counts(
    ex: impl SqliteExecutor<'_>,
    project_id: i64,
    of: CodeCountsOf<'_>,
) -> sqlx::Result<Vec<CodeCounts>> {
    let set_column = if of.by_set { "coder_id" } else { "0" };
    let group = if of.by_set {
        "document_id, code_id, coder_id"
    } else {
        "document_id, code_id"
    };
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT document_id, group_concat(printf('%d %d %d %d', code_id, coder_id, excerpts, characters), ' ')
         FROM (SELECT document_id, code_id, {set_column} AS coder_id, SUM(excerpts) AS excerpts,
                      SUM(characters) AS characters
               FROM (SELECT c.document_id, c.code_id, c.coder_id, c.excerpts, c.characters
                     FROM code_coverage c JOIN documents d ON d.id = c.document_id
                     WHERE d.project_id = "
    ));
    query.push_bind(project_id);
    query.push(" AND c.document_id NOT IN (SELECT document_id FROM code_coverage_stale)");
    push_sets(&mut query, "c.coder_id", of.sets);
    // Documents still marked: counted here.
    let (head, tail) = CODE_UNION_OF_SPANS
        .split_once("{spans}")
        .expect("a placeholder");
    query.push(format!(
        " UNION ALL SELECT document_id, code_id, view, excerpts, characters FROM ({head}"
    ));
    query.push(
        "SELECT e.document_id, ec.code_id, CASE e.consensus WHEN 1 THEN -1 ELSE e.coder_id END AS view,
                e.start, e.end
         FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
         WHERE e.document_id IN (SELECT document_id FROM code_coverage_stale) AND e.project_id = ",
    );
    query.push_bind(project_id);
    query.push(format!("{tail})"));
    if of.sets.is_some() {
        query.push(" WHERE true");
        push_sets(&mut query, "view", of.sets);
    }
    query.push(format!(") GROUP BY {group}) GROUP BY document_id"));
    let packed: Vec<(i64, String)> = query.build_query_as().fetch_all(ex).await?;
    let mut out = Vec::new();
    for (document_id, list) in packed {
        let mut numbers = list.split(' ').map(|n| {
            n.parse::<i64>()
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        });
        while let Some(code_id) = numbers.next() {
            let mut next = || numbers.next().unwrap_or(Ok(0));
            out.push(CodeCounts {
                document_id,
                code_id: code_id?,
                set: next()?,
                excerpts: next()?,
                characters: next()?,
            });
        }
    }
    Ok(out)
}

/// ` AND {column} IN (…)` for a chosen list of sets (an empty list matches nothing).
fn push_sets(query: &mut QueryBuilder<Sqlite>, column: &str, sets: Option<&[i64]>) {
    let Some(sets) = sets else {
        return;
    };
    query.push(format!(" AND {column} IN (NULL"));
    for set in sets {
        query.push(", ");
        query.push_bind(*set);
    }
    query.push(")");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::db::excerpts::NewExcerpt;

    type Counts = BTreeMap<(i64, i64, i64), (i64, i64)>;

    async fn kept(conn: &mut SqliteConnection) -> Counts {
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT document_id, code_id, coder_id, excerpts, characters FROM code_coverage",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        rows.into_iter()
            .map(|(d, c, v, n, chars)| ((d, c, v), (n, chars)))
            .collect()
    }

    /// The recount reads excerpts and their codes only by key or index range (the
    /// marked documents', or the marked codes'), never by a scan: a scan makes every
    /// write cost a pass over every excerpt in the database. Checked on the plans SQLite
    /// picks for a fresh database, without statistics, as in use.
    #[tokio::test]
    async fn the_recount_never_scans_the_excerpts() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&dir.path().join("t.db")).await.unwrap();
        let statements = RECOUNT.split(';').map(str::trim).filter(|s| !s.is_empty());
        let mut searched = 0;
        for statement in statements {
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "EXPLAIN QUERY PLAN {statement}"
            )))
            .fetch_all(&db)
            .await
            .unwrap();
            for (_, _, _, detail) in plan {
                let mut words = detail.split_whitespace();
                let (access, table) = (words.next(), words.next());
                let excerpt_table =
                    matches!(table, Some("excerpts" | "e" | "excerpt_codes" | "ec"));
                assert!(
                    !(access == Some("SCAN") && excerpt_table),
                    "{detail}\nin\n{statement}"
                );
                searched += usize::from(access == Some("SEARCH") && excerpt_table);
            }
        }
        assert!(
            searched >= 4,
            "the recount reads the excerpts ({searched} searches)"
        );
    }

    /// Both plans of the recount (many documents marked at once, as an import marks them,
    /// and one at a time, as ordinary writes do) give the counts made here from the spans.
    #[tokio::test]
    async fn both_recount_plans_agree_with_a_count_of_the_spans() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&dir.path().join("t.db")).await.unwrap();
        let mut tx = crate::db::begin_write(&db).await.unwrap();
        let coders = [
            crate::db::users::insert(&mut *tx, "ann", "!", false)
                .await
                .unwrap(),
            crate::db::users::insert(&mut *tx, "bob", "!", false)
                .await
                .unwrap(),
        ];
        let project = crate::db::projects::insert(&mut *tx, "P", "")
            .await
            .unwrap();
        let mut codes = Vec::new();
        for name in ["a", "b", "c"] {
            let code = crate::db::test_rows::code(project, name);
            codes.push(crate::db::codes::insert(&mut *tx, &code).await.unwrap());
        }
        let text = "x".repeat(100);
        let documents = FEW_MARKED_DOCUMENTS as i64 + 8;
        // (document, code, view) → spans, counted independently below.
        let mut spans: BTreeMap<(i64, i64, i64), Vec<(i64, i64)>> = BTreeMap::new();
        for d in 0..documents {
            let new = crate::db::test_rows::document(project, &text);
            let document = crate::db::documents::insert(&mut *tx, &new).await.unwrap();
            for k in 0..12i64 {
                let start = (d * 7 + k * 13) % 80;
                let end = start + 5 + (k * 11) % 15;
                let consensus = k % 5 == 4;
                let coder = coders[(k % 2) as usize];
                let excerpt = NewExcerpt {
                    project_id: project,
                    document_id: document,
                    coder_id: coder,
                    consensus,
                    start,
                    end,
                    memo: "",
                };
                let id = crate::db::excerpts::insert(&mut *tx, &excerpt)
                    .await
                    .unwrap()
                    .id;
                let mut applied = vec![codes[(k % 3) as usize]];
                if k % 4 == 0 {
                    applied.push(codes[((k + 1) % 3) as usize]);
                }
                let pairs: Vec<(i64, i64)> = applied.iter().map(|&c| (id, c)).collect();
                crate::db::excerpts::apply_project_codes(&mut tx, project, &pairs)
                    .await
                    .unwrap();
                let view = if consensus { -1 } else { coder };
                for code in applied {
                    spans
                        .entry((document, code, view))
                        .or_default()
                        .push((start, end));
                }
            }
        }
        tx.commit().await.unwrap();
        let expected: Counts = spans
            .into_iter()
            .map(|(key, mut list)| {
                list.sort();
                let (mut covered, mut reach) = (0, 0);
                for (start, end) in &list {
                    covered += (end - start.max(&reach)).max(0);
                    reach = reach.max(*end);
                }
                (key, (list.len() as i64, covered))
            })
            .collect();
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(
            kept(&mut conn).await,
            expected,
            "many documents marked at once"
        );
        sqlx::query("DELETE FROM code_coverage")
            .execute(&mut *conn)
            .await
            .unwrap();
        for &(document, code, view) in expected.keys() {
            sqlx::query("INSERT OR IGNORE INTO code_coverage_stale VALUES (?, ?, ?)")
                .bind(document)
                .bind(code)
                .bind(view)
                .execute(&mut *conn)
                .await
                .unwrap();
            refresh(&mut conn).await.unwrap();
        }
        assert_eq!(kept(&mut conn).await, expected, "one document at a time");
    }
}
