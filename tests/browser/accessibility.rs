//! The accessibility gate: axe-core runs in headless Chromium on every page and state a
//! user meets, with its default rules (WCAG 2.x A/AA and best practices), and the test
//! fails on any violation, naming the rule, its impact and the elements.
//!
//! axe-core is not part of the repository: `.ci/run` installs it from the npm registry
//! and sets `GLOSS_AXE` to its `axe.min.js`. Locally, without it, the test is skipped with
//! a notice; under `CI` a missing axe fails it.

use serde_json::Value;

use crate::harness::{BrowserTest, PASSWORD, in_ci};
use crate::page::{click, drag_select, key, keys, open_page, wait_until};
use crate::prelude::{AFTER_HEART, Prelude, bare};

/// The axe-core source, or `None` when it is missing outside CI.
pub(crate) fn axe_source() -> Option<String> {
    let path = std::env::var("GLOSS_AXE").unwrap_or_default();
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if in_ci() => {
            panic!("axe-core is needed in CI: set GLOSS_AXE to axe.min.js (got '{path}': {e})")
        }
        Err(e) => {
            eprintln!("skipping the accessibility gate: GLOSS_AXE='{path}' ({e})");
            None
        }
    }
}

/// Runs axe on the page the browser shows; answers one line per violation.
pub(crate) async fn violations(b: &BrowserTest, axe: &str) -> Vec<String> {
    let script = format!(
        "{axe}\n;return axe.run(document).then((r) => r.violations.map((v) => \
         `${{v.id}} (${{v.impact}}): ${{v.help}} — ${{v.nodes.slice(0, 3).map((n) => \
         n.target.join(' ')).join(' | ')}}`));"
    );
    match b.execute(&script, vec![]).await {
        Value::Array(found) => found
            .into_iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("axe answered {other}"),
    }
}

/// Checks the page at `path` (after waiting for `ready`), collecting what fails.
pub(crate) async fn check(
    b: &BrowserTest,
    axe: &str,
    path: &str,
    ready: &str,
    failures: &mut Vec<String>,
) {
    b.goto(path).await;
    b.wait_for(ready).await;
    for violation in violations(b, axe).await {
        failures.push(format!("{path}: {violation}"));
    }
}

#[tokio::test]
async fn the_set_up_and_sign_in_pages_have_no_accessibility_violations() {
    let Some(axe) = axe_source() else { return };
    let Some(b) = bare().await else { return };
    let mut failures = Vec::new();
    check(&b, &axe, "/setup", "form[action='/setup']", &mut failures).await;
    b.create_user("ada").await;
    check(&b, &axe, "/login", "form[action='/login']", &mut failures).await;
    check(&b, &axe, "/login?next=%2Fsettings", "form", &mut failures).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_signed_in_page_has_no_accessibility_violations() {
    let Some(axe) = axe_source() else { return };
    let Some((b, study)) = Prelude::new()
        .owner("lead")
        .member("ann", "coder")
        .member("cal", "coder")
        .start()
        .await
    else {
        return;
    };
    let support = study.code("Support", "#4e79a7").await;
    let anns = study
        .excerpt(study.api_of("ann"), AFTER_HEART, &[support])
        .await["id"]
        .as_i64()
        .unwrap_or_default();
    study
        .excerpt(study.api_of("cal"), "your ADHD brain", &[support])
        .await;
    // A second code over ann's excerpt, so the co-occurrence table has a pair.
    let trust = study.code("Trust", "#f28e2b").await;
    study
        .excerpt(study.api_of("ann"), AFTER_HEART, &[trust])
        .await;
    let (project, document) = (study.project, study.document);
    // An attribute, so the code page shows its chart per attribute value.
    let (status, body) = study
        .api
        .call(
            reqwest::Method::PATCH,
            &format!("/documents/{document}"),
            Some(serde_json::json!({ "attributes": { "site": "Leeds" } })),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let imported = study
        .api
        .import_file(project, "extra.txt", b"User: one more\nAI: answer".to_vec())
        .await;
    let mut failures = Vec::new();
    let agreement = "coders=ann,cal";
    let pages = [
        ("/".to_owned(), "main"),
        (format!("/projects/{project}"), "main"),
        (format!("/documents/{document}"), "#transcript"),
        (format!("/projects/{project}/codes"), "main"),
        (format!("/codes/{support}"), "main"),
        (format!("/projects/{project}/agreement?{agreement}"), "main"),
        (
            format!("/projects/{project}/agreement/disagreements?{agreement}&code={support}"),
            "main",
        ),
        (format!("/projects/{project}/activity"), "main"),
        (format!("/projects/{project}/export"), "main"),
        (format!("/projects/{project}/members"), "main"),
        (format!("/projects/{project}/settings"), "main"),
        (format!("/projects/{project}/progress"), "main"),
        (
            format!("/projects/{project}/agreement/consensus?{agreement}"),
            "main",
        ),
        (
            format!("/projects/{project}/imports/{}", imported["import_id"]),
            "main",
        ),
        (format!("/projects/{project}/analysis"), "main"),
        (format!("/projects/{project}/search?q=easier"), "main"),
        (format!("/projects/{project}/search?q=%22open"), "main"),
        (format!("/projects/{project}/analysis/cooccurrence"), "main"),
        (
            format!("/projects/{project}/analysis/cooccurrence/cell?a={support}&b={trust}"),
            "main",
        ),
        (format!("/projects/{project}/analysis/crosstab"), "main"),
        (
            format!(
                "/projects/{project}/analysis/crosstab/cell?code={support}&document={document}"
            ),
            "main",
        ),
        ("/settings".to_owned(), "main"),
        ("/api".to_owned(), "main"),
        ("/projects/999999".to_owned(), "main"),
    ];
    for (path, ready) in &pages {
        check(&b, &axe, path, ready, &mut failures).await;
    }
    // A disagreement's compare view, opened from the list as a lead would.
    b.goto(&format!(
        "/projects/{project}/agreement/disagreements?{agreement}&code={support}"
    ))
    .await;
    b.wait_for("a[href*='/agreement/compare']")
        .await
        .click()
        .await
        .expect("open the disagreement");
    b.wait_for("[data-compare]").await;
    for violation in violations(&b, &axe).await {
        failures.push(format!("compare view: {violation}"));
    }
    // The coding page with a passage selected and the code picker open.
    open_page(&b, document, "").await;
    drag_select(&b, AFTER_HEART).await;
    wait_until(
        &b,
        r#"!document.querySelector(".picker").hidden"#,
        "the code picker",
    )
    .await;
    for violation in violations(&b, &axe).await {
        failures.push(format!("coding page with a selection: {violation}"));
    }
    // The same page with the find bar open on a query with hits.
    keys(&b, key::ESCAPE).await;
    click(&b, "[data-find-toggle]").await;
    keys(&b, "easier").await;
    wait_until(
        &b,
        r#"/^1 of \d+$/.test(document.querySelector("[data-find-status]").textContent)"#,
        "the find bar's hits",
    )
    .await;
    for violation in violations(&b, &axe).await {
        failures.push(format!("coding page with the find bar open: {violation}"));
    }
    // A coder's view of the same document, and the admin's user list.
    b.switch_user("ann").await;
    check(
        &b,
        &axe,
        &format!("/documents/{document}"),
        "#transcript",
        &mut failures,
    )
    .await;
    gloss::service::accounts::create_user(&b.db, "root", PASSWORD, true)
        .await
        .expect("an administrator");
    b.switch_user("root").await;
    check(&b, &axe, "/admin/users", "main", &mut failures).await;
    assert!(anns > 0, "the coders' excerpts exist");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
