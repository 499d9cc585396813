//! Paging through a search with many hits: every hit exactly once, in document order, at
//! code-point offsets, with the same exact `total` on every page (counted from the index,
//! while the pages read only the turns they show), in turns full of emoji and combining
//! characters. The expected hits are found here by scanning the stored text for the words.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Api, Document, Study, span_of, study};

/// Turn texts, cycled: hits of `time` next to emoji (separators), after combining
/// characters that NFC keeps decomposed (`q́`, `é̂`), adjacent hits, words that only
/// contain "tim" (`Sometimes`, `timetable`), and turns without a hit.
const TURNS: [&str; 6] = [
    "Time 🤖 is q\u{301}uick, time after time.",
    "Sometimes the timetable 👍🏽 wins.",
    "🤖time👍🏽 and e\u{301}\u{302} time 🤖🤖 again",
    "nothing here at all",
    "TIME, time; time: time! After time",
    "A timely 💛 e\u{301}\u{302}\u{302} note",
];

fn transcript(turns: usize, shift: usize) -> String {
    (0..turns)
        .map(|i| {
            let speaker = if i % 2 == 0 { "Interviewer" } else { "User" };
            format!("{speaker}: {}", TURNS[(i + shift) % TURNS.len()])
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A word of a turn: `[start, end)` in code points of the document, lower-cased text.
struct Word {
    start: usize,
    end: usize,
    lower: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// The words of every turn of the document whose role `role` allows, turn by turn.
fn words_by_turn(document: &Document, role: Option<&str>) -> Vec<Vec<Word>> {
    let chars: Vec<char> = document.text.chars().collect();
    let mut turns = Vec::new();
    for turn in &document.turns {
        if role.is_some_and(|r| r != turn.role) {
            continue;
        }
        let mut words = Vec::new();
        let mut at = turn.start;
        while at < turn.end {
            if !is_word_char(chars[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < turn.end && is_word_char(chars[at]) {
                at += 1;
            }
            let lower = chars[start..at].iter().collect::<String>().to_lowercase();
            words.push(Word {
                start,
                end: at,
                lower,
            });
        }
        turns.push(words);
    }
    turns
}

type Span = (i64, usize, usize);

/// `(document, start, end)` of every word the predicate accepts, in order.
fn hits_of(documents: &[Document], role: Option<&str>, accept: fn(&str) -> bool) -> Vec<Span> {
    let mut hits = Vec::new();
    for document in documents {
        for words in words_by_turn(document, role) {
            hits.extend(
                words
                    .iter()
                    .filter(|w| accept(&w.lower))
                    .map(|w| (document.id, w.start, w.end)),
            );
        }
    }
    hits
}

/// Every page of a search, `limit` hits at a time: the hits in order and the totals the
/// pages reported.
async fn page_through(api: &Api, project: i64, query: &str, limit: usize) -> (Vec<Span>, Vec<u64>) {
    let mut hits = Vec::new();
    let mut totals = Vec::new();
    let mut cursor = String::new();
    loop {
        let url = format!("/projects/{project}/search?{query}&limit={limit}&cursor={cursor}");
        let (status, page) = api.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        totals.push(page["total"].as_u64().unwrap());
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{page}");
        hits.extend(items.iter().map(span_of_item));
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), limit, "a page before the last is full: {page}");
                cursor = urlencode(next);
            }
            None => break,
        }
    }
    (hits, totals)
}

fn span_of_item(item: &Value) -> Span {
    (
        item["document_id"].as_i64().unwrap(),
        item["start"].as_u64().unwrap() as usize,
        item["end"].as_u64().unwrap() as usize,
    )
}

fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect()
}

/// Pages through `query` at several page sizes; each must give exactly `expected`, in
/// order, with `expected.len()` as the total on every page.
async fn assert_pages(s: &Study, query: &str, expected: &[Span]) {
    for limit in [1, 7, 500] {
        let (hits, totals) = page_through(&s.alice, s.project, query, limit).await;
        assert_eq!(hits, expected, "{query}, {limit} a page");
        assert!(
            totals.iter().all(|&t| t == expected.len() as u64),
            "{query}, {limit} a page: totals {totals:?}, {} hits",
            expected.len()
        );
    }
}

/// The study plus two long documents (60 and 45 turns); every document as stored.
async fn many_hits() -> (Study, Vec<Document>) {
    let s = study().await;
    let first = s
        .owner
        .create_document(s.project, "Long 1", &transcript(60, 0))
        .await;
    let second = s
        .owner
        .create_document(s.project, "Long 2", &transcript(45, 3))
        .await;
    let mut documents = Vec::new();
    for id in [s.document, first, second] {
        documents.push(s.owner.document(id).await);
    }
    (s, documents)
}

#[tokio::test]
async fn paging_a_common_word_gives_every_hit_once_in_order_with_the_exact_total() {
    let (s, documents) = many_hits().await;
    let expected = hits_of(&documents, None, |w| w == "time");
    assert!(expected.len() > 150, "{} hits", expected.len());
    assert_pages(&s, "q=time", &expected).await;

    let participants = hits_of(&documents, Some("participant"), |w| w == "time");
    assert!(!participants.is_empty() && participants.len() < expected.len());
    assert_pages(&s, "q=time&role=participant", &participants).await;

    let prefix = hits_of(&documents, None, |w| w.starts_with("tim"));
    assert!(prefix.len() > expected.len(), "timetable and timely too");
    assert_pages(&s, "q=tim*", &prefix).await;
}

#[tokio::test]
async fn overlapping_matches_are_one_hit_in_the_pages_and_in_the_total() {
    let (s, documents) = many_hits().await;
    // `time OR tim*`: both match every "time"; each word is still one hit.
    let prefix = hits_of(&documents, None, |w| w.starts_with("tim"));
    assert_pages(&s, &format!("q={}", urlencode("time OR tim*")), &prefix).await;

    // `"after time" OR time`: a "time" inside the phrase is part of the phrase's hit.
    let mut expected = Vec::new();
    for document in &documents {
        for words in words_by_turn(document, None) {
            for (i, word) in words.iter().enumerate() {
                if word.lower != "time" {
                    continue;
                }
                match i.checked_sub(1).map(|p| &words[p]) {
                    Some(before) if before.lower == "after" => {
                        expected.push((document.id, before.start, word.end))
                    }
                    _ => expected.push((document.id, word.start, word.end)),
                }
            }
        }
    }
    let phrase_hits = expected.iter().filter(|(_, s, e)| e - s > 4).count();
    assert!(phrase_hits > 10, "{phrase_hits} phrase hits");
    assert_pages(
        &s,
        &format!("q={}", urlencode("\"after time\" OR time")),
        &expected,
    )
    .await;
}

#[tokio::test]
async fn paging_with_a_code_filter_splits_the_total_exactly() {
    let (s, documents) = many_hits().await;
    let long = &documents[1];
    let trust = s.code(&s.owner, "Trust").await;
    // An excerpt over the first four turns' worth of text of the long document, and one
    // that ends inside a hit (it still overlaps that hit).
    let (from, _) = span_of(&long.text, "Time 🤖 is");
    let to = long.turns[3].end;
    s.alice.create_excerpt(long.id, from, to, &[trust]).await;
    let (late, _) = span_of(&long.text, "TIME, time;");
    s.alice
        .create_excerpt(long.id, late - 2, late + 1, &[trust])
        .await;

    let all = hits_of(&documents, None, |w| w == "time");
    let inside = |&(d, start, end): &Span| {
        d == long.id && ((start < to && from < end) || (start < late + 1 && late - 2 < end))
    };
    let coded: Vec<Span> = all.iter().copied().filter(inside).collect();
    let not_coded: Vec<Span> = all.iter().copied().filter(|h| !inside(h)).collect();
    assert!(coded.len() >= 4 && not_coded.len() > coded.len());
    assert_pages(&s, &format!("q=time&code_id={trust}"), &coded).await;
    assert_pages(
        &s,
        &format!("q=time&code_id={trust}&coded=false"),
        &not_coded,
    )
    .await;
}

#[tokio::test]
async fn a_cursor_of_the_existing_format_starts_inside_a_turn() {
    // Cursors are `rowid.index` (the FTS row of the turn and the hit's place in it), as
    // before pages stopped reading every turn: one made by hand for the second hit of the
    // long document's first turn starts the page there.
    let (s, documents) = many_hits().await;
    let long = &documents[1];
    let rowid = long.id * 131_072;
    let url = format!(
        "/projects/{}/search?q=time&limit=2&cursor={rowid}.1",
        s.project
    );
    let (status, page) = s.alice.get(&url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let expected: Vec<Span> = hits_of(&documents[1..2], None, |w| w == "time")
        .into_iter()
        .skip(1)
        .take(2)
        .collect();
    let items: Vec<Span> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(span_of_item)
        .collect();
    assert_eq!(items, expected);
    // The turn's third hit ends the page; the next turn with a hit is its third turn.
    assert_eq!(page["next_cursor"], format!("{}.0", rowid + 2));
}
