//! Archives that lie about their sizes: an entry declaring 2 GB (refused before anything
//! is unpacked) and a ZIP bomb declaring a few bytes and inflating to megabytes (stopped
//! as soon as it passes what it declared, after earlier sources were already stored).
//! Each answers 422 naming the limit and leaves no project, user or row behind.

use reqwest::StatusCode;
use serde_json::Value;

use super::support::{import, zip_of};
use crate::helpers::{TestApp, spawn_app};

/// Two sources; the first is coded by a file user (so a coder would be created before
/// the second source is read).
const TWO_SOURCES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Bomb">
<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" name="ann"/></Users>
<CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="50000000-0000-4000-8000-000000000001" name="First" plainTextPath="internal://first.txt">
<PlainTextSelection guid="5e000000-0000-4000-8000-000000000001" startPosition="0" endPosition="5" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
<Coding guid="c1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="c0000000-0000-4000-8000-000000000001"/></Coding>
</PlainTextSelection></TextSource>
<TextSource guid="50000000-0000-4000-8000-000000000002" name="Second" plainTextPath="internal://second.txt"/>
</Sources></Project>"#;

/// Rewrites the uncompressed size that the archive declares for entry `name`, in its
/// local header and its central directory record, leaving the data as it is.
fn declare_size(mut zip: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (signature, size_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => ("local", at + 22, at + 30),
            b"PK\x01\x02" => ("central", at + 24, at + 46),
            _ => continue,
        };
        let name_len_at = if signature == "local" {
            at + 26
        } else {
            at + 28
        };
        let name_len = u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]) as usize;
        if zip.get(name_at..name_at + name_len) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(
        patched, 2,
        "the local header and the central record of {name}"
    );
    zip
}

async fn rows_left(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "projects",
        "users",
        "documents",
        "turns",
        "excerpts",
        "excerpt_codes",
        "codes",
    ] {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&app.db)
                .await
                .unwrap();
        counts.push((table, count));
    }
    counts
}

async fn assert_refused_leaving_nothing(app: &TestApp, bytes: Vec<u8>, says: &[&str]) -> Value {
    let api = app.api_for("olga").await;
    let before = rows_left(app).await;
    let (status, body) = import(&api, bytes, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "file", "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    for words in says {
        assert!(message.contains(words), "“{words}” in: {message}");
    }
    assert_eq!(rows_left(app).await, before, "nothing was left behind");
    body
}

#[tokio::test]
async fn an_entry_declaring_2_gb_is_refused_before_it_is_unpacked() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    let zip = zip_of(&[
        ("project.qde", TWO_SOURCES.as_bytes()),
        ("sources/first.txt", b"Hello world"),
        ("sources/second.txt", b"Second text"),
    ]);
    let lying = declare_size(zip, "sources/second.txt", 2_147_483_648);
    assert_refused_leaving_nothing(&app, lying, &["sources/second.txt", "2048 MB", "256 MB"]).await;
}

#[tokio::test]
async fn a_zip_bomb_that_lies_about_its_size_is_stopped_and_rolled_back() {
    let app = spawn_app().await;
    app.create_user("olga", false).await;
    // 4 MB of one letter deflates to a few kilobytes; the archive says it is 64 bytes.
    let inflated = vec![b'a'; 4 * 1024 * 1024];
    let zip = zip_of(&[
        ("project.qde", TWO_SOURCES.as_bytes()),
        ("sources/first.txt", b"Hello world"),
        ("sources/second.txt", &inflated),
    ]);
    assert!(
        zip.len() < 100_000,
        "the bomb is small: {} bytes",
        zip.len()
    );
    let bomb = declare_size(zip, "sources/second.txt", 64);
    assert_refused_leaving_nothing(
        &app,
        bomb,
        &[
            "sources/second.txt",
            "64 bytes it declares",
            "ZIP bomb",
            "256 MB",
        ],
    )
    .await;
    // The same archive with honest sizes imports both sources (so the refusal is the lie).
    let honest = zip_of(&[
        ("project.qde", TWO_SOURCES.as_bytes()),
        ("sources/first.txt", b"Hello world"),
        ("sources/second.txt", b"Second text"),
    ]);
    let (status, body) = import(&app.api_for("olga").await, honest, false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["summary"]["documents"], 2, "{body}");
    assert_eq!(body["summary"]["coders_created"][0], "ann", "{body}");
}
