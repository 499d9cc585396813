//! Helpers for driving a page in the browser: scripts run with test-side helpers that find
//! text in the rendered transcript the way a user sees it (independently of offsets.js),
//! waits for the page to reach a state, keys, and mouse drags.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{BrowserTest, PATIENCE};

/// Test-side helpers run before each page script. They locate text by searching the
/// rendered blocks in UTF-16 units, as a browser does, independently of offsets.js; the
/// selection helpers at the end measure with offsets.js (`o`).
const HELPERS: &str = r#"
const root = document.getElementById("transcript");
const blocks = () => Array.from(root.querySelectorAll(".text[data-start]"));
const texts = (block) => {
  const out = [];
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out.push(child);
      else if (child.nodeType === Node.ELEMENT_NODE && !child.hasAttribute("data-offset-ignore")) walk(child);
    }
  };
  walk(block);
  return out;
};
const shown = (block) => texts(block).map((t) => t.data).join("");
const blockWith = (needle) => {
  const found = blocks().find((b) => shown(b).includes(needle));
  if (!found) throw new Error(`no block shows ${needle}`);
  return found;
};
// The DOM point `i` UTF-16 units into a block's text: at a seam between two nodes, the
// start of the next one (`forward`, for a range's start) or the end of the previous one.
const pointAt = (block, i, forward = false) => {
  for (const t of texts(block)) {
    if (forward ? i < t.length : i <= t.length) return [t, i];
    i -= t.length;
  }
  throw new Error("past the end of the block");
};
const rangeOf = (needle) => {
  const block = blockWith(needle);
  const at = shown(block).indexOf(needle);
  const range = document.createRange();
  range.setStart(...pointAt(block, at, true));
  range.setEnd(...pointAt(block, at + needle.length));
  return range;
};
// Selects `needle` as a drag of the mouse would (a DOM Range on the rendered text).
const selectText = (needle) => {
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(rangeOf(needle));
  return selection.toString();
};
// The highlight elements showing part of `needle`.
const highlightsIn = (needle) => {
  const range = rangeOf(needle);
  return Array.from(root.querySelectorAll(".hl")).filter((el) => range.intersectsNode(el));
};
const state = () => document.querySelector("[data-save-status]").dataset.state;
// Selects from `from` (moved by `startShift` units) to the end of `to` (moved by
// `endShift`), like a user dragging, and measures the selection.
const select = (from, to, startShift = 0, endShift = 0) => {
  const first = blockWith(from), last = blockWith(to);
  const range = document.createRange();
  range.setStart(...pointAt(first, shown(first).indexOf(from) + startShift));
  range.setEnd(...pointAt(last, shown(last).indexOf(to) + to.length + endShift));
  return measure(range);
};
const measure = (range) => {
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return { span: o.selectionToSpan(selection, root), text: selection.toString() };
};
// spanToRange, then back: the text it covers and the span it measures as.
const roundTrip = (start, end) => {
  const range = o.spanToRange(root, start, end);
  return { text: range.toString(), span: o.rangeToSpan(range, root) };
};
"#;

/// Runs `body` (an async function body using the helpers above, `o` for offsets.js and
/// `args`) in the page and returns its result.
pub async fn page(b: &BrowserTest, body: &str, args: Vec<Value>) -> Value {
    b.with_offsets(&format!("{HELPERS}\n{body}"), args).await
}

