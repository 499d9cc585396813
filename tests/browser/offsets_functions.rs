//! static/js/offsets.js function by function, in the real browser: the string conversions
//! against Rust's own idea of code points, and DOM points on a hand-built block.

use serde_json::{Value, json};

use crate::prelude::bare;

/// Text with everything that makes UTF-16 and code points differ: emoji (surrogate pairs),
/// a ZWJ sequence, a skin-tone modifier, a combining mark left uncomposed, CJK, and ASCII.
const MIXED: &str = "a💛b e\u{301} 🥹😂 👩\u{200d}🔬 👍🏽 中文 z";

#[tokio::test]
async fn string_conversions_count_code_points_like_rust() {
    let Some(b) = bare().await else {
        return;
    };

    // Rust's view: the UTF-16 index of every code-point boundary, end included.
    let mut boundaries: Vec<usize> = MIXED
        .char_indices()
        .map(|(byte, _)| MIXED[..byte].encode_utf16().count())
        .collect();
    boundaries.push(MIXED.encode_utf16().count());
    let result = b
        .with_offsets(
            "const [s, boundaries] = args;
             return {
               length: o.codePointLength(s),
               toCodePoint: boundaries.map((u) => o.utf16ToCodePoint(s, u)),
               toUtf16: boundaries.map((_, k) => o.codePointToUtf16(s, k)),
             };",
            vec![json!(MIXED), json!(boundaries)],
        )
        .await;
    let expected_code_points: Vec<usize> = (0..boundaries.len()).collect();
    assert_eq!(result["length"], json!(MIXED.chars().count()));
    assert_eq!(result["toCodePoint"], json!(expected_code_points));
    assert_eq!(result["toUtf16"], json!(boundaries));
}

#[tokio::test]
async fn string_conversions_edge_cases() {
    let Some(b) = bare().await else {
        return;
    };
    let result = b
        .with_offsets(
            r#"const attempt = (f) => { try { return f(); } catch (e) { return e.name; } };
               const pair = "a\u{1F49B}b";          // a💛b: 4 UTF-16 units, 3 code points
               const lone = "x\uD83Dy\uDC9B";       // lone high and lone low surrogates
               return {
                 empty: [o.codePointLength(""), o.utf16ToCodePoint("", 0), o.codePointToUtf16("", 0)],
                 pairLength: o.codePointLength(pair),
                 pairToCodePoint: [0, 1, 2, 3, 4].map((u) => o.utf16ToCodePoint(pair, u)),
                 pairToUtf16: [0, 1, 2, 3].map((k) => o.codePointToUtf16(pair, k)),
                 combining: [o.codePointLength("e\u0301"), o.codePointLength("e\u0301".normalize("NFC"))],
                 loneLength: o.codePointLength(lone),
                 loneToCodePoint: [0, 1, 2, 3, 4].map((u) => o.utf16ToCodePoint(lone, u)),
                 loneToUtf16: [0, 1, 2, 3, 4].map((k) => o.codePointToUtf16(lone, k)),
                 reversedPair: o.codePointLength("\uDC9B\uD83D"),
                 outOfRange: [
                   attempt(() => o.utf16ToCodePoint(pair, 5)),
                   attempt(() => o.utf16ToCodePoint(pair, -1)),
                   attempt(() => o.codePointToUtf16(pair, 4)),
                   attempt(() => o.codePointToUtf16(pair, 1.5)),
                 ],
               };"#,
            vec![],
        )
        .await;
    assert_eq!(
        result,
        json!({
            "empty": [0, 0, 0],
            "pairLength": 3,
            // The index between the halves of 💛 (2) rounds down to the pair's start.
            "pairToCodePoint": [0, 1, 1, 2, 3],
            "pairToUtf16": [0, 1, 3, 4],
            "combining": [2, 1],
            "loneLength": 4,
            "loneToCodePoint": [0, 1, 2, 3, 4],
            "loneToUtf16": [0, 1, 2, 3, 4],
            "reversedPair": 2,
            "outOfRange": ["RangeError", "RangeError", "RangeError", "RangeError"],
        })
    );
}

