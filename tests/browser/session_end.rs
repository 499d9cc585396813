//! A session that ends while the coding page is open: the change the user made is kept,
//! the page says what happened and offers to sign in again in a new tab, and once signed in
//! the change is saved exactly as made. A token from an earlier sign-in is renewed silently.

use serde_json::json;

use crate::harness::BrowserTest;
use crate::page::{click, key, keys, open_page, page, select_in_text, wait_saved, wait_until};
use crate::prelude::{AFTER_HEART, AFTER_TEARS, Prelude};

/// Signs out from inside the page, as another tab's "Sign out" would: the session ends on
/// the server and the cookie is dropped, while this page stays open with its old token.
async fn sign_out_elsewhere(b: &BrowserTest) {
    page(
        b,
        r#"const token = document.querySelector('meta[name="csrf-token"]').content;
           const response = await fetch("/logout", {
             method: "POST",
             headers: { "Content-Type": "application/x-www-form-urlencoded" },
             body: new URLSearchParams({ _csrf: token }),
           });
           if (!response.ok) throw new Error("sign-out failed: " + response.status);"#,
        vec![],
    )
    .await;
}

/// Signs `name` in again in a second tab, closes it and comes back to the coding page.
async fn sign_in_in_another_tab(b: &BrowserTest, name: &str) {
    let coding_tab = b.client.window().await.expect("current tab");
    let other = b.client.new_window(true).await.expect("open a tab");
    b.client
        .switch_to_window(other.handle)
        .await
        .expect("go to the new tab");
    b.sign_in(name).await;
    b.client.close_window().await.expect("close the tab");
    b.client
        .switch_to_window(coding_tab)
        .await
        .expect("back to the coding tab");
}

async fn apply_code(b: &BrowserTest, needle: &str, code: &str) {
    select_in_text(b, needle).await;
    keys(b, "c").await;
    b.wait_for("#picker-input").await;
    keys(b, &format!("{code}{}", key::ENTER)).await;
}

#[tokio::test]
async fn a_change_made_after_the_session_ended_is_kept_and_saved_after_signing_in() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    open_page(&b, study.document, "").await;

    sign_out_elsewhere(&b).await;
    apply_code(&b, AFTER_TEARS, "Trust").await;
    wait_until(
        &b,
        r#"state() === "failed""#,
        "the save to wait for sign-in",
    )
    .await;
    let status = b.text_of("[data-save-status]").await;
    assert!(status.contains("session has ended"), "{status}");
    assert!(status.contains("kept here"), "{status}");
    assert!(!status.contains("CSRF"), "no token jargon: {status}");
    let link = b.wait_for("[data-sign-in-again]").await;
    assert!(
        link.is_displayed().await.unwrap(),
        "the sign-in link is shown"
    );
    assert_eq!(
        link.attr("target").await.unwrap().as_deref(),
        Some("_blank"),
        "signing in again does not leave this page"
    );
    // The highlight is still on the page, waiting.
    let shown = page(
        &b,
        "return document.querySelectorAll('.hl').length;",
        vec![],
    )
    .await;
    assert!(
        shown.as_u64().unwrap() > 0,
        "the unsaved excerpt is still shown"
    );
    assert!(
        study.excerpts(&study.api).await.is_empty(),
        "nothing saved yet"
    );

    sign_in_in_another_tab(&b, "ada").await;
    // Coming back to the tab saves what waited; "Save now" is there for when focus is lost.
    page(&b, "window.dispatchEvent(new Event('focus'));", vec![]).await;
    wait_saved(&b).await;
    let saved = study.excerpts(&study.api).await;
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["text"], AFTER_TEARS);
    assert_eq!(saved[0]["code_ids"], json!([trust]));
    assert!(
        !b.wait_for("[data-sign-in-again]")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_token_from_an_earlier_sign_in_is_renewed_without_asking() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    open_page(&b, study.document, "").await;

    // Signed out and in again elsewhere: the page's token belongs to the old session.
    sign_out_elsewhere(&b).await;
    sign_in_in_another_tab(&b, "ada").await;
    apply_code(&b, AFTER_HEART, "Trust").await;
    wait_saved(&b).await;
    let saved = study.excerpts(&study.api).await;
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["text"], AFTER_HEART);
    assert_eq!(saved[0]["code_ids"], json!([trust]));
}

#[tokio::test]
async fn save_now_stays_waiting_while_still_signed_out() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    study.code("Trust", "#4e79a7").await;
    open_page(&b, study.document, "").await;
    sign_out_elsewhere(&b).await;
    apply_code(&b, AFTER_TEARS, "Trust").await;
    wait_until(
        &b,
        r#"state() === "failed""#,
        "the save to wait for sign-in",
    )
    .await;
    // Count the attempts to renew the session (each fetches the home page).
    page(
        &b,
        r#"window.renewals = 0;
           const original = window.fetch;
           window.fetch = (url, options) => {
             if (url === "/") window.renewals += 1;
             return original(url, options);
           };"#,
        vec![],
    )
    .await;
    click(&b, "[data-save-actions] [data-retry]").await;
    // Still signed out: the change stays queued, nothing is dropped or half-saved.
    wait_until(
        &b,
        r#"window.renewals > 0 && state() === "failed" && document.querySelector("[data-save-status]").textContent.includes("session has ended")"#,
        "Save now to try, and the change to keep waiting",
    )
    .await;
    assert!(study.excerpts(&study.api).await.is_empty());
}
