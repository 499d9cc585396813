//! The analysis pages in the browser (issue 13): a search auto-coded from its page with
//! the keyboard (preview, apply, undo; only the ticked hits), and a co-occurrence cell
//! opened to the passages where its two codes meet.

use std::time::Instant;

use serde_json::{Value, json};

use crate::harness::{BrowserTest, PATIENCE};
use crate::page::key;
use crate::prelude::{Prelude, Study};

/// "decisions" four times, in two interviewer and two participant turns.
const TALK: &str = "Interviewer: Do you trust the tool for decisions?\n\nUser: Not for decisions. I make the decisions myself.\n\nInterviewer: And drafts?\n\nUser: Drafts are fine, decisions are mine.";

/// Polls until the first `css` element's text contains `needle`; fails with the page text.
async fn wait_for_text(b: &BrowserTest, css: &str, needle: &str) {
    let deadline = Instant::now() + PATIENCE;
    let script =
        "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;";
    loop {
        let text = b.execute(script, vec![json!(css)]).await;
        if text.as_str().is_some_and(|t| t.contains(needle)) {
            return;
        }
        if Instant::now() > deadline {
            let body = b.text_of("body").await;
            panic!("`{css}` never said {needle:?} (it says {text})\n--- page ---\n{body}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
}

/// Types `text` into the element matching `css` (a select chooses the option so named).
async fn type_into(b: &BrowserTest, css: &str, text: &str) {
    b.wait_for(css)
        .await
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// The code-point spans of every occurrence of `needle` in the document's text.
fn spans_of(study: &Study, needle: &str) -> Vec<(u64, u64)> {
    let count = |byte: usize| study.text[..byte].chars().count() as u64;
    let width = needle.chars().count() as u64;
    study
        .text
        .match_indices(needle)
        .map(|(byte, _)| (count(byte), count(byte) + width))
        .collect()
}

/// The spans of the document's excerpts with `code`, as its owner sees them.
async fn coded_with(study: &Study, code: i64) -> Vec<(u64, u64)> {
    let mut spans: Vec<(u64, u64)> = study
        .excerpts(&study.api)
        .await
        .iter()
        .filter(|e| {
            e["code_ids"]
                .as_array()
                .is_some_and(|c| c.contains(&json!(code)))
        })
        .map(|e| (e["start"].as_u64().unwrap(), e["end"].as_u64().unwrap()))
        .collect();
    spans.sort_unstable();
    spans
}

/// Searches for "decisions" from the search page: type the query and press Enter.
async fn search_decisions(b: &BrowserTest, study: &Study) {
    b.goto(&format!("/projects/{}/search", study.project)).await;
    type_into(b, "input[name=q]", &format!("decisions{}", key::ENTER)).await;
    wait_for_text(b, "#results-heading", "4 hits").await;
}

/// Presses the auto-code form's button `action` (`preview` or `apply`) with Enter.
async fn press(b: &BrowserTest, action: &str) {
    type_into(
        b,
        &format!("#autocode-form button[value={action}]"),
        key::ENTER,
    )
    .await;
}

#[tokio::test]
async fn a_search_is_previewed_applied_and_undone_from_its_page() {
    let Some((b, study)) = Prelude::new().transcript("Talk", TALK).start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    search_decisions(&b, &study).await;
    type_into(&b, "select[name=apply_code]", "Trust").await;
    press(&b, "preview").await;
    wait_for_text(
        &b,
        ".autocode-preview",
        "4 hits, 4 excerpts to create, 0 skipped",
    )
    .await;
    assert!(
        coded_with(&study, trust).await.is_empty(),
        "a preview writes nothing"
    );

    press(&b, "apply").await;
    wait_for_text(&b, ".flash", "4 excerpts created").await;
    let undo = b.wait_for("form[action$='/search/undo'] button").await;
    assert_eq!(undo.text().await.unwrap(), "Undo this auto-code");
    assert_eq!(
        coded_with(&study, trust).await,
        spans_of(&study, "decisions")
    );

    undo.send_keys(key::ENTER).await.expect("press Undo");
    wait_for_text(&b, ".flash", "4 excerpts removed").await;
    assert!(coded_with(&study, trust).await.is_empty(), "back to before");
}

#[tokio::test]
async fn ticking_two_hits_codes_exactly_those_two() {
    let Some((b, study)) = Prelude::new().transcript("Talk", TALK).start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    search_decisions(&b, &study).await;
    // Space ticks a focused box and picks a focused radio button, as on the keyboard.
    type_into(&b, "#hit-1", " ").await;
    type_into(&b, "#hit-3", " ").await;
    type_into(&b, "input[name=scope][value=ticked]", " ").await;
    type_into(&b, "select[name=apply_code]", "Trust").await;
    press(&b, "preview").await;
    wait_for_text(
        &b,
        ".autocode-preview",
        "2 ticked hits, 2 excerpts to create",
    )
    .await;
    let ticked = b
        .execute(
            "return [...document.querySelectorAll('input[name=hit]')].map((box) => box.checked);",
            vec![],
        )
        .await;
    assert_eq!(ticked, json!([true, false, true, false]), "ticks kept");

    press(&b, "apply").await;
    wait_for_text(&b, ".flash", "2 excerpts created").await;
    let every = spans_of(&study, "decisions");
    assert_eq!(coded_with(&study, trust).await, vec![every[0], every[2]]);
}

/// Passage texts listed on the co-occurrence cell's page, sorted.
async fn listed_passages(b: &BrowserTest) -> Vec<String> {
    let texts = b
        .execute(
            "return [...document.querySelectorAll('.passage-text')].map((q) => q.textContent);",
            vec![],
        )
        .await;
    let mut texts: Vec<String> = match texts {
        Value::Array(items) => items
            .iter()
            .map(|t| t.as_str().unwrap_or_default().to_owned())
            .collect(),
        other => panic!("passage texts: {other}"),
    };
    texts.sort();
    texts
}

#[tokio::test]
async fn a_cooccurrence_cell_opens_the_passages_where_its_codes_meet() {
    let Some((b, study)) = Prelude::new().transcript("Talk", TALK).start().await else {
        return;
    };
    let trust = study.code("Trust", "#4e79a7").await;
    let control = study.code("Control", "#f28e2b").await;
    let api = &study.api;
    let coded = [
        ("Not for decisions. I make the decisions myself.", trust),
        ("I make the decisions myself.", control),
        ("Drafts are fine, decisions are mine.", trust),
        ("Drafts are fine", control),
        ("And drafts?", trust),
    ];
    for (needle, code) in coded {
        study.excerpt(api, needle, &[code]).await;
    }
    b.goto(&format!(
        "/projects/{}/analysis/cooccurrence",
        study.project
    ))
    .await;
    let link = b
        .wait_for(".cooccurrence-table a[href*='/cooccurrence/cell']")
        .await;
    let number = link.text().await.expect("the cell's text");
    let count: usize = number
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count in {number:?}"));
    assert_eq!(count, 2, "two pairs of excerpts share text");

    link.send_keys(key::ENTER).await.expect("open the cell");
    wait_for_text(&b, "h1", "meets").await;
    let heading = b.text_of("h1").await;
    assert!(
        heading == "Where Trust meets Control" || heading == "Where Control meets Trust",
        "{heading}"
    );
    assert!(
        b.text_of("main")
            .await
            .contains("2 pairs of excerpts sharing text")
    );
    assert_eq!(
        listed_passages(&b).await,
        vec!["Drafts are fine", "I make the decisions myself."]
    );
}
