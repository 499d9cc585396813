//! The hostile inputs corpus (`tests/fixtures/hostile/`, see its README) and a few inputs
//! generated here because they are large: every importer gets files that are damaged,
//! mis-encoded or built to attack a parser. Each goes through the HTTP import and must be
//! refused with a 4xx whose message names the problem, leaving nothing behind; the two
//! encodings Gloss reads on purpose (Windows-1252, damaged UTF-8) must import correctly.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Api, TestApp, spawn_app};

/// What a file should get.
enum Expect {
    /// A 4xx whose message contains each of these (case-insensitive).
    Refused(&'static [&'static str]),
    /// 201, and the stored text contains this.
    Imported(&'static str),
}

use Expect::{Imported, Refused};

/// Documents: (file in the corpus, expectation).
const DOCUMENTS: &[(&str, Expect)] = &[
    (
        "utf16le_without_bom.txt",
        Refused(&["UTF-16", "byte-order mark"]),
    ),
    (
        "utf16be_without_bom.vtt",
        Refused(&["UTF-16", "byte-order mark"]),
    ),
    ("utf32_with_bom.txt", Refused(&["UTF-32"])),
    ("latin1.txt", Imported("café crème brûlée")),
    ("invalid_utf8.txt", Imported("bad byte ÿ here")),
    ("nul_bytes.txt", Refused(&["NUL"])),
    ("control_codes.srt", Refused(&["control codes"])),
    ("empty.txt", Refused(&["empty"])),
    ("only_bom.txt", Refused(&["no text"])),
    ("only_whitespace.txt", Refused(&["no text"])),
    ("unbalanced_quote.csv", Refused(&["row 1", "quote"])),
    ("ragged_rows.csv", Refused(&["row 2", "4 field(s)"])),
    ("broken_timing.srt", Refused(&["line 2", "00:0X:02,000"])),
    ("no_cues.vtt", Refused(&["cue"])),
    ("broken_timing.vtt", Refused(&["line 3", "00:00:xx.000"])),
    ("not_a_zip.docx", Refused(&["zip"])),
    ("unknown_kind.pdf", Refused(&["pdf"])),
    (
        "billion_laughs.docx",
        Refused(&["billion_laughs.docx", "DOCTYPE"]),
    ),
    ("xxe.docx", Refused(&["xxe.docx", "DOCTYPE"])),
    ("no_document_xml.docx", Refused(&["word/document.xml"])),
    ("unclosed_xml.docx", Refused(&["cut off"])),
    ("path_traversal.docx", Refused(&["word/document.xml"])),
];

/// Codebooks for `POST /projects/{id}/codebook.csv`.
const CODEBOOKS: &[(&str, &[&str])] = &[
    (
        "codebook_unbalanced_quote.csv",
        &["quotes do not balance", "line 2"],
    ),
    ("codebook_no_name_column.csv", &["name"]),
    ("codebook_control_characters.csv", &["control character"]),
    ("codebook_nul_bytes.csv", &["row 1", "control characters"]),
    ("codebook_empty.csv", &["empty"]),
    ("codebook_bad_color.csv", &["colo"]),
];

fn corpus(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/hostile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What an import could leave behind: documents, turns, codes, audit entries.
async fn footprint(app: &TestApp) -> [i64; 4] {
    let mut counts = [0; 4];
    for (count, table) in counts
        .iter_mut()
        .zip(["documents", "turns", "codes", "events"])
    {
        *count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&app.db)
            .await
            .unwrap();
    }
    counts
}

/// The refusal in words, or what is wrong with the answer.
fn judge(name: &str, status: StatusCode, body: &Value, keywords: &[&str]) -> Result<(), String> {
    if !status.is_client_error() {
        return Err(format!("{name}: expected a 4xx, got {status}: {body}"));
    }
    let message = body["error"]["message"].as_str().unwrap_or_default();
    let lower = message.to_lowercase();
    let missing: Vec<&&str> = keywords
        .iter()
        .filter(|k| !lower.contains(&k.to_lowercase()))
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "{name}: {status} \"{message}\" does not say {missing:?}"
        )),
    }
}

async fn import_file(api: &Api, project: i64, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    api.upload(project, &[(name, bytes)], &[]).await
}

