//! The coding page's pure helpers, function by function, in the real browser (the ES
//! modules as the page loads them): `segmentsOf` and `utf16Cuts` (static/js/coding/
//! segments.js), which split a block of text at excerpt boundaries, and `assignLanes`
//! (static/js/coding/stripes.js), which places overlapping stripes side by side. The
//! expected values are worked out by hand from each function's documented contract.

use serde_json::{Value, json};

use crate::harness::BrowserTest;
use crate::prelude::bare;

const SEGMENTS: (&str, &str) = ("s", "/static/js/coding/segments.js");
const STRIPES: (&str, &str) = ("st", "/static/js/coding/stripes.js");

/// Runs `segmentsOf` on each case (`[blockStart, blockEnd, [[id, start, end], …]]`) and
/// returns its segments as `[start, end, [ids of the covering excerpts, sorted], tag]`.
async fn segments(b: &BrowserTest, cases: Value) -> Value {
    b.with_modules(
        &[SEGMENTS],
        r#"const [cases] = args;
           const excerpt = ([id, start, end]) => ({ id, start, end });
           return Object.fromEntries(Object.entries(cases).map(([name, [from, to, excerpts]]) => [
             name,
             s.segmentsOf(from, to, excerpts.map(excerpt)).map((g) =>
               [g.start, g.end, g.excerpts.map((e) => e.id).sort((a, b) => a - b), g.tag]),
           ]));"#,
        vec![cases],
    )
    .await
}

#[tokio::test]
async fn segments_split_a_block_at_every_excerpt_boundary() {
    let Some(b) = bare().await else {
        return;
    };
    let result = segments(
        &b,
        json!({
            "empty": [0, 10, []],
            "emptyBlock": [5, 5, [[1, 0, 10]]],
            "overlap": [0, 10, [[1, 2, 6], [2, 4, 9]]],
            "unsorted": [0, 10, [[2, 4, 9], [1, 2, 6]]],
            "nested": [0, 10, [[3, 1, 9], [4, 3, 5]]],
            "touching": [0, 10, [[5, 2, 5], [6, 5, 8]]],
            "sameSpan": [0, 10, [[7, 3, 6], [8, 3, 6]]],
            "sameStart": [0, 10, [[9, 3, 8], [10, 3, 5]]],
            "sameEnd": [0, 10, [[11, 1, 7], [12, 4, 7]]],
            // Clipped to the block [10, 20); outside it, touching it, or empty: left out.
            "clipped": [10, 20, [[13, 0, 15], [14, 18, 30], [15, 20, 25], [16, 2, 10], [17, 12, 12]]],
            "wholeBlock": [10, 20, [[18, 0, 100]]],
        }),
    )
    .await;
    let uncoded = |start: u64, end: u64| json!([start, end, [], null]);
    let coded = |start: u64, end: u64, ids: &[u64]| json!([start, end, ids, null]);
    let overlap = json!([
        uncoded(0, 2),
        coded(2, 4, &[1]),
        coded(4, 6, &[1, 2]),
        coded(6, 9, &[2]),
        uncoded(9, 10),
    ]);
    let expected = json!({
        "empty": [uncoded(0, 10)],
        "emptyBlock": [],
        "overlap": overlap,
        // The order of the excerpts given does not matter.
        "unsorted": overlap,
        "nested": [uncoded(0, 1), coded(1, 3, &[3]), coded(3, 5, &[3, 4]), coded(5, 9, &[3]), uncoded(9, 10)],
        // Touching excerpts never share a segment: one ends where the next starts.
        "touching": [uncoded(0, 2), coded(2, 5, &[5]), coded(5, 8, &[6]), uncoded(8, 10)],
        // Ties: the same span is one segment with both excerpts.
        "sameSpan": [uncoded(0, 3), coded(3, 6, &[7, 8]), uncoded(6, 10)],
        "sameStart": [uncoded(0, 3), coded(3, 5, &[9, 10]), coded(5, 8, &[9]), uncoded(8, 10)],
        "sameEnd": [uncoded(0, 1), coded(1, 4, &[11]), coded(4, 7, &[11, 12]), uncoded(7, 10)],
        "clipped": [coded(10, 15, &[13]), uncoded(15, 18), coded(18, 20, &[14])],
        "wholeBlock": [coded(10, 20, &[18])],
    });
    for (name, want) in expected.as_object().expect("cases") {
        assert_eq!(&result[name], want, "{name}");
    }
}

