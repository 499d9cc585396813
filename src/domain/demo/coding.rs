//! The demo coders: each reads the participants' sentences, codes those whose words
//! match a code's keywords, and draws the excerpt's bounds in their own way. The second
//! coder skips more, draws wider, and now and then picks a sibling code: the realistic
//! disagreements an agreement report and an adjudication have to deal with.

use std::collections::BTreeMap;

use super::CODEBOOK;
use crate::domain::import::{ParsedDocument, SpeakerRole, default_role};
use crate::domain::sample::SplitMix64;

/// One excerpt: code points `[start, end)` and indices into [`CODEBOOK`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub start: usize,
    pub end: usize,
    pub codes: Vec<usize>,
    pub memo: String,
}

/// What the lead decided on one region of one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// The version of coder 0 or 1.
    Accept(usize),
    NotApplicable,
}

/// A consensus decision: the region `[start, end)` of a code, and the spans that enter
/// the consensus set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub code: usize,
    pub start: usize,
    pub end: usize,
    pub decided: Decided,
    pub consensus: Vec<(usize, usize)>,
}

/// A participant's sentence: its trimmed span, and the span of its whole turn.
struct Sentence {
    span: (usize, usize),
    turn: (usize, usize),
}

/// Chance out of 100 that each coder codes a candidate sentence.
const TAKES: [u64; 2] = [85, 65];
/// Chance out of 100 that the second coder picks a sibling code instead.
const SIBLING: u64 = 12;

fn chance(rng: &mut SplitMix64, percent: u64) -> bool {
    rng.next_u64() % 100 < percent
}

/// Both coders' excerpts of one document.
pub fn code_document(document: &ParsedDocument, rng: &mut SplitMix64) -> [Vec<Excerpt>; 2] {
    let chars: Vec<char> = document.text.chars().collect();
    let mut by_coder: [BTreeMap<(usize, usize), Vec<usize>>; 2] = Default::default();
    let sentences = participant_sentences(document, &chars);
    for (i, sentence) in sentences.iter().enumerate() {
        let lower: String = chars[sentence.span.0..sentence.span.1]
            .iter()
            .collect::<String>()
            .to_lowercase();
        for code in matching_codes(&lower) {
            if chance(rng, TAKES[0]) {
                let span = match chance(rng, 15) {
                    true => sentence.turn,
                    false => sentence.span,
                };
                by_coder[0].entry(span).or_default().push(code);
            }
            if chance(rng, TAKES[1]) {
                let span = match rng.next_u64() % 10 {
                    0..=4 => sentence.span,
                    5..=7 => sentence.turn,
                    _ => match sentences.get(i + 1).filter(|n| n.turn == sentence.turn) {
                        Some(next) => (sentence.span.0, next.span.1),
                        None => sentence.span,
                    },
                };
                let chosen = match chance(rng, SIBLING) {
                    true => sibling(code),
                    false => code,
                };
                by_coder[1].entry(span).or_default().push(chosen);
            }
        }
    }
    by_coder.map(|spans| {
        spans
            .into_iter()
            .map(|((start, end), mut codes)| {
                codes.sort_unstable();
                codes.dedup();
                let memo = match codes.as_slice() {
                    [a, b, ..] if CODEBOOK[*a].parent != CODEBOOK[*b].parent => format!(
                        "Touches on both {} and {}.",
                        CODEBOOK[*a].name.to_lowercase(),
                        CODEBOOK[*b].name.to_lowercase()
                    ),
                    _ => String::new(),
                };
                Excerpt {
                    start,
                    end,
                    codes,
                    memo,
                }
            })
            .collect()
    })
}

/// The codes (leaves only) whose keywords begin a word of the sentence.
fn matching_codes(lower: &str) -> Vec<usize> {
    CODEBOOK
        .iter()
        .enumerate()
        .filter(|(_, code)| code.keywords.iter().any(|k| begins_a_word(lower, k)))
        .map(|(i, _)| i)
        .collect()
}

fn begins_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// The next code under the same parent (wrapping), or the code itself if it has none.
fn sibling(code: usize) -> usize {
    let parent = CODEBOOK[code].parent;
    let siblings: Vec<usize> = (0..CODEBOOK.len())
        .filter(|&i| CODEBOOK[i].parent == parent && !CODEBOOK[i].keywords.is_empty())
        .collect();
    let at = siblings.iter().position(|&i| i == code).unwrap_or(0);
    siblings[(at + 1) % siblings.len()]
}

/// Sentences of participant turns, at least 25 characters long, trimmed of whitespace.
fn participant_sentences(document: &ParsedDocument, chars: &[char]) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    for turn in &document.turns {
        if default_role(&turn.speaker) != SpeakerRole::Participant {
            continue;
        }
        let Some(whole) = trimmed(chars, turn.start, turn.end) else {
            continue;
        };
        let mut from = turn.start;
        for at in turn.start..turn.end {
            let ends = matches!(chars[at], '.' | '!' | '?')
                && chars.get(at + 1).is_none_or(|c| c.is_whitespace());
            if ends || chars[at] == '\n' || at + 1 == turn.end {
                if let Some(span) = trimmed(chars, from, at + 1).filter(|(s, e)| e - s >= 25) {
                    sentences.push(Sentence { span, turn: whole });
                }
                from = at + 1;
            }
        }
    }
    sentences
}

fn trimmed(chars: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    let start = (start..end).find(|&i| !chars[i].is_whitespace())?;
    let end = (start..end).rev().find(|&i| !chars[i].is_whitespace())? + 1;
    Some((start, end))
}

/// Consensus decisions on a document: for each code, every stretch where either coder
/// applied it is one region; the lead accepts one coder's version (mostly the first
/// coder's where both coded it) or, where only one coder saw the code, sometimes decides
/// that it does not apply.
pub fn adjudicate(coding: &[Vec<Excerpt>; 2], rng: &mut SplitMix64) -> Vec<Decision> {
    let mut decisions = Vec::new();
    for code in 0..CODEBOOK.len() {
        let spans: [Vec<(usize, usize)>; 2] = coding.each_ref().map(|excerpts| {
            excerpts
                .iter()
                .filter(|e| e.codes.contains(&code))
                .map(|e| (e.start, e.end))
                .collect()
        });
        for (start, end) in regions(&spans) {
            let inside = |coder: usize| -> Vec<(usize, usize)> {
                spans[coder]
                    .iter()
                    .copied()
                    .filter(|&(s, e)| s < end && start < e)
                    .collect()
            };
            let (first, second) = (inside(0), inside(1));
            let decided = match (first.is_empty(), second.is_empty()) {
                (false, false) if chance(rng, 70) => Decided::Accept(0),
                (false, false) => Decided::Accept(1),
                (_, _) if chance(rng, 40) => Decided::NotApplicable,
                (false, true) => Decided::Accept(0),
                _ => Decided::Accept(1),
            };
            let consensus = match decided {
                Decided::Accept(0) => first,
                Decided::Accept(_) => second,
                Decided::NotApplicable => Vec::new(),
            };
            decisions.push(Decision {
                code,
                start,
                end,
                decided,
                consensus,
            });
        }
    }
    decisions
}

/// The union of both coders' spans, as disjoint regions in order.
fn regions(spans: &[Vec<(usize, usize)>; 2]) -> Vec<(usize, usize)> {
    let mut all: Vec<(usize, usize)> = spans.iter().flatten().copied().collect();
    all.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in all {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}