async fn import_codebook(api: &Api, project: i64, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = api
        .request(
            reqwest::Method::POST,
            &format!("/projects/{project}/codebook.csv"),
        )
        .header("content-type", "text/csv")
        .body(bytes)
        .send()
        .await
        .unwrap();
    crate::helpers::json_of(response).await
}

#[tokio::test]
async fn every_hostile_document_is_refused_clearly_and_leaves_nothing() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Hostile").await;
    let mut failures = Vec::new();
    for (name, expect) in DOCUMENTS {
        let before = footprint(&app).await;
        let (status, body) = import_file(&api, project, name, &corpus(name)).await;
        let verdict = match expect {
            Refused(keywords) => judge(name, status, &body, keywords),
            Imported(needle) => imported_with(&api, name, status, &body, needle).await,
        };
        if let Err(failure) = verdict {
            failures.push(failure);
            continue;
        }
        let after = footprint(&app).await;
        if matches!(expect, Refused(_)) && after != before {
            failures.push(format!("{name}: refused but left {before:?} -> {after:?}"));
        }
    }
    assert!(!std::path::Path::new("/tmp/gloss_escape.txt").exists());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A file read on purpose in a fallback encoding: one document whose text reads right.
async fn imported_with(
    api: &Api,
    name: &str,
    status: StatusCode,
    body: &Value,
    needle: &str,
) -> Result<(), String> {
    if status != StatusCode::CREATED {
        return Err(format!("{name}: expected 201, got {status}: {body}"));
    }
    let id = body["id"]
        .as_i64()
        .ok_or(format!("{name}: one document: {body}"))?;
    let text = api.document(id).await.text;
    match text.contains(needle) {
        true => Ok(()),
        false => Err(format!("{name}: stored text {text:?} lacks {needle:?}")),
    }
}

#[tokio::test]
async fn every_hostile_codebook_is_refused_clearly_and_leaves_nothing() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Hostile codes").await;
    let mut failures = Vec::new();
    for (name, keywords) in CODEBOOKS {
        let before = footprint(&app).await;
        let (status, body) = import_codebook(&api, project, corpus(name)).await;
        if let Err(failure) = judge(name, status, &body, keywords) {
            failures.push(failure);
            continue;
        }
        let after = footprint(&app).await;
        if after != before {
            failures.push(format!("{name}: refused but left {before:?} -> {after:?}"));
        }
    }
    // Generated: one code more than a codebook may hold.
    let limit = gloss::domain::codebook::MAX_CODES_PER_PROJECT;
    let too_many: String = std::iter::once("name\n".to_owned())
        .chain((0..=limit).map(|i| format!("Code {i}\n")))
        .collect();
    let before = footprint(&app).await;
    let (status, body) = import_codebook(&api, project, too_many.into_bytes()).await;
    let limit_words = limit.to_string();
    if let Err(failure) = judge("5,001 codes", status, &body, &[&limit_words]) {
        failures.push(failure);
    }
    assert_eq!(footprint(&app).await, before, "5,001 codes: nothing stored");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn large_hostile_documents_are_refused_clearly_and_leave_nothing() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Hostile and large").await;
    let speakers: String = (0..1_001).map(|i| format!("Speaker{i}: x\n")).collect();
    let bomb = zip_bomb();
    let mut long_quote = b"transcript_id,text\n1,\"User: ".to_vec();
    long_quote.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    let cases: [(&str, Vec<u8>, &[&str]); 3] = [
        (
            "crowd.txt",
            speakers.into_bytes(),
            &["1001 distinct speaker labels"],
        ),
        ("bomb.docx", bomb, &["bomb.docx", "MB"]),
        ("endless_quote.csv", long_quote, &["row 1", "quote"]),
    ];
    let before = footprint(&app).await;
    let mut failures = Vec::new();
    for (name, bytes, keywords) in cases {
        let (status, body) = import_file(&api, project, name, &bytes).await;
        if let Err(failure) = judge(name, status, &body, keywords) {
            failures.push(failure);
        }
    }
    assert_eq!(footprint(&app).await, before, "nothing stored");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A `.docx` of about 100 KB whose `word/document.xml` inflates to 80 MB (past the 64 MB
/// Gloss reads of it).
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("word/document.xml", options).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..80 {
        writer.write_all(&chunk).unwrap();
    }
    writer.finish().unwrap().into_inner()
}
