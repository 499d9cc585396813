//! Imports and stored text: hostile files are refused, and what they could store stays fast
//! to list.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

/// A `.txt` file in which every line has its own speaker label, `Speaker{first}` on.
fn many_speakers(first: usize, count: usize) -> Vec<u8> {
    let mut text = String::new();
    for i in first..first + count {
        text.push_str(&format!("Speaker{i}: x\n"));
    }
    text.into_bytes()
}

#[tokio::test]
async fn eight_thousand_speakers_are_listed_quickly_by_an_indexed_query() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Crowd").await;
    // 8,000 labels, as the 1,000 a document may have in each of eight files.
    let files: Vec<(String, Vec<u8>)> = (0..8)
        .map(|n| (format!("crowd{n}.txt"), many_speakers(n * 1_000, 1_000)))
        .collect();
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let (status, body) = api.upload(project, &files, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, all) = api
        .get(&format!(
            "/projects/{project}/speakers?limit=1000&cursor=7000"
        ))
        .await;
    assert_eq!(all["speakers"].as_array().unwrap().len(), 1000, "{all}");

    // Before the fix each speaker counted its turns by scanning the project's turns:
    // 11.8 s for this file in a release build. Generous bounds, far below that.
    let started = Instant::now();
    let (status, body) = api
        .get(&format!("/projects/{project}/speakers?limit=1000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["speakers"].as_array().unwrap().len(), 1000);
    assert_eq!(body["speakers"][0]["turns"], 1);
    assert_eq!(body["speakers"][0]["documents"], 1);
    let api_time = started.elapsed();

    let browser = app.browser_signed_in("olga").await;
    let started = Instant::now();
    let (status, html) = browser.page(&format!("/projects/{project}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Speaker7999"));
    let page_time = started.elapsed();
    eprintln!("8,000 speakers: API page {api_time:?}, project page {page_time:?}");
    assert!(
        api_time < Duration::from_secs(4) && page_time < Duration::from_secs(4),
        "speakers API {api_time:?}, project page {page_time:?}"
    );

    // Structurally: one grouped pass over the covering index, no per-speaker subquery.
    let plan = explain(&app.db, project).await;
    assert!(
        plan.iter()
            .any(|step| step.contains("COVERING INDEX turns_by_document_speaker")),
        "{plan:#?}"
    );
    assert!(
        !plan.iter().any(|step| step.contains("CORRELATED")),
        "{plan:#?}"
    );
}

/// `EXPLAIN QUERY PLAN` rows are (id, parent, notused, detail).
async fn explain(db: &gloss::db::Db, project: i64) -> Vec<String> {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN QUERY PLAN {}",
        gloss::db::documents::SPEAKERS_SQL
    )))
    .bind(project)
    .fetch_all(db)
    .await
    .expect("query plan");
    rows.into_iter().map(|row| row.3).collect()
}

#[tokio::test]
async fn a_csv_whose_quotes_do_not_balance_is_refused_naming_the_row() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Quotes").await;
    let csv = b"transcript_id,text\n1,\"User: hello\n2,\"unterminated quote";
    let (status, body) = api.upload(project, &[("cut.csv", csv)], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("row 1 (line 2)"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    let documents = app.document_count().await;
    assert_eq!(documents, 0, "nothing imported");
}

#[tokio::test]
async fn a_truncated_word_document_is_refused() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Cut").await;
    let xml = "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>User: the first answer</w:t></w:r></w:p><w:p><w:r><w:t>AI: and";
    let docx = zip_of(&[
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", xml),
    ]);
    let (status, body) = api.upload(project, &[("cut.docx", &docx)], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("cut.docx"), "{message}");
    assert!(message.contains("cut off"), "{message}");
}

fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in members {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn control_characters_are_refused_in_memos_and_descriptions() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let (status, body) = api
        .post(
            "/projects",
            json!({ "name": "Bells", "description": "ring\u{7}\u{1b}[2J" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "description");
    let project = api.create_project("Plain").await;
    let (_, document) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Doc", "text": "User: hello there" }),
        )
        .await;
    let document = document["id"].as_i64().unwrap();
    let path = format!("/documents/{document}/excerpts");
    let (status, body) = api
        .post(
            &path,
            json!({ "start": 0, "end": 5, "code_ids": [], "memo": "\u{1b}]0;owned\u{7}" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("control character (U+001B)"),
        "{body}"
    );
    let (status, body) = api
        .post(
            &path,
            json!({ "start": 0, "end": 5, "code_ids": [], "memo": "tab\there\nnext line" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn documents_over_the_import_limits_are_refused_naming_the_limit() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Limits").await;
    let crowd = many_speakers(0, 1_001);
    let (status, body) = api.upload(project, &[("crowd.txt", &crowd)], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("1001 distinct speaker labels, more than the 1000"),
        "{message}"
    );
    let header: Vec<String> = (0..600).map(|i| format!("c{i}")).collect();
    let wide = format!("{},text\n", header.join(","));
    let (status, body) = api
        .upload(project, &[("wide.csv", wide.as_bytes())], &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 500")
    );
    // The same limits hold for text sent as JSON.
    let text: String = (0..1_001).map(|i| format!("Speaker{i}: x\n")).collect();
    let (status, body) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Crowd", "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Attributes sent beside the text count too, although no parser saw them.
    let attributes: serde_json::Map<String, serde_json::Value> =
        (0..201).map(|i| (format!("a{i}"), json!("v"))).collect();
    let (status, body) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Wide", "text": "User: hi", "attributes": attributes }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("200"),
        "{body}"
    );
    let documents = app.document_count().await;
    assert_eq!(documents, 0, "nothing was stored");
}

#[tokio::test]
async fn deeply_nested_json_and_oversized_batches_are_refused() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    // Bodies are typed (unknown fields refused), so nesting deeper than their schema
    // fails at the first unexpected bracket; serde_json caps anything else at 128 levels.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for body in [deep.clone(), format!("{{\"name\": {deep}}}")] {
        let started = Instant::now();
        let response = api
            .request(reqwest::Method::POST, "/projects")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, body) = crate::helpers::json_of(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    let project = api.create_project("Batch").await;
    let (_, document) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Doc", "text": "User: hello there" }),
        )
        .await;
    let document = document["id"].as_i64().unwrap();
    let excerpts: Vec<_> = (0..1_001)
        .map(|_| json!({ "start": 0, "end": 4, "code_ids": [] }))
        .collect();
    let (status, body) = api
        .post(
            &format!("/documents/{document}/excerpts/batch"),
            json!({ "excerpts": excerpts }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("1000"),
        "{body}"
    );
}

#[tokio::test]
async fn the_openapi_document_states_the_limits() {
    let app = spawn_app().await;
    let (_, document) =
        crate::helpers::json_of(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    let description = document["info"]["description"].as_str().unwrap();
    for fact in [
        "1000 distinct speaker labels",
        "500 columns",
        "5000 codes",
        "at most 1000 excerpts",
        "default 60 s",
        "413 before the body is read",
    ] {
        assert!(description.contains(fact), "{fact}: {description}");
    }
}

#[tokio::test]
async fn a_project_holds_at_most_the_codebook_limit_of_codes() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Codes").await;
    let limit = gloss::domain::codebook::MAX_CODES_PER_PROJECT;
    let mut csv = String::from("name\n");
    for i in 0..limit {
        csv.push_str(&format!("Code {i}\n"));
    }
    let response = api
        .request(
            reqwest::Method::POST,
            &format!("/projects/{project}/codebook.csv"),
        )
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let (status, body) = api
        .post(
            &format!("/projects/{project}/codes"),
            json!({ "name": "One more" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&limit.to_string())
    );
}