/// A pseudo-random excerpt set (xorshift, fixed seed) over a block [`from`, `to`).
fn random_excerpts(from: u64, to: u64, count: u64) -> Vec<[u64; 3]> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    (1..=count)
        .map(|id| {
            // Some start before the block or end after it; some are empty.
            let start = from - 3 + next(to - from + 6);
            [id, start, start + next(8)]
        })
        .collect()
}

/// Checked against a count character by character, for many excerpts at once: the
/// segments are consecutive, cover the block exactly, each lists exactly the excerpts
/// covering each of its characters, and neighbours differ (no needless split).
#[tokio::test]
async fn segments_of_many_excerpts_agree_with_a_character_by_character_count() {
    let Some(b) = bare().await else {
        return;
    };
    let (from, to) = (20, 80);
    let excerpts = random_excerpts(from, to, 40);
    let result = segments(&b, json!({ "random": [from, to, excerpts] })).await;
    let segments = result["random"].as_array().expect("segments");
    let covering = |at: u64| -> Vec<u64> {
        excerpts
            .iter()
            .filter(|[_, start, end]| *start <= at && at < *end)
            .map(|[id, _, _]| *id)
            .collect()
    };
    let mut position = from;
    let mut previous: Option<Vec<u64>> = None;
    for segment in segments {
        let (start, end) = (segment[0].as_u64().unwrap(), segment[1].as_u64().unwrap());
        let ids: Vec<u64> = serde_json::from_value(segment[2].clone()).unwrap();
        assert_eq!(start, position, "consecutive: {segment}");
        assert!(start < end, "not empty: {segment}");
        for at in start..end {
            assert_eq!(covering(at), ids, "character {at} in {segment}");
        }
        assert_ne!(previous.as_ref(), Some(&ids), "needless split at {start}");
        previous = Some(ids);
        position = end;
    }
    assert_eq!(position, to, "the whole block is covered: {result}");
}

#[tokio::test]
async fn segments_report_to_the_tracker_and_cut_utf16_text_at_code_points() {
    let Some(b) = bare().await else {
        return;
    };
    let result = b
        .with_modules(
            &[SEGMENTS],
            r#"const tracking = (excerpts) => {
                 const log = [], open = new Set();
                 const tracker = {
                   open: (e) => { log.push(`open ${e.id}`); open.add(e.id); },
                   close: (e) => { log.push(`close ${e.id}`); open.delete(e.id); },
                   tag: () => { const tag = [...open].sort().join("+"); log.push(`tag ${tag}`); return tag; },
                 };
                 const tags = s.segmentsOf(0, 10, excerpts, tracker).map((g) => g.tag);
                 return { tags, log };
               };
               // The UTF-16 pieces of `text` (a block starting at `from`) at the segments'
               // boundaries.
               const pieces = (text, from, excerpts) => {
                 const segments = s.segmentsOf(from, from + Array.from(text).length, excerpts);
                 const cuts = s.utf16Cuts(text, from, segments);
                 return { cuts, pieces: segments.map((_, i) => text.slice(cuts[i], cuts[i + 1])) };
               };
               return {
                 overlap: tracking([{ id: 1, start: 2, end: 6 }, { id: 2, start: 4, end: 9 }]),
                 touching: tracking([{ id: 1, start: 2, end: 5 }, { id: 2, start: 5, end: 8 }]),
                 emoji: pieces("a\u{1F49B}b\u{1F979}c", 100, [{ start: 101, end: 103 }]),
                 combining: pieces("\u{1F602}e\u0301x", 0, [{ start: 1, end: 3 }]),
                 zwj: pieces("\u{1F469}\u200D\u{1F52C}!", 7, [{ start: 7, end: 10 }]),
                 uncut: s.utf16Cuts("a\u{1F49B}", 0, []),
               };"#,
            vec![],
        )
        .await;
    assert_eq!(
        result["overlap"],
        json!({
            // Uncoded segments are not tagged; coded ones with what is open over them.
            "tags": [null, "1", "1+2", "2", null],
            "log": ["open 1", "tag 1", "open 2", "tag 1+2", "close 1", "tag 2", "close 2"],
        })
    );
    assert_eq!(
        result["touching"],
        json!({
            "tags": [null, "1", "2", null],
            // At offset 5 the first excerpt closes before the second opens.
            "log": ["open 1", "tag 1", "close 1", "open 2", "tag 2", "close 2"],
        })
    );
    // a💛b🥹c from offset 100, an excerpt over 💛b: code points [101, 103) are UTF-16
    // units [1, 4), since 💛 and 🥹 take two units each.
    assert_eq!(
        result["emoji"],
        json!({ "cuts": [0, 1, 4, 7], "pieces": ["a", "💛b", "🥹c"] })
    );
    // 😂 e U+0301 x: the uncomposed accent is a code point of its own.
    assert_eq!(
        result["combining"],
        json!({ "cuts": [0, 2, 4, 5], "pieces": ["😂", "e\u{301}", "x"] })
    );
    // 👩 ZWJ 🔬 is three code points, five UTF-16 units.
    assert_eq!(
        result["zwj"],
        json!({ "cuts": [0, 5, 6], "pieces": ["👩\u{200d}🔬", "!"] })
    );
    assert_eq!(result["uncut"], json!([3]), "no segments: only the end");
}

