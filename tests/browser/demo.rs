//! The demo project from an empty server (issue 15): a new user's empty home page offers
//! it, one press builds it, and its pages (project, coding, agreement, disagreements) show
//! real coding; every one passes the accessibility gate.

use crate::accessibility::{axe_source, check};
use crate::harness::BrowserTest;
use crate::prelude::bare;

/// Presses Try a demo project on the signed-in user's home page (or, once they have a
/// project, on an empty project's page); the demo's project id.
async fn demo_from(b: &BrowserTest, path: &str) -> i64 {
    b.goto(path).await;
    b.wait_for("form[action='/projects/demo'] button")
        .await
        .click()
        .await
        .expect("press Try a demo project");
    b.wait_for("h1").await;
    let path = b.current_path().await;
    path.trim_start_matches("/projects/")
        .parse()
        .unwrap_or_else(|_| panic!("the demo opens its project page, not {path}"))
}

#[tokio::test]
async fn a_new_user_tries_the_demo_and_every_page_has_something_to_show() {
    let Some(b) = bare().await else { return };
    b.create_user("newcomer").await;
    b.sign_in("newcomer").await;
    let project = demo_from(&b, "/").await;
    let page = b.text_of("main").await;
    assert!(page.contains("Demo: AI at work"), "{page}");
    assert!(page.contains("CC-BY") && page.contains("Handa et al. 2025"));
    assert!(page.contains("Dialog 00355") && page.contains("work_0908"));

    b.goto(&format!(
        "/projects/{project}/agreement?coders=demo-amira,demo-ben"
    ))
    .await;
    let report = b.text_of("main").await;
    assert!(
        report.contains("Checking output") && report.contains("α"),
        "{report}"
    );

    b.goto(&format!("/projects/{project}/codes")).await;
    let codebook = b.text_of("main").await;
    assert!(codebook.contains("Trust and verification") && codebook.contains("Relying on AI"));

    b.goto("/").await;
    let home = b.text_of("main").await;
    assert!(home.contains("Demo: AI at work") && !home.contains("Try a demo project"));
}

#[tokio::test]
async fn the_demo_pages_have_no_accessibility_violations() {
    let Some(axe) = axe_source() else { return };
    let Some(b) = bare().await else { return };
    let mut failures = Vec::new();
    b.create_user("first").await;
    b.sign_in("first").await;
    check(
        &b,
        &axe,
        "/",
        "form[action='/projects/demo']",
        &mut failures,
    )
    .await;
    let empty = b.api_for("first").await.create_project("Empty").await;
    for path in ["", "/codes", "/agreement"] {
        let path = format!("/projects/{empty}{path}");
        check(&b, &axe, &path, ".empty-state", &mut failures).await;
    }
    let project = demo_from(&b, &format!("/projects/{empty}")).await;
    let document: i64 =
        sqlx::query_scalar("SELECT id FROM documents WHERE project_id = ? ORDER BY id LIMIT 1")
            .bind(project)
            .fetch_one(&b.db)
            .await
            .expect("a demo document");
    let code: i64 = sqlx::query_scalar(
        "SELECT id FROM codes WHERE project_id = ? AND name = 'Checking output'",
    )
    .bind(project)
    .fetch_one(&b.db)
    .await
    .expect("a demo code");
    let coders = "coders=demo-amira,demo-ben";
    let pages = [
        format!("/projects/{project}"),
        format!("/documents/{document}"),
        format!("/codes/{code}"),
        format!("/projects/{project}/agreement?{coders}"),
        format!("/projects/{project}/agreement/disagreements?{coders}&code={code}"),
        format!("/projects/{project}/agreement/consensus?{coders}"),
        format!("/projects/{project}/progress"),
    ];
    for path in &pages {
        check(&b, &axe, path, "main", &mut failures).await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
