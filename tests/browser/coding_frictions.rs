//! Frictions of the coding page found with the team workflow (issue 14): a new drag that
//! starts inside the passage still selected after coding it starts a new selection.

use serde_json::json;

use crate::harness::BrowserTest;
use crate::page::{drag_select, key, keys, open_page, page, wait_saved, wait_until};
use crate::prelude::{AFTER_HEART, Prelude};

/// The tail of [`AFTER_HEART`]: a drag from inside the coded passage.
const TAIL: &str = "easier on your ADHD brain";

async fn pending(b: &BrowserTest) -> serde_json::Value {
    page(
        b,
        r#"const marks = CSS.highlights.get("gloss-pending");
           return marks ? [...marks].map((r) => r.toString()) : [];"#,
        vec![],
    )
    .await
}

#[tokio::test]
async fn a_drag_inside_the_still_selected_passage_starts_a_new_selection() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    study.code("Trust", "#4e79a7").await;
    open_page(&b, study.document, "").await;
    drag_select(&b, AFTER_HEART).await;
    wait_until(
        &b,
        r#"!document.querySelector(".picker").hidden"#,
        "the picker",
    )
    .await;
    keys(&b, key::ENTER).await;
    wait_until(
        &b,
        r#"document.querySelector(".picker").hidden"#,
        "the picker to close",
    )
    .await;
    wait_saved(&b).await;
    let still = page(&b, r#"return document.getSelection().toString();"#, vec![]).await;
    assert_eq!(
        still,
        json!(AFTER_HEART),
        "the coded passage stays selected"
    );

    drag_select(&b, TAIL).await;
    wait_until(
        &b,
        r#"!document.querySelector(".picker").hidden"#,
        "the picker for the new selection",
    )
    .await;
    assert_eq!(
        pending(&b).await,
        json!([TAIL]),
        "the new drag selected the tail"
    );
}

#[tokio::test]
async fn the_codebook_counts_this_document_rolls_parents_up_and_shows_the_project_on_hover() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let concerns = study.code("Concerns", "#4e79a7").await;
    let codes = format!("/projects/{}/codes", study.project);
    let job_loss = study
        .api
        .create(&codes, json!({ "name": "Job loss", "parent_id": concerns }))
        .await["id"]
        .as_i64()
        .unwrap();
    study.excerpt(&study.api, AFTER_HEART, &[job_loss]).await;
    // Another interview of the project, coded too: it counts for the project only.
    let listed = study
        .api
        .get(&format!("/projects/{}/documents", study.project))
        .await;
    let other = listed["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .find(|id| *id != study.document)
        .expect("another interview");
    study
        .api
        .create(
            &format!("/documents/{other}/excerpts"),
            json!({ "start": 0, "end": 5, "code_ids": [job_loss] }),
        )
        .await;
    open_page(&b, study.document, "").await;
    let rows = page(
        &b,
        r##"return Array.from(document.querySelectorAll("#codebook-panel .code-row"), (row) => [row.textContent.replace(/\s+/g, " ").trim(), row.querySelector(".counts").title]);"##,
        vec![],
    )
    .await;
    assert_eq!(
        rows[0][0], "▾Concerns1 / 1",
        "the parent counts its sub-code: {rows}"
    );
    assert_eq!(rows[1][0], "Job loss1 / 1", "this document only: {rows}");
    let hover = rows[1][1].as_str().unwrap();
    assert!(
        hover.contains("Whole project (this code alone): 2 by you · 2 by all"),
        "{hover}"
    );
    assert!(rows[0][1].as_str().unwrap().contains("with its sub-codes"));
}

#[tokio::test]
async fn the_excerpt_list_filters_by_code_and_jumps_to_a_passage() {
    let Some((b, study)) = Prelude::new().member("bob", "coder").start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let tools = study.code("Tools", "#f28e2b").await;
    study.excerpt(&study.api, AFTER_HEART, &[trust]).await;
    study
        .excerpt(study.api_of("bob"), crate::prelude::AFTER_TEARS, &[tools])
        .await;
    open_page(&b, study.document, "").await;
    let items = r##"return Array.from(document.querySelectorAll("#excerpt-list [data-excerpt-key]"), (b) => b.textContent);"##;
    wait_until(
        &b,
        r##"document.querySelectorAll("#excerpt-list [data-excerpt-key]").length === 2"##,
        "both excerpts listed",
    )
    .await;
    let listed = page(&b, items, vec![]).await;
    assert!(
        listed[0]
            .as_str()
            .unwrap()
            .starts_with("Trust · ada: “Let's make"),
        "{listed}"
    );
    assert!(
        listed[1].as_str().unwrap().starts_with("Tools · bob:"),
        "by position: {listed}"
    );

    page(
        &b,
        &format!(
            r#"const codeFilter = document.querySelector("[data-excerpt-code]");
               codeFilter.value = "{tools}"; codeFilter.dispatchEvent(new Event("change"));"#
        ),
        vec![],
    )
    .await;
    assert_eq!(page(&b, items, vec![]).await.as_array().unwrap().len(), 1);
    b.wait_for("#excerpt-list [data-excerpt-key]")
        .await
        .click()
        .await
        .expect("jump");
    wait_until(
        &b,
        &format!(
            r#"document.getSelection().toString() === {:?} && !document.getElementById("excerpt-panel").hidden"#,
            crate::prelude::AFTER_TEARS
        ),
        "the passage selected and its panel open",
    )
    .await;
}
