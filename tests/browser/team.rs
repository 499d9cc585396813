//! The team workflow on the coding page: Shift+M marks the document complete and, pressed
//! again, reopens it (issue 14); the server records each.

use crate::harness::BrowserTest;
use crate::page::{keys, open_page, wait_until};
use crate::prelude::Prelude;

async fn status_reads(b: &BrowserTest, status: &str) {
    wait_until(
        b,
        &format!(
            r#"document.querySelector("[data-completion-status]")?.textContent === "Your coding: {status}"
               && performance.getEntriesByName("gloss:interactive").length > 0"#
        ),
        &format!("the page to show the status {status}"),
    )
    .await;
}

#[tokio::test]
async fn shift_m_marks_the_document_complete_and_reopens_it() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    status_reads(&b, "not started").await;
    // The transcript has focus after a click, as when coding; the key works from there.
    b.wait_for("#transcript")
        .await
        .click()
        .await
        .expect("click");
    keys(&b, "M").await;
    status_reads(&b, "complete").await;
    let completion = study
        .api
        .get(&format!("/documents/{}/completion", study.document))
        .await;
    assert_eq!(completion["status"], "complete", "{completion}");
    assert!(
        b.text_of("[data-completion-form] button")
            .await
            .contains("Reopen")
    );

    b.wait_for("#transcript")
        .await
        .click()
        .await
        .expect("click");
    keys(&b, "M").await;
    status_reads(&b, "not started").await;
    let completion = study
        .api
        .get(&format!("/documents/{}/completion", study.document))
        .await;
    assert_eq!(completion["status"], "not_started");
}
