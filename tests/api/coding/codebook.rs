//! Codes through the API: a tree with paths and default colours, clear validation errors,
//! merging and deleting (what happens to excerpts and sub-codes), and the codebook CSV.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Code, Study, parse, study};

#[tokio::test]
async fn codes_form_a_tree_with_default_colours_and_clear_errors() {
    let s = study().await;
    let concerns = s.code(&s.owner, "Concerns").await;
    let (status, child) = s
        .alice
        .post(&format!("/projects/{}/codes", s.project), json!({ "name": "Job displacement", "parent_id": concerns, "color": "#ABC", "description": "Fear of losing work" }))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "coders grow the codebook: {child}"
    );
    let child: Code = parse(&child);
    assert_eq!(child.path, "Concerns > Job displacement");
    assert_eq!(child.color, "#aabbcc");
    assert_eq!(child.depth, 1);
    let codes = s.owner.codebook(s.project).await;
    assert_eq!(codes.len(), 2);
    assert!(codes[0].color.starts_with('#'), "default colour");

    assert_invalid_codes_are_refused(&s, concerns).await;

    let (status, body) = s
        .owner
        .patch(
            &format!("/codes/{concerns}"),
            json!({ "parent_id": child.id }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no cycles: {body}"
    );
    let moved: Code = s
        .owner
        .patched(
            &format!("/codes/{}", child.id),
            json!({ "parent_id": null, "name": "Displacement" }),
        )
        .await;
    assert_eq!(moved.path, "Displacement");
    let (status, _) = s
        .owner
        .patch(&format!("/codes/{concerns}"), json!({ "colour": "#fff" }))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
}

/// Invalid names, colours and parents name their field; sibling names are unique (in any
/// case) while the same name may recur one level down.
async fn assert_invalid_codes_are_refused(s: &Study, concerns: i64) {
    let project = s.project;
    let codes_path = format!("/projects/{project}/codes");
    for (body, status, field) in [
        (
            json!({ "name": "" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({ "name": "a > b" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({ "name": "Ok", "color": "blue" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "color",
        ),
        (
            json!({ "name": "Ok", "parent_id": 999_999 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "parent_id",
        ),
    ] {
        let error = s
            .owner
            .refused(Method::POST, &codes_path, body.clone(), status)
            .await;
        assert_eq!(error.field.as_deref(), Some(field), "{body}: {error:?}");
    }
    let (status, body) = s
        .owner
        .post(&codes_path, json!({ "name": "concerns" }))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "sibling names are unique case-insensitively: {body}"
    );
    let (status, _) = s
        .owner
        .post(
            &codes_path,
            json!({ "name": "Concerns", "parent_id": concerns }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same name may recur at another level"
    );
}

#[tokio::test]
async fn merging_moves_excerpts_without_duplicates_in_one_step() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let reliance = s.code(&s.owner, "Reliance").await;
    let child = s.sub_code(reliance, "Blind trust").await;
    let both = s
        .excerpt(&s.alice, "I trust it for drafts", &[trust, reliance])
        .await;
    let only = s.excerpt(&s.bob, "It helps me think", &[reliance]).await;

    let merge = format!("/codes/{reliance}/merge");
    let (status, body) = s.alice.post(&merge, json!({ "into": trust })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only owners merge: {body}");
    let (status, body) = s.owner.post(&merge, json!({ "into": child })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not into its own sub-code: {body}"
    );
    let (status, body) = s.owner.post(&merge, json!({ "into": reliance })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, merged) = s.owner.post(&merge, json!({ "into": trust })).await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["excerpts_all"], 2);
    assert_eq!(
        s.owner.excerpt(both.id).await.code_ids,
        [trust],
        "one application, not two"
    );
    assert_eq!(s.owner.excerpt(only.id).await.code_ids, [trust]);
    let (status, _) = s.owner.get(&format!("/codes/{reliance}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.owner.code(child).await.path,
        "Trust > Blind trust",
        "sub-codes follow the merge"
    );
}

#[tokio::test]
async fn deleting_a_code_reports_affected_excerpts_and_keeps_the_rest() {
    let s = study().await;
    let parent = s.code(&s.owner, "Feelings").await;
    let child = s.sub_code(parent, "Warmth").await;
    let other = s.code(&s.owner, "Work").await;
    let excerpt = s
        .excerpt(&s.alice, "It helps me think", &[parent, other])
        .await;
    s.excerpt(&s.bob, "It helps me think", &[parent]).await;

    let (status, _) = s.alice.delete(&format!("/codes/{parent}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, deleted) = s.owner.delete(&format!("/codes/{parent}")).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["excerpts_affected"], 2);
    assert_eq!(
        s.owner.excerpt(excerpt.id).await.code_ids,
        [other],
        "other codes and the excerpt stay"
    );
    assert_eq!(
        s.owner.code(child).await.path,
        "Warmth",
        "sub-codes move up"
    );
}

#[tokio::test]
async fn the_codebook_round_trips_through_csv() {
    let s = study().await;
    let concerns = s.code(&s.owner, "Concerns").await;
    s.owner
        .post(&format!("/projects/{}/codes", s.project), json!({ "name": "Job loss", "parent_id": concerns, "description": "=cmd|' /C calc'!A0, \"quoted\"" }))
        .await;
    let response = s
        .owner
        .request(
            Method::GET,
            &format!("/projects/{}/codebook.csv", s.project),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    assert!(
        csv.starts_with("name,parent_path,color,description\n"),
        "{csv}"
    );
    assert!(csv.contains("Job loss,Concerns,"), "{csv}");
    assert!(csv.contains("\"'=cmd|"), "formula neutralised: {csv}");

    let other = s.owner.create_project("Copy").await;
    let response = s
        .owner
        .request(Method::POST, &format!("/projects/{other}/codebook.csv"))
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let codes = s.owner.codebook(other).await;
    assert_eq!(codes.len(), 2);
    assert_eq!(codes[1].path, "Concerns > Job loss");
    assert_eq!(codes[1].description, "=cmd|' /C calc'!A0, \"quoted\"");

    let response = s
        .owner
        .request(Method::POST, &format!("/projects/{other}/codebook.csv"))
        .body("name,color\nGood,#123456\nBad,not-a-colour\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.owner.codebook(other).await.len(),
        2,
        "a bad row imports nothing"
    );
}

#[tokio::test]
async fn a_new_code_takes_the_least_used_colour_of_the_palette() {
    let s = study().await;
    let path = format!("/projects/{}/codes", s.project);
    let new = |body| s.owner.create_code(s.project, body);
    // The palette starts #4e79a7, #f28e2b, #e15759; a code already took the second.
    new(json!({ "name": "Chosen", "color": "#F28E2B" })).await;
    let first = new(json!({ "name": "First default" })).await;
    assert_eq!(first.color, "#4e79a7");
    let second = new(json!({ "name": "Second default" })).await;
    assert_eq!(second.color, "#e15759", "not the one 'Chosen' already has");
    s.owner.delete(&format!("/codes/{}", first.id)).await;
    let third = new(json!({ "name": "After a deletion" })).await;
    assert_eq!(third.color, "#4e79a7", "a freed colour is used again first");

    // The codebook page's New code form starts with the next least-used colour.
    let browser = s.app.browser_signed_in("olga").await;
    let (_, html) = browser.page(&path).await;
    let form = &html[html
        .find("name=\"color\" type=\"color\"")
        .expect("colour input")..];
    assert!(
        form.starts_with("name=\"color\" type=\"color\" value=\"#76b7b2\""),
        "{}",
        &form[..80]
    );
}
