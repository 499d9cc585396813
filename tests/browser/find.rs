//! Find in this document (issue 13): the find bar on the coding page highlights every hit
//! of a query, case and accents ignored, one turn at a time; Enter / Shift+Enter step
//! through them, and Esc leaves the current hit selected, so the code key codes exactly
//! its code points. Plus the matcher (static/js/coding/find-text.js) function by function.

use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::page::{click, key, keys, open_page, page, wait_saved, wait_until};
use crate::prelude::{Prelude, Study, bare};

/// A family emoji (a ZWJ sequence: 5 code points, 8 UTF-16 units) and "café" typed with a
/// combining accent (which the import composes) before the first hit; "résumé" three times
/// in different case and accents, the second decomposed (composed on import), the third
/// with a combining low line the import cannot compose, after a q with a lone combining
/// accent; and "res" + "ume" split across two turns, which is not a hit.
const TRANSCRIPT: &str = "User: Our family \u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467} read the \
                          cafe\u{301} menu, then my résumé.\n\n\
                          AI: Did the RE\u{301}SUME\u{301} help? Or was it the res\n\n\
                          User: ume? I mean the q\u{301} resu\u{332}me, really.\n";

/// The three hits of "resume" as the stored (NFC) text holds them, in document order.
const HITS: [&str; 3] = ["résumé", "R\u{c9}SUM\u{c9}", "resu\u{332}me"];

const STATUS: &str = r#"document.querySelector("[data-find-status]").textContent"#;
const INPUT: &str = r#"document.querySelector("[data-find-input]")"#;

/// The text of every range of a custom highlight, and the code-point span it covers.
const HIGHLIGHTED: &str = r#"const [name] = args;
   const marks = CSS.highlights.get(name);
   return marks ? [...marks].map((r) => {
     const range = document.createRange();
     range.setStart(r.startContainer, r.startOffset);
     range.setEnd(r.endContainer, r.endOffset);
     const span = o.rangeToSpan(range, root);
     return [range.toString(), span.start, span.end];
   }) : [];"#;

async fn open() -> Option<(BrowserTest, Study)> {
    let (b, study) = Prelude::new()
        .project("Find")
        .transcript("Résumés", TRANSCRIPT)
        .start()
        .await?;
    Some((b, study))
}

async fn highlighted(b: &BrowserTest, name: &str) -> Value {
    page(b, HIGHLIGHTED, vec![json!(name)]).await
}

/// `[text, start, end]` of a hit as the stored text has it.
fn expected(study: &Study, needle: &str) -> Value {
    let (start, end) = study.span(needle);
    json!([needle, start, end])
}

async fn wait_status(b: &BrowserTest, status: &str) {
    wait_until(b, &format!("{STATUS} === {status:?}"), status).await;
}

async fn shift_enter(b: &BrowserTest) {
    keys(b, &format!("{}{}{}", key::SHIFT, key::ENTER, key::NULL)).await;
}

#[tokio::test]
async fn find_highlights_every_hit_steps_with_enter_and_esc_leaves_the_hit_ready_to_code() {
    let Some((b, study)) = open().await else {
        return;
    };
    let code = study.code("CV", "#4e79a7").await;
    open_page(&b, study.document, "").await;
    let before = page(&b, "return root.innerHTML;", vec![]).await;

    page(&b, "root.focus();", vec![]).await;
    keys(&b, "f").await;
    wait_until(
        &b,
        &format!("document.activeElement === {INPUT}"),
        "focus in the find field",
    )
    .await;
    keys(&b, "resume").await;
    wait_status(&b, "1 of 3").await;

    let all: Vec<Value> = HITS.iter().map(|hit| expected(&study, hit)).collect();
    assert_eq!(
        highlighted(&b, "find-hit").await,
        json!(all),
        "every hit, whatever its case and accents, at the stored text's code points; \
         not the word split across two turns"
    );
    assert_eq!(highlighted(&b, "find-current").await, json!([all[0]]));
    assert_eq!(
        page(&b, "return root.innerHTML;", vec![]).await,
        before,
        "the transcript's DOM is untouched"
    );
    let invalid = page(
        &b,
        &format!("return {INPUT}.getAttribute('aria-invalid');"),
        vec![],
    )
    .await;
    assert_eq!(invalid, json!("false"));

    keys(&b, key::ENTER).await;
    wait_status(&b, "2 of 3").await;
    assert_eq!(highlighted(&b, "find-current").await, json!([all[1]]));
    shift_enter(&b).await;
    wait_status(&b, "1 of 3").await;
    shift_enter(&b).await;
    wait_status(&b, "3 of 3").await;
    assert_eq!(
        highlighted(&b, "find-current").await,
        json!([all[2]]),
        "wrapped to the last"
    );
    let in_view = page(
        &b,
        r#"const r = [...CSS.highlights.get("find-current")][0];
           const range = document.createRange();
           range.setStart(r.startContainer, r.startOffset);
           range.setEnd(r.endContainer, r.endOffset);
           const box = range.getBoundingClientRect();
           return box.top >= 0 && box.bottom <= window.innerHeight;"#,
        vec![],
    )
    .await;
    assert_eq!(in_view, json!(true), "the current hit is on screen");

    keys(&b, key::ESCAPE).await;
    wait_until(
        &b,
        &format!(
            "document.activeElement === root && document.getSelection().toString() === {:?}",
            HITS[2]
        ),
        "the bar closed, focus on the text, the current hit selected",
    )
    .await;
    let closed = page(
        &b,
        r#"return [document.querySelector("[data-find-bar]").hidden, CSS.highlights.has("find-hit")];"#,
        vec![],
    )
    .await;
    assert_eq!(closed, json!([true, false]), "bar and highlights gone");

    keys(&b, key::ENTER).await;
    wait_until(
        &b,
        r#"!document.querySelector(".picker").hidden && document.activeElement.id === "picker-input""#,
        "the code picker for the hit",
    )
    .await;
    keys(&b, &format!("CV{}", key::ENTER)).await;
    wait_saved(&b).await;
    let excerpts = study.excerpts(&study.api).await;
    assert_eq!(excerpts.len(), 1, "{excerpts:?}");
    let (start, end) = study.span(HITS[2]);
    assert_eq!(
        [&excerpts[0]["start"], &excerpts[0]["end"]],
        [&json!(start), &json!(end)]
    );
    assert_eq!(excerpts[0]["text"], json!(HITS[2]));
    assert_eq!(excerpts[0]["code_ids"], json!([code]));
}

