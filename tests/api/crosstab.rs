//! Crosstabs through HTTP: code × attribute value and code × document with known
//! answers, blind isolation, the excerpts behind a cell, CSV formula safety, bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Study, error_code, study};

const TEXT: &str = "Nurses trust the tool for drafts and notes.";

struct World {
    s: Study,
    trust: i64,
    doubt: i64,
    /// P2 and P4 are nurses, P3 a teacher; the study's P1 has no occupation.
    p2: i64,
    p3: i64,
}

async fn document(s: &Study, title: &str, occupation: &str) -> i64 {
    let body = json!({ "title": title, "text": TEXT, "attributes": { "occupation": occupation } });
    let (status, created) = s
        .owner
        .post(&format!("/projects/{}/documents", s.project), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().unwrap()
}

/// Trust: alice [0,10) and [5,15) on P2, bob [0,10) on P2, alice [0,4) on P3 and
/// [0,5) on P1. Doubt: bob [20,30) on P3.
async fn world() -> World {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let doubt = s.code(&s.owner, "Doubt").await;
    let p2 = document(&s, "P2", "nurse").await;
    let p3 = document(&s, "P3", "teacher").await;
    document(&s, "P4", "nurse").await;
    s.alice.create_excerpt(p2, 0, 10, &[trust]).await;
    s.alice.create_excerpt(p2, 5, 15, &[trust]).await;
    s.bob.create_excerpt(p2, 0, 10, &[trust]).await;
    s.alice.create_excerpt(p3, 0, 4, &[trust]).await;
    s.alice.create_excerpt(s.document, 0, 5, &[trust]).await;
    s.bob.create_excerpt(p3, 20, 30, &[doubt]).await;
    World {
        s,
        trust,
        doubt,
        p2,
        p3,
    }
}

async fn crosstab(w: &World, who: &crate::helpers::Api, query: &str) -> Value {
    let (status, body) = who
        .get(&format!("/projects/{}/crosstab?{query}", w.s.project))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn column(t: &Value, value: &str) -> usize {
    t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["value"] == value)
        .unwrap_or_else(|| panic!("no column {value}: {t}"))
}

/// `(excerpts, documents, share, characters)`, zeros when absent.
fn cell(t: &Value, code: i64, column: usize) -> (u64, u64, f64, u64) {
    t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code_id"] == code && c["column"] == column)
        .map_or((0, 0, 0.0, 0), |c| {
            let n = |k: &str| c[k].as_u64().unwrap();
            (
                n("excerpts"),
                n("documents"),
                c["share"].as_f64().unwrap(),
                n("characters"),
            )
        })
}

#[tokio::test]
async fn code_by_attribute_counts_excerpts_share_and_characters() {
    let w = world().await;
    let t = crosstab(&w, &w.s.owner, "attribute=occupation").await;
    assert_eq!(t["attribute"], "occupation");
    let (nurse, teacher) = (column(&t, "nurse"), column(&t, "teacher"));
    assert_eq!(
        t["columns"].as_array().unwrap().len(),
        2,
        "P1 has no occupation"
    );
    assert_eq!(t["columns"][nurse]["documents"], 2);
    // alice's two overlapping excerpts cover 15 code points, bob's adds its 10.
    assert_eq!(cell(&t, w.trust, nurse), (3, 1, 0.5, 25));
    assert_eq!(cell(&t, w.trust, teacher), (1, 1, 1.0, 4));
    assert_eq!(cell(&t, w.doubt, teacher), (1, 1, 1.0, 10));
    assert_eq!(cell(&t, w.doubt, nurse), (0, 0, 0.0, 0));
    let alice = crosstab(&w, &w.s.owner, "attribute=occupation&coders=alice").await;
    assert_eq!(cell(&alice, w.trust, nurse), (2, 1, 0.5, 15));
    assert_eq!(alice["coders"], json!(["alice"]));
}

#[tokio::test]
async fn code_by_document_has_a_column_per_document() {
    let w = world().await;
    let t = crosstab(&w, &w.s.owner, "").await;
    assert_eq!(t["attribute"], Value::Null);
    let titles: Vec<&str> = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["P1", "P2", "P3", "P4"]);
    assert_eq!(t["columns"][1]["document_id"], w.p2);
    assert_eq!(cell(&t, w.trust, 0), (1, 1, 1.0, 5));
    assert_eq!(cell(&t, w.trust, 1), (3, 1, 1.0, 25));
    assert_eq!(cell(&t, w.trust, 3), (0, 0, 0.0, 0));
}

