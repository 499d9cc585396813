//! What the coding page shows: overlapping and nested excerpts with all their colours and
//! side-by-side stripes, blind coding, the view filter, links to one excerpt, and a
//! viewer's read-only page.

use fantoccini::Locator;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::page::{drag_select, key, keys, open_page, page, rgb_of, wait_saved, wait_until};
use crate::prelude::{Prelude, Study};

const TRUST: &str = "#4e79a7";
const TOOLS: &str = "#f28e2b";
const RELIEF: &str = "#59a14f";

/// The overlapping passages: "I've got you. 💛 Let's make this easier on your ADHD brain"
/// and "your ADHD brain so you actually get to paint" share "your ADHD brain".
const FIRST: &str = "I've got you. 💛 Let's make this easier on your ADHD brain";
const SECOND: &str = "your ADHD brain so you actually get to paint";
const SHARED: &str = "your ADHD brain";
const ONLY_FIRST: &str = "Let's make this easier on";
/// Nested inside FIRST.
const INNER: &str = "make this easier";

/// Colours of the highlight over `needle`, and the stripes (code, colour, box) on the page.
async fn shown(b: &BrowserTest, needle: &str) -> Value {
    page(
        b,
        r#"const [needle] = args;
           const stripes = Array.from(document.querySelectorAll(".stripe"), (s) => ({
             code: Number(s.dataset.codeId),
             excerpt: Number(s.dataset.excerptId),
             color: getComputedStyle(s).backgroundColor,
             title: s.title,
             box: s.getBoundingClientRect().toJSON(),
           }));
           return {
             backgrounds: highlightsIn(needle).map((el) => getComputedStyle(el).backgroundImage),
             stripes,
           };"#,
        vec![json!(needle)],
    )
    .await
}

/// The excerpt ids the page highlights (through its stripes).
async fn shown_excerpts(b: &BrowserTest) -> Vec<i64> {
    let ids = page(
        b,
        r#"return [...new Set(Array.from(document.querySelectorAll(".stripe"), (s) => Number(s.dataset.excerptId)))].sort((a, b) => a - b);"#,
        vec![],
    )
    .await;
    serde_json::from_value(ids).expect("excerpt ids")
}

fn id(excerpt: &Value) -> i64 {
    excerpt["id"].as_i64().expect("excerpt id")
}

#[tokio::test]
async fn overlapping_and_nested_excerpts_show_every_colour_and_side_by_side_stripes() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", TRUST).await;
    let tools = study.code("Tools", TOOLS).await;
    let relief = study.code("Relief", RELIEF).await;
    let first = study.excerpt(&study.api, FIRST, &[trust]).await;
    let second = study.excerpt(&study.api, SECOND, &[tools]).await;
    let inner = study.excerpt(&study.api, INNER, &[relief]).await;
    open_page(&b, study.document, "").await;

    // The shared words show both codes' colours; text covered by one shows only its own.
    let overlap = shown(&b, SHARED).await;
    let backgrounds = overlap["backgrounds"].as_array().unwrap();
    assert_eq!(backgrounds.len(), 1, "one segment: {overlap}");
    let both = backgrounds[0].as_str().unwrap();
    assert!(
        both.contains(&rgb_of(TRUST)) && both.contains(&rgb_of(TOOLS)),
        "{both}"
    );
    let single = shown(&b, "so you actually").await;
    let tools_only = single["backgrounds"][0].as_str().unwrap();
    assert!(tools_only.contains(&rgb_of(TOOLS)) && !tools_only.contains(&rgb_of(TRUST)));
    // The nested excerpt's words carry the outer and the inner code.
    let nested = shown(&b, INNER).await;
    let nested_bg = nested["backgrounds"][0].as_str().unwrap();
    assert!(nested_bg.contains(&rgb_of(TRUST)) && nested_bg.contains(&rgb_of(RELIEF)));
    assert!(!nested_bg.contains(&rgb_of(TOOLS)), "{nested_bg}");
    let outer_only = shown(&b, ONLY_FIRST).await;
    assert_eq!(
        outer_only["backgrounds"].as_array().unwrap().len(),
        3,
        "split at the nested excerpt's boundaries: {outer_only}"
    );

    assert_one_stripe_per_code_side_by_side(
        &overlap,
        [
            (&first, TRUST, "Trust", trust),
            (&second, TOOLS, "Tools", tools),
            (&inner, RELIEF, "Relief", relief),
        ],
    );
}

