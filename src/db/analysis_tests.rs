//! The coding digests are a cache: whatever is stored or dropped, `coded_excerpts` reads
//! exactly what the excerpts say.

use std::collections::BTreeMap;

use super::*;
use crate::db::excerpts::NewExcerpt;
use crate::db::{self, Db};

/// What the excerpts themselves say, read plainly: (document, excerpt) → (coder,
/// consensus, start, end, codes).
type Truth = BTreeMap<(i64, i64), (i64, bool, i64, i64, Vec<i64>)>;

async fn truth(db: &Db) -> Truth {
    let rows: Vec<(i64, i64, i64, bool, i64, i64, i64)> = sqlx::query_as(
        "SELECT e.document_id, e.id, e.coder_id, e.consensus, e.start, e.end, ec.code_id
         FROM excerpts e JOIN excerpt_codes ec ON ec.excerpt_id = e.id
         ORDER BY e.document_id, e.id, ec.code_id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut truth = Truth::new();
    for (document, id, coder, consensus, start, end, code) in rows {
        let entry =
            truth
                .entry((document, id))
                .or_insert((coder, consensus, start, end, Vec::new()));
        entry.4.push(code);
    }
    truth
}

async fn read(db: &Db, project: i64) -> (Truth, bool) {
    let (rows, some_undigested) = coded_excerpts(db, project).await.unwrap();
    let order: Vec<(i64, i64)> = rows.iter().map(|r| (r.document_id, r.id)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "rows come by document and id");
    let read = rows
        .into_iter()
        .map(|r| {
            let key = (r.document_id, r.id);
            (key, (r.coder_id, r.consensus, r.start, r.end, r.code_ids))
        })
        .collect();
    (read, some_undigested)
}

async fn digested(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM coding_digests")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn store_all(db: &Db, project: i64) {
    let mut tx = db::begin_write(db).await.unwrap();
    store_missing_digests(&mut tx, project, 1000).await.unwrap();
    tx.commit().await.unwrap();
}

async fn change(db: &Db, sql: &str) {
    let mut tx = db::begin_write(db).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Two coders and the consensus set over `documents` - 1 documents, excerpts with one
/// and two codes, and one document never coded. Returns (project, codes).
async fn coded_project(db: &Db, documents: i64) -> (i64, Vec<i64>) {
    let mut tx = db::begin_write(db).await.unwrap();
    let coders = [
        db::users::insert(&mut *tx, "ann", "!", false)
            .await
            .unwrap(),
        db::users::insert(&mut *tx, "bob", "!", false)
            .await
            .unwrap(),
    ];
    let project = db::projects::insert(&mut *tx, "P", "").await.unwrap();
    let mut codes = Vec::new();
    for name in ["a", "b", "c"] {
        let code = crate::db::test_rows::code(project, name);
        codes.push(db::codes::insert(&mut *tx, &code).await.unwrap());
    }
    let text = "x".repeat(100);
    for d in 0..documents {
        let new = crate::db::test_rows::document(project, &text);
        let document = db::documents::insert(&mut *tx, &new).await.unwrap();
        for k in 0..(if d == documents - 1 { 0 } else { 6i64 }) {
            let excerpt = NewExcerpt {
                project_id: project,
                document_id: document,
                coder_id: coders[(k % 2) as usize],
                consensus: k == 5,
                start: (d * 3 + k * 11) % 60,
                end: (d * 3 + k * 11) % 60 + 10 + k,
                memo: "",
            };
            let id = db::excerpts::insert(&mut *tx, &excerpt).await.unwrap().id;
            let mut applied = vec![(id, codes[(k % 3) as usize])];
            if k % 2 == 0 {
                applied.push((id, codes[((k + 1) % 3) as usize]));
            }
            db::excerpts::apply_project_codes(&mut tx, project, &applied)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    (project, codes)
}

#[tokio::test]
async fn digests_are_stored_a_few_documents_at_a_time_and_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let (project, _) = coded_project(&db, 4).await;
    let expected = truth(&db).await;
    assert_eq!(expected.len(), 18);
    assert_eq!(read(&db, project).await, (expected.clone(), true));

    let mut stored = Vec::new();
    loop {
        let mut tx = db::begin_write(&db).await.unwrap();
        let count = store_missing_digests(&mut tx, project, 2).await.unwrap();
        tx.commit().await.unwrap();
        stored.push(count);
        assert_eq!(read(&db, project).await.0, expected, "after {stored:?}");
        if count < 2 {
            break;
        }
    }
    // The never-coded document needs no digest: nothing of it is read either way.
    assert_eq!(stored, [2, 1]);
    assert_eq!(digested(&db).await, 3);
    assert_eq!(read(&db, project).await, (expected, false));
}

/// Every kind of change to the coding drops the digest of its document, so a read after
/// it (before and after the digests are stored again) says what the excerpts say.
#[tokio::test]
async fn every_change_to_the_coding_drops_its_documents_digest() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let (project, codes) = coded_project(&db, 4).await;
    let (a, c) = (codes[0], codes[2]);
    let changes = [
        "UPDATE excerpts SET start = start + 1, end = end + 7 WHERE id = 2".to_owned(),
        format!("INSERT INTO excerpt_codes (excerpt_id, code_id) VALUES (4, {c})"),
        format!("DELETE FROM excerpt_codes WHERE excerpt_id = 1 AND code_id = {a}"),
        format!("UPDATE excerpt_codes SET code_id = {c} WHERE excerpt_id = 10 AND code_id = {a}"),
        "DELETE FROM excerpts WHERE id = 8".to_owned(),
        format!(
            "INSERT INTO excerpts (project_id, document_id, coder_id, consensus, start, end, memo)
                 SELECT project_id, document_id, coder_id, 0, 1, 2, '' FROM excerpts WHERE id = 14;
                 INSERT INTO excerpt_codes (excerpt_id, code_id) VALUES (last_insert_rowid(), {a})"
        ),
        format!("DELETE FROM codes WHERE id = {c}"),
        "DELETE FROM documents WHERE id = (SELECT document_id FROM excerpts WHERE id = 3)"
            .to_owned(),
    ];
    let mut before = truth(&db).await;
    for sql in changes {
        store_all(&db, project).await;
        assert_eq!(read(&db, project).await, (before.clone(), false));
        change(&db, &sql).await;
        let after = truth(&db).await;
        assert_ne!(after, before, "the change changed the coding: {sql}");
        assert_eq!(read(&db, project).await.0, after, "right after: {sql}");
        store_all(&db, project).await;
        assert_eq!(
            read(&db, project).await,
            (after.clone(), false),
            "stored again: {sql}"
        );
        before = after;
    }
}

/// A memo is not part of the coding: editing it keeps the digest.
#[tokio::test]
async fn a_memo_edit_keeps_the_digest() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let (project, _) = coded_project(&db, 4).await;
    store_all(&db, project).await;
    change(&db, "UPDATE excerpts SET memo = 'why' WHERE id = 2").await;
    assert_eq!(digested(&db).await, 3);
}

/// With every document digested, the read touches no excerpt: documents by the project's
/// index, then a digest or (none, or marked) the document's excerpts by key.
#[tokio::test]
async fn the_read_never_scans_the_excerpts() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {}",
        DIGESTS_AND_UNDIGESTED_PAIRS.as_str()
    )))
    .bind(1)
    .fetch_all(&db)
    .await
    .unwrap();
    let details: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
    // Only the recount marks (empty after every commit) are scanned.
    let scans_only_marks = |d: &&str| !d.starts_with("SCAN") || d.ends_with("coverage_stale");
    assert!(details.iter().all(scans_only_marks), "{details:#?}");
    assert!(
        details.contains(&"SEARCH e USING COVERING INDEX excerpts_by_project_document (project_id=? AND document_id=?)"),
        "{details:#?}"
    );
}

