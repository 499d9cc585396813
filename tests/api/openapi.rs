//! The API's own description: the OpenAPI document lists exactly the routes the router
//! serves, pagination and tokens work as documented.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Code, Page, Study, json_of, parse, spawn_app, study};

#[tokio::test]
async fn the_openapi_document_parses_and_describes_the_api() {
    let app = spawn_app().await;
    let (status, doc) = json_of(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["title"], "Gloss API");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| p.starts_with("/api/v1/")),
        "every path is under /api/v1"
    );
    for expected in [
        "/api/v1/projects",
        "/api/v1/documents/{id}/excerpts",
        "/api/v1/projects/{id}/agreement",
        "/api/v1/projects/{id}/excerpts.csv",
    ] {
        assert!(paths.contains_key(expected), "{expected} documented");
    }
    let report = &doc["components"]["schemas"]["AgreementReport"];
    assert!(
        report["properties"]["overall"].is_object(),
        "response schemas are included"
    );
}

/// Every documented operation is served: none falls through to "API route not found" or
/// 405, whatever the resource ids.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let s = study().await;
    let (_, doc) = json_of(
        reqwest::get(s.app.url("/api/v1/openapi.json"))
            .await
            .unwrap(),
    )
    .await;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "delete", "put"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let concrete = path
                .replace("/api/v1", "")
                .replace("{id}", "999999")
                .replace("{username}", "nobody")
                .replace("{label}", "nobody");
            let response = s
                .owner
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    &concrete,
                )
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !body.contains("API route not found"),
                "{method} {path} is documented but not routed"
            );
        }
    }
    assert!(operations >= 35, "{operations} operations");

    let response = s
        .owner
        .request(Method::GET, "/no/such/route")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("API route not found"),
        "the fallback the check above relies on"
    );
}

/// Routes can only reach the API router through `routes!`, which documents them: no
/// module under src/web/api registers a plain axum route.
#[test]
fn no_api_route_bypasses_the_openapi_router() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path)
            .unwrap()
            .replace("OpenApiRouter::new()", "");
        for forbidden in [".route(", "Router::new()", "routing::"] {
            assert!(
                !source.contains(forbidden),
                "{} uses {forbidden}: register API routes with routes!(…)",
                path.display()
            );
        }
    }
}

/// The codebook's names, read two per page by following `next_cursor` to the end.
async fn code_names_page_by_page(s: &Study) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".into(),
        };
        let page: Page<Code> = s
            .owner
            .get_ok(&format!("/projects/{}/codes{query}", s.project))
            .await;
        seen.extend(page.items.into_iter().map(|c| c.name));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    seen
}

#[tokio::test]
async fn list_endpoints_paginate_with_opaque_cursors() {
    let s = study().await;
    for name in ["A", "B", "C"] {
        s.code(&s.owner, name).await;
    }
    assert_eq!(
        code_names_page_by_page(&s).await,
        ["A", "B", "C"],
        "stable order, nothing twice or lost"
    );

    let members: Page<Value> = s
        .owner
        .get_ok(&format!("/projects/{}/members?limit=1", s.project))
        .await;
    assert_eq!(members.items.len(), 1);
    assert!(members.next_cursor.is_some(), "{members:?}");
    s.app.create_user("root", true).await;
    let root = s.app.api_for("root").await;
    let _second_token = s.app.api_for("root").await;
    for (api, path, key) in [
        (&root, "/users".to_owned(), "users"),
        (&root, "/tokens".to_owned(), "tokens"),
        (
            &s.owner,
            format!("/projects/{}/speakers", s.project),
            "speakers",
        ),
    ] {
        // Raw JSON: each list's own key is part of the contract.
        let (_, first) = api.get(&format!("{path}?limit=1")).await;
        assert_eq!(
            first[key].as_array().map(Vec::len),
            Some(1),
            "{path}: {first}"
        );
        let next = first["next_cursor"]
            .as_str()
            .expect("more pages")
            .to_owned();
        let (_, second) = api.get(&format!("{path}?limit=1&cursor={next}")).await;
        assert_ne!(
            first[key][0], second[key][0],
            "{path}: the next page moves on"
        );
    }
    let (_, projects) = s.owner.get("/projects?limit=1").await;
    assert_eq!(
        projects["next_cursor"],
        Value::Null,
        "one project, one page"
    );
    let trust = s.code(&s.owner, "Trust").await;
    s.excerpt(&s.alice, "I trust it", &[trust]).await;
    s.excerpt(&s.alice, "It helps me think", &[trust]).await;
    let first = s.owner.excerpts(s.document, "?limit=1").await;
    let next = first.next_cursor.expect("a second page");
    let second = s
        .owner
        .excerpts(s.document, &format!("?limit=1&cursor={next}"))
        .await;
    assert_ne!(first.items[0].id, second.items[0].id);
    let (status, body) = s
        .owner
        .get(&format!(
            "/documents/{}/excerpts?cursor=garbage",
            s.document
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn tokens_can_be_created_listed_and_revoked_through_the_api() {
    let app = spawn_app().await;
    let api = app.api_user("alice").await;
    // A token cannot mint tokens: a leaked one must not outlive its revocation.
    let (status, refused) = api.post("/tokens", json!({ "name": "notebook" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("gloss token create")
    );
    // The signed-in person can, from their browser session (as the pages' scripts do).
    let browser = app.browser_signed_in("alice").await;
    let csrf = browser.csrf("/").await;
    let response = browser
        .client
        .post(browser.url("/api/v1/tokens"))
        .header("x-csrf-token", csrf)
        .json(&json!({ "name": "notebook" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let (_, list) = api.get("/tokens").await;
    assert_eq!(parse::<Page<Value>>(&list).items.len(), 2);
    assert!(
        !list.to_string().contains(&secret),
        "secrets are never listed"
    );
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = api.delete(&format!("/tokens/{}", created["id"])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let other = app.api_user("bob").await;
    let (status, _) = other
        .delete(&format!("/tokens/{}", list["tokens"][1]["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only your own tokens");
}

#[tokio::test]
async fn the_api_page_lists_every_operation_and_links_the_document() {
    let app = spawn_app().await;
    let response = reqwest::get(app.url("/api")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"/api/v1/openapi.json\""));
    let (_, doc) = json_of(reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap()).await;
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} on the API page"
        );
    }
}