/// One stripe per code per excerpt, in the code's colour, titled with its name; stripes
/// that overlap in height sit side by side. `coded`: each excerpt with its code's colour,
/// name and id.
fn assert_one_stripe_per_code_side_by_side(overlap: &Value, coded: [(&Value, &str, &str, i64); 3]) {
    let stripes = overlap["stripes"].as_array().unwrap();
    assert_eq!(stripes.len(), 3, "{stripes:?}");
    let stripe_of = |excerpt: &Value| {
        stripes
            .iter()
            .find(|s| s["excerpt"] == excerpt["id"])
            .unwrap_or_else(|| panic!("a stripe for {excerpt}"))
            .clone()
    };
    for (excerpt, color, name, code) in coded {
        let stripe = stripe_of(excerpt);
        assert_eq!(stripe["code"], code);
        assert!(stripe["color"].as_str().unwrap().contains(&rgb_of(color)));
        assert!(
            stripe["title"].as_str().unwrap().starts_with(name),
            "{stripe}"
        );
        assert!(
            stripe["title"].as_str().unwrap().contains("ada"),
            "{stripe}"
        );
    }
    // Overlapping stripes sit side by side: vertical overlap means different lanes.
    let boxes: Vec<(f64, f64, f64, f64)> = coded
        .iter()
        .map(|(e, ..)| {
            let b = &stripe_of(e)["box"];
            let f = |k: &str| b[k].as_f64().unwrap();
            (f("left"), f("right"), f("top"), f("bottom"))
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        for c in &boxes[i + 1..] {
            let vertical = a.2 < c.3 && c.2 < a.3;
            let horizontal = a.0 < c.1 && c.0 < a.1;
            assert!(vertical, "these stripes overlap in height: {a:?} {c:?}");
            assert!(!horizontal, "but not side to side: {a:?} {c:?}");
        }
    }
}

#[tokio::test]
async fn blind_coding_shows_a_coder_only_their_own_excerpts_and_the_owner_all() {
    let Some((b, study)) = Prelude::new()
        .owner("olga")
        .member("alice", "coder")
        .member("bob", "coder")
        .signed_in_as("alice")
        .start()
        .await
    else {
        return;
    };
    let trust = study.code("Trust", TRUST).await;
    let by_alice = study.excerpt(study.api_of("alice"), FIRST, &[trust]).await;
    let by_bob = study.excerpt(study.api_of("bob"), SECOND, &[trust]).await;
    study.set_blind(true).await;

    open_page(&b, study.document, "").await;
    assert_eq!(shown_excerpts(&b).await, vec![id(&by_alice)]);
    let filter = page(
        &b,
        r#"return {
             options: Array.from(document.querySelectorAll("[data-view-filter] option"), (o) => o.textContent),
             highlighted: highlightsIn("so you actually").length,
           };"#,
        vec![],
    )
    .await;
    assert_eq!(filter["highlighted"], 0, "bob's passage is not highlighted");
    assert!(
        !filter["options"].to_string().contains("bob"),
        "bob is not even named: {filter}"
    );

    b.switch_user("olga").await;
    open_page(&b, study.document, "").await;
    let mut both = vec![id(&by_alice), id(&by_bob)];
    both.sort();
    assert_eq!(shown_excerpts(&b).await, both, "the owner sees every coder");
}

#[tokio::test]
async fn the_view_filter_switches_between_my_coding_all_coders_and_one_coder() {
    let Some((b, study)) = Prelude::new().member("bob", "coder").start().await else {
        return;
    };
    let trust = study.code("Trust", TRUST).await;
    let mine = study.excerpt(&study.api, FIRST, &[trust]).await;
    let bobs = study.excerpt(study.api_of("bob"), SECOND, &[trust]).await;
    open_page(&b, study.document, "").await;

    let mut all = vec![id(&mine), id(&bobs)];
    all.sort();
    assert_eq!(shown_excerpts(&b).await, all, "all coders by default");
    let select = b.wait_for("[data-view-filter]").await;
    for (choice, expected, bob_highlighted) in [
        ("mine", vec![id(&mine)], false),
        ("coder:bob", vec![id(&bobs)], true),
        ("all", all.clone(), true),
    ] {
        select.select_by_value(choice).await.expect("choose a view");
        assert_eq!(shown_excerpts(&b).await, expected, "view {choice}");
        let highlighted = page(
            &b,
            r#"return highlightsIn("so you actually").length > 0;"#,
            vec![],
        )
        .await;
        assert_eq!(
            highlighted,
            json!(bob_highlighted),
            "bob's text in view {choice}"
        );
    }
}

