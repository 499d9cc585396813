//! Changing coding on the page: hover information, the excerpt panel (remove a code, memo,
//! boundaries, delete), undo, and saves that fail and are retried. Every change is checked
//! through the API, i.e. as stored.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::page::{click, key, keys, open_page, select_in_text, wait_saved, wait_until};
use crate::prelude::{AFTER_TEARS, Prelude, Study};

const PASSAGE: &str = "I've got you. 💛 Let's make this easier on your ADHD brain";
const LATER: &str = "your ADHD brain so you actually get to paint";

/// Opens the excerpt under the first highlight by clicking it.
async fn open_first_excerpt(b: &BrowserTest) {
    click(b, ".hl").await;
    b.wait_for("#excerpt-panel:not([hidden]) .excerpt-codes")
        .await;
}

/// The one excerpt `study.api`'s user has on the document (or none).
async fn my_excerpts(study: &Study) -> Vec<Value> {
    study.excerpts(&study.api).await
}

async fn undo(b: &BrowserTest) {
    keys(b, &format!("{}z{}", key::CONTROL, key::NULL)).await;
}

#[tokio::test]
async fn hovering_coded_text_shows_codes_coder_and_memo() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let excerpt = study.excerpt(&study.api, PASSAGE, &[trust]).await;
    let path = format!("/excerpts/{}", excerpt["id"]);
    let memo = json!({ "memo": "Warmth from a chat bot", "version": excerpt["version"] });
    let (status, body) = study.api.call(Method::PATCH, &path, Some(memo)).await;
    assert!(status.is_success(), "{body}");
    open_page(&b, study.document, "").await;

    let mark = b
        .client
        .find(Locator::Css(".hl"))
        .await
        .expect("a highlight");
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: mark,
        duration: Some(Duration::from_millis(50)),
        x: 0.0,
        y: 0.0,
    });
    b.client.perform_actions(hover).await.expect("hover");
    let tooltip = b.wait_for("#coding-tooltip:not([hidden])").await;
    let text = tooltip.text().await.unwrap();
    assert!(text.contains("Trust"), "{text}");
    assert!(text.contains("by ada (you)"), "{text}");
    assert!(text.contains("Warmth from a chat bot"), "{text}");
    let role = tooltip.attr("role").await.unwrap();
    assert_eq!(role.as_deref(), Some("tooltip"));
}

#[tokio::test]
async fn excerpt_panel_edits_are_saved_and_undone() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let tools = study.code("Tools", "#f28e2b").await;
    study.excerpt(&study.api, PASSAGE, &[trust, tools]).await;
    open_page(&b, study.document, "").await;
    open_first_excerpt(&b).await;

    // Remove a code.
    click(&b, &format!("#excerpt-panel [data-remove='{tools}']")).await;
    wait_saved(&b).await;
    assert_eq!(my_excerpts(&study).await[0]["code_ids"], json!([trust]));

    // Write a memo; leaving the field saves it.
    click(&b, "#excerpt-panel textarea").await;
    keys(&b, "Relief, in her words").await;
    keys(&b, key::TAB).await;
    wait_saved(&b).await;
    assert_eq!(my_excerpts(&study).await[0]["memo"], "Relief, in her words");

    // Extend the end by a word.
    click(&b, "#excerpt-panel [data-bound='extend-end']").await;
    wait_saved(&b).await;
    let extended = format!("{PASSAGE} so");
    let stored = &my_excerpts(&study).await[0];
    assert_eq!(stored["text"], extended.as_str());
    assert_eq!(stored["end"], study.span(&extended).1);

    // Set the boundaries to a new selection.
    select_in_text(&b, LATER).await;
    wait_until(
        &b,
        r#"!document.querySelector("[data-bound=selection]").disabled"#,
        "Set to current selection to be enabled",
    )
    .await;
    click(&b, "#excerpt-panel [data-bound='selection']").await;
    wait_saved(&b).await;
    let stored = my_excerpts(&study).await[0].clone();
    let (start, end) = study.span(LATER);
    assert_eq!(
        (stored["start"].clone(), stored["end"].clone()),
        (json!(start), json!(end))
    );
    assert_eq!(stored["text"], LATER);

    // Delete it, then undo the delete: the same span, codes and memo come back.
    click(&b, "#excerpt-panel [data-delete]").await;
    wait_saved(&b).await;
    assert_eq!(my_excerpts(&study).await, Vec::<Value>::new());
    undo(&b).await;
    wait_saved(&b).await;
    let restored = my_excerpts(&study).await;
    assert_eq!(restored.len(), 1, "{restored:?}");
    assert_eq!(restored[0]["start"], start);
    assert_eq!(restored[0]["end"], end);
    assert_eq!(restored[0]["code_ids"], json!([trust]));
    assert_eq!(restored[0]["memo"], "Relief, in her words");

    // Undo the boundary change, then the memo, through the re-created excerpt.
    undo(&b).await;
    wait_saved(&b).await;
    assert_eq!(my_excerpts(&study).await[0]["text"], extended.as_str());
    undo(&b).await;
    undo(&b).await;
    undo(&b).await;
    wait_saved(&b).await;
    let original = &my_excerpts(&study).await[0];
    assert_eq!(original["text"], PASSAGE);
    assert_eq!(original["memo"], "");
    assert_eq!(original["code_ids"], json!([trust, tools]));

    undo_removes_a_new_excerpt(&b, &study).await;
}

