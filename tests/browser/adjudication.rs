//! Adjudication in the browser: the lead selects a passage in a disagreement's compare
//! view and draws it into the consensus set, with offsets right after an emoji.

use std::time::Instant;

use serde_json::{Value, json};

use crate::harness::{BrowserTest, PATIENCE};
use crate::prelude::Prelude;

/// Ann codes this passage (with the emoji), Cal a part of it: one disagreement.
const ANNS: &str = "I've got you. 💛 Let's make this easier on your ADHD brain";
const CALS: &str = "your ADHD brain";
/// What the lead selects and draws: it starts right after the emoji.
const DRAWN: &str = "Let's make this easier";

/// Selects `needle` inside the first column of the compare view, as a user dragging the
/// mouse would (DOM positions found by searching the rendered text, in UTF-16 units).
const SELECT: &str = r#"
const [needle] = arguments;
const block = document.querySelector("[data-compare] .text[data-start]");
const nodes = [];
const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) nodes.push(walker.currentNode);
const shown = nodes.map((n) => n.data).join("");
const point = (i) => {
  for (const n of nodes) {
    if (i <= n.length) return [n, i];
    i -= n.length;
  }
  throw new Error("past the end");
};
const at = shown.indexOf(needle);
if (at < 0) throw new Error(`the compare view does not show ${needle}`);
const [startNode, startOffset] = point(at);
const [endNode, endOffset] = point(at + needle.length);
document.getSelection().setBaseAndExtent(startNode, startOffset, endNode, endOffset);
"#;

async fn draw_fields(b: &BrowserTest) -> Value {
    b.execute(
        r#"const f = document.querySelector("[data-draw-form]");
           return [Number(f.draw_start.value), Number(f.draw_end.value)];"#,
        vec![],
    )
    .await
}

#[tokio::test]
async fn selecting_a_passage_in_the_compare_view_draws_it_into_the_consensus_set() {
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
    study.excerpt(study.api_of("ann"), ANNS, &[support]).await;
    study.excerpt(study.api_of("cal"), CALS, &[support]).await;

    b.goto(&format!(
        "/projects/{}/agreement/disagreements?coders=ann,cal&code={support}",
        study.project
    ))
    .await;
    b.wait_for("a[href*='/agreement/compare']")
        .await
        .click()
        .await
        .expect("open the disagreement");
    b.wait_for("[data-draw-form]").await;

    b.execute(SELECT, vec![json!(DRAWN)]).await;
    let (start, end) = study.span(DRAWN);
    let expected = json!([start, end]);
    let deadline = Instant::now() + PATIENCE;
    while draw_fields(&b).await != expected {
        assert!(
            Instant::now() < deadline,
            "the form shows {} for a selection of {expected} (code points)",
            draw_fields(&b).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    b.wait_for("[data-draw-form] button[type=submit]")
        .await
        .click()
        .await
        .expect("draw it");
    b.wait_for(".flash, .notice, main").await;

    let path = format!("/documents/{}/excerpts?coder=consensus", study.document);
    let deadline = Instant::now() + PATIENCE;
    let consensus = loop {
        let found = study.api.get(&path).await["excerpts"].clone();
        if found.as_array().is_some_and(|a| !a.is_empty()) || Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(consensus.as_array().map(Vec::len), Some(1), "{consensus}");
    assert_eq!(
        consensus[0]["text"], DRAWN,
        "exactly the selected text, after the emoji"
    );
    assert_eq!(consensus[0]["start"], start);
    assert_eq!(consensus[0]["code_ids"], json!([support]));
}

/// A stretch of the transcript away from Ann's passage, for a second disagreement.
fn elsewhere(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let ann = text[..text.find(ANNS).expect("Ann's passage")]
        .chars()
        .count();
    let from = if ann > 80 {
        20
    } else {
        ann + ANNS.chars().count() + 40
    };
    let passage: String = chars[from..from + 30].iter().collect();
    passage.trim().to_owned()
}

/// The decisions shown on the code's regions, in the list's order (largest first).
async fn decisions(study: &crate::prelude::Study, code: i64) -> Vec<Value> {
    let path = format!(
        "/projects/{}/agreement/disagreements?coders=ann,cal&code={code}",
        study.project
    );
    let regions = study.api.get(&path).await["regions"].clone();
    regions
        .as_array()
        .expect("regions")
        .iter()
        .map(|r| r["decision"].clone())
        .collect()
}

#[tokio::test]
async fn the_lead_walks_through_disagreements_with_the_keyboard() {
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
    study.excerpt(study.api_of("ann"), ANNS, &[support]).await;
    study.excerpt(study.api_of("cal"), CALS, &[support]).await;
    let cal_only = elsewhere(&study.text);
    study
        .excerpt(study.api_of("cal"), &cal_only, &[support])
        .await;

    b.goto(&format!(
        "/projects/{}/agreement/disagreements?coders=ann,cal&code={support}",
        study.project
    ))
    .await;
    b.wait_for("[data-review-next]")
        .await
        .click()
        .await
        .expect("review the next open disagreement");
    b.wait_for("[data-decision-key='b']").await;
    assert!(b.text_of("h1").await.starts_with("Disagreement 1 of 2"));
    // B: Cal's version of Ann's passage leaves the code off it.
    b.execute(r#"document.activeElement?.blur();"#, vec![])
        .await;
    crate::page::keys(&b, "b").await;
    wait_for_heading(&b, "Disagreement 2 of 2").await;
    // U: both coders' excerpts together (only Cal coded here).
    crate::page::keys(&b, "u").await;
    b.wait_for(".regions").await;
    assert_eq!(
        decisions(&study, support).await,
        [
            json!("accepted cal's version (lead)"),
            json!("accepted the versions of ann and cal (lead)")
        ]
    );
    let path = format!("/documents/{}/excerpts?coder=consensus", study.document);
    let consensus = study.api.get(&path).await["excerpts"].clone();
    let texts: Vec<&str> = consensus
        .as_array()
        .expect("consensus excerpts")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(texts, [cal_only.as_str()], "{consensus}");
}

async fn wait_for_heading(b: &BrowserTest, prefix: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let heading = b
            .execute(
                r#"return document.querySelector("h1")?.textContent ?? "";"#,
                vec![],
            )
            .await;
        if heading.as_str().is_some_and(|h| h.starts_with(prefix)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waiting for {prefix}, the page shows {heading}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_drawn_passage_snaps_to_whole_words_and_shows_its_text() {
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
    study.excerpt(study.api_of("ann"), ANNS, &[support]).await;
    study.excerpt(study.api_of("cal"), CALS, &[support]).await;
    b.goto(&format!(
        "/projects/{}/agreement/disagreements?coders=ann,cal&code={support}",
        study.project
    ))
    .await;
    b.wait_for("[data-review-next]")
        .await
        .click()
        .await
        .expect("review");
    b.wait_for("[data-draw-form]").await;
    // Half a word at either end: "et's make this eas".
    b.execute(SELECT, vec![json!("et's make this eas")]).await;
    let (start, end) = study.span(DRAWN);
    let expected = json!([start, end]);
    let deadline = Instant::now() + PATIENCE;
    while draw_fields(&b).await != expected {
        assert!(
            Instant::now() < deadline,
            "the form shows {} for {expected}, the whole words",
            draw_fields(&b).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let status = b.text_of("[data-draw-selection]").await;
    assert!(status.contains(&format!("“{DRAWN}”")), "{status}");
}
