//! Sign-in, sessions, CSRF, first-run set-up and authentication of the API.

use reqwest::StatusCode;
use reqwest::header::SET_COOKIE;
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, error_code, json_of, location, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_reports_ok() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, body) = json_of(response).await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn first_visit_sets_up_the_first_administrator_once() {
    let app = spawn_app().await;
    let browser = Browser::new(&app.base);
    let response = browser.get("/").await;
    assert_eq!(location(&response), "/setup");
    assert_eq!(location(&browser.get("/login").await), "/setup");

    let response = browser
        .submit(
            "/setup",
            "/setup",
            &[
                ("username", "ada"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, home) = browser.page("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("ada"), "signed in as the new administrator");
    assert!(home.contains("Welcome to Gloss"), "flash message shown");
    let (_, again) = browser.page("/").await;
    assert!(!again.contains("Welcome to Gloss"), "flash shown only once");

    let user = gloss::db::users::by_username(&app.db, "ada")
        .await
        .unwrap()
        .unwrap();
    assert!(user.is_admin);

    // Once a user exists, the set-up form is gone for everyone.
    let stranger = Browser::new(&app.base);
    assert_eq!(location(&stranger.get("/setup").await), "/login");
    let token = stranger.csrf("/login").await;
    let response = stranger
        .client
        .post(stranger.url("/setup"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "mallory"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        gloss::db::users::by_username(&app.db, "mallory")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn setup_form_explains_mismatched_passwords() {
    let app = spawn_app().await;
    let browser = Browser::new(&app.base);
    let response = browser
        .submit(
            "/setup",
            "/setup",
            &[
                ("username", "ada"),
                ("password", PASSWORD),
                ("password_confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("do not match"));
    assert_eq!(gloss::db::users::count(&app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn wrong_password_is_rejected_and_right_one_starts_a_session() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);

    let response = browser.sign_in("alice", "not the password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Wrong user name or password")
    );
    let response = browser.sign_in("nobody", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(location(&browser.get("/").await), "/login");

    let response = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP by default: {cookie}"
    );

    // The session survives across requests, for pages and for the pages' API calls.
    for _ in 0..2 {
        let (status, html) = browser.page("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Your projects") && html.contains("alice"));
    }
    let (status, me) = json_of(browser.get("/api/v1/me").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "alice");
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);
    assert_eq!(
        location(&browser.get("/settings").await),
        "/login?next=%2Fsettings"
    );
    let response = browser
        .submit(
            "/login",
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("next", "/settings"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings");

    let other = Browser::new(&app.base);
    let response = other
        .submit(
            "/login",
            "/login",
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn logout_ends_the_session_server_side() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let session_rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(session_rows, 1);

    let response = browser.submit("/", "/logout", &[]).await;
    assert_eq!(location(&response), "/login");
    assert_eq!(location(&browser.get("/").await), "/login");
    let session_rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        session_rows, 0,
        "the session row is deleted, not just the cookie"
    );
}

#[tokio::test]
async fn pages_redirect_to_login_and_api_answers_401_without_credentials() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let anonymous = Browser::new(&app.base);
    for page in ["/", "/settings", "/projects/1", "/admin/users"] {
        let response = anonymous.get(page).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(location(&response).starts_with("/login"), "{page}");
    }
    for path in ["/api/v1/projects", "/api/v1/projects/1", "/api/v1/me"] {
        let (status, body) = json_of(reqwest::get(app.url(path)).await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(&body), "unauthenticated");
    }
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/projects"))
        .bearer_auth("gls_0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;

    let missing = browser
        .client
        .post(browser.url("/projects"))
        .form(&[("name", "Forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("security token"));
    let wrong = browser
        .client
        .post(browser.url("/projects"))
        .form(&[("name", "Forged"), ("_csrf", "0123")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);

    // The pages' own API calls need the token in a header.
    let api_missing = browser
        .client
        .post(browser.url("/api/v1/projects"))
        .json(&json!({ "name": "Forged" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api_missing.status(), StatusCode::FORBIDDEN);
    let projects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(projects, 0, "nothing was created by forged requests");

    let token = browser.csrf("/").await;
    let api_ok = browser
        .client
        .post(browser.url("/api/v1/projects"))
        .header("X-CSRF-Token", token)
        .json(&json!({ "name": "Real" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api_ok.status(), StatusCode::CREATED);
    let created = browser
        .submit("/", "/projects", &[("name", "Also real")])
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_form_itself_needs_its_csrf_token() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);
    let response = browser
        .client
        .post(browser.url("/login"))
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);
    for _ in 0..5 {
        assert_eq!(
            browser.sign_in("alice", "guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.text().await.unwrap().contains("Try again in"));
}

#[tokio::test]
async fn secure_cookies_option_marks_the_cookie_secure() {
    let app = spawn_app_with(|s| s.secure_cookies = true).await;
    app.create_user("alice", false).await;
    let browser = Browser::new(&app.base);
    let response = browser.get("/login").await;
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn revoked_api_tokens_stop_working() {
    let app = spawn_app().await;
    let api = app.api_user("alice").await;
    assert_eq!(api.get("/me").await.0, StatusCode::OK);
    let token_id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let browser = app.browser_signed_in("alice").await;
    let response = browser
        .submit(
            "/settings",
            &format!("/settings/tokens/{token_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(api.get("/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_created_in_the_browser_are_shown_once_and_work() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let browser = app.browser_signed_in("alice").await;
    let response = browser
        .submit("/settings", "/settings/tokens", &[("name", "notebook")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let start = html.find("gls_").expect("token shown");
    let token = format!("gls_{}", &html[start + 4..start + 4 + 64]);
    assert!(token.len() == 68, "{token}");
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, settings) = browser.page("/settings").await;
    assert!(
        settings.contains("notebook") && !settings.contains(&token),
        "listed, never shown again"
    );
}

#[tokio::test]
async fn no_content_type_or_header_trick_skips_the_csrf_check() {
    let app = spawn_app().await;
    app.create_user("alice", false).await;
    let api = app.api_for("alice").await;
    let project = api.create_project("Guarded").await;
    let document = api
        .create_document(project, "Doc", "User: hi\nAI: hello")
        .await;
    let browser = app.browser_signed_in("alice").await;

    // An empty multipart body is not a way around the token.
    for path in [
        format!("/documents/{document}/delete"),
        "/logout".to_owned(),
        format!("/projects/{project}/settings"),
    ] {
        let response = browser
            .client
            .post(browser.url(&path))
            .header("content-type", "multipart/form-data; boundary=xyz")
            .body("--xyz--\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let response = browser
        .client
        .post(browser.url(&format!("/api/v1/projects/{project}/codebook.csv")))
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body("--xyz--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A made-up bearer header does not turn a cookie-authenticated form into an API call.
    let response = browser
        .client
        .post(browser.url(&format!("/projects/{project}/settings")))
        .bearer_auth("junk")
        .form(&[("name", "Renamed")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, project_view) = api.get(&format!("/projects/{project}")).await;
    assert_eq!(project_view["name"], "Guarded");
    assert_eq!(
        api.get(&format!("/documents/{document}")).await.0,
        StatusCode::OK,
        "nothing was deleted"
    );
}
