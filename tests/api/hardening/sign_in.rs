//! Signing in: no state for anonymous visitors, bounded password hashing, throttling per
//! client address.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

use crate::helpers::{Browser, PASSWORD, spawn_app, spawn_app_with};

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
