//! Crash safety (issue 16), with the real binary: a `gloss import` killed with SIGKILL at
//! several moments, and a server killed during an HTTP upload, leave a database that passes
//! `PRAGMA integrity_check` and holds none or all of the import's documents, never a part.
//! A server sent SIGTERM during a request that would go on for a minute exits within its
//! documented deadline (30 s grace for requests in flight, then at most 5 s for the
//! database; README "Running").

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::cli::{BIN, field_work, gloss_ok};
use crate::helpers::Api;

/// Documents in the generated CSV.
pub(crate) const DOCUMENTS: i64 = 3_000;

/// A CSV of `DOCUMENTS` interviews of about 2 KB each (6 MB): big enough that importing
/// it takes a while, so kills land before, during and after its one transaction.
pub(crate) fn large_csv() -> Vec<u8> {
    large_csv_with_ids("")
}

/// [`large_csv`] whose transcript ids start with `prefix` (files that do not collide).
pub(crate) fn large_csv_with_ids(prefix: &str) -> Vec<u8> {
    let mut csv = String::from("transcript_id,text\n");
    for i in 0..DOCUMENTS {
        let turns: String = (0..8)
            .map(|t| {
                format!(
                    "User: answer {t} of interview {i}, {}\n",
                    "words ".repeat(35)
                )
            })
            .collect();
        csv.push_str(&format!("{prefix}{i},\"{turns}\"\n"));
    }
    csv.into_bytes()
}

/// `PRAGMA integrity_check` and the number of documents, read by a new connection after
/// the writer died.
async fn inspect(db: &Path) -> (String, i64) {
    let pool = gloss::db::open(db)
        .await
        .expect("the database opens after the crash");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    let documents = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    (integrity, documents)
}

fn import_command(db: &Path, csv: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--db")
        .arg(db)
        .args(["import", "--project", "Field work"])
        .arg(csv)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[tokio::test]
async fn a_cli_import_killed_at_any_moment_leaves_none_or_all_documents() {
    let csv_bytes = large_csv();
    // A complete run first: how long the import takes here, and that it imports all.
    let dir = tempfile::tempdir().unwrap();
    let (db, _api, _) = field_work(dir.path()).await;
    let csv = dir.path().join("large.csv");
    std::fs::write(&csv, &csv_bytes).unwrap();
    let started = Instant::now();
    assert!(import_command(&db, &csv).status().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(inspect(&db).await, ("ok".to_owned(), DOCUMENTS));

    let mut outcomes = Vec::new();
    let fixed = [Duration::from_millis(50), Duration::from_millis(200)];
    let moments = fixed
        .into_iter()
        .chain([0.25, 0.5, 0.75, 0.88, 0.95].map(|share| whole.mul_f64(share)));
    for moment in moments {
        let dir = tempfile::tempdir().unwrap();
        let (db, _api, _) = field_work(dir.path()).await;
        let csv = dir.path().join("large.csv");
        std::fs::write(&csv, &csv_bytes).unwrap();
        let mut child = import_command(&db, &csv).spawn().unwrap();
        std::thread::sleep(moment);
        let finished_first = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (integrity, documents) = inspect(&db).await;
        assert_eq!(integrity, "ok", "killed after {moment:?}");
        assert!(
            documents == 0 || documents == DOCUMENTS,
            "killed after {moment:?}: {documents} of {DOCUMENTS} documents"
        );
        outcomes.push((moment, documents, finished_first));
    }
    eprintln!("whole import {whole:?}; (kill moment, documents after, had finished): {outcomes:?}");
}

/// `gloss serve` on a free port of `db`; its address, read from its first line.
fn serve(db: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env_remove("RUST_LOG")
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let url = first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("address printed: {first_line}"))
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

/// A database with ada and her project "Field work" served by a `gloss serve` process,
/// and her API client for it.
async fn served_by_a_process(dir: &Path) -> (std::path::PathBuf, Child, Api, i64) {
    let db = dir.join("gloss.db");
    gloss_ok(&db, &["user", "add", "ada"], "a long password\n");
    let token = gloss_ok(&db, &["token", "create", "ada"], "");
    let (child, base) = serve(&db);
    let api = Api {
        base,
        token: token.lines().last().unwrap().trim().to_owned(),
        client: reqwest::Client::new(),
    };
    let project = api.create_project("Field work").await;
    (db, child, api, project)
}

#[tokio::test]
async fn a_server_killed_during_an_upload_leaves_none_or_all_documents() {
    let csv = large_csv();
    let mut outcomes = Vec::new();
    for millis in [20, 100, 300, 700, 1_200, 2_000, 3_000] {
        let dir = tempfile::tempdir().unwrap();
        let (db, mut child, api, project) = served_by_a_process(dir.path()).await;
        let form = reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(csv.clone()).file_name("large.csv"),
        );
        let request = api
            .request(
                reqwest::Method::POST,
                &format!("/projects/{project}/documents"),
            )
            .multipart(form);
        let upload = tokio::spawn(request.send());
        tokio::time::sleep(Duration::from_millis(millis)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // The client sees an answer or a broken connection; either way it is over.
        let answered = upload
            .await
            .unwrap()
            .is_ok_and(|response| response.status().is_success());
        let (integrity, documents) = inspect(&db).await;
        assert_eq!(integrity, "ok", "killed after {millis} ms");
        assert!(
            documents == 0 || documents == DOCUMENTS,
            "killed after {millis} ms: {documents} of {DOCUMENTS} documents"
        );
        if answered {
            assert_eq!(documents, DOCUMENTS, "a 201 means every document is stored");
        }
        outcomes.push((millis, documents, answered));
    }
    eprintln!("(kill after ms, documents after, upload answered 201): {outcomes:?}");
}

#[tokio::test]
async fn sigterm_during_a_long_request_exits_within_the_documented_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, mut child, api, project) = served_by_a_process(dir.path()).await;
    // An upload that sends one byte every 200 ms of a declared megabyte: it never stalls
    // long enough to be given up, and would take over an hour to finish.
    let address = api.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/projects/{project}/documents HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: 1000000\r\n\r\n--b\r\n",
        api.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        while stream.write_all(b"x").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(child.try_wait().unwrap().is_none(), "serving the upload");

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    // Documented: 30 s for requests in flight, then at most 5 s for the database. The
    // bound adds a generous margin for a loaded machine; this checks that it exits at
    // all, it is not a speed test.
    let bound = Duration::from_secs(30 + 5 + 25);
    let signalled = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if signalled.elapsed() > bound {
            child.kill().unwrap();
            panic!("still running {bound:?} after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    trickle.abort();
    assert!(status.success(), "exits 0 after SIGTERM: {status}");
    eprintln!("exited {:?} after SIGTERM", signalled.elapsed());
}
