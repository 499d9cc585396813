//! Connections and requests: timeouts, limits and a bounded shutdown.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

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
    let token = gloss::service::tokens::create(&db, &user, "t", Default::default())
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
