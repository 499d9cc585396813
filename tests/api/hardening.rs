//! Availability and hardening (issue 16): work that grows with hostile input stays bounded,
//! and the server keeps answering while someone tries.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

#[tokio::test]
async fn a_statement_running_past_the_request_timeout_is_interrupted() {
    let app = spawn_app_with(|s| s.request_timeout = Duration::from_secs(1)).await;
    let started = Instant::now();
    let endless = sqlx::query_scalar::<_, i64>(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n",
    )
    .fetch_one(&app.db);
    let result = tokio::time::timeout(Duration::from_secs(20), endless)
        .await
        .expect("the statement was interrupted, not left running");
    let error = result.unwrap_err().to_string();
    assert!(error.contains("interrupt"), "{error}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    // The connection is fine afterwards, and the server still answers.
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(one, 1);
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Opens a raw connection to the test server.
async fn connect(app: &crate::helpers::TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connects")
}

/// Reads until the server closes the connection or `within` passes; `None` if it is still
/// open then.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut received)).await;
    match read {
        Ok(_) => Some(String::from_utf8_lossy(&received).into_owned()),
        Err(_) => None,
    }
}

/// Reads the status line and headers of one response.
async fn read_head(stream: &mut TcpStream, within: Duration) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    tokio::time::timeout(within, async {
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await.unwrap() == 0 {
                break;
            }
            head.push(byte[0]);
        }
    })
    .await
    .expect("a response head in time");
    String::from_utf8_lossy(&head).into_owned()
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed() {
    let app = spawn_app_with(|s| s.header_timeout = Duration::from_secs(1)).await;
    let mut idle = connect(&app).await;
    let mut partial = connect(&app).await;
    partial
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    for stream in [&mut idle, &mut partial] {
        let answer = read_until_closed(stream, Duration::from_secs(10)).await;
        let answer = answer.expect("the server closed the connection");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(10));

    // A kept-alive connection is closed too once it idles after its response.
    let mut keep_alive = connect(&app).await;
    keep_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let head = read_head(&mut keep_alive, Duration::from_secs(5)).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        read_until_closed(&mut keep_alive, Duration::from_secs(10))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn a_declared_gigabyte_body_is_refused_before_it_is_sent() {
    let app = spawn_app().await;
    let api = app.api_user("olga").await;
    let project = api.create_project("Big").await;
    let requests = [
        format!(
            "POST /api/v1/projects/{project}/documents HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer {}\r\n\
             Content-Type: multipart/form-data; boundary=xyz\r\n\
             Content-Length: 1073741824\r\n\r\n",
            api.token
        ),
        "POST /login HTTP/1.1\r\nHost: localhost\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 1073741824\r\n\r\n"
            .to_owned(),
    ];
    for request in requests {
        let mut stream = connect(&app).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        let head = read_head(&mut stream, Duration::from_secs(3)).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(
            head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
    }
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let app = spawn_app_with(|s| s.body_stall_timeout = Duration::from_secs(1)).await;
    let api = app.api_user("olga").await;
    let mut stream = connect(&app).await;
    let request = format!(
        "POST /api/v1/projects HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\": ",
        api.token
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let head = read_head(&mut stream, Duration::from_secs(10)).await;
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    let body = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("closed after the answer");
    assert!(body.contains("request_timeout"), "{body}");
}

#[tokio::test]
async fn a_request_past_the_timeout_gets_503_and_the_server_keeps_answering() {
    let app = spawn_app_with(|s| s.request_timeout = Duration::from_secs(1)).await;
    let api = app.api_user("olga").await;
    app.create_user("ada", false).await;
    let browser = app.browser_signed_in("ada").await;
    let token = browser.csrf("/").await;
    // Someone holds the database's write lock: writes wait, past the request timeout.
    let gate = gloss::db::lock_writes(&app.db).await;
    let started = Instant::now();
    let response = api
        .request(reqwest::Method::POST, "/projects")
        .json(&json!({ "name": "Stuck" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let (_, body) = crate::helpers::json_of(response).await;
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let page = browser
        .client
        .post(browser.url("/projects"))
        .form(&[("name", "Stuck too"), ("_csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("within 1 seconds"));
    assert!(started.elapsed() < Duration::from_secs(10));
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    drop(gate);
    assert_eq!(
        api.post("/projects", json!({ "name": "Fine" })).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn connections_past_the_limit_are_closed_at_once() {
    let app = spawn_app_with(|s| {
        s.max_connections = 4;
        s.header_timeout = Duration::from_secs(30);
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&app).await);
    }
    // Let the server accept them all before the next one arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut extra = connect(&app).await;
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await;
    let answer = read_until_closed(&mut extra, Duration::from_secs(5)).await;
    assert_eq!(answer.as_deref(), Some(""), "closed without an answer");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn shutdown_finishes_in_bounded_time_even_with_stuck_requests_and_connections() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = gloss::config::Settings::for_tests(dir.path().join("gloss.db"));
    settings.shutdown_grace = Duration::from_secs(1);
    let app = gloss::startup::App::build(settings).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let db = app.db();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    gloss::service::accounts::create_user(&db, "olga", PASSWORD, false)
        .await
        .unwrap();
    let user = gloss::db::users::by_username(&db, "olga")
        .await
        .unwrap()
        .unwrap();
    let token = gloss::service::tokens::create(&db, &user, "t")
        .await
        .unwrap()
        .secret;
    // A request stuck behind the write lock, and a pool connection that is never given
    // back: before, shutdown waited for both for ever (`db.close()` never returned).
    let gate = gloss::db::lock_writes(&db).await;
    let held = db.acquire().await.unwrap();
    let stuck = tokio::spawn(
        reqwest::Client::new()
            .post(format!("{base}/api/v1/projects"))
            .bearer_auth(token)
            .json(&json!({ "name": "Stuck" }))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(20), server).await;
    assert!(
        finished.is_ok(),
        "shutdown did not finish within 20 s (grace 1 s + closing the database at most {:?})",
        gloss::startup::DB_CLOSE_TIMEOUT
    );
    assert!(
        started.elapsed()
            < Duration::from_secs(1) + gloss::startup::DB_CLOSE_TIMEOUT + Duration::from_secs(3)
    );
    assert!(
        stuck.await.unwrap().is_err(),
        "the stuck request was cut off"
    );
    drop((gate, held));
}

/// This process's resident memory (the test server runs in it), in MiB.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// A sign-in form post with its CSRF pair, as if from `from` (the test server trusts
/// X-Forwarded-For).
fn sign_in_from(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    token: &str,
    from: &str,
    username: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    client
        .post(app.url("/login"))
        .header(COOKIE, format!("gloss_form={token}"))
        .header("x-forwarded-for", from)
        .form(&[
            ("username", username),
            ("password", password),
            ("_csrf", token),
        ])
}

#[tokio::test]
async fn two_hundred_parallel_sign_ins_keep_memory_bounded_and_the_server_answering() {
    let app = spawn_app_with(|s| s.trust_proxy_header = Some("x-forwarded-for".into())).await;
    app.create_user("alice", false).await;
    let token = Browser::new(&app.base).csrf("/login").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let before = rss_mib();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_mib());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let attempts: Vec<_> = (0..200)
        .map(|i| {
            // Invented names from 200 addresses: no throttle applies, each needs a hash.
            let request = sign_in_from(
                &app,
                &client,
                &token,
                &format!("10.9.{}.{}", i / 200, i % 200 + 1),
                &format!("nobody{i}"),
                "a wrong password",
            );
            tokio::spawn(async move {
                let response = request.send().await.unwrap();
                let retry = response.headers().contains_key("retry-after");
                (response.status(), retry)
            })
        })
        .collect();
    // The server keeps answering meanwhile.
    let health = tokio::time::timeout(Duration::from_secs(5), reqwest::get(app.url("/healthz")))
        .await
        .expect("/healthz answers during the flood")
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let (mut refused, mut busy) = (0, 0);
    for attempt in attempts {
        match attempt.await.unwrap() {
            (StatusCode::UNAUTHORIZED, _) => refused += 1,
            (StatusCode::SERVICE_UNAVAILABLE, true) => busy += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.await.unwrap();
    let stats = gloss::service::hashing::stats();
    eprintln!(
        "200 sign-ins: {refused} checked (401), {busy} busy (503) in {:?}; RSS {before} -> peak {peak} MiB; {stats:?}",
        started.elapsed()
    );
    assert_eq!(refused + busy, 200);
    assert!(busy > 0, "past the queue, sign-ins are turned away at once");
    assert!(stats.peak_running <= stats.threads, "{stats:?}");
    // One argon2 check holds ~19 MiB: unbounded, 200 of them took 4.8 GB. Other tests run
    // in this process too, hence the generous bound.
    assert!(
        peak.saturating_sub(before) < 1024,
        "RSS {before} -> {peak} MiB"
    );
}

#[tokio::test]
async fn sign_in_throttling_is_per_address_and_never_locks_the_owner_out_from_elsewhere() {
    let app = spawn_app_with(|s| s.trust_proxy_header = Some("x-forwarded-for".into())).await;
    app.create_user("alice", false).await;
    let token = Browser::new(&app.base).csrf("/login").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let status = |from: &'static str, name: String, password: &'static str| {
        let request = sign_in_from(&app, &client, &token, from, &name, password);
        async move { request.send().await.unwrap().status() }
    };
    // Someone guesses at alice's password from one address until it is locked there.
    for _ in 0..5 {
        assert_eq!(
            status("10.0.0.66", "alice".into(), "guess guess").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        status("10.0.0.66", "alice".into(), PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Alice herself, from her own address, is not locked out.
    assert_eq!(
        status("10.0.0.7", "alice".into(), PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // Spraying one password over many names from one address is slowed the same way.
    for i in 0..20 {
        assert_eq!(
            status("10.0.0.99", format!("user{i}"), "Summer2026!").await,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = sign_in_from(&app, &client, &token, "10.0.0.99", "user20", "Summer2026!")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}
