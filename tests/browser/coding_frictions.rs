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
