//! Selections on the document page become the code-point spans the server uses, and spans
//! become ranges over the rendered text again: after emoji, across turns, trimmed, and when
//! highlights have split the text into several nodes.

use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::page::page;
use crate::prelude::{Prelude, code_point_offset_of, slice_code_points};

/// A transcript with emoji (surrogate pairs in the browser), a ZWJ sequence, and "cafe" with
/// a combining acute accent that the import composes (NFC) into one code point "é".
const TRANSCRIPT: &str = "AI: How do you feel about the new tool?\n\n\
                          User: I love it 💛 and the cafe\u{301} 🥹 really 😂 yes\n\n\
                          AI: Anything else? 👩\u{200d}🔬\n\n\
                          User: Only that   😅 it   saves me time.\n\
                          Second\u{a0}line\tends here.\n";

/// Imports `TRANSCRIPT` as ada's, signs her in and opens its page; returns the stored text.
async fn open_transcript() -> Option<(BrowserTest, String)> {
    let (b, study) = Prelude::new()
        .project("Offsets")
        .transcript("Emoji interview", TRANSCRIPT)
        .start()
        .await?;
    b.goto(&format!("/documents/{}", study.document)).await;
    b.wait_for("#transcript .text[data-start]").await;
    Some((b, study.text))
}

/// The span of `needle` (which must occur once) in code points of the stored text.
fn span_of(text: &str, needle: &str) -> Value {
    let start = code_point_offset_of(text, needle);
    json!({ "start": start, "end": start + needle.chars().count() })
}

#[tokio::test]
async fn selections_after_emoji_match_the_servers_code_points() {
    let Some((b, text)) = open_transcript().await else {
        return;
    };
    assert!(
        text.contains("café 🥹") && !text.contains('\u{301}'),
        "the import stores NFC text: {text:?}"
    );

    let result = page(
        &b,
        r#"return {
             exact: select("really 😂 yes", "really 😂 yes"),
             // From the space before "really" to the very start of the next turn's text:
             // the space, and the blank lines between the turns, are trimmed away.
             padded: (() => {
               const first = blockWith(" really"), next = blockWith("Anything else?");
               const range = document.createRange();
               range.setStart(...pointAt(first, shown(first).indexOf(" really")));
               range.setEnd(...pointAt(next, 0));
               return measure(range);
             })(),
             paddedInside: select("   😅", "it   "),
             blank: select("that   ", "that   ", 4, 0),
             // A line break, a no-break space and a tab are whitespace too.
             lineBreak: select("time.\n", "time.\n"),
             otherSpaces: select("\u00a0line\t", "\u00a0line\t"),
             acrossTurns: select("really 😂 yes", "Anything else?"),
           };"#,
        vec![],
    )
    .await;

    // A selection after three emoji and a composed é.
    let exact = &result["exact"];
    assert_eq!(exact["span"], span_of(&text, "really 😂 yes"), "{result}");
    let (start, end) = span_bounds(&exact["span"]);
    assert_eq!(
        slice_code_points(&text, start, end),
        exact["text"].as_str().unwrap().trim()
    );
    assert_ne!(
        start,
        exact_utf16_start(&text, "really"),
        "the fixture must make UTF-16 and code points differ"
    );

    // Whitespace at either end is trimmed, in code points.
    assert_eq!(result["padded"]["span"], span_of(&text, "really 😂 yes"));
    assert_eq!(result["paddedInside"]["span"], span_of(&text, "😅 it"));
    let padded_text = result["paddedInside"]["text"].as_str().unwrap();
    assert_eq!(
        padded_text, "   😅 it   ",
        "the browser selected the spaces"
    );
    assert_eq!(
        result["blank"]["span"],
        Value::Null,
        "a selection of only spaces is no excerpt: {result}"
    );

    assert_eq!(result["lineBreak"]["span"], span_of(&text, "time."));
    let line = code_point_offset_of(&text, "\u{a0}line\t") + 1;
    assert_eq!(
        result["otherSpaces"]["span"],
        json!({ "start": line, "end": line + 4 })
    );

    // Across two turns: from the participant's turn into the interviewer's.
    let across = &result["acrossTurns"]["span"];
    let (start, end) = span_bounds(across);
    assert_eq!(
        slice_code_points(&text, start, end),
        "really 😂 yes\n\nAnything else?"
    );
    assert_eq!(start, code_point_offset_of(&text, "really 😂 yes"));
}