/// Undo of a create: a code applied with a number key, then Ctrl+Z.
async fn undo_removes_a_new_excerpt(b: &BrowserTest, study: &Study) {
    select_in_text(b, AFTER_TEARS).await;
    keys(b, "1").await;
    wait_saved(b).await;
    assert_eq!(my_excerpts(study).await.len(), 2);
    undo(b).await;
    wait_saved(b).await;
    let left = my_excerpts(study).await;
    assert_eq!(left.len(), 1, "the new excerpt was removed: {left:?}");
    assert_eq!(left[0]["text"], PASSAGE);
}

#[tokio::test]
async fn a_change_made_elsewhere_fails_visibly_and_retry_saves_it() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let excerpt = study.excerpt(&study.api, PASSAGE, &[trust]).await;
    open_page(&b, study.document, "").await;
    open_first_excerpt(&b).await;

    // Another tab changes the excerpt: the page's version is now stale.
    let path = format!("/excerpts/{}", excerpt["id"]);
    let elsewhere = json!({ "memo": "from another tab", "version": excerpt["version"] });
    let (status, body) = study.api.call(Method::PATCH, &path, Some(elsewhere)).await;
    assert!(status.is_success(), "{body}");

    click(&b, "#excerpt-panel textarea").await;
    keys(&b, "from this tab").await;
    keys(&b, key::TAB).await;
    wait_until(&b, r#"state() === "failed""#, "the save to fail").await;
    let status = b.text_of("[data-save-status]").await;
    assert!(status.contains("changed elsewhere"), "{status}");
    assert_eq!(my_excerpts(&study).await[0]["memo"], "from another tab");

    click(&b, "[data-save-actions] [data-retry]").await;
    wait_saved(&b).await;
    assert_eq!(my_excerpts(&study).await[0]["memo"], "from this tab");
}

#[tokio::test]
async fn offline_changes_wait_and_retry_sends_them_all() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let tools = study.code("Tools", "#f28e2b").await;
    open_page(&b, study.document, "").await;

    b.set_offline(true).await;
    // Apply Trust through the picker; the request fails and the page says so.
    select_in_text(&b, AFTER_TEARS).await;
    keys(&b, "c").await;
    b.wait_for("#picker-input").await;
    keys(&b, &format!("Trust{}", key::ENTER)).await;
    wait_until(&b, r#"state() === "failed""#, "the save to fail offline").await;
    let status = b.text_of("[data-save-status]").await;
    assert!(status.contains("could not be reached"), "{status}");
    // Going on: a second code on the same selection waits behind the failed request.
    wait_until(
        &b,
        "document.activeElement === root",
        "focus back in the text",
    )
    .await;
    keys(&b, "c").await;
    b.wait_for("#picker-input").await;
    keys(&b, &format!("Tools{}", key::ENTER)).await;
    wait_until(
        &b,
        r#"document.querySelector("[data-save-status]").textContent.includes("1 more change waiting")"#,
        "the second change to wait",
    )
    .await;
    assert_eq!(
        my_excerpts(&study).await,
        Vec::<Value>::new(),
        "nothing saved yet"
    );

    b.set_offline(false).await;
    click(&b, "[data-save-actions] [data-retry]").await;
    wait_saved(&b).await;
    let saved = my_excerpts(&study).await;
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["text"], AFTER_TEARS);
    assert_eq!(saved[0]["code_ids"], json!([trust, tools]));
}
