//! The search page over HTTP: hits in context with the match marked, paging, a malformed
//! query as a message, auto-code preview / apply / undo, and who may see what.

use reqwest::StatusCode;

use crate::helpers::{Browser, error_of, location, study};

fn search_url(project: i64, query: &str) -> String {
    format!("/projects/{project}/search?{query}")
}

/// The `content` of the hidden input `name` in `html` (the first one).
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

#[tokio::test]
async fn hits_render_in_context_with_the_match_marked_and_a_next_page() {
    let s = study().await;
    let browser = s.app.browser_signed_in("olga").await;
    let (status, html) = browser.page(&search_url(s.project, "q=decisions")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2 hits"), "{html}");
    assert!(
        html.contains("I trust it for drafts, not for <mark>decisions</mark>."),
        "{html}"
    );
    assert!(html.contains("Why not <mark>decisions</mark>?"), "{html}");
    let (start, end) = s.find("decisions");
    let link = format!("href=\"/documents/{}#hit-{start}-{end}\"", s.document);
    assert!(html.contains(&link), "{link}: {html}");
    assert!(html.contains(">participant</span>") && html.contains(">interviewer</span>"));
    assert!(html.contains("aria-current=\"page\">Search</a>"), "{html}");

    let (_, first) = browser
        .page(&search_url(s.project, "q=decisions&limit=1"))
        .await;
    assert_eq!(first.matches("<mark>").count(), 1, "{first}");
    assert!(first.contains("not for <mark>decisions</mark>"), "{first}");
    let marker = "<a href=\"";
    let next = first
        .split(marker)
        .find(|rest| rest.contains("rel=\"next\""))
        .and_then(|rest| rest.split('"').next())
        .expect("a next-page link")
        .replace("&amp;", "&");
    let (status, second) = browser.page(&next).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert!(
        second.contains("Why not <mark>decisions</mark>?"),
        "{second}"
    );
    assert!(!second.contains("rel=\"next\""), "the last page: {second}");
}

#[tokio::test]
async fn a_malformed_query_shows_the_service_message_not_a_500() {
    let s = study().await;
    let (_, body) = s
        .alice
        .get(&format!("/projects/{}/search?q=%22open", s.project))
        .await;
    let message = error_of(&body).message;
    let browser = s.app.browser_signed_in("alice").await;
    let (status, html) = browser.page(&search_url(s.project, "q=%22open")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let alert = html
        .split("role=\"alert\">")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("an alert box");
    let unescaped = alert.replace("&#34;", "\"").replace("&#39;", "'");
    assert_eq!(unescaped, message);
    assert!(!html.contains("<mark>"));
}

async fn excerpt_count(s: &crate::helpers::Study) -> usize {
    s.excerpts(&s.alice, "").await.len()
}

async fn autocode(
    browser: &Browser,
    s: &crate::helpers::Study,
    code: i64,
    action: &str,
) -> reqwest::Response {
    let page = search_url(s.project, "q=decisions");
    let code = code.to_string();
    browser
        .submit(
            &page,
            &format!("/projects/{}/search/autocode", s.project),
            &[
                ("q", "decisions"),
                ("apply_code", &code),
                ("extent", "sentence"),
                ("action", action),
            ],
        )
        .await
}

#[tokio::test]
async fn preview_then_apply_then_undo_changes_the_excerpts() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let browser = s.app.browser_signed_in("alice").await;

    let preview = autocode(&browser, &s, trust, "preview").await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(
        html.contains("<strong>2</strong> hits, <strong>2</strong> excerpts to create, <strong>0</strong> skipped"),
        "{html}"
    );
    assert_eq!(excerpt_count(&s).await, 0, "a preview writes nothing");

    let applied = autocode(&browser, &s, trust, "apply").await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let back = location(&applied);
    assert!(back.contains("undo="), "{back}");
    assert_eq!(excerpt_count(&s).await, 2);
    let (_, html) = browser.page(&back).await;
    assert!(html.contains("2 excerpts created"), "{html}");
    assert!(html.contains("Undo this auto-code"), "{html}");
    let batch = hidden_value(&html, "batch_id").expect("the run to undo");

    // A refused run says why inside the form and keeps the hits listed.
    let refused = autocode(&browser, &s, 999_999, "apply").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\">There is no code 999999"),
        "{html}"
    );
    assert!(html.contains("<mark>decisions</mark>"), "{html}");
    assert_eq!(excerpt_count(&s).await, 2);

    // Applying again finds nothing new: the sentences are coded already.
    let again = autocode(&browser, &s, trust, "preview").await;
    let html = again.text().await.unwrap();
    assert!(
        html.contains("<strong>0</strong> excerpts to create, <strong>2</strong> skipped"),
        "{html}"
    );

    let undone = browser
        .submit(
            &back,
            &format!("/projects/{}/search/undo", s.project),
            &[("batch_id", &batch), ("q", "decisions")],
        )
        .await;
    assert_eq!(undone.status(), StatusCode::SEE_OTHER);
    assert_eq!(excerpt_count(&s).await, 0);
    let (_, html) = browser.page(&location(&undone)).await;
    assert!(html.contains("2 excerpts removed"), "{html}");
}

