//! The README's pictures, taken from the demo project in headless Chromium, so they are
//! regenerated whenever the UI changes: `scripts/screenshots` runs this test with
//! `GLOSS_SCREENSHOTS=docs/screenshots`. Without that variable the pictures go to a
//! temporary folder; either way the test checks that each page rendered to a real PNG of
//! the window's size with the content it is meant to show.

use std::path::PathBuf;

use crate::harness::BrowserTest;
use crate::page::open_page;
use crate::prelude::bare;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 860;

/// The folder the pictures go to.
fn folder() -> PathBuf {
    match std::env::var_os("GLOSS_SCREENSHOTS") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir().join(format!("gloss-screenshots-{}", std::process::id())),
    }
}

/// Width and height from a PNG's IHDR chunk, after checking its signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

async fn shoot(b: &BrowserTest, name: &str, must_show: &str) {
    let main = b.text_of("main").await;
    assert!(
        main.contains(must_show),
        "{name}: {must_show} not on the page"
    );
    let png = b.client.screenshot().await.expect("a screenshot");
    let (width, height) = png_size(&png);
    assert!(
        width >= WIDTH - 20 && height >= HEIGHT - 200,
        "{name}: {width}×{height}"
    );
    let dir = folder();
    std::fs::create_dir_all(&dir).expect("the screenshots folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
}

/// Scrolls the first element matching `css` into view (`block`: "start" or "center").
async fn scroll_to(b: &BrowserTest, css: &str, block: &str) {
    let script = format!(
        "const el = document.querySelector({css:?}); if (!el) throw new Error('no ' + {css:?}); \
         el.scrollIntoView({{ block: {block:?} }});"
    );
    b.execute(&script, vec![]).await;
}

async fn scalar(b: &BrowserTest, sql: &'static str, project: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(project)
        .fetch_one(&b.db)
        .await
        .expect(sql)
}

#[tokio::test]
async fn the_readme_screenshots_are_taken_from_the_demo() {
    let Some(b) = bare().await else { return };
    b.client
        .set_window_size(WIDTH, HEIGHT)
        .await
        .expect("window size");
    b.create_user("ada").await;
    b.sign_in("ada").await;
    b.goto("/").await;
    b.wait_for("form[action='/projects/demo'] button")
        .await
        .click()
        .await
        .expect("press Try a demo project");
    b.wait_for("[data-list-status]").await;
    let path = b.current_path().await;
    let project: i64 = path.trim_start_matches("/projects/").parse().expect(&path);
    shoot(&b, "demo-project", "Demo: AI at work").await;

    let document = scalar(
        &b,
        "SELECT document_id FROM excerpts WHERE project_id = ? GROUP BY document_id
         ORDER BY COUNT(*) DESC, document_id LIMIT 1",
        project,
    )
    .await;
    open_page(&b, document, "").await;
    scroll_to(&b, ".turn.role-participant .hl", "center").await;
    shoot(&b, "coding-page", "Codes").await;

    let coders = "coders=demo-amira,demo-ben";
    b.goto(&format!("/projects/{project}/agreement?{coders}"))
        .await;
    b.wait_for(".agreement-table").await;
    scroll_to(&b, "#overall-heading", "start").await;
    shoot(&b, "agreement-report", "Krippendorff").await;

    let code = scalar(
        &b,
        "SELECT id FROM codes WHERE project_id = ? AND name = 'Checking output'",
        project,
    )
    .await;
    b.goto(&format!(
        "/projects/{project}/agreement/disagreements?{coders}&code={code}"
    ))
    .await;
    b.wait_for("main h1").await;
    shoot(&b, "disagreements", "Checking output").await;
}