#[tokio::test]
async fn spans_become_ranges_and_back() {
    let Some((b, text)) = open_transcript().await else {
        return;
    };
    let exact = span_of(&text, "really 😂 yes");
    let across_start = code_point_offset_of(&text, "really 😂 yes");
    let across_end =
        code_point_offset_of(&text, "Anything else?") + "Anything else?".chars().count();
    let zwj = span_of(&text, "👩\u{200d}🔬");

    let result = page(
        &b,
        r#"const [exact, acrossStart, acrossEnd, zwj, length] = args;
           const outside = (() => {
             const range = document.createRange();
             range.selectNodeContents(document.querySelector("h1"));
             return measure(range).span;
           })();
           return {
             exact: roundTrip(exact.start, exact.end),
             across: roundTrip(acrossStart, acrossEnd),
             zwj: roundTrip(zwj.start, zwj.end),
             whole: roundTrip(0, length),
             // A span wholly inside the blank lines between two turns shows nothing.
             gap: o.spanToRange(root, acrossStart + 12, acrossStart + 14),
             outside,
           };"#,
        vec![
            exact.clone(),
            json!(across_start),
            json!(across_end),
            zwj.clone(),
            json!(text.chars().count()),
        ],
    )
    .await;

    assert_eq!(result["exact"]["text"], "really 😂 yes");
    assert_eq!(result["exact"]["span"], exact);
    assert_eq!(result["zwj"]["text"], "👩\u{200d}🔬");
    assert_eq!(result["zwj"]["span"], zwj);
    // Across turns the range also covers the speaker header in between (page layout), but
    // it starts and ends on the span's text and measures as the same span.
    let across_text = result["across"]["text"].as_str().unwrap();
    assert!(across_text.starts_with("really 😂 yes"), "{across_text:?}");
    assert!(across_text.ends_with("Anything else?"), "{across_text:?}");
    assert_eq!(
        result["across"]["span"],
        json!({ "start": across_start, "end": across_end })
    );
    // The whole document measures as the whole (already trimmed) text.
    assert_eq!(
        result["whole"]["span"],
        json!({ "start": 0, "end": text.chars().count() })
    );
    assert_eq!(result["gap"], Value::Null, "{result}");
    assert_eq!(
        result["outside"],
        Value::Null,
        "a selection of the page title is not in the transcript"
    );
}

#[tokio::test]
async fn highlights_splitting_the_text_do_not_move_offsets() {
    let Some((b, text)) = open_transcript().await else {
        return;
    };
    let exact = span_of(&text, "really 😂 yes");

    // Split the participant's turn into many nodes, as highlights will: wrap every few
    // characters (never inside a surrogate pair) in nested spans, and put a decoration
    // with its own emoji in front that must not count as document text.
    let result = page(
        &b,
        r#"const [exact] = args;
           const block = blockWith("really 😂 yes");
           const before = { nodes: texts(block).length, span: select("really 😂 yes", "really 😂 yes").span };
           const source = block.firstChild.data;
           block.replaceChildren();
           const marker = document.createElement("span");
           marker.setAttribute("data-offset-ignore", "");
           marker.textContent = "✎💛 note";
           block.append(marker);
           const pieces = Array.from(source); // code points: never splits a pair
           for (let i = 0; i < pieces.length; i += 3) {
             const piece = pieces.slice(i, i + 3).join("");
             if ((i / 3) % 2 === 0) {
               block.append(document.createTextNode(piece));
             } else {
               const outer = document.createElement("span");
               outer.className = "highlight";
               const inner = document.createElement("mark");
               inner.textContent = piece;
               outer.append(inner);
               block.append(outer);
             }
           }
           return {
             before,
             sameText: shown(block) === source,
             nodes: texts(block).length,
             after: select("really 😂 yes", "really 😂 yes"),
             padded: select(" really", "yes"),
             acrossTurns: select("I love", "Anything else?"),
             roundTrip: roundTrip(exact.start, exact.end),
             whole: roundTrip(Number(block.dataset.start), Number(block.dataset.end)),
           };"#,
        vec![exact.clone()],
    )
    .await;

    assert_eq!(
        result["before"]["nodes"], 1,
        "the page renders one text node"
    );
    assert_eq!(result["before"]["span"], exact);
    assert_eq!(result["sameText"], true);
    assert!(result["nodes"].as_u64().unwrap() > 10, "{result}");
    assert_eq!(result["after"]["span"], exact, "{result}");
    assert_eq!(result["after"]["text"], "really 😂 yes");
    assert_eq!(result["padded"]["span"], exact);
    let across = &result["acrossTurns"]["span"];
    let (start, end) = span_bounds(across);
    assert_eq!(start, code_point_offset_of(&text, "I love"));
    assert!(slice_code_points(&text, start, end).ends_with("yes\n\nAnything else?"));
    assert_eq!(result["roundTrip"]["text"], "really 😂 yes");
    assert_eq!(result["roundTrip"]["span"], exact);
    let participant = "I love it 💛 and the café 🥹 really 😂 yes";
    assert_eq!(result["whole"]["text"], participant);
    assert_eq!(result["whole"]["span"], span_of(&text, participant));
}

