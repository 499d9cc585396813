//! The `gloss` binary: user and token management, backups, imports and exports, help and
//! graceful shutdown. Fixtures are made through the CLI and the API, as a user would.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;

use crate::helpers::{Api, Browser};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_gloss");

pub(crate) fn gloss(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("GLOSS_BIND")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gloss binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `gloss` and asserts that it succeeds; returns what it printed.
pub(crate) fn gloss_ok(db: &Path, args: &[&str], stdin: &str) -> String {
    let output = gloss(db, args, stdin);
    assert!(
        output.status.success(),
        "gloss {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

/// The real server on the database file `db` (in this process), and an API client for
/// `user`, whose token the CLI creates: set-up through the interfaces a user has.
pub(crate) async fn served(db: &Path, user: &str) -> Api {
    let app = gloss::startup::App::build(gloss::config::Settings::for_tests(db.to_owned()))
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let created = gloss_ok(db, &["token", "create", user], "");
    Api {
        base,
        token: created.lines().last().unwrap().trim().to_owned(),
        client: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn user_add_then_token_create_gives_a_working_api_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/gloss.db");
    let added = gloss(&db, &["user", "add", "ada", "--admin"], "a long password\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(stdout(&added).contains("administrator 'ada'"));

    let duplicate = gloss(&db, &["user", "add", "ada"], "a long password\n");
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already taken"));
    let short = gloss(&db, &["user", "add", "bob"], "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8"));

    let created = gloss(&db, &["token", "create", "ada"], "");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = stdout(&created);
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("gls_"), "{out}");

    // The same database served by the real server accepts the token.
    let app = gloss::startup::App::build(gloss::config::Settings::for_tests(db.clone()))
        .await
        .unwrap();
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["is_admin"], true);

    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&gloss::db::open(&db).await.unwrap())
        .await
        .unwrap();
    assert!(!stored.contains(&token[4..]), "only a digest is stored");

    let listed = stdout(&gloss(&db, &["token", "list", "ada"], ""));
    let row = listed.lines().nth(1).expect("one token listed");
    assert!(row.starts_with("1\tcommand line\t"), "{listed}");
    assert!(!listed.contains(&token), "secrets are never shown again");
    let revoked = gloss(&db, &["token", "revoke", "ada", "1"], "");
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let response = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "a revoked token is refused"
    );
    let again = gloss(&db, &["token", "revoke", "ada", "1"], "");
    assert!(!again.status.success(), "revoking twice says so");
    let row = stdout(&gloss(&db, &["token", "list", "ada"], ""));
    assert!(
        !row.lines().nth(1).unwrap().ends_with("\t-"),
        "the list shows when: {row}"
    );
}

#[tokio::test]
async fn token_create_can_make_expiring_read_only_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gloss.db");
    gloss_ok(&db, &["user", "add", "ada"], "a long password\n");
    let created = gloss(
        &db,
        &[
            "token",
            "create",
            "ada",
            "--read-only",
            "--expires-in-days",
            "7",
        ],
        "",
    );
    let said = String::from_utf8_lossy(&created.stderr).into_owned();
    assert!(created.status.success(), "{said}");
    assert!(
        said.contains("read-only") && said.contains("until 20"),
        "{said}"
    );
    let listed = gloss_ok(&db, &["token", "list", "ada"], "");
    let row: Vec<&str> = listed.lines().nth(1).unwrap().split('\t').collect();
    assert_eq!(row[2], "read", "{listed}");
    assert!(row[4].starts_with("20"), "an expiry time: {listed}");

    let refused = gloss(
        &db,
        &["token", "create", "ada", "--expires-in-days", "0"],
        "",
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("1 to 3650 days"));
}

#[tokio::test]
async fn user_passwd_changes_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gloss.db");
    assert!(
        gloss(&db, &["user", "add", "ada"], "first password\n")
            .status
            .success()
    );
    let changed = gloss(&db, &["user", "passwd", "ada"], "second password\n");
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    let api = served(&db, "ada").await;
    let browser = Browser::new(&api.base);
    assert_eq!(
        browser.sign_in("ada", "second password").await.status(),
        StatusCode::SEE_OTHER,
        "the new password signs in"
    );
    assert_eq!(
        Browser::new(&api.base)
            .sign_in("ada", "first password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the old one no longer does"
    );
    let missing = gloss(&db, &["user", "passwd", "nobody"], "whatever pass\n");
    assert!(!missing.status.success());
}

#[tokio::test]
async fn backup_writes_a_database_with_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gloss.db");
    assert!(
        gloss(&db, &["user", "add", "ada"], "a long password\n")
            .status
            .success()
    );
    let api = served(&db, "ada").await;
    for name in ["One", "Two", "Three"] {
        api.create_project(name).await;
    }

    // The server keeps the database open while the backup is taken.
    let copy = dir.path().join("copy.db");
    let backup = gloss(&db, &["backup", copy.to_str().unwrap()], "");
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    let again = gloss(&db, &["backup", copy.to_str().unwrap()], "");
    assert!(!again.status.success(), "never overwrites an existing file");

    let restored = gloss::db::open(&copy).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM projects ORDER BY id")
        .fetch_all(&restored)
        .await
        .unwrap();
    assert_eq!(names, ["One", "Two", "Three"]);
    let users: Vec<String> = sqlx::query_scalar("SELECT username FROM users")
        .fetch_all(&restored)
        .await
        .unwrap();
    assert_eq!(users, ["ada"]);
}

#[test]
fn help_documents_every_subcommand() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = stdout(&output);
    for word in [
        "serve",
        "user",
        "token",
        "backup",
        "--db",
        "--bind",
        "GLOSS_DB",
        "GLOSS_BIND",
    ] {
        assert!(help.contains(word), "--help mentions {word}:\n{help}");
    }
    let output = Command::new(BIN)
        .args(["user", "add", "--help"])
        .output()
        .unwrap();
    assert!(stdout(&output).contains("--admin"));
}

#[tokio::test]
async fn serve_prints_its_address_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gloss.db");
    let mut child = Command::new(BIN)
        .args([
            "--db",
            db.to_str().unwrap(),
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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
        .to_owned();
    let response = reqwest::get(format!("{url}healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(db.exists(), "database created on first start");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exits 0 after SIGTERM: {status}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("path=/healthz"))
        .unwrap_or_else(|| panic!("one line per request: {log}"));
    assert!(
        line.contains("GET") && line.contains("status=200") && line.contains("latency="),
        "{line}"
    );
    assert!(
        !dir.path().join("gloss.db-wal").exists(),
        "the database was closed cleanly (WAL checkpointed)"
    );
}

/// A fresh database with the user ada (through the CLI) and, through the API, her
/// project "Field work"; returns the database file, ada's API client and the project id.
pub(crate) async fn field_work(dir: &Path) -> (PathBuf, Api, i64) {
    let db = dir.join("gloss.db");
    gloss_ok(&db, &["user", "add", "ada"], "a long password\n");
    let api = served(&db, "ada").await;
    let project = api.create_project("Field work").await;
    (db, api, project)
}

#[tokio::test]
async fn the_database_opens_in_wal_mode_with_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = gloss::db::open(&dir.path().join("nested/gloss.db"))
        .await
        .unwrap();
    let mut conn = db.acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(keys, 1);
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(timeout >= 5_000, "{timeout} ms");
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let files = std::fs::read_dir("migrations").unwrap().count() as i64;
    assert_eq!(migrations, files, "every migration applied");
}