/// Polls `condition` (a JavaScript expression, with the helpers in scope) until it is
/// true; fails the test with `what` and the page's state otherwise.
pub async fn wait_until(b: &BrowserTest, condition: &str, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    // A plain (synchronous) script, not `page`'s async one: a poll that overlaps a
    // navigation (a form submitted by Enter, a link clicked) then waits for the new page
    // instead of losing its callback with the old one and stalling until the script
    // timeout. An error from the driver during a navigation counts as "not yet".
    let script = format!(
        "const o = undefined;\n{HELPERS}\ntry {{ return Boolean({condition}); }} catch (e) {{ return false; }}"
    );
    loop {
        let ok = b.client.execute(&script, vec![]).await;
        if matches!(ok, Ok(ref value) if *value == json!(true)) {
            return;
        }
        if Instant::now() > deadline {
            let status = page(
                b,
                r#"return document.querySelector("[data-save-status]")?.textContent ?? "no status";"#,
                vec![],
            )
            .await;
            panic!("timed out waiting for {what} ({condition}); save status: {status}");
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// Opens the coding page of `document` and waits until it is interactive.
pub async fn open_page(b: &BrowserTest, document: i64, fragment: &str) {
    b.goto(&format!("/documents/{document}{fragment}")).await;
    wait_until(
        b,
        r#"performance.getEntriesByName("gloss:interactive").length > 0"#,
        "the coding page to become interactive",
    )
    .await;
}

/// Waits until every change has been saved.
pub async fn wait_saved(b: &BrowserTest) {
    wait_until(b, r#"state() === "saved""#, "all changes to be saved").await;
}

/// Sends keys to whatever has focus, as a user typing.
pub async fn keys(b: &BrowserTest, text: &str) {
    let focused = b.client.active_element().await.expect("a focused element");
    focused.send_keys(text).await.expect("type");
}

/// `#rrggbb` as the `rgba(r, g, b, a)` a computed style shows.
pub fn rgb_of(hex: &str) -> String {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour");
    format!("{}, {}, {}", channel(1), channel(3), channel(5))
}

/// WebDriver key codes.
pub mod key {
    pub const ENTER: &str = "\u{E007}";
    pub const TAB: &str = "\u{E004}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
    pub const SHIFT: &str = "\u{E008}";
    pub const CONTROL: &str = "\u{E009}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const DELETE: &str = "\u{E017}";
    /// Releases every modifier held by earlier keys in the same `send_keys`.
    pub const NULL: &str = "\u{E000}";
}

/// Selects `needle` by dragging the mouse from its first character to its last, through
/// WebDriver pointer actions (real mouse events: the page sees mousedown, moves, mouseup).
pub async fn drag_select(b: &BrowserTest, needle: &str) {
    use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};

    let points = page(
        b,
        r#"const [needle] = args;
           const range = rangeOf(needle);
           range.startContainer.parentElement.scrollIntoView({ block: "center" });
           const char = (from, to) => {
             const r = document.createRange();
             r.setStart(range.startContainer, from);
             r.setEnd(range.startContainer, to);
             return r.getBoundingClientRect();
           };
           const first = char(range.startOffset, range.startOffset + 1);
           const endRange = document.createRange();
           endRange.setStart(range.endContainer, range.endOffset - 1);
           endRange.setEnd(range.endContainer, range.endOffset);
           const last = endRange.getBoundingClientRect();
           // Inside the left half of the first character and the right half of the last,
           // so the caret lands exactly before and after the passage.
           return { x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2 };"#,
        vec![json!(needle)],
    )
    .await;
    let at = |name: &str| points[name].as_f64().expect("coordinate").round();
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: at("x1"),
            y: at("y1"),
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: Some(Duration::from_millis(120)),
            x: at("x2"),
            y: at("y2"),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    b.client
        .perform_actions(mouse)
        .await
        .expect("drag the mouse");
}

/// Clicks the element matching `css`, waiting for it to appear.
pub async fn click(b: &BrowserTest, css: &str) {
    b.wait_for(css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Selects `needle` in the transcript, with the transcript focused, as the keyboard would.
pub async fn select_in_text(b: &BrowserTest, needle: &str) {
    page(
        b,
        r#"const [needle] = args;
           root.focus();
           const range = rangeOf(needle);
           document.getSelection().setBaseAndExtent(range.startContainer, range.startOffset, range.endContainer, range.endOffset);"#,
        vec![json!(needle)],
    )
    .await;
}