#[tokio::test]
async fn no_matches_is_said_not_flagged_and_ctrl_f_opens_the_bar_only_from_the_text() {
    let Some((b, study)) = open().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    // Ctrl+F in the codebook's filter field is the browser's: the bar stays closed.
    page(
        &b,
        r#"document.querySelector("[data-code-filter]").focus();"#,
        vec![],
    )
    .await;
    keys(&b, &format!("{}f{}", key::CONTROL, key::NULL)).await;
    let bar_hidden = r#"return document.querySelector("[data-find-bar]").hidden;"#;
    assert_eq!(page(&b, bar_hidden, vec![]).await, json!(true));

    page(&b, "root.focus();", vec![]).await;
    keys(&b, &format!("{}f{}", key::CONTROL, key::NULL)).await;
    wait_until(
        &b,
        &format!("document.activeElement === {INPUT}"),
        "Ctrl+F to open the bar",
    )
    .await;
    keys(&b, "résumés").await;
    wait_status(&b, "No matches").await;
    let state = page(
        &b,
        &format!("return [{INPUT}.getAttribute('aria-invalid'), CSS.highlights.has('find-hit')];"),
        vec![],
    )
    .await;
    assert_eq!(
        state,
        json!(["false", false]),
        "not an error, nothing highlighted"
    );
    let live = page(
        &b,
        r#"return document.querySelector("[data-find-status]").getAttribute("aria-live");"#,
        vec![],
    )
    .await;
    assert_eq!(live, json!("polite"));

    // Esc with no hit: the bar closes and focus goes back to the text.
    keys(&b, key::ESCAPE).await;
    wait_until(
        &b,
        "document.activeElement === root",
        "focus back on the text",
    )
    .await;
    // Reopened, the query is kept (selected) and searched again.
    keys(&b, "f").await;
    wait_status(&b, "No matches").await;
    let kept = page(&b, &format!("return {INPUT}.value;"), vec![]).await;
    assert_eq!(kept, json!("résumés"));
    // Enter before the typing's search has run searches at once instead of stepping.
    keys(&b, &format!("resume{}", key::ENTER)).await;
    assert_eq!(
        page(&b, &format!("return {STATUS};"), vec![]).await,
        json!("1 of 3")
    );
    keys(&b, key::ENTER).await;
    wait_status(&b, "2 of 3").await;
}