#[tokio::test]
async fn a_blind_coder_sees_only_their_own_counts() {
    let w = world().await;
    w.s.code_blind().await;
    let t = crosstab(&w, &w.s.bob, "attribute=occupation").await;
    assert_eq!(t["coders"], json!(["bob"]));
    assert_eq!(cell(&t, w.trust, column(&t, "nurse")), (1, 1, 0.5, 10));
    assert_eq!(cell(&t, w.trust, column(&t, "teacher")), (0, 0, 0.0, 0));
    let base = format!("/projects/{}/crosstab", w.s.project);
    for path in [
        format!("{base}?coders=alice"),
        format!("{base}.csv?coders=alice"),
        format!(
            "{base}/passages?coders=alice&code={}&document={}",
            w.trust, w.p2
        ),
    ] {
        let (status, body) = w.s.bob.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (_, cell) =
        w.s.bob
            .get(&format!(
                "{base}/passages?code={}&document={}",
                w.trust, w.p2
            ))
            .await;
    assert_eq!(cell["count"], 1, "{cell}");
    assert_eq!(cell["excerpts"][0]["coder"], "bob");
}

#[tokio::test]
async fn a_cell_lists_its_excerpts() {
    let w = world().await;
    let base = format!("/projects/{}/crosstab/passages", w.s.project);
    let (status, c) =
        w.s.owner
            .get(&format!(
                "{base}?attribute=occupation&value=nurse&code={}",
                w.trust
            ))
            .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        (c["count"].as_u64(), c["column"]["value"].as_str()),
        (Some(3), Some("nurse"))
    );
    let listed: Vec<(String, String)> = c["excerpts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["coder"].as_str().unwrap().into(),
                e["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    let text = |a: usize, b: usize| TEXT[a..b].to_owned();
    let mut expected = vec![
        ("alice".to_owned(), text(0, 10)),
        ("bob".to_owned(), text(0, 10)),
        ("alice".to_owned(), text(5, 15)),
    ];
    let mut sorted = listed.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    assert_eq!(listed[2].1, text(5, 15), "in reading order");
    let (_, d) =
        w.s.owner
            .get(&format!("{base}?code={}&document={}", w.doubt, w.p3))
            .await;
    assert_eq!(d["excerpts"][0]["text"], text(20, 30));
    assert_eq!(d["excerpts"][0]["document_title"], "P3");
}

#[tokio::test]
async fn the_csv_is_formula_safe() {
    let w = world().await;
    let formula = w.s.code(&w.s.owner, "+SUM(A1)").await;
    let p5 = document(&w.s, "P5", "=cmd|'/c calc'!A1").await;
    w.s.alice.create_excerpt(p5, 0, 6, &[formula]).await;
    let response =
        w.s.owner
            .request(
                Method::GET,
                &format!(
                    "/projects/{}/crosstab.csv?attribute=occupation",
                    w.s.project
                ),
            )
            .send()
            .await
            .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(&reader.headers().unwrap()[3], "occupation");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4, "{body}");
    let row = rows
        .iter()
        .find(|r| &r[0] == formula.to_string().as_str())
        .unwrap();
    assert_eq!((&row[1], &row[3]), ("'+SUM(A1)", "'=cmd|'/c calc'!A1"));
    assert_eq!((&row[4], &row[7], &row[8]), ("1", "1.0000", "6"));
}

#[tokio::test]
async fn bad_parameters_are_422_naming_the_field() {
    let w = world().await;
    let base = format!("/projects/{}/crosstab", w.s.project);
    let t = w.trust;
    for (path, field) in [
        (format!("{base}?attribute=wave"), "attribute"),
        (format!("{base}.csv?attribute=wave"), "attribute"),
        (format!("{base}?coders=nobody"), "coders"),
        (format!("{base}/passages?code=x&document={}", w.p2), "code"),
        (format!("{base}/passages?code={t}&document=abc"), "document"),
        (format!("{base}/passages?code={t}"), "document"),
        (
            format!("{base}/passages?attribute=occupation&code={t}&value=pilot"),
            "value",
        ),
    ] {
        let (status, body) = w.s.owner.get(&path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(error_code(&body), "invalid", "{path}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
    }
}

/// The counts behind the tables are kept by the database (`code_coverage`): a change made
/// outside the server's transactions (here a code taken off an excerpt in SQL) marks the
/// document, the tables count a marked document from its excerpts, and the next write
/// recounts it.
#[tokio::test]
async fn a_document_marked_stale_is_counted_from_its_excerpts_until_the_next_write() {
    let w = world().await;
    let stale = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM code_coverage_stale")
            .fetch_one(&w.s.app.db)
            .await
            .unwrap()
    };
    assert_eq!(stale().await, 0, "every write recounted what it marked");
    sqlx::query(
        "DELETE FROM excerpt_codes WHERE excerpt_id =
           (SELECT id FROM excerpts WHERE document_id = ? AND start = 5)",
    )
    .bind(w.p2)
    .execute(&w.s.app.db)
    .await
    .unwrap();
    assert_eq!(stale().await, 1, "marked by the trigger on excerpt_codes");
    check_after_the_code_went(&w, "marked").await;
    w.s.bob
        .create_excerpt(w.s.document, 10, 12, &[w.doubt])
        .await;
    assert_eq!(stale().await, 0, "the next write recounted it");
    check_after_the_code_went(&w, "recounted").await;
}

async fn check_after_the_code_went(w: &World, step: &str) {
    let t = crosstab(w, &w.s.owner, "attribute=occupation").await;
    // alice's [0,10) and bob's [0,10): 20 code points; alice's [5,15) lost the code.
    let nurse = column(&t, "nurse");
    assert_eq!(cell(&t, w.trust, nurse), (2, 1, 0.5, 20), "{step}");
    let alice = crosstab(w, &w.s.owner, "attribute=occupation&coders=alice").await;
    assert_eq!(cell(&alice, w.trust, nurse), (1, 1, 0.5, 10), "{step}");
    assert_eq!(
        cell(&t, w.doubt, column(&t, "teacher")),
        (1, 1, 1.0, 10),
        "{step}"
    );
}

/// An excerpt moved outside the server's transactions (SQL straight to the file) marks
/// the row of every code it carries in its set, not only its document, so the next write
/// elsewhere recounts that row and the tables show the moved span's characters.
#[tokio::test]
async fn a_moved_excerpt_marks_the_counts_of_its_codes() {
    let w = world().await;
    let teacher_doubt = |t: &Value| cell(t, w.doubt, column(t, "teacher"));
    let before = crosstab(&w, &w.s.owner, "attribute=occupation").await;
    assert_eq!(teacher_doubt(&before), (1, 1, 1.0, 10), "bob's [20,30)");
    sqlx::query("UPDATE excerpts SET end = 36 WHERE document_id = ? AND start = 20")
        .bind(w.p3)
        .execute(&w.s.app.db)
        .await
        .unwrap();
    let marks: Vec<(i64, i64)> =
        sqlx::query_as("SELECT document_id, code_id FROM code_coverage_stale")
            .fetch_all(&w.s.app.db)
            .await
            .unwrap();
    assert_eq!(marks, vec![(w.p3, w.doubt)], "the moved excerpt's code row");
    let marked = crosstab(&w, &w.s.owner, "attribute=occupation").await;
    assert_eq!(
        teacher_doubt(&marked),
        (1, 1, 1.0, 16),
        "counted while marked"
    );
    // A write in another document recounts the marked row too.
    w.s.alice.create_excerpt(w.p2, 20, 22, &[w.doubt]).await;
    let recounted = crosstab(&w, &w.s.owner, "attribute=occupation&coders=bob").await;
    assert_eq!(
        teacher_doubt(&recounted),
        (1, 1, 1.0, 16),
        "kept after the recount"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM code_coverage_stale")
        .fetch_one(&w.s.app.db)
        .await
        .unwrap();
    assert_eq!(left, 0, "the recount cleared the marks");
}