#[tokio::test]
async fn a_link_to_an_excerpt_scrolls_to_it_and_flashes_it() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let trust = study.code("Trust", TRUST).await;
    // Near the end of the interview: far below the first screen.
    let late = "good painting time";
    let target = study.excerpt(&study.api, late, &[trust]).await;
    open_page(&b, study.document, &format!("#excerpt-{}", id(&target))).await;

    let seen = page(
        &b,
        r#"const [needle] = args;
           const marks = highlightsIn(needle);
           const box = marks[0].getBoundingClientRect();
           return {
             flashing: marks.every((el) => el.classList.contains("flash")),
             stripeFlashing: document.querySelector(".stripe.flash") !== null,
             scrolled: window.scrollY,
             inView: box.top >= 0 && box.bottom <= window.innerHeight,
           };"#,
        vec![json!(late)],
    )
    .await;
    assert_eq!(seen["flashing"], true, "{seen}");
    assert_eq!(seen["stripeFlashing"], true, "{seen}");
    assert_eq!(seen["inView"], true, "{seen}");
    assert!(seen["scrolled"].as_f64().unwrap() > 500.0, "{seen}");
    // The flash is brief.
    wait_until(
        &b,
        r#"document.querySelector(".flash") === null"#,
        "the flash to end",
    )
    .await;
}

#[tokio::test]
async fn a_viewer_reads_the_coding_but_gets_no_picker() {
    let Some((b, study)) = Prelude::new()
        .owner("olga")
        .member("vera", "viewer")
        .signed_in_as("vera")
        .start()
        .await
    else {
        return;
    };
    let trust = study.code("Trust", TRUST).await;
    study.excerpt(&study.api, FIRST, &[trust]).await;
    open_page(&b, study.document, "").await;

    // Highlights and stripes are there; the text is not editable.
    let state = page(
        &b,
        r#"return {
             editable: root.isContentEditable,
             highlights: highlightsIn("Let's make").length,
             stripes: document.querySelectorAll(".stripe").length,
             note: document.querySelector("[data-read-only-note]").hidden,
             newCode: document.querySelector("[data-new-code]").hidden,
           };"#,
        vec![],
    )
    .await;
    assert_eq!(
        state,
        json!({ "editable": false, "highlights": 1, "stripes": 1, "note": false, "newCode": true })
    );

    // Neither a mouse selection nor the keys open a picker.
    drag_select(&b, "so you actually get to paint").await;
    page(&b, "root.focus();", vec![]).await;
    keys(&b, &format!("c{}1", key::ENTER)).await;
    let picker = page(
        &b,
        r#"const picker = document.querySelector(".picker");
           return picker !== null && !picker.hidden;"#,
        vec![],
    )
    .await;
    assert_eq!(picker, json!(false), "no picker for a viewer");

    // Clicking coded text opens the excerpt read-only: codes by name, no editing.
    b.client
        .find(Locator::Css(".hl"))
        .await
        .expect("a highlight")
        .click()
        .await
        .expect("click the highlight");
    let panel = b
        .wait_for("#excerpt-panel:not([hidden]) .excerpt-codes li")
        .await;
    assert!(panel.text().await.unwrap().contains("Trust"));
    let controls = page(
        &b,
        r#"const panel = document.getElementById("excerpt-panel");
           return {
             meta: panel.querySelector(".excerpt-meta").textContent,
             edits: panel.querySelectorAll("[data-remove], [data-add-code], [data-delete], [data-bound], textarea").length,
           };"#,
        vec![],
    )
    .await;
    assert_eq!(controls["edits"], 0, "{controls}");
    assert!(controls["meta"].as_str().unwrap().contains("read-only"));

    archived_projects_are_read_only_even_for_the_owner(&b, &study).await;
}