#[tokio::test]
async fn lanes_keep_overlapping_stripes_apart_and_in_place() {
    let Some(b) = bare().await else {
        return;
    };
    // Each case: stripes sorted by top, as [top, bottom, previous lane or -1 for new].
    let result = b
        .with_modules(
            &[STRIPES],
            r#"const [cases] = args;
               return Object.fromEntries(Object.entries(cases).map(([name, stripes]) => {
                 const objects = stripes.map(([top, bottom, previous]) => ({ top, bottom, previous, lane: -99 }));
                 const lanes = st.assignLanes(objects);
                 return [name, { lanes, assigned: objects.map((o) => o.lane) }];
               }));"#,
            vec![json!({
                "none": [],
                "one": [[0, 10, -1]],
                "overlapping": [[0, 10, -1], [5, 15, -1]],
                // Two pixels apart is enough to share a lane; one is not, nor touching.
                "twoApart": [[0, 10, -1], [12, 20, -1]],
                "oneApart": [[0, 10, -1], [11, 20, -1]],
                "touching": [[0, 10, -1], [10, 20, -1]],
                "sameTop": [[0, 10, -1], [0, 10, -1], [0, 10, -1]],
                "nestedThenLater": [[0, 100, -1], [10, 20, -1], [30, 40, -1]],
                "freedLane": [[0, 10, -1], [5, 30, -1], [20, 25, -1]],
                // A stripe keeps its lane while it is free, even with a lower one free.
                "keepsItsLane": [[0, 10, 0], [20, 30, 1]],
                "sameWithoutHistory": [[0, 10, -1], [20, 30, -1]],
                "keepsAHigherLane": [[0, 10, -1], [20, 30, 2]],
                "newTakesTheFreeLane": [[0, 10, 1], [0, 10, -1]],
                // Its old lane taken: the first lane free by the time it starts.
                "lostItsLane": [[0, 10, 0], [5, 15, 0]],
                "lostItsLaneToALowerOne": [[0, 10, 0], [0, 40, 1], [20, 30, 1]],
            })],
        )
        .await;
    let placed = |lanes: u64, assigned: &[u64]| json!({ "lanes": lanes, "assigned": assigned });
    let expected = json!({
        "none": placed(0, &[]),
        "one": placed(1, &[0]),
        "overlapping": placed(2, &[0, 1]),
        "twoApart": placed(1, &[0, 0]),
        "oneApart": placed(2, &[0, 1]),
        "touching": placed(2, &[0, 1]),
        "sameTop": placed(3, &[0, 1, 2]),
        "nestedThenLater": placed(2, &[0, 1, 1]),
        "freedLane": placed(2, &[0, 1, 0]),
        "keepsItsLane": placed(2, &[0, 1]),
        "sameWithoutHistory": placed(1, &[0, 0]),
        // Lanes 0 to 2 need room, though lane 1 is empty.
        "keepsAHigherLane": placed(3, &[0, 2]),
        "newTakesTheFreeLane": placed(2, &[1, 0]),
        "lostItsLane": placed(2, &[0, 1]),
        "lostItsLaneToALowerOne": placed(2, &[0, 1, 0]),
    });
    for (name, want) in expected.as_object().expect("cases") {
        assert_eq!(&result[name], want, "{name}");
    }
}
