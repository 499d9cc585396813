//! API tokens that expire and tokens that may only read (issue 16, item 9).

use gloss::service::tokens::TokenScope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{error_code, spawn_app};

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_read_only_token_reads_but_cannot_change_anything() {
    let app = spawn_app().await;
    let full = app.api_user("alice").await;
    let project = full.create_project("Read me").await;
    let read_only = app
        .api_scoped(
            "alice",
            TokenScope {
                read_only: true,
                ..Default::default()
            },
        )
        .await;

    let (status, body) = read_only.get(&format!("/projects/{project}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = read_only.get("/me").await;
    assert_eq!(
        (status, body["username"].as_str()),
        (StatusCode::OK, Some("alice"))
    );

    let (status, body) = read_only.post("/projects", json!({ "name": "Nope" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(message(&body).contains("read-only"), "{body}");
    let (status, _) = read_only
        .delete(&format!("/projects/{project}/members/alice"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = read_only
        .request(reqwest::Method::PATCH, &format!("/projects/{project}"))
        .json(&json!({ "name": "Renamed" }))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, projects) = full.get("/projects").await;
    let names: Vec<&str> = projects["projects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["Read me"], "nothing was created or renamed");
}

#[tokio::test]
async fn an_expired_token_is_refused_with_its_expiry_time() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let api = app
        .api_scoped(
            "alice",
            TokenScope {
                expires_in_days: Some(30),
                ..Default::default()
            },
        )
        .await;
    let (status, _) = api.get("/me").await;
    assert_eq!(status, StatusCode::OK, "works until it expires");
    let (_, list) = api.get("/tokens").await;
    let expires_at = list["tokens"][0]["expires_at"].as_str().unwrap().to_owned();
    let in_29_days: String =
        sqlx::query_scalar("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+29 days')")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(expires_at > in_29_days, "30 days from now: {expires_at}");

    // Time passes: the expiry moves into the past.
    sqlx::query("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z'")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, body) = api.get("/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_code(&body), "token_expired");
    assert!(message(&body).contains("2020-01-01"), "{body}");
}

#[tokio::test]
async fn expiry_outside_one_day_to_ten_years_is_refused() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let csrf = browser.csrf("/").await;
    for days in [0, 3651] {
        let response = browser
            .client
            .post(browser.url("/api/v1/tokens"))
            .header("x-csrf-token", &csrf)
            .json(&json!({ "name": "n", "expires_in_days": days }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], "expires_in_days", "{body}");
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing stored");
}

#[tokio::test]
async fn the_settings_page_creates_an_expiring_read_only_token() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let response = browser
        .submit(
            "/settings",
            "/settings/tokens",
            &[
                ("name", "notebook"),
                ("expires_in_days", "30"),
                ("read_only", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let start = html.find("gls_").expect("token shown");
    let secret = html[start..start + 68].to_owned();
    assert!(html.contains("read only"), "the list says what it may do");

    let (read_only, expires_at): (bool, Option<String>) =
        sqlx::query_as("SELECT read_only, expires_at FROM api_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(read_only);
    let expires_at = expires_at.expect("an expiry");
    assert!(html.contains(&expires_at), "the list shows the expiry");

    let client = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status();
    let read = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .map(status)
        .unwrap();
    assert_eq!(read, StatusCode::OK);
    let write = client
        .post(app.url("/api/v1/projects"))
        .bearer_auth(&secret)
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .map(status)
        .unwrap();
    assert_eq!(write, StatusCode::FORBIDDEN);
}