#[tokio::test]
async fn viewers_get_no_autocode_form_and_non_members_a_404() {
    let s = study().await;
    s.app.api_user("vera").await;
    s.owner.add_member(s.project, "vera", "viewer").await;
    let viewer = s.app.browser_signed_in("vera").await;
    let (status, html) = viewer.page(&search_url(s.project, "q=decisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<mark>decisions</mark>"));
    assert!(!html.contains("Auto-code these hits"), "{html}");

    s.app.api_user("mallory").await;
    let outsider = s.app.browser_signed_in("mallory").await;
    let (status, html) = outsider.page(&search_url(s.project, "q=decisions")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
    assert!(!html.contains("decisions</mark>"));
}

#[tokio::test]
async fn a_blind_coder_filters_by_their_own_coding_only() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    s.code_blind().await;
    s.excerpt(&s.bob, "not for decisions", &[trust]).await;
    let query = format!("q=decisions&code_id={trust}");

    let alice = s.app.browser_signed_in("alice").await;
    let (status, html) = alice.page(&search_url(s.project, &query)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("0 hits"), "bob's coding is hidden: {html}");
    assert!(!html.contains(">bob</option>"), "{html}");
    assert!(html.contains(">alice</option>"), "{html}");

    let bob = s.app.browser_signed_in("bob").await;
    let (_, html) = bob.page(&search_url(s.project, &query)).await;
    assert!(html.contains("1 hit<"), "{html}");
    assert!(html.contains("not for <mark>decisions</mark>"), "{html}");
}

/// The attribute filter narrows both the hits shown and the hits an auto-code run codes.
#[tokio::test]
async fn an_attribute_filter_narrows_the_hits_and_the_autocode_run() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let second = s.another_document().await;
    for (document, wave) in [(s.document, "1"), (second, "2")] {
        let (status, body) = s
            .owner
            .patch(
                &format!("/documents/{document}"),
                serde_json::json!({ "attributes": { "wave": wave } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let browser = s.app.browser_signed_in("alice").await;
    let (_, html) = browser.page(&search_url(s.project, "q=decisions")).await;
    assert!(html.contains("4 hits"), "both documents: {html}");
    assert!(html.contains(">wave = 1 (1)</option>"), "{html}");

    let filtered = search_url(s.project, "q=decisions&attribute=wave%3A2");
    let (status, html) = browser.page(&filtered).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2 hits"), "{html}");
    assert!(
        !html.contains(&format!("/documents/{}#hit-", s.document)),
        "{html}"
    );
    assert!(
        html.contains(&format!("/documents/{second}#hit-")),
        "{html}"
    );
    assert!(
        html.contains("name=\"attribute\" value=\"wave:2\""),
        "kept for the forms: {html}"
    );

    let applied = browser
        .submit(
            &filtered,
            &format!("/projects/{}/search/autocode", s.project),
            &[
                ("q", "decisions"),
                ("attribute", "wave:2"),
                ("apply_code", &trust.to_string()),
                ("extent", "match"),
                ("action", "apply"),
            ],
        )
        .await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.alice.excerpts(second, "").await.items.len(), 2);
    assert_eq!(
        excerpt_count(&s).await,
        0,
        "the first document's hits stay uncoded"
    );
}
