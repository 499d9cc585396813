//! The activity page says what people did in sentences, a run of coding as one line.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::study;

#[tokio::test]
async fn a_run_of_coding_reads_as_one_sentence_with_names_not_ids() {
    let s = study().await;
    let trust = s.code(&s.owner, "Trust").await;
    let hope = s.code(&s.owner, "Hope").await;
    s.excerpt(&s.alice, "trust it for drafts", &[trust]).await;
    s.excerpt(&s.alice, "It helps me think", &[hope, trust])
        .await;
    s.excerpt(&s.alice, "Why not decisions", &[trust]).await;
    let other = s.another_document().await;
    s.owner
        .patch(
            &format!("/documents/{other}"),
            json!({ "title": "Dialog 00356" }),
        )
        .await;
    let browser = s.app.browser_signed_in("olga").await;
    let (status, html) = browser
        .page(&format!("/projects/{}/activity", s.project))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<strong>alice</strong> coded 3 passages in “P1” with Trust and Hope."),
        "{html}"
    );
    assert!(
        html.contains("<strong>olga</strong> edited “Dialog 00356”: retitled it “Dialog 00356”."),
        "{html}"
    );
    // The stored events stay one a change, behind the sentence.
    assert_eq!(html.matches("excerpt.created").count(), 3);
    assert!(html.contains("<summary>3 changes</summary>"));
    assert!(!html.contains("document #"), "ids are named: {html}");
}