#[tokio::test]
async fn dom_points_walk_split_text_and_skip_ignored_elements() {
    let Some(b) = bare().await else {
        return;
    };
    // A block standing for document offsets [100, 106): "a💛" "b🥹" "c" "d", with a
    // decoration (not document text) between "b🥹" and "c", and "d" inside two spans.
    let result: Value = b
        .with_offsets(
            r#"const block = document.createElement("div");
               block.className = "text";
               block.dataset.start = "100";
               block.dataset.end = "106";
               block.innerHTML = 'a\u{1F49B}<span class="hl">b\u{1F979}</span>'
                 + '<span data-offset-ignore>NOTE\u{1F49B}</span>c<b><i>d</i></b>';
               document.body.append(block);
               const [a, span, note, c, bold] = block.childNodes;
               const b = span.firstChild, noteText = note.firstChild, d = bold.firstChild.firstChild;
               const at = (node, offset) => o.domPointToOffset(block, node, offset);
               const name = (node) => node === block ? "block" : node.data;
               const point = (offset, affinity) => {
                 const p = o.offsetToDomPoint(block, offset, affinity);
                 return [name(p.node), p.offset];
               };
               const attempt = (f) => { try { return f(); } catch (e) { return e.name; } };
               return {
                 textPoints: [at(a, 0), at(a, 1), at(a, 2), at(a, 3), at(b, 0), at(b, 1), at(b, 3), at(c, 1), at(d, 1)],
                 elementPoints: [0, 1, 2, 3, 4, 5].map((i) => at(block, i)),
                 insideSpan: [at(span, 0), at(span, 1)],
                 insideIgnored: [at(noteText, 0), at(noteText, 5), at(note, 1)],
                 outside: [at(document.body, 0), at(document.body, document.body.childNodes.length)],
                 forward: [100, 101, 102, 103, 104, 105, 106].map((k) => point(k)),
                 backward: [100, 102, 104, 105].map((k) => point(k, "backward")),
                 outOfBlock: [attempt(() => point(99)), attempt(() => point(107))],
                 // Many at once, in no order: each the same point as alone.
                 batch: (() => {
                   const requests = [106, 101, 104, 100, 105, 102, 103, 104, 106, 100]
                     .map((offset, i) => ({ offset, affinity: i % 3 ? "backward" : "forward" }));
                   return o.offsetsToDomPoints(block, requests).map((p, i) => {
                     const alone = point(requests[i].offset, requests[i].affinity);
                     return name(p.node) === alone[0] && p.offset === alone[1];
                   });
                 })(),
                 batchOutOfBlock: attempt(() => o.offsetsToDomPoints(block, [{ offset: 100 }, { offset: 107 }])),
               };"#,
            vec![],
        )
        .await;
    assert_eq!(
        result,
        json!({
            // Inside "a💛": index 2 sits between the halves of 💛 and rounds down.
            "textPoints": [100, 101, 101, 102, 102, 103, 104, 105, 106],
            // Before a, before span, before the decoration, before c, before bold, end.
            "elementPoints": [100, 102, 104, 104, 105, 106],
            "insideSpan": [102, 104],
            // A point inside a decoration counts as where the decoration sits.
            "insideIgnored": [104, 104, 104],
            // Before the block clamps to its start, after it to its end.
            "outside": [100, 106],
            // On a seam, "forward" names the start of the next text node.
            "forward": [["a💛", 0], ["a💛", 1], ["b🥹", 0], ["b🥹", 1], ["c", 0], ["d", 0], ["d", 1]],
            "backward": [["a💛", 0], ["a💛", 3], ["b🥹", 3], ["c", 1]],
            "outOfBlock": ["RangeError", "RangeError"],
            "batch": vec![true; 10],
            "batchOutOfBlock": "RangeError",
        })
    );
}