#[tokio::test]
async fn real_interview_with_emoji_rendered_and_selected_exactly() {
    let Some((b, study)) = Prelude::new().start().await else {
        return;
    };
    let (id, text) = (study.document, study.text);

    // Every passage that follows an emoji, up to the end of its line: unique ones only.
    let mut needles: Vec<String> = Vec::new();
    for (byte, c) in text.char_indices().filter(|(_, c)| *c > '\u{ffff}') {
        let after = &text[byte + c.len_utf8()..];
        let line = after.split('\n').next().unwrap_or_default();
        let needle: String = line.chars().take(40).collect::<String>().trim().to_owned();
        if !needle.is_empty() && text.matches(needle.as_str()).count() == 1 {
            needles.push(needle);
        }
    }
    assert!(needles.len() >= 3, "emoji passages: {needles:?}");

    b.goto(&format!("/documents/{id}")).await;
    b.wait_for("#transcript .text[data-start]").await;
    let result = page(
        &b,
        r#"const [needles] = args;
           return {
             blocks: blocks().map((b) => ({ start: Number(b.dataset.start), end: Number(b.dataset.end), text: b.textContent })),
             selections: needles.map((needle) => {
               const measured = select(needle, needle);
               const back = measured.span && roundTrip(measured.span.start, measured.span.end);
               return { ...measured, back };
             }),
           };"#,
        vec![json!(needles)],
    )
    .await;

    // The page shows each block as exactly the stored text between its offsets.
    let blocks = result["blocks"].as_array().unwrap();
    assert!(blocks.len() > 10, "{} blocks", blocks.len());
    for block in blocks {
        let (start, end) = span_bounds(block);
        assert_eq!(
            block["text"].as_str().unwrap(),
            slice_code_points(&text, start, end),
            "block [{start}, {end})"
        );
    }
    // Every passage after an emoji measures as the server's code points, and back.
    for (needle, measured) in needles.iter().zip(result["selections"].as_array().unwrap()) {
        let expected = span_of(&text, needle);
        assert_eq!(measured["span"], expected, "{needle:?}");
        let (start, end) = span_bounds(&measured["span"]);
        assert_eq!(
            slice_code_points(&text, start, end),
            measured["text"].as_str().unwrap().trim()
        );
        assert_eq!(measured["back"]["text"], json!(needle));
        assert_eq!(measured["back"]["span"], expected);
    }
}

fn span_bounds(span: &Value) -> (usize, usize) {
    let bound = |key: &str| {
        span[key]
            .as_u64()
            .unwrap_or_else(|| panic!("no {key} in {span}")) as usize
    };
    (bound("start"), bound("end"))
}

/// Where `needle` starts in UTF-16 units: what a naive page would have sent.
fn exact_utf16_start(text: &str, needle: &str) -> usize {
    let byte = text.find(needle).expect("needle in text");
    text[..byte].encode_utf16().count()
}
