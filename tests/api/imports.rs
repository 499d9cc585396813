//! Importing documents through the API and the web form: speaker transcripts (with
//! mojibake repaired), JSON text, CSV data sets, subtitles and Word files; all or nothing,
//! duplicates, limits, and the errors that name what to fix.

use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{
    Browser, SEED, WORKFORCE_EXCERPT, error_code, error_of, json_of, location, spawn_app,
    spawn_app_with,
};

#[tokio::test]
async fn uploading_the_seed_keeps_title_attributes_speakers_and_repairs_mojibake() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Seed").await;

    let summary = api.import(project, &[("work_0759.txt", SEED)], &[]).await;
    let id = summary.id.expect("single document id");
    assert_eq!(summary.files[0].repairs, 1);
    assert_eq!(summary.files[0].format, "speaker_text");
    assert_eq!(summary.documents[0].turns, 19);

    let doc = api.document(id).await;
    assert_eq!(doc.title, "Dialog 00355");
    assert_eq!(doc.attributes["Transcript ID"], "work_0759");
    assert_eq!(doc.external_id.as_deref(), Some("work_0759"));
    assert_eq!(doc.length, doc.text.chars().count());
    assert!(
        doc.text.contains("no right or wrong answers – we're"),
        "mojibake repaired"
    );
    assert!(!doc.text.contains("â€"), "no mojibake left");
    assert!(
        !doc.text.contains("Dialog 00355") && !doc.text.contains("**Transcript ID:**"),
        "header is metadata, not text"
    );

    let turns = &doc.turns;
    assert_eq!(turns.len(), 19);
    assert_eq!(turns[0].speaker, "Assistant");
    assert_eq!(turns[0].role, "interviewer");
    assert_eq!(turns[1].speaker, "User");
    assert_eq!(turns[1].role, "participant");
    assert_eq!(turns[2].speaker, "AI");
    assert_eq!(turns[2].role, "interviewer");
    assert!(doc.turn_text(0).starts_with("Hi there! I'm Claude"));
    assert_eq!(
        doc.turn_text(1),
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
    let doc = api.document(created["id"].as_i64().expect("id")).await;
    assert_eq!(doc.title, "Kitchen talk", "title from the header");
    assert_eq!(doc.attributes["Site"], "Leeds");
    assert_eq!(doc.attributes["Wave"], "2");
    let stored = doc.text.as_str();
    assert_eq!(
        stored,
        "And then?\n\nI love it 💛 and the café 🥹\nreally 😂 yes"
    );
    assert_eq!(
        doc.length,
        50,
        "code points, not bytes ({}) or UTF-16 units ({})",
        stored.len(),
        stored.encode_utf16().count()
    );
    assert_eq!((doc.turns[1].start, doc.turns[1].end), (11, 50));
    assert_eq!(
        doc.turn_text(1),
        "I love it 💛 and the café 🥹\nreally 😂 yes"
    );

    let (status, untitled) = api
        .post(
            &format!("/projects/{project}/documents"),
            json!({ "text": "Just a note about the visit.\nNothing more." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let doc = api.document(untitled["id"].as_i64().expect("id")).await;
    assert_eq!(
        doc.title, "Just a note about the visit.",
        "first line as title"
    );
    assert!(doc.turns.is_empty(), "no turns: {:?}", doc.turns);
}

#[tokio::test]
async fn a_malformed_file_leaves_the_project_unchanged() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Atomic").await;
    let bad_csv =
        b"transcript_id,text\nok_1,\"User: fine\nAI: good\"\nbroken,\"User: a\",extra,fields\n";
    let (status, body) = api
        .upload(
            project,
            &[("work_0759.txt", SEED), ("bad.csv", bad_csv)],
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = error_of(&body).message;
    assert!(
        message.contains("bad.csv") && message.contains("row 2"),
        "names the file and row: {message}"
    );
    assert_eq!(
        app.document_count().await,
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
        let (status, body) = api.upload(project, &[(name, bytes)], &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        let message = error_of(&body).message;
        assert!(message.contains(expect), "{name}: {message}");
    }
    // Several bad files in one upload: every one is named, so one round of fixes does.
    let (status, body) = api
        .upload(
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
    let message = error_of(&body).message;
    assert!(
        message.starts_with("2 files cannot be imported; nothing was imported.")
            && message.contains("“empty.txt” is empty")
            && message.contains("“photo.txt” is not a text file"),
        "{message}"
    );
    assert_eq!(app.document_count().await, 0);
    let (status, body) = api.upload(project, &[], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.document_count().await, 0);
}

#[tokio::test]
async fn duplicates_are_refused_or_skipped_on_request() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Twice").await;
    let first = api
        .import(project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[])
        .await;
    assert_eq!(first.documents.len(), 4);
    assert_eq!(first.documents[0].title, "work_0000");

    let (status, body) = api
        .upload(project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let message = error_of(&body).message;
    assert!(
        message.contains("“work_0000” in excerpt.csv (already in this project"),
        "names the id, the file and why: {message}"
    );
    assert_eq!(app.document_count().await, 4);

    // Two files with the same name (from two folders): the second one's id is taken.
    let (status, body) = api
        .upload(
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
        error_of(&body)
            .message
            .contains("“notes.txt” in notes.txt (appears twice in this upload"),
        "{body}"
    );

    let again = api
        .import(
            project,
            &[("excerpt.csv", WORKFORCE_EXCERPT), ("work_0759.txt", SEED)],
            &[("skip_duplicates", "true")],
        )
        .await;
    assert_eq!(again.documents.len(), 1);
    assert_eq!(again.skipped.len(), 4);
    assert_eq!(app.document_count().await, 5);
    // The file rows agree with the headline: they count what was created, and the skips.
    let created: usize = again.files.iter().map(|f| f.documents).sum();
    let turns: usize = again.files.iter().map(|f| f.turns).sum();
    let skipped: usize = again.files.iter().map(|f| f.skipped).sum();
    assert_eq!(created, again.documents.len());
    assert_eq!(
        turns,
        again.documents.iter().map(|d| d.turns).sum::<usize>()
    );
    assert_eq!(skipped, again.skipped.len());
    let csv_row = again
        .files
        .iter()
        .find(|f| f.name == "excerpt.csv")
        .unwrap();
    assert_eq!(
        (csv_row.documents, csv_row.turns, csv_row.skipped),
        (0, 0, 4)
    );

    // Skipped documents add nothing, not even their speaker labels.
    let speakers = |db: gloss::service::Db| async move {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM speakers")
            .fetch_one(&db)
            .await
            .unwrap();
        n
    };
    let before = speakers(app.db.clone()).await;
    let skipped_only = api
        .import(
            project,
            &[(
                "dup.txt",
                b"Ghost: boo
Spectre: hi
Ghost: again
"
                .as_slice(),
            )],
            &[("skip_duplicates", "true")],
        )
        .await;
    assert_eq!(skipped_only.documents.len(), 1, "first time it is new");
    let after_first = speakers(app.db.clone()).await;
    assert!(after_first > before);
    let skipped = api
        .import(
            project,
            &[(
                "dup.txt",
                b"Ghost: boo
Phantom: hi
Ghost: again
"
                .as_slice(),
            )],
            &[("skip_duplicates", "true")],
        )
        .await;
    assert_eq!(skipped.skipped.len(), 1);
    assert_eq!(
        speakers(app.db.clone()).await,
        after_first,
        "no phantom speaker from a skipped document"
    );
}

#[tokio::test]
async fn csv_columns_can_be_chosen_and_unknown_ones_are_explained() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Columns").await;
    let csv = "code,site,interview\nP1,Leeds,\"User: hello there\nAI: and you?\"\nP2,York,\"User: fine thanks\nAI: good\"\n";
    let (status, body) = api
        .upload(
            project,
            &[("survey.csv", csv.as_bytes())],
            &[("text_column", "transcript")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_of(&body).message.contains("interview"),
        "lists the available columns: {body}"
    );

    api.import(
        project,
        &[("survey.csv", csv.as_bytes())],
        &[("text_column", "interview"), ("id_column", "code")],
    )
    .await;
    let docs = api.documents(project, "").await.items;
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].title, "P1");
    assert_eq!(json!(docs[0].attributes), json!({ "site": "Leeds" }));
    assert_eq!(docs[1].turn_count, 2);

    let filtered = api.documents(project, "?attribute=site:York").await.items;
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].title, "P2");
}

#[tokio::test]
async fn uploads_over_the_limit_get_413() {
    let app = spawn_app_with(|s| s.max_upload_bytes = 16 * 1024).await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Small").await;
    let (status, body) = api
        .upload(project, &[("excerpt.csv", WORKFORCE_EXCERPT)], &[])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(error_code(&body), "payload_too_large");
    let message = error_of(&body).message;
    assert!(message.contains("(16 KB at most)"), "{message}");
    assert!(message.contains("--max-upload-mb"), "{message}");
    assert_eq!(app.document_count().await, 0);
}

/// Posts the project page's import form (multipart) as the browser does, asking for JSON
/// when `json` is set (the page's upload script does).
async fn post_import_form(browser: &Browser, project: i64, form: Form, json: bool) -> Response {
    let mut request = browser
        .client
        .post(browser.url(&format!("/projects/{project}/documents/import")));
    if json {
        request = request.header("accept", "application/json");
    }
    request.multipart(form).send().await.unwrap()
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
    let response = post_import_form(&browser, project, form, false).await;
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
    let response = post_import_form(&browser, project, json_form, true).await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&body).message.contains("empty.txt"), "{body}");

    let forged = Form::new().part("files", Part::bytes(SEED.to_vec()).file_name("forged.txt"));
    let response = post_import_form(&browser, project, forged, false).await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "multipart forms need the CSRF field too"
    );
    assert_eq!(app.document_count().await, 2);
}

