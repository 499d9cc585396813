//! One project's big import does not hold up another project's writes: the import parses
//! and checks everything before it takes the write gate, and holds it only for its inserts.

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::crash::{DOCUMENTS, large_csv_with_ids};
use crate::helpers::{Api, spawn_app};

/// Excerpt saves in project B while project A imports.
const SAVES: usize = 10;

/// Sends a whole multipart upload of `copies` large CSVs (distinct ids) to project `project`
/// on a raw connection, so the test knows when the server has been handed all of it.
async fn send_import(api: &Api, project: i64, copies: usize) -> TcpStream {
    let mut body = Vec::new();
    for copy in 0..copies {
        let csv = large_csv_with_ids(&format!("copy{copy}-"));
        body.extend_from_slice(
            format!(
                "--b\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"large{copy}.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&csv);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--b--\r\n");
    let address = api.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/v1/projects/{project}/documents HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        api.token,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

#[tokio::test]
async fn excerpt_saves_in_another_project_go_on_while_a_big_import_runs() {
    let app = spawn_app().await;
    let owner = app.api_user("olga").await;
    let big = owner.create_project("Big import").await;
    let other = owner.create_project("Busy coding").await;
    let document = owner
        .create_document(other, "P1", "User: a short answer")
        .await;
    // The server has read (nearly) all of the 12 MB upload when this returns: from here
    // on it is parsing, checking and inserting 6,000 documents.
    let mut import = send_import(&owner, big, 2).await;

    for i in 0..SAVES {
        let body = serde_json::json!({ "start": 0, "end": 4, "code_ids": [], "memo": format!("save {i}") });
        let (status, answer) = owner
            .post(&format!("/documents/{document}/excerpts"), body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "save {i} in B: {answer}");
    }
    // The ordering fact: every one of B's writes was answered before A's import was.
    let mut peek = [0u8; 1];
    let answered_already = matches!(import.try_read(&mut peek), Ok(n) if n > 0);
    assert!(
        !answered_already,
        "the import answered before B's {SAVES} saves; B waited for it"
    );
    let mut response = String::new();
    import.read_to_string(&mut response).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "{}",
        &response[..200.min(response.len())]
    );
    let in_big: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE project_id = ?")
        .bind(big)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(in_big, 2 * DOCUMENTS);
    assert_eq!(owner.excerpts(document, "").await.items.len(), SAVES);
}
