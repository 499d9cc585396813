//! Below 1,000 px wide the codes panel is a drawer over the text, not a column 4,000 px
//! under it: a toolbar button or `/` opens it, Escape closes it and gives focus back, and
//! clicking coded text opens it on the excerpt.

use serde_json::json;

use crate::harness::BrowserTest;
use crate::page::{click, key, keys, open_page, page, wait_until};
use crate::prelude::{AFTER_TEARS, Prelude};

/// Where the sidebar is and whether it can be seen: `[left, right, visible]`.
async fn sidebar_state(b: &BrowserTest) -> serde_json::Value {
    page(
        b,
        r#"const aside = document.getElementById("coding-sidebar");
           const box = aside.getBoundingClientRect();
           return [Math.round(box.left), Math.round(box.right),
                   getComputedStyle(aside).visibility === "visible",
                   window.innerWidth];"#,
        vec![],
    )
    .await
}

async fn expanded(b: &BrowserTest) -> serde_json::Value {
    page(
        b,
        r#"return document.querySelector("[data-drawer-toggle]").getAttribute("aria-expanded");"#,
        vec![],
    )
    .await
}

async fn wait_drawer(b: &BrowserTest, open: bool) {
    let condition = format!(
        r#"(() => {{ const a = document.getElementById("coding-sidebar");
              const box = a.getBoundingClientRect();
              const shown = getComputedStyle(a).visibility === "visible" && box.right <= window.innerWidth + 1 && box.left >= 0;
              return shown === {open}; }})()"#
    );
    wait_until(
        b,
        &condition,
        if open {
            "the drawer to open"
        } else {
            "the drawer to close"
        },
    )
    .await;
}

#[tokio::test]
async fn on_a_narrow_screen_the_codes_panel_is_a_drawer_over_the_text() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    study.excerpt(&study.api, AFTER_TEARS, &[trust]).await;
    b.client
        .set_window_size(800, 900)
        .await
        .expect("narrow window");
    open_page(&b, study.document, "").await;

    let closed = sidebar_state(&b).await;
    assert_eq!(closed[2], json!(false), "hidden until asked for: {closed}");
    let toggle = "[data-drawer-toggle]";
    assert_eq!(expanded(&b).await, json!("false"));

    click(&b, toggle).await;
    wait_drawer(&b, true).await;
    assert_eq!(expanded(&b).await, json!("true"));
    let open = sidebar_state(&b).await;
    assert!(
        open[0].as_i64().unwrap() > 0,
        "beside the text, on screen: {open}"
    );

    keys(&b, key::ESCAPE).await;
    wait_drawer(&b, false).await;
    let focused = page(
        &b,
        "return document.activeElement.matches('[data-drawer-toggle]');",
        vec![],
    )
    .await;
    assert_eq!(focused, json!(true), "focus returns to the button");

    // `/` from the text opens the drawer on the code filter.
    page(&b, "root.focus();", vec![]).await;
    keys(&b, "/").await;
    wait_drawer(&b, true).await;
    let filter = page(
        &b,
        "return document.activeElement.matches('[data-code-filter]');",
        vec![],
    )
    .await;
    assert_eq!(filter, json!(true));
    keys(&b, key::ESCAPE).await;
    keys(&b, key::ESCAPE).await;
    wait_drawer(&b, false).await;

    // Clicking coded text shows its excerpt in the drawer; closing the excerpt closes it.
    page(
        &b,
        r#"document.querySelector(".hl").scrollIntoView({ block: "center" });"#,
        vec![],
    )
    .await;
    click(&b, ".hl").await;
    b.wait_for("#excerpt-panel:not([hidden]) .excerpt-codes")
        .await;
    wait_drawer(&b, true).await;
    // The open drawer passes the accessibility gate too.
    if let Some(axe) = crate::accessibility::axe_source() {
        let found = crate::accessibility::violations(&b, &axe).await;
        assert!(found.is_empty(), "narrow layout, drawer open: {found:#?}");
    }
}

#[tokio::test]
async fn on_a_wide_screen_the_panel_stays_beside_the_text_without_a_toggle() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    let state = page(
        &b,
        r#"const toggle = document.querySelector("[data-drawer-toggle]");
           const aside = document.getElementById("coding-sidebar").getBoundingClientRect();
           const text = document.getElementById("transcript").getBoundingClientRect();
           return [toggle.hidden, aside.left >= text.right, aside.top < text.bottom];"#,
        vec![],
    )
    .await;
    assert_eq!(state, json!([true, true, true]), "a column beside the text");
}
