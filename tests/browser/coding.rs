//! Coding a transcript end to end: selecting passages after emoji with the mouse and with
//! the keyboard, applying an existing and a new code through the picker, and checking what
//! the server stored; the transcript's text can never be edited.

use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::page::{drag_select, key, keys, open_page, page, rgb_of, wait_saved, wait_until};
use crate::prelude::{AFTER_HEART, AFTER_TEARS, Prelude, Study, code_point_offset_of};

/// The active option of the open picker (its text).
async fn active_option(b: &BrowserTest) -> String {
    let text = page(
        b,
        r#"const input = document.getElementById("picker-input");
           const id = input.getAttribute("aria-activedescendant");
           return id ? document.getElementById(id).textContent : null;"#,
        vec![],
    )
    .await;
    text.as_str().unwrap_or_default().to_owned()
}

async fn wait_for_picker(b: &BrowserTest) {
    wait_until(
        b,
        r#"!document.querySelector(".picker").hidden && document.activeElement.id === "picker-input""#,
        "the code picker to open with focus",
    )
    .await;
}

async fn wait_picker_closed(b: &BrowserTest) {
    wait_until(
        b,
        r#"document.querySelector(".picker").hidden && document.activeElement === root"#,
        "the picker to close and focus to return to the transcript",
    )
    .await;
}

/// The excerpts `ada` made, through the API.
fn by(excerpts: &[Value], coder: &str) -> Vec<Value> {
    excerpts
        .iter()
        .filter(|e| e["coder"] == coder)
        .cloned()
        .collect()
}

#[tokio::test]
async fn code_passages_after_emoji_with_mouse_and_keyboard_through_the_picker() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    study.code("Tools", "#f28e2b").await;
    open_page(&b, study.document, "").await;

    let relief = code_with_the_mouse(&b, &study, trust).await;
    shown_with_both_colours_after_a_reload(&b, &study, relief).await;
    code_with_the_keyboard(&b, &study, relief).await;
}