/// An archived project is read-only even for its owner.
async fn archived_projects_are_read_only_even_for_the_owner(b: &BrowserTest, study: &Study) {
    let path = format!("/projects/{}", study.project);
    let archive = Some(json!({ "archived": true }));
    let (status, body) = study.api.call(Method::PATCH, &path, archive).await;
    assert!(status.is_success(), "{body}");
    b.switch_user("olga").await;
    open_page(b, study.document, "").await;
    let archived = page(
        b,
        r#"return {
             editable: root.isContentEditable,
             note: document.querySelector("[data-read-only-note]").textContent,
             stripes: document.querySelectorAll(".stripe").length,
           };"#,
        vec![],
    )
    .await;
    assert_eq!(archived["editable"], false, "{archived}");
    assert!(
        archived["note"].as_str().unwrap().contains("archived"),
        "{archived}"
    );
    assert_eq!(archived["stripes"], 1);
}

#[tokio::test]
async fn the_codebook_panel_counts_filters_collapses_and_adds_codes() {
    let Some((b, study)) = Prelude::new().member("bob", "coder").start().await else {
        return;
    };
    let bob = study.api_of("bob");
    let concerns = study.code("Concerns", TRUST).await;
    let codes = format!("/projects/{}/codes", study.project);
    study
        .api
        .create(&codes, json!({ "name": "Job loss", "parent_id": concerns }))
        .await;
    let trust = study.code("Trust", TOOLS).await;
    study.excerpt(&study.api, FIRST, &[trust]).await;
    study.excerpt(bob, SECOND, &[trust]).await;
    study.excerpt(bob, INNER, &[trust]).await;
    open_page(&b, study.document, "").await;

    let rows = r##"return Array.from(document.querySelectorAll("#codebook-panel .code-row"), (row) => row.textContent.replace(/\s+/g, " ").trim());"##;
    assert_eq!(
        page(&b, rows, vec![]).await,
        json!(["▾Concerns0 / 0", "Job loss0 / 0", "Trust1 / 3"]),
        "the tree with counts mine / all"
    );

    // `/` goes to the filter; typing keeps matches and their parents.
    page(&b, "root.focus();", vec![]).await;
    keys(&b, "/job").await;
    assert_eq!(
        page(&b, rows, vec![]).await,
        json!(["▾Concerns0 / 0", "Job loss0 / 0"])
    );
    // Escape clears the filter.
    keys(&b, key::ESCAPE).await;
    assert_eq!(page(&b, rows, vec![]).await.as_array().unwrap().len(), 3);

    // Collapsing hides the children.
    b.wait_for("#codebook-panel [data-toggle]")
        .await
        .click()
        .await
        .unwrap();
    let collapsed = page(
        &b,
        r##"const toggle = document.querySelector("#codebook-panel [data-toggle]");
           return { expanded: toggle.getAttribute("aria-expanded"), rows: document.querySelectorAll("#codebook-panel .code-row").length };"##,
        vec![],
    )
    .await;
    assert_eq!(collapsed, json!({ "expanded": "false", "rows": 2 }));

    // A new code from the panel is saved at once.
    let name = b.wait_for("[data-new-code] input[name=name]").await;
    name.send_keys("Hope").await.unwrap();
    keys(&b, key::ENTER).await;
    wait_saved(&b).await;
    study.code_named("Hope").await;
}

#[tokio::test]
async fn a_search_hit_opens_its_document_scrolled_to_the_hit_and_selected() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    // Near the end of the interview: far below the first screen.
    b.goto(&format!(
        "/projects/{}/search?q=%22good+painting+time%22",
        study.project
    ))
    .await;
    b.wait_for(".search-hit a").await.click().await.unwrap();
    wait_until(
        &b,
        r#"performance.getEntriesByName("gloss:interactive").length > 0"#,
        "the coding page to become interactive",
    )
    .await;
    let seen = page(
        &b,
        r#"const selection = document.getSelection();
           const box = selection.getRangeAt(0).getBoundingClientRect();
           return {
             hash: window.location.hash,
             selected: selection.toString(),
             scrolled: window.scrollY,
             inView: box.top >= 0 && box.bottom <= window.innerHeight,
           };"#,
        vec![],
    )
    .await;
    assert!(
        seen["hash"].as_str().unwrap().starts_with("#hit-"),
        "{seen}"
    );
    assert_eq!(seen["selected"], "good painting time", "{seen}");
    assert_eq!(seen["inView"], true, "{seen}");
    assert!(seen["scrolled"].as_f64().unwrap() > 500.0, "{seen}");
}
