//! The codebook page and a code's page: retrieval across documents with filters.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Study, study};

/// Trust with a sub-code: alice and bob code three passages (one with the sub-code).
async fn coded_with_a_subcode() -> (Study, i64) {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let sub = s.sub_code(trust, "Conditional trust").await;
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.bob, "not for decisions", &[sub]).await;
    s.excerpt(&s.bob, "Why not decisions?", &[trust]).await;
    (s, trust)
}

#[tokio::test]
async fn a_code_page_lists_its_excerpts_with_context_speakers_and_filters() {
    let (s, trust) = coded_with_a_subcode().await;
    let memo = s.excerpt(&s.alice, "It helps me think", &[trust]).await;
    s.alice
        .patch(
            &format!("/excerpts/{}", memo.id),
            json!({ "memo": "<b>bold</b> claim" }),
        )
        .await;

    let browser = s.app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&format!("/codes/{trust}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("3 excerpts"), "own code only: {html}");
    assert!(html.contains("<mark>I trust it for drafts</mark>"));
    assert!(html.contains("Honestly 💛 "), "context before the excerpt");
    assert!(
        html.contains(&format!("/documents/{}#excerpt-", s.document)),
        "links open the document at the excerpt"
    );
    assert!(
        html.contains("&#60;b&#62;bold&#60;/b&#62; claim"),
        "memos shown, escaped"
    );
    assert!(html.contains("speaker-participant") && html.contains("speaker-interviewer"));

    let (_, html) = browser.page(&format!("/codes/{trust}?subcodes=on")).await;
    assert!(html.contains("4 excerpts"), "with sub-codes");
    let (_, html) = browser.page(&format!("/codes/{trust}?coder=bob")).await;
    assert!(html.contains("1 excerpt") && html.contains("Why not decisions?"));
    let (_, html) = browser
        .page(&format!("/codes/{trust}?role=participant"))
        .await;
    assert!(
        html.contains("2 excerpts"),
        "only excerpts in participant turns"
    );
    assert!(!html.contains("<mark>Why not decisions?</mark>"));
    let (status, _) = browser.page(&format!("/codes/{trust}?role=narrator")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Blind coding: a coder's code page shows only their own excerpts.
    s.code_blind().await;
    let bob = s.app.browser_signed_in("bob").await;
    let (_, html) = bob.page(&format!("/codes/{trust}")).await;
    assert!(html.contains("1 excerpt"), "{html}");
    assert!(
        !html.contains("<mark>I trust it for drafts</mark>"),
        "alice's excerpt is hidden"
    );
    let (status, _) = bob.page(&format!("/codes/{trust}?coder=alice")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let stranger = {
        s.app.create_user("eve", false).await;
        s.app.browser_signed_in("eve").await
    };
    let (status, _) = stranger.page(&format!("/codes/{trust}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_codebook_page_grows_and_tidies_the_codebook() {
    let s = study().await;
    let browser = s.app.browser_signed_in("olga").await;
    let codes_page = format!("/projects/{}/codes", s.project);
    let response = browser
        .submit(
            &codes_page,
            &codes_page,
            &[
                ("name", "Trust"),
                ("color", "#59a14f"),
                ("description", "Reliance on AI"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let codes = s.owner.codebook(s.project).await;
    let trust = codes[0].id;
    assert_eq!(codes[0].color, "#59a14f");
    let trust_str = trust.to_string();
    browser
        .submit(
            &codes_page,
            &codes_page,
            &[
                ("name", "Caution"),
                ("color", "#e15759"),
                ("parent_id", trust_str.as_str()),
            ],
        )
        .await;
    let (_, html) = browser.page(&codes_page).await;
    assert!(html.contains("Trust") && html.contains("Caution") && html.contains("depth-1"));

    let excerpt = s.excerpt(&s.alice, "I trust it", &[trust]).await;
    let (_, code_page) = browser.page(&format!("/codes/{trust}")).await;
    assert!(
        code_page.contains("1 excerpt will lose this code"),
        "delete shows what it affects"
    );
    let response = browser
        .submit(
            &format!("/codes/{trust}"),
            &format!("/codes/{trust}/edit"),
            &[
                ("name", "Trust in AI"),
                ("color", "#4e79a7"),
                ("description", "x"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.owner.code(trust).await.name, "Trust in AI");

    let caution = s.owner.codebook(s.project).await[1].id;
    let response = browser
        .submit(
            &format!("/codes/{trust}"),
            &format!("/codes/{trust}/delete"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.page(&codes_page).await;
    assert!(html.contains("1 excerpt(s) lost it"));
    assert_eq!(
        s.owner.excerpt(excerpt.id).await.code_ids,
        Vec::<i64>::new()
    );
    let caution = s.owner.code(caution).await;
    assert_eq!(caution.depth, 0, "sub-code moved up");

    coders_cannot_delete_codes(&s, &codes_page, caution.id).await;
}

/// Coders may add codes but not delete them: the codebook page says so.
async fn coders_cannot_delete_codes(s: &Study, codes_page: &str, caution: i64) {
    let alice = s.app.browser_signed_in("alice").await;
    let response = alice
        .submit(codes_page, &format!("/codes/{caution}/delete"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = alice.page(&format!("/codes/{caution}")).await;
    assert!(html.contains("Only project owners can delete"));
}

/// The code page's export link carries its filters, encoded, so the CSV holds exactly the
/// excerpts the page shows, whatever characters the filter values contain.
#[tokio::test]
async fn a_code_pages_export_link_exports_what_the_page_shows() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let (status, body) = s
        .owner
        .patch(
            &format!("/documents/{}", s.document),
            json!({ "attributes": { "site": "Leeds & York + C++" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.excerpt(&s.alice, "I trust it for drafts", &[trust]).await;
    s.excerpt(&s.bob, "Why not decisions?", &[trust]).await;

    let browser = s.app.browser_signed_in("olga").await;
    let filter = "coder=alice&attribute=site%3ALeeds%20%26%20York%20%2B%20C%2B%2B";
    let (status, html) = browser.page(&format!("/codes/{trust}?{filter}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 excerpt"), "{html}");
    let href = html
        .split("href=\"")
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|href| href.contains("excerpts.csv"))
        .expect("an export link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let csv = browser.get(&href).await.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{href}: {csv}");
    assert!(rows[0].contains("I trust it for drafts") && rows[0].contains("alice"));
}

/// The code page's retrieval through the API: the same excerpts, filters and rules.
#[tokio::test]
async fn excerpts_with_a_code_can_be_retrieved_through_the_api() {
    let (s, trust) = coded_with_a_subcode().await;
    s.excerpt(&s.alice, "It helps me think", &[trust]).await;

    let get = |api, query| retrieve(api, trust, query);
    let (status, body) = get(&s.owner, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    let first = &body["excerpts"][0];
    assert_eq!(first["text"], "I trust it for drafts");
    assert!(first["before"].as_str().unwrap().ends_with("Honestly 💛 "));
    assert_eq!(first["document_id"], s.document);
    assert_eq!(first["speakers"][0]["role"], "participant");
    assert_eq!(get(&s.owner, "?subcodes=true").await.1["total"], 4);
    let (_, bobs) = get(&s.owner, "?coder=bob").await;
    assert_eq!(bobs["total"], 1);
    assert_eq!(bobs["excerpts"][0]["text"], "Why not decisions?");
    assert_eq!(get(&s.owner, "?role=participant").await.1["total"], 2);
    assert_eq!(
        get(&s.owner, "?role=narrator").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    s.code_blind().await;
    let (_, own) = get(&s.bob, "").await;
    assert_eq!(own["total"], 1, "blind coding: bob gets only his own");
    let stranger = s.app.api_user("eve").await;
    assert_eq!(get(&stranger, "").await.0, StatusCode::NOT_FOUND);
}

async fn retrieve(
    api: &crate::helpers::Api,
    code: i64,
    query: &str,
) -> (StatusCode, serde_json::Value) {
    api.get(&format!("/codes/{code}/excerpts{query}")).await
}