/// Mouse: drags across the passage after 💛, applies Trust from the picker (filtered by
/// typing, chosen with the arrows) and a new code to the same selection; checks the one
/// excerpt stored. Returns the new code's id.
async fn code_with_the_mouse(b: &BrowserTest, study: &Study, trust: i64) -> i64 {
    // The picker opens at the selection.
    drag_select(b, AFTER_HEART).await;
    wait_for_picker(b).await;
    // Focus is in the picker; the passage being coded stays marked in the text.
    let pending = page(
        b,
        r#"return [...CSS.highlights.get("gloss-pending")][0].toString();"#,
        vec![],
    )
    .await;
    assert_eq!(pending, json!(AFTER_HEART), "the drag selected the passage");

    // Typing filters, arrows move, Enter applies the active code.
    keys(b, "T").await;
    assert_eq!(active_option(b).await, "Trust");
    keys(b, key::ARROW_DOWN).await;
    assert_eq!(active_option(b).await, "Tools");
    keys(b, key::ARROW_UP).await;
    assert_eq!(active_option(b).await, "Trust");
    keys(b, key::ENTER).await;
    wait_picker_closed(b).await;

    // The same selection is still active: a second, new code joins the same excerpt.
    keys(b, "c").await;
    wait_for_picker(b).await;
    keys(b, "Relief at last").await;
    assert_eq!(active_option(b).await, "Create “Relief at last”");
    keys(b, key::ENTER).await;
    wait_picker_closed(b).await;
    wait_saved(b).await;

    let relief = study.code_named("Relief at last").await;
    let (start, end) = study.span(AFTER_HEART);
    let mine = by(&study.excerpts(&study.api).await, "ada");
    assert_eq!(mine.len(), 1, "one excerpt with both codes: {mine:?}");
    assert_eq!(mine[0]["start"], start, "code-point start after 💛");
    assert_eq!(mine[0]["end"], end);
    assert_eq!(mine[0]["text"], AFTER_HEART);
    let mut codes: Vec<i64> = mine[0]["code_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_i64().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, vec![trust, relief]);

    relief
}

/// After a reload the excerpt is shown with both colours and two stripes.
async fn shown_with_both_colours_after_a_reload(b: &BrowserTest, study: &Study, relief: i64) {
    open_page(b, study.document, "").await;
    let relief_color = study.api.get(&format!("/codes/{relief}")).await["color"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = page(
        b,
        r#"const [needle] = args;
           const marks = highlightsIn(needle);
           return {
             background: marks.length ? getComputedStyle(marks[0]).backgroundImage : "",
             stripes: Array.from(document.querySelectorAll(".stripe"), (s) => getComputedStyle(s).backgroundColor),
           };"#,
        vec![json!(AFTER_HEART)],
    )
    .await;
    let background = shown["background"].as_str().unwrap();
    assert!(background.contains(&rgb_of("#4e79a7")), "{background}");
    assert!(background.contains(&rgb_of(&relief_color)), "{background}");
    assert_eq!(
        shown["stripes"].as_array().unwrap().len(),
        2,
        "one stripe per code: {shown}"
    );
}

/// Keyboard: a caret before the passage after 🥹💛, Shift+→ to its end, Enter, pick.
async fn code_with_the_keyboard(b: &BrowserTest, study: &Study, relief: i64) {
    page(
        b,
        r#"const [needle] = args;
           root.focus();
           const range = rangeOf(needle);
           range.collapse(true);
           document.getSelection().removeAllRanges();
           document.getSelection().addRange(range);"#,
        vec![json!(AFTER_TEARS)],
    )
    .await;
    let steps = key::ARROW_RIGHT.repeat(AFTER_TEARS.chars().count());
    keys(b, &format!("{}{steps}{}", key::SHIFT, key::NULL)).await;
    let selected = page(b, "return document.getSelection().toString();", vec![]).await;
    assert_eq!(
        selected,
        json!(AFTER_TEARS),
        "Shift+arrows selected the passage"
    );
    keys(b, key::ENTER).await;
    wait_for_picker(b).await;
    keys(b, "rel").await;
    assert_eq!(active_option(b).await, "Relief at last");
    keys(b, key::ENTER).await;
    wait_picker_closed(b).await;
    wait_saved(b).await;

    let (start, end) = study.span(AFTER_TEARS);
    let mine = by(&study.excerpts(&study.api).await, "ada");
    let typed = mine
        .iter()
        .find(|e| e["start"] == start)
        .unwrap_or_else(|| panic!("an excerpt at {start}: {mine:?}"));
    assert_eq!(typed["end"], end);
    assert_eq!(typed["text"], AFTER_TEARS);
    assert_eq!(typed["code_ids"], json!([relief]));
}

#[tokio::test]
async fn nothing_typed_pasted_or_executed_changes_the_transcript() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    let read_text = r#"return blocks().map((b) => shown(b)).join("\n\n");"#;
    let before = page(&b, read_text, vec![]).await;

    page(
        &b,
        r#"const [needle] = args;
           root.focus();
           const range = rangeOf(needle);
           range.collapse(false);
           document.getSelection().removeAllRanges();
           document.getSelection().addRange(range);"#,
        vec![json!(AFTER_HEART)],
    )
    .await;
    let attempts = format!(
        "xyz {}{}{}{}v{}x{}",
        key::BACKSPACE,
        key::DELETE,
        key::ENTER,
        key::CONTROL,
        key::NULL,
        key::NULL
    );
    keys(&b, &attempts).await;
    // Ways around key events: execCommand and direct DOM edits are repaired at once.
    page(
        &b,
        r#"document.execCommand("insertText", false, "EDITED");
           blockWith("Let's make").firstChild.appendData(" EDITED");
           await new Promise((resolve) => setTimeout(resolve, 50));"#,
        vec![],
    )
    .await;
    let after = page(&b, read_text, vec![]).await;
    assert_eq!(after, before, "the transcript's text is unchanged");
    assert!(
        !after.as_str().unwrap().contains("EDITED"),
        "edits were reverted"
    );
    let text: String = study.text.clone();
    let shown_blocks = page(
        &b,
        r#"return blocks().map((b) => ({ start: Number(b.dataset.start), end: Number(b.dataset.end), text: shown(b) }));"#,
        vec![],
    )
    .await;
    for block in shown_blocks.as_array().unwrap() {
        let start = block["start"].as_u64().unwrap() as usize;
        let end = block["end"].as_u64().unwrap() as usize;
        let stored: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(block["text"].as_str().unwrap(), stored);
    }
}

#[tokio::test]
async fn combining_characters_and_crlf_text_are_stored_exactly_as_selected() {
    // Windows line endings and a decomposed é (e + U+0301), as some exports have them.
    const ORIGINAL: &str = "User: The cafe\u{301} was calm.\r\nWe met there 😂 every week.\r\n\r\n\
                            AI: And then?\r\n\r\nUser: Then it closed.\r\n";
    let Some((b, study)) = Prelude::new()
        .project("Line endings")
        .transcript("Café", ORIGINAL)
        .start()
        .await
    else {
        return;
    };
    let (api, document, text) = (&study.api, study.document, &study.text);
    let needle = "café was calm.\nWe met there 😂 every";
    let start = code_point_offset_of(text, needle);
    api.create(
        &format!("/projects/{}/codes", study.project),
        json!({ "name": "Place" }),
    )
    .await;
    open_page(&b, document, "").await;

    let selected = page(
        &b,
        r#"const [needle] = args;
           root.focus();
           return selectText(needle);"#,
        vec![json!(needle)],
    )
    .await;
    assert_eq!(selected, json!(needle), "the browser shows the stored text");
    keys(&b, "c").await;
    wait_for_picker(&b).await;
    keys(&b, &format!("Place{}", key::ENTER)).await;
    wait_saved(&b).await;

    let response = api.get(&format!("/documents/{document}/excerpts")).await;
    let stored = &response["excerpts"][0];
    assert_eq!(stored["text"], needle);
    assert_eq!(stored["start"], start);
    assert_eq!(stored["end"], start + needle.chars().count());
}

#[tokio::test]
async fn question_mark_shows_the_keys() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    page(&b, "root.focus();", vec![]).await;
    keys(&b, "?").await;
    let help = b.wait_for("#coding-help[open]").await;
    let text = help.text().await.unwrap();
    for key in ["Shift", "Enter", "Ctrl", "1", "Esc"] {
        assert!(text.contains(key), "{key} in {text}");
    }
    keys(&b, key::ESCAPE).await;
    wait_until(
        &b,
        r#"!document.getElementById("coding-help").open && document.activeElement === root"#,
        "the help to close and focus to return",
    )
    .await;
}
