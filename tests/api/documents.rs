//! Importing documents through the API, the web form and the CLI; reading and editing them.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Api, error_code, json_of, location, spawn_app, spawn_app_with};

const SEED: &[u8] = include_bytes!("../fixtures/work_0759.txt");
const WORKFORCE_EXCERPT: &[u8] = include_bytes!("../fixtures/anthropic_workforce_excerpt.csv");

pub async fn upload(
    api: &Api,
    project: i64,
    files: &[(&str, &[u8])],
    options: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = Form::new();
    for (name, value) in options {
        form = form.text(name.to_string(), value.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let response = api
        .request(Method::POST, &format!("/projects/{project}/documents"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    json_of(response).await
}

async fn document_count(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The code points `[start, end)` of `text`.
fn span(text: &str, start: &Value, end: &Value) -> String {
    let (start, end) = (
        start.as_u64().unwrap() as usize,
        end.as_u64().unwrap() as usize,
    );
    text.chars().skip(start).take(end - start).collect()
}

#[tokio::test]
async fn uploading_the_seed_keeps_title_attributes_speakers_and_repairs_mojibake() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Seed").await;

    let (status, summary) = upload(&api, project, &[("work_0759.txt", SEED)], &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    let id = summary["id"].as_i64().expect("single document id");
    assert_eq!(summary["files"][0]["repairs"], 1);
    assert_eq!(summary["files"][0]["format"], "speaker_text");
    assert_eq!(summary["documents"][0]["turns"], 19);

    let (status, doc) = api.get(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["title"], "Dialog 00355");
    assert_eq!(doc["attributes"]["Transcript ID"], "work_0759");
    assert_eq!(doc["external_id"], "work_0759");
    let text = doc["text"].as_str().unwrap();
    assert_eq!(
        doc["length"].as_u64().unwrap() as usize,
        text.chars().count()
    );
    assert!(
        text.contains("no right or wrong answers – we're"),
        "mojibake repaired"
    );
    assert!(!text.contains("â€"), "no mojibake left");
    assert!(
        !text.contains("Dialog 00355") && !text.contains("**Transcript ID:**"),
        "header is metadata, not text"
    );

    let turns = doc["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 19);
    assert_eq!(turns[0]["speaker"], "Assistant");
    assert_eq!(turns[0]["role"], "interviewer");
    assert_eq!(turns[1]["speaker"], "User");
    assert_eq!(turns[1]["role"], "participant");
    assert_eq!(turns[2]["speaker"], "AI");
    assert_eq!(turns[2]["role"], "interviewer");
    assert!(span(text, &turns[0]["start"], &turns[0]["end"]).starts_with("Hi there! I'm Claude"));
    assert_eq!(
        span(text, &turns[1]["start"], &turns[1]["end"]),
        "Sounds good! No questions, I'm ready to begin"
    );
}

#[tokio::test]
async fn json_text_is_parsed_like_a_txt_file_with_code_point_offsets() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Pasted").await;
    // "e" + U+0301 is normalised to "é" (one code point); emoji are one code point each.
    let text = "# Kitchen talk\n\n**Site:** Leeds\n\n---\n\nInterviewer: And then?\r\n\r\nUser: I love it 💛 and the cafe\u{301} 🥹\r\nreally 😂 yes\r\n";
    let (status, created) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": text, "attributes": { "Wave": "2" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, doc) = api.get(&format!("/documents/{}", created["id"])).await;
    assert_eq!(doc["title"], "Kitchen talk", "title from the header");
    assert_eq!(doc["attributes"]["Site"], "Leeds");
    assert_eq!(doc["attributes"]["Wave"], "2");
    let stored = doc["text"].as_str().unwrap();
    assert_eq!(
        stored,
        "And then?\n\nI love it 💛 and the café 🥹\nreally 😂 yes"
    );
    assert_eq!(
        doc["length"],
        50,
        "code points, not bytes ({}) or UTF-16 units ({})",
        stored.len(),
        stored.encode_utf16().count()
    );
    let turns = doc["turns"].as_array().unwrap();
    assert_eq!(
        (turns[1]["start"].as_u64(), turns[1]["end"].as_u64()),
        (Some(11), Some(50))
    );
    assert_eq!(
        span(stored, &turns[1]["start"], &turns[1]["end"]),
        "I love it 💛 and the café 🥹\nreally 😂 yes"
    );

    let (status, untitled) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "Just a note about the visit.\nNothing more." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, doc) = api.get(&format!("/documents/{}", untitled["id"])).await;
    assert_eq!(
        doc["title"], "Just a note about the visit.",
        "first line as title"
    );
    assert_eq!(doc["turns"], json!([]));
}

#[tokio::test]
async fn a_malformed_file_leaves_the_project_unchanged() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Atomic").await;
    let bad_csv =
        b"transcript_id,text\nok_1,\"User: fine\nAI: good\"\nbroken,\"User: a\",extra,fields\n";
    let (status, body) = upload(
        &api,
        project,
        &[("work_0759.txt", SEED), ("bad.csv", bad_csv)],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("bad.csv") && message.contains("row 2"),
        "names the file and row: {message}"
    );
    assert_eq!(
        document_count(&app).await,
        0,
        "the valid file was not imported either"
    );

    for (name, bytes, expect) in [
        ("empty.txt", &b""[..], "empty"),
        (
            "photo.txt",
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01"[..],
            "photo.txt",
        ),
        (
            "slides.pptx",
            &b"PK\x03\x04 not really a deck"[..],
            "slides.pptx",
        ),
    ] {
        let (status, body) = upload(&api, project, &[(name, bytes)], &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expect), "{name}: {message}");
    }
    // Several bad files in one upload: every one is named, so one round of fixes does.
    let (status, body) = upload(
        &api,
        project,
        &[
            ("empty.txt", &b""[..]),
            ("fine.txt", &b"User: hello"[..]),
            ("photo.txt", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..]),
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("2 files cannot be imported; nothing was imported.")
            && message.contains("“empty.txt” is empty")
            && message.contains("“photo.txt” is not a text file"),
        "{message}"
    );
    assert_eq!(document_count(&app).await, 0);
    let (status, body) = upload(&api, project, &[], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(document_count(&app).await, 0);
}

#[tokio::test]
async fn duplicates_are_refused_or_skipped_on_request() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Twice").await;
    let (status, first) = upload(&api, project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["documents"].as_array().unwrap().len(), 4);
    assert_eq!(first["documents"][0]["title"], "work_0000");

    let (status, body) = upload(&api, project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("“work_0000” in excerpt.csv (already in this project"),
        "names the id, the file and why: {message}"
    );
    assert_eq!(document_count(&app).await, 4);

    // Two files with the same name (from two folders): the second one's id is taken.
    let (status, body) = upload(
        &api,
        project,
        &[
            ("notes.txt", b"User: one".as_slice()),
            ("notes.txt", b"User: two".as_slice()),
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“notes.txt” in notes.txt (appears twice in this upload"),
        "{body}"
    );

    let (status, again) = upload(
        &api,
        project,
        &[("excerpt.csv", WORKFORCE_EXCERPT), ("work_0759.txt", SEED)],
        &[("skip_duplicates", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["documents"].as_array().unwrap().len(), 1);
    assert_eq!(again["skipped"].as_array().unwrap().len(), 4);
    assert_eq!(document_count(&app).await, 5);
}

#[tokio::test]
async fn csv_columns_can_be_chosen_and_unknown_ones_are_explained() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Columns").await;
    let csv = "code,site,interview\nP1,Leeds,\"User: hello there\nAI: and you?\"\nP2,York,\"User: fine thanks\nAI: good\"\n";
    let (status, body) = upload(
        &api,
        project,
        &[("survey.csv", csv.as_bytes())],
        &[("text_column", "transcript")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("interview"),
        "lists the available columns: {body}"
    );

    let (status, body) = upload(
        &api,
        project,
        &[("survey.csv", csv.as_bytes())],
        &[("text_column", "interview"), ("id_column", "code")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, list) = api.get(&format!("/projects/{project}/documents")).await;
    let docs = list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["title"], "P1");
    assert_eq!(docs[0]["attributes"], json!({ "site": "Leeds" }));
    assert_eq!(docs[1]["turn_count"], 2);

    let (_, filtered) = api
        .get(&format!(
            "/projects/{project}/documents?attribute=site:York"
        ))
        .await;
    assert_eq!(filtered["documents"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["documents"][0]["title"], "P2");
}

#[tokio::test]
async fn document_lists_paginate_in_stable_order() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Pages").await;
    upload(&api, project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[]).await;
    let (_, page1) = api
        .get(&format!("/projects/{project}/documents?limit=3"))
        .await;
    assert_eq!(page1["documents"].as_array().unwrap().len(), 3);
    let cursor = page1["next_cursor"]
        .as_str()
        .expect("more pages, with an opaque cursor");
    let (_, page2) = api
        .get(&format!(
            "/projects/{project}/documents?limit=3&cursor={cursor}"
        ))
        .await;
    assert_eq!(page2["documents"].as_array().unwrap().len(), 1);
    assert_eq!(page2["next_cursor"], Value::Null);
    let titles: Vec<&str> = page1["documents"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["documents"].as_array().unwrap())
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["work_0000", "work_0645", "work_0848", "work_0981"]);
}

#[tokio::test]
async fn uploads_over_the_limit_get_413() {
    let app = spawn_app_with(|s| s.max_upload_bytes = 16 * 1024).await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Small").await;
    let (status, body) = upload(&api, project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(error_code(&body), "payload_too_large");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("(16 KB at most)")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--max-upload-mb")
    );
    assert_eq!(document_count(&app).await, 0);
}

#[tokio::test]
async fn owners_edit_title_and_attributes_and_delete() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Edit").await;
    let (_, created) = upload(&api, project, &[("work_0759.txt", SEED)], &[]).await;
    let id = created["id"].as_i64().unwrap();

    let (status, doc) = api
        .patch(&format!("/documents/{id}"), json!({ "title": "Customer service rep", "attributes": { "Sector": "Retail", "Transcript ID": null } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["title"], "Customer service rep");
    assert_eq!(doc["attributes"], json!({ "Sector": "Retail" }));
    let (status, body) = api
        .patch(&format!("/documents/{id}"), json!({ "title": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = api
        .patch(&format!("/documents/{id}"), json!({ "text": "rewritten" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the text never changes after import"
    );

    let (status, _) = api.delete(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.get(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let turns: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM turns")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(turns, 0, "turns go with their document");
}

#[tokio::test]
async fn documents_are_invisible_to_non_members_and_read_only_for_others() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let coder = app.api_user("cody").await;
    let viewer = app.api_user("vera").await;
    let stranger = app.api_user("eve").await;
    let project = owner.create_project("Private").await;
    owner.add_member(project, "cody", "coder").await;
    owner.add_member(project, "vera", "viewer").await;
    let (_, created) = upload(&owner, project, &[("work_0759.txt", SEED)], &[]).await;
    let id = created["id"].as_i64().unwrap();

    for (method, path) in [
        (Method::GET, format!("/documents/{id}")),
        (Method::PATCH, format!("/documents/{id}")),
        (Method::DELETE, format!("/documents/{id}")),
        (Method::GET, format!("/projects/{project}/documents")),
        (Method::POST, format!("/projects/{project}/documents")),
        (Method::GET, format!("/projects/{project}/speakers")),
    ] {
        let response = stranger
            .request(method.clone(), &path)
            .json(&json!({ "text": "User: hi\nAI: hello" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let browser = app.browser_signed_in("eve").await;
    let (status, html) = browser.page(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Dialog 00355"));

    assert_eq!(
        viewer.get(&format!("/documents/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        coder.get(&format!("/documents/{id}")).await.0,
        StatusCode::OK
    );
    let (status, _) = coder
        .patch(&format!("/documents/{id}"), json!({ "title": "x" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer.delete(&format!("/documents/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = coder
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "User: hi\nAI: hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    owner
        .patch(&format!("/projects/{project}"), json!({ "archived": true }))
        .await;
    let (status, body) = owner
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "User: hi\nAI: hello" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "archived projects are read-only: {body}"
    );
}

#[tokio::test]
async fn speaker_roles_can_be_changed_per_project() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Roles").await;
    let (_, created) = upload(&api, project, &[("work_0759.txt", SEED)], &[]).await;
    let (_, speakers) = api.get(&format!("/projects/{project}/speakers")).await;
    let roles: Vec<(String, String)> = speakers["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["label"].as_str().unwrap().into(),
                s["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        vec![
            ("AI".into(), "interviewer".into()),
            ("Assistant".into(), "interviewer".into()),
            ("User".into(), "participant".into())
        ]
    );
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/AI"),
            json!({ "role": "participant" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, doc) = api.get(&format!("/documents/{}", created["id"])).await;
    assert_eq!(doc["turns"][2]["speaker"], "AI");
    assert_eq!(doc["turns"][2]["role"], "participant");
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/AI"),
            json!({ "role": "narrator" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = api
        .patch(
            &format!("/projects/{project}/speakers/Nobody"),
            json!({ "role": "participant" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_web_form_imports_and_the_pages_show_the_result() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    let api = app.api_for("olga").await;
    let project = api.create_project("Web").await;
    let browser = app.browser_signed_in("olga").await;
    let token = browser.csrf(&format!("/projects/{project}")).await;
    let hostile = "User: <script>alert('x')</script> & \"quotes\"\nAI: fine";
    let form = Form::new()
        .text("_csrf", token.clone())
        .part(
            "files",
            Part::bytes(SEED.to_vec()).file_name("work_0759.txt"),
        )
        .part(
            "files",
            Part::bytes(hostile.as_bytes().to_vec()).file_name("hostile.txt"),
        );
    let response = browser
        .client
        .post(browser.url(&format!("/projects/{project}/documents/import")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let summary_url = location(&response);
    assert!(summary_url.contains("/imports/"), "{summary_url}");
    let (status, summary) = browser.page(&summary_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(summary.contains("2 documents created"), "{summary}");
    assert!(summary.contains("1 garbled character sequence repaired"));
    assert!(summary.contains("Dialog 00355") && summary.contains("hostile"));

    let (_, page) = browser.page(&format!("/projects/{project}")).await;
    assert!(page.contains("Dialog 00355") && page.contains("Transcript ID"));
    let hostile_id: i64 =
        sqlx::query_scalar("SELECT id FROM documents WHERE source_name = 'hostile.txt'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (status, doc_page) = browser.page(&format!("/documents/{hostile_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !doc_page.contains("<script>alert"),
        "transcript text is escaped"
    );
    assert!(doc_page.contains("&#60;script&#62;alert"));

    // The page's upload script asks for JSON and gets a redirect target or an error.
    let json_form = Form::new()
        .text("_csrf", token.clone())
        .part("files", Part::bytes(Vec::new()).file_name("empty.txt"));
    let response = browser
        .client
        .post(browser.url(&format!("/projects/{project}/documents/import")))
        .header("accept", "application/json")
        .multipart(json_form)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("empty.txt")
    );

    let forged = Form::new().part("files", Part::bytes(SEED.to_vec()).file_name("forged.txt"));
    let response = browser
        .client
        .post(browser.url(&format!("/projects/{project}/documents/import")))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "multipart forms need the CSRF field too"
    );
    assert_eq!(document_count(&app).await, 2);
}

#[tokio::test]
async fn the_document_page_renders_a_long_transcript() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    let api = app.api_for("olga").await;
    let project = api.create_project("Long").await;
    let turn = "User: ".to_string()
        + &"A long answer with many words. ".repeat(100)
        + "\nAI: Thank you.\n";
    let text = turn.repeat(100); // about 320,000 characters
    let (status, created) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "title": "Long", "text": text }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let browser = app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&format!("/documents/{}", created["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"turn role-participant\"").count(), 100);
    assert_eq!(html.matches("class=\"turn role-interviewer\"").count(), 100);
}

#[tokio::test]
async fn the_whole_workforce_data_set_imports_in_one_go() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/anthropic_interviewer/workforce_transcripts.csv");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipping: {} is not available", path.display());
        return;
    };
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Workforce").await;
    let (status, summary) =
        upload(&api, project, &[("workforce_transcripts.csv", &bytes)], &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(summary["documents"].as_array().unwrap().len(), 1000);
    assert_eq!(summary["documents"][0]["title"], "work_0000");
    assert_eq!(document_count(&app).await, 1000);
}

fn tiny_docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer.start_file("[Content_Types].xml", options).unwrap();
    writer
        .write_all(b"<?xml version=\"1.0\"?><Types/>")
        .unwrap();
    writer.start_file("word/document.xml", options).unwrap();
    writer.write_all(xml.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn subtitles_keep_turn_times_and_word_documents_keep_speakers() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Formats").await;
    let vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n<v Interviewer>How did it start?\n\n00:00:04.000 --> 00:00:06.000\n<v Maria>With a phone call.\n\n00:00:06.000 --> 00:00:09.250\n<v Maria>Then a meeting.\n";
    let srt = "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Ready?\n\n2\n00:00:02,500 --> 00:00:04,000\nSam: Yes.\n";
    let docx = tiny_docx(&[
        "Interviewer: Tell me about the café.",
        "Ana: It is small 💛 and busy.",
        "Interviewer: Busy when?",
        "Ana: Mornings.",
    ]);
    let (status, summary) = upload(
        &api,
        project,
        &[
            ("zoom.vtt", vtt.as_bytes()),
            ("teams.srt", srt.as_bytes()),
            ("notes.docx", &docx),
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{summary}");
    let formats: Vec<&str> = summary["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["webvtt", "srt", "docx"]);

    let (_, vtt_doc) = api
        .get(&format!("/documents/{}", summary["documents"][0]["id"]))
        .await;
    let turns = vtt_doc["turns"].as_array().unwrap();
    assert_eq!(
        turns.len(),
        2,
        "consecutive cues of one speaker merge: {vtt_doc}"
    );
    assert_eq!(turns[1]["speaker"], "Maria");
    assert_eq!(turns[1]["start_time"], 4.0);
    assert_eq!(turns[1]["end_time"], 9.25);
    assert_eq!(
        span(
            vtt_doc["text"].as_str().unwrap(),
            &turns[1]["start"],
            &turns[1]["end"]
        ),
        "With a phone call. Then a meeting."
    );

    let (_, srt_doc) = api
        .get(&format!("/documents/{}", summary["documents"][1]["id"]))
        .await;
    assert_eq!(srt_doc["turns"][1]["speaker"], "Sam");
    assert_eq!(srt_doc["turns"][1]["start_time"], 2.5);

    let (_, docx_doc) = api
        .get(&format!("/documents/{}", summary["documents"][2]["id"]))
        .await;
    let turns = docx_doc["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 4);
    assert_eq!(turns[1]["speaker"], "Ana");
    assert_eq!(
        span(
            docx_doc["text"].as_str().unwrap(),
            &turns[1]["start"],
            &turns[1]["end"]
        ),
        "It is small 💛 and busy."
    );
}

#[tokio::test]
async fn imports_refuse_what_no_transcript_contains() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Limits").await;
    let path = format!("/projects/{project}/documents");
    let cases = [
        json!({ "title": "x", "text": "User: hi\nAI: hello", "attributes": { "a\u{0}b": "v" } }),
        json!({ "title": "x", "text": "User: hi\nAI: hello", "attributes": { "site": "x".repeat(100_001) } }),
        json!({ "title": "x", "text": "User: hi\nAI: hello", "attributes": { "n".repeat(201): "v" } }),
        json!({ "title": "x", "text": "hello\u{0}there", "turns": [{ "speaker": "P", "start": 0, "end": 5 }] }),
        json!({ "title": "x", "text": "hello there", "turns": [{ "speaker": "P", "start": 0, "end": 5, "start_time": 1e300 }] }),
        json!({ "title": "x", "text": "hello there", "turns": [{ "speaker": "P\nQ", "start": 0, "end": 5 }] }),
    ];
    for body in cases {
        let (status, error) = api.post(&path, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    }
    assert_eq!(document_count(&app).await, 0);
    let (status, created) = api
        .post(
            &path,
            json!({ "title": "A\u{0}title\u{7}", "text": "User: hi\nAI: hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        created["documents"][0]["title"], "Atitle",
        "control characters are dropped from titles"
    );
}

/// Survey exports name columns like `Q1: age`; a `name:value` filter still finds them, in
/// the document list, the export and the agreement report alike.
#[tokio::test]
async fn attribute_filters_work_when_names_contain_colons() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Survey").await;
    let csv = "id,Q1: age,text\nr1,30-39,User: hello\nr2,40-49,User: hi\n";
    let (status, body) = upload(&api, project, &[("survey.csv", csv.as_bytes())], &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let filter = "attribute=Q1%3A%20age%3A30-39";
    let (_, listed) = api
        .get(&format!("/projects/{project}/documents?{filter}"))
        .await;
    let titles: Vec<&str> = listed["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["r1"]);

    let (_, code) = api
        .post(
            &format!("/projects/{project}/codes"),
            json!({ "name": "Greeting" }),
        )
        .await;
    let (_, all) = api.get(&format!("/projects/{project}/documents")).await;
    for document in all["documents"].as_array().unwrap() {
        let (status, _) = api
            .post(
                &format!("/documents/{}/excerpts", document["id"]),
                json!({ "start": 0, "end": 5, "code_ids": [code["id"]] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let response = api
        .request(
            Method::GET,
            &format!("/projects/{project}/excerpts.csv?{filter}"),
        )
        .send()
        .await
        .unwrap();
    let csv = response.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "header and r1's excerpt: {csv}");
    let (status, report) = api
        .get(&format!(
            "/projects/{project}/agreement?coders=olga,consensus&{filter}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["documents"], 1);
}
