//! Availability and hardening (issue 16): work that grows with hostile input stays bounded,
//! and the server keeps answering while someone tries.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;

use crate::documents::upload;
use crate::helpers::{Browser, PASSWORD, spawn_app, spawn_app_with};

/// A `.txt` file in which every line has its own speaker label.
fn many_speakers(count: usize) -> Vec<u8> {
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!("Speaker{i}: x\n"));
    }
    text.into_bytes()
}

#[tokio::test]
async fn eight_thousand_speakers_are_listed_quickly_by_an_indexed_query() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Crowd").await;
    let file = many_speakers(8_000);
    let (status, body) = upload(&api, project, &[("crowd.txt", &file)], &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

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
    let (status, body) = upload(&api, project, &[("cut.csv", csv)], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("row 1 (line 2)"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    let documents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&app.db)
        .await
        .unwrap();
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
    let (status, body) = upload(&api, project, &[("cut.docx", &docx)], &[]).await;
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
async fn secure_cookies_also_send_hsts() {
    let plain = spawn_app().await;
    let response = reqwest::get(plain.url("/healthz")).await.unwrap();
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    let secure = spawn_app_with(|s| s.secure_cookies = true).await;
    for path in ["/healthz", "/login", "/no-such-page"] {
        let response = reqwest::get(secure.url(path)).await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

async fn session_rows(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn showing_the_sign_in_and_set_up_forms_stores_no_session() {
    let app = spawn_app().await;
    for _ in 0..30 {
        let response = reqwest::get(app.url("/setup")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    app.create_user("alice", false).await;
    for _ in 0..50 {
        let response = reqwest::get(app.url("/login")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("gloss_form="), "{cookie}");
    }
    assert_eq!(session_rows(&app).await, 0, "no anonymous session rows");

    // Signing in still works, and only then is a session stored.
    let browser = Browser::new(&app.base);
    let response = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&app).await, 1);
    let (status, _) = browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_sign_in_form_refuses_missing_forged_and_foreign_tokens() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);
    let token = browser.csrf("/login").await;
    let (expires, rest) = token.split_once('.').unwrap();
    let forged_mac = format!("{}.{}", rest.rsplit_once('.').unwrap().0, "0".repeat(64));
    let later = format!(
        "{}{}",
        expires.parse::<i64>().unwrap() + 86_400,
        &token[expires.len()..]
    );
    let attempts: Vec<(Option<String>, Option<String>)> = vec![
        // No token in the form; a token that is not the cookie's; a forged MAC in both;
        // an extended expiry in both; no cookie at all.
        (Some(token.clone()), None),
        (
            Some(token.clone()),
            Some(Browser::new(&app.base).csrf("/login").await),
        ),
        (
            Some(format!("{expires}.{forged_mac}")),
            Some(format!("{expires}.{forged_mac}")),
        ),
        (Some(later.clone()), Some(later)),
        (None, Some(token.clone())),
    ];
    for (cookie, field) in attempts {
        let mut request = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url("/login"));
        if let Some(cookie) = &cookie {
            request = request.header(COOKIE, format!("gloss_form={cookie}"));
        }
        let mut form = vec![("username", "alice"), ("password", PASSWORD)];
        if let Some(field) = &field {
            form.push(("_csrf", field));
        }
        let response = request.form(&form).send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{cookie:?} {field:?}"
        );
    }
    assert_eq!(session_rows(&app).await, 0);
    // The genuine pair works.
    let response = browser
        .client
        .post(browser.url("/login"))
        .form(&[
            ("username", "alice"),
            ("password", PASSWORD),
            ("_csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