/// A recode across more documents than the recount's few-documents plan takes marks only
/// `code_coverage_stale`, through the other plan: every digest still goes.
#[tokio::test]
async fn a_recode_across_many_documents_drops_every_digest() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let documents = crate::db::coverage::FEW_MARKED_DOCUMENTS as i64 + 9;
    let (project, codes) = coded_project(&db, documents).await;
    store_all(&db, project).await;
    assert_eq!(digested(&db).await, documents - 1);
    // Excerpts carrying b but not c (every coded document has some) move to c.
    let (b, c) = (codes[1], codes[2]);
    change(
        &db,
        &format!(
            "UPDATE excerpt_codes SET code_id = {c} WHERE code_id = {b} AND excerpt_id NOT IN
               (SELECT excerpt_id FROM excerpt_codes WHERE code_id = {c})"
        ),
    )
    .await;
    assert_eq!(digested(&db).await, 0);
    assert_eq!(read(&db, project).await, (truth(&db).await, true));
}

/// A write outside `db::Tx` (a `sqlite3` shell, say) leaves its marks uncounted until
/// the next write; until then the marked document's digest is not read.
#[tokio::test]
async fn a_digest_of_a_document_marked_by_a_write_outside_a_transaction_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::open(&dir.path().join("t.db")).await.unwrap();
    let (project, _) = coded_project(&db, 4).await;
    store_all(&db, project).await;
    sqlx::query("UPDATE excerpts SET end = end + 3 WHERE id = 2")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(digested(&db).await, 3, "nothing recounted yet");
    assert_eq!(read(&db, project).await, (truth(&db).await, true));
    // Storing again replaces it; the commit's recount then drops it with the marks.
    store_all(&db, project).await;
    assert_eq!(read(&db, project).await.0, truth(&db).await);
    store_all(&db, project).await;
    assert_eq!(read(&db, project).await, (truth(&db).await, false));
}
