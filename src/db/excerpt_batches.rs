//! New excerpts of several requests written in a few statements (group commit,
//! `service::excerpts::group_commit`): with sqlx every statement is a hand-off to the
//! connection's thread and back while the write gate is held, and one statement per
//! excerpt and one per request's codes made the hand-offs, not SQLite, the limit.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::excerpts::{Inserted, NewExcerpt};

/// Eight values a row, well under SQLite's 32,766 a statement.
const ROWS_PER_INSERT: usize = 1000;
/// Three values a pair.
const PAIRS_PER_INSERT: usize = 5000;

#[derive(sqlx::FromRow)]
struct InsertedWithGuid {
    #[sqlx(flatten)]
    inserted: Inserted,
    guid: String,
}

/// Inserts the excerpts, many a statement; what the database filled in, in their order.
pub async fn insert_many(
    conn: &mut SqliteConnection,
    excerpts: &[NewExcerpt<'_>],
) -> sqlx::Result<Vec<Inserted>> {
    let guids = super::fresh_guids(excerpts.len())?;
    let mut by_guid: HashMap<String, Inserted> = HashMap::with_capacity(excerpts.len());
    for (chunk, chunk_guids) in excerpts
        .chunks(ROWS_PER_INSERT)
        .zip(guids.chunks(ROWS_PER_INSERT))
    {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpts (project_id, document_id, coder_id, consensus, start, end, memo, guid) ",
        );
        insert.push_values(chunk.iter().zip(chunk_guids), |mut row, (new, guid)| {
            row.push_bind(new.project_id)
                .push_bind(new.document_id)
                .push_bind(new.coder_id)
                .push_bind(new.consensus)
                .push_bind(new.start)
                .push_bind(new.end)
                .push_bind(new.memo)
                .push_bind(guid.as_str());
        });
        // SQLite does not promise RETURNING rows in the order of the VALUES, so they are
        // matched by the GUID minted for each.
        insert.push(" RETURNING id, version, created_at, updated_at, guid");
        let rows: Vec<InsertedWithGuid> = insert.build_query_as().fetch_all(&mut *conn).await?;
        by_guid.extend(rows.into_iter().map(|r| (r.guid, r.inserted)));
    }
    guids
        .iter()
        .map(|guid| {
            by_guid
                .remove(guid)
                .ok_or_else(|| sqlx::Error::Protocol(format!("excerpt {guid} was not returned")))
        })
        .collect()
}

/// Applies `(excerpt_id, code_id, project_id)`, skipping any code that is not one of that
/// project's; returns the excerpt id of every pair applied (fewer of an excerpt than
/// asked means an unknown code).
pub async fn apply_project_codes(
    conn: &mut SqliteConnection,
    applications: &[(i64, i64, i64)],
) -> sqlx::Result<Vec<i64>> {
    let mut applied = Vec::with_capacity(applications.len());
    for chunk in applications.chunks(PAIRS_PER_INSERT) {
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpt_codes (excerpt_id, code_id)
             SELECT v.column1, c.id FROM (",
        );
        query.push_values(chunk, |mut row, (excerpt_id, code_id, project_id)| {
            row.push_bind(*excerpt_id)
                .push_bind(*code_id)
                .push_bind(*project_id);
        });
        query.push(
            ") v JOIN codes c ON c.id = v.column2 WHERE c.project_id = v.column3
             RETURNING excerpt_id",
        );
        let ids: Vec<i64> = query.build_query_scalar().fetch_all(&mut *conn).await?;
        applied.extend(ids);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More rows than one statement holds: every returned id is the row asked for in its
    /// place, and a code of another project is skipped and reported by its absence.
    #[tokio::test]
    async fn many_excerpts_come_back_in_their_order_and_foreign_codes_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&dir.path().join("t.db")).await.unwrap();
        let mut tx = crate::db::begin_write(&db).await.unwrap();
        let coder = crate::db::users::insert(&mut *tx, "ann", "!", false)
            .await
            .unwrap();
        let mut projects = Vec::new();
        for name in ["P", "Q"] {
            let project = crate::db::projects::insert(&mut *tx, name, "")
                .await
                .unwrap();
            let code = crate::db::test_rows::code(project, "a");
            let code = crate::db::codes::insert(&mut *tx, &code).await.unwrap();
            let text = "x".repeat(5000);
            let new = crate::db::test_rows::document(project, &text);
            let document = crate::db::documents::insert(&mut *tx, &new).await.unwrap();
            projects.push((project, code, document));
        }
        let count = ROWS_PER_INSERT * 2 + 7;
        let new: Vec<NewExcerpt> = (0..count as i64)
            .map(|i| {
                let (project_id, _, document_id) = projects[(i % 2) as usize];
                NewExcerpt {
                    project_id,
                    document_id,
                    coder_id: coder,
                    consensus: false,
                    start: i,
                    end: i + 1 + i % 5,
                    memo: "",
                }
            })
            .collect();
        let inserted = insert_many(&mut tx, &new).await.unwrap();
        assert_eq!(inserted.len(), count);
        for (asked, got) in new.iter().zip(&inserted) {
            let (document, start, end): (i64, i64, i64) =
                sqlx::query_as("SELECT document_id, start, end FROM excerpts WHERE id = ?")
                    .bind(got.id)
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap();
            assert_eq!(
                (document, start, end),
                (asked.document_id, asked.start, asked.end)
            );
        }
        // Each excerpt asks for its project's code; the first also for the other's.
        let mut applications: Vec<(i64, i64, i64)> = new
            .iter()
            .zip(&inserted)
            .map(|(asked, got)| {
                let code = projects.iter().find(|p| p.0 == asked.project_id).unwrap().1;
                (got.id, code, asked.project_id)
            })
            .collect();
        applications.push((inserted[0].id, projects[1].1, new[0].project_id));
        let mut applied = apply_project_codes(&mut tx, &applications).await.unwrap();
        applied.sort_unstable();
        let mut expected: Vec<i64> = inserted.iter().map(|e| e.id).collect();
        expected.sort_unstable();
        assert_eq!(applied, expected, "one code each; the foreign one skipped");
    }
}