#[tokio::test]
async fn the_whole_workforce_data_set_imports_in_one_go() {
    let Some(bytes) =
        crate::ci::shared_corpus_file("anthropic_interviewer/workforce_transcripts.csv")
    else {
        return;
    };
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Workforce").await;
    let summary = api
        .import(project, &[("workforce_transcripts.csv", &bytes)], &[])
        .await;
    assert_eq!(summary.documents.len(), 1000);
    assert_eq!(summary.documents[0].title, "work_0000");
    assert_eq!(app.document_count().await, 1000);
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
    let summary = api
        .import(
            project,
            &[
                ("zoom.vtt", vtt.as_bytes()),
                ("teams.srt", srt.as_bytes()),
                ("notes.docx", &docx),
            ],
            &[],
        )
        .await;
    let formats: Vec<&str> = summary.files.iter().map(|f| f.format.as_str()).collect();
    assert_eq!(formats, ["webvtt", "srt", "docx"]);

    let vtt_doc = api.document(summary.documents[0].id).await;
    let turns = &vtt_doc.turns;
    assert_eq!(
        turns.len(),
        2,
        "consecutive cues of one speaker merge: {vtt_doc:?}"
    );
    assert_eq!(turns[1].speaker, "Maria");
    assert_eq!(turns[1].start_time, Some(4.0));
    assert_eq!(turns[1].end_time, Some(9.25));
    assert_eq!(vtt_doc.turn_text(1), "With a phone call. Then a meeting.");

    let srt_doc = api.document(summary.documents[1].id).await;
    assert_eq!(srt_doc.turns[1].speaker, "Sam");
    assert_eq!(srt_doc.turns[1].start_time, Some(2.5));

    let docx_doc = api.document(summary.documents[2].id).await;
    assert_eq!(docx_doc.turns.len(), 4);
    assert_eq!(docx_doc.turns[1].speaker, "Ana");
    assert_eq!(docx_doc.turn_text(1), "It is small 💛 and busy.");
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
    assert_eq!(app.document_count().await, 0);
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