#[tokio::test]
async fn hits_stay_on_their_text_when_coding_repaints_the_turn() {
    let Some((b, study)) = open().await else {
        return;
    };
    let code = study.code("CV", "#4e79a7").await;
    study
        .excerpt(&study.api, "read the café menu", &[code])
        .await;
    open_page(&b, study.document, "").await;
    // Search from the toolbar's button; then deleting the excerpt repaints the first turn
    // (its text nodes replaced) while the bar is open.
    click(&b, "[data-find-toggle]").await;
    keys(&b, "menu").await;
    wait_status(&b, "1 of 1").await;
    click(&b, ".hl").await;
    click(&b, "#excerpt-panel:not([hidden]) [data-delete]").await;
    wait_saved(&b).await;
    wait_until(&b, r#"!root.querySelector(".hl")"#, "the highlight gone").await;
    assert_eq!(study.excerpts(&study.api).await.len(), 0);
    let spans = highlighted(&b, "find-hit").await;
    assert_eq!(
        spans,
        json!([expected(&study, "menu")]),
        "the hit kept its text"
    );
    assert_eq!(
        highlighted(&b, "find-current").await,
        json!([expected(&study, "menu")])
    );
}

#[tokio::test]
async fn the_help_lists_every_key_of_the_key_map() {
    let Some((b, study)) = open().await else {
        return;
    };
    open_page(&b, study.document, "").await;
    let missing = b
        .with_modules(
            &[("k", "/static/js/coding/keyboard.js")],
            r##"const shown = Array.from(document.querySelectorAll("#coding-help kbd"), (k) => k.textContent.toLowerCase());
               const keys = Object.values(k.KEYS).flat().map((key) => key.toLowerCase());
               const missing = keys.filter((key) => !shown.includes(key));
               const rows = Array.from(document.querySelectorAll("#coding-help tr"), (tr) => tr.textContent.replace(/\s+/g, " "));
               if (!rows.some((row) => row.includes("Ctrl/⌘ + F") && row.includes("Find in this document"))) missing.push("Ctrl+F");
               return missing;"##,
            vec![],
        )
        .await;
    assert_eq!(
        missing,
        json!([]),
        "keys in KEYS but not in the help dialog"
    );
}

#[tokio::test]
async fn on_a_narrow_screen_the_find_bar_works_and_passes_the_accessibility_gate() {
    let Some((b, study)) = open().await else {
        return;
    };
    b.client
        .set_window_size(800, 900)
        .await
        .expect("narrow window");
    open_page(&b, study.document, "").await;
    click(&b, "[data-find-toggle]").await;
    keys(&b, "RESUME").await;
    wait_status(&b, "1 of 3").await;
    let fits = page(
        &b,
        r#"const bar = document.querySelector("[data-find-bar]").getBoundingClientRect();
           return bar.left >= 0 && bar.right <= window.innerWidth;"#,
        vec![],
    )
    .await;
    assert_eq!(fits, json!(true), "the bar fits the narrow window");
    keys(&b, key::ENTER).await;
    wait_status(&b, "2 of 3").await;
    if let Some(axe) = crate::accessibility::axe_source() {
        let found = crate::accessibility::violations(&b, &axe).await;
        assert!(found.is_empty(), "narrow layout, find bar open: {found:#?}");
    }
    keys(&b, key::ESCAPE).await;
    wait_until(
        &b,
        &format!("document.getSelection().toString() === {:?}", HITS[1]),
        "the second hit selected",
    )
    .await;
}

#[tokio::test]
async fn the_matcher_folds_case_and_accents_and_counts_code_points() {
    let Some(b) = bare().await else {
        return;
    };
    let cases = json!([
        // text, query
        ["Café CAFE cafe\u{301}", "cafe"],
        [
            "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467} naïve NAI\u{308}VE",
            "naive"
        ],
        ["q\u{301}x q\u{301}", "q"],
        ["ΟΔΟΣ οδος", "οδοσ"],
        ["İstanbul", "istanbul"],
        ["aaaa", "aa"],
        ["anything", "   "],
        ["anything", ""],
    ]);
    let found = b
        .with_modules(
            &[("f", "/static/js/coding/find-text.js")],
            "return args[0].map(([text, query]) => f.hitsInText(text, query).map((h) => [h.start, h.end]));",
            vec![cases],
        )
        .await;
    // Expected spans in code points, as Rust counts them.
    let at = |text: &str, from: &str| text.find(from).map(|b| text[..b].chars().count()).unwrap();
    let naive = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467} naïve NAI\u{308}VE";
    let expected = json!([
        [[0, 4], [5, 9], [10, 15]],
        [
            [at(naive, "naïve"), at(naive, "naïve") + 5],
            [at(naive, "NAI"), at(naive, "NAI") + 6]
        ],
        [[0, 2], [4, 6]],
        [[0, 4], [5, 9]],
        [[0, 8]],
        [[0, 2], [2, 4]],
        [],
        [],
    ]);
    assert_eq!(found, expected);
    let across = b
        .with_modules(
            &[("f", "/static/js/coding/find-text.js")],
            r#"const blocks = [{ start: 0, text: "the res" }, { start: 9, text: "ume q\u0301 resume" }];
               return [f.findHits(blocks, "resume").map((h) => [h.start, h.end]),
                       f.firstHitFrom([{ start: 3 }, { start: 8 }], 5),
                       f.firstHitFrom([{ start: 3 }, { start: 8 }], 9),
                       f.firstHitFrom([], 0)];"#,
            vec![],
        )
        .await;
    assert_eq!(across, json!([[[16, 22]], 1, 0, -1]), "never across turns");
}

#[tokio::test]
async fn a_viewer_finds_too_and_esc_selects_the_hit_in_the_read_only_text() {
    let Some((b, study)) = Prelude::new()
        .project("Find")
        .transcript("Résumés", TRANSCRIPT)
        .member("val", "viewer")
        .signed_in_as("val")
        .start()
        .await
    else {
        return;
    };
    open_page(&b, study.document, "").await;
    page(&b, "root.focus();", vec![]).await;
    keys(&b, "f").await;
    keys(&b, "Résumé").await;
    wait_status(&b, "1 of 3").await;
    keys(&b, key::ESCAPE).await;
    wait_until(
        &b,
        &format!(
            "document.activeElement === root && document.getSelection().toString() === {:?}",
            HITS[0]
        ),
        "the first hit selected in the read-only text",
    )
    .await;
}
