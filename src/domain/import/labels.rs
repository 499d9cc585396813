//! Speaker labels at the start of a line (`User: …`, `Max Bigman:    …`,
//! `**Interviewer:** …`, `[00:01:02] Speaker 1: …`) and the decision which
//! of them really start turns.
//!
//! A line-start `Word:` is ambiguous: `Note: this`, `For example: …` or a
//! pasted chat (`Me: …` / `Chosen AI: …` inside one answer) look just like
//! speaker turns. The rule, in [`speaker_lines`]:
//!
//! 1. A *candidate* is a short label (≤ 4 words, ≤ 40 characters, starting
//!    with a letter, no sentence punctuation) followed by `:` and then
//!    whitespace or the end of the line.
//! 2. *Primary* speakers are well-known labels (`User`, `AI`, `Interviewer`,
//!    `Speaker 3`, `P4`, `Q`, …) and, in a column layout (most candidates
//!    followed by a tab or several spaces), every aligned label. Without
//!    either, the most frequent labels (seen at least twice) are primary.
//! 3. Any other label is a speaker if it occurs at least twice, is not a
//!    note-like word (`Note`, `Example`, …) and its occurrences are not all
//!    inside one turn of a primary speaker (that is a quotation).
//! 4. Fewer than two accepted label lines means the text has no turns.

use std::collections::HashMap;

use super::timecode;

/// The longest label accepted as a speaker name.
const MAX_LABEL_CHARS: usize = 40;
/// The most words a speaker name may have (`Dr. Anna de Vries`).
const MAX_LABEL_WORDS: usize = 4;

/// A line that starts with a speaker label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LabelLine<'a> {
    /// The speaker name as written (without markup, timestamp or colon).
    pub label: &'a str,
    /// The rest of the line after the separator.
    pub body: &'a str,
    /// A timestamp written with the label (`[00:01:02] Ann:`, `Ann (1:02):`).
    pub start_ms: Option<u64>,
    /// Whether a tab or several spaces follow the colon (column layout).
    pub aligned: bool,
}

/// Parses a line that starts with a candidate label, or returns `None`.
pub(super) fn parse_label_line(line: &str) -> Option<LabelLine<'_>> {
    let (prefix_ms, rest) = match timecode::bracketed_prefix(line) {
        Some((ms, len)) => (Some(ms), line[len..].trim_start_matches([' ', '\t'])),
        None => (None, line),
    };
    let (label, label_ms, after_colon) = split_at_colon(rest)?;
    if !is_plausible_label(label) {
        return None;
    }
    if !(after_colon.is_empty() || after_colon.starts_with(char::is_whitespace)) {
        return None;
    }
    let body = after_colon.trim_start();
    let aligned =
        !body.is_empty() && (after_colon.starts_with('\t') || after_colon.starts_with("  "));
    Some(LabelLine {
        label,
        body,
        start_ms: prefix_ms.or(label_ms),
        aligned,
    })
}

/// Splits `Label:`, `**Label:**`, `**Label**:` or `Label (00:01:02):` off
/// the start of a line: the label, an optional timestamp, and what follows
/// the colon (and the closing `**`).
fn split_at_colon(line: &str) -> Option<(&str, Option<u64>, &str)> {
    let bold = line.strip_prefix("**");
    let rest = bold.unwrap_or(line);
    let stop = rest.find([':', '(', '[', '*'])?;
    let label = rest[..stop].trim_end();
    let mut after = &rest[stop..];
    let mut start_ms = None;
    if after.starts_with(['(', '[']) {
        let (ms, len) = timecode::bracketed_prefix(after)?;
        start_ms = Some(ms);
        after = after[len..].trim_start_matches(' ');
    }
    let after = if bold.is_some() {
        after
            .strip_prefix(":**")
            .or_else(|| after.strip_prefix("**:"))?
    } else {
        after.strip_prefix(':')?
    };
    Some((label, start_ms, after))
}

/// Short, starts with a letter, made of words of letters, digits, `-`,
/// `_` and apostrophes; a `.` may only end an abbreviation or initial
/// (`Mr.`, `Dr.`, `J.`), so list items like `2. Determine` are refused.
/// Multi-word labels must look like names: capitalised, and not starting
/// with a function word (`For example`, `In terms of`).
fn is_plausible_label(label: &str) -> bool {
    let chars = label.chars().count();
    if chars == 0 || chars > MAX_LABEL_CHARS {
        return false;
    }
    if !label.starts_with(char::is_alphabetic) {
        return false;
    }
    let words: Vec<&str> = label.split(' ').collect();
    if words.len() > MAX_LABEL_WORDS || !words.iter().all(|word| is_label_word(word)) {
        return false;
    }
    if words.len() > 1 {
        let first = words[0];
        let capitalised = first.starts_with(|c: char| c.is_uppercase());
        return capitalised && !FUNCTION_WORDS.contains(&first.to_lowercase().as_str());
    }
    true
}

fn is_label_word(word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let (stem, dotted) = match word.strip_suffix('.') {
        Some(stem) => (stem, true),
        None => (word, false),
    };
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '\'' | '’');
    if stem.is_empty() || !stem.chars().all(allowed) {
        return false;
    }
    !dotted || (stem.chars().count() <= 3 && stem.chars().all(char::is_alphabetic))
}

/// Words that start phrases, not names: `For example:`, `In terms of:`.
const FUNCTION_WORDS: [&str; 46] = [
    "a", "about", "after", "also", "an", "and", "another", "as", "at", "because", "before", "but",
    "by", "during", "for", "from", "here", "how", "i", "i'm", "if", "in", "it", "let", "like",
    "more", "my", "of", "on", "one", "or", "our", "so", "some", "such", "that", "the", "then",
    "there", "this", "to", "we", "what", "when", "with", "your",
];

/// Labels that introduce notes and examples rather than speakers.
const NOTE_WORDS: [&str; 27] = [
    "caveat",
    "cons",
    "disclaimer",
    "e.g",
    "edit",
    "example",
    "examples",
    "for example",
    "for instance",
    "i.e",
    "important",
    "input",
    "nb",
    "note",
    "notes",
    "output",
    "prompt",
    "pros",
    "ps",
    "reason",
    "result",
    "results",
    "source",
    "sources",
    "summary",
    "tip",
    "update",
];

/// Stems of well-known speaker labels; each may carry a number or a single
/// letter (`Speaker 2`, `Participant B`, `Interviewer1`).
const SPEAKER_STEMS: [&str; 12] = [
    "ai",
    "assistant",
    "facilitator",
    "interviewee",
    "interviewer",
    "moderator",
    "participant",
    "person",
    "researcher",
    "respondent",
    "speaker",
    "user",
];

/// Single-letter conventions: `Q`/`A` and `I`/`R` (interviewer/respondent).
const SPEAKER_LETTERS: [&str; 4] = ["q", "a", "i", "r"];

/// Whether a label is a common speaker name in transcripts.
pub(super) fn is_well_known_speaker(label: &str) -> bool {
    let lower = label.trim().to_lowercase();
    if SPEAKER_LETTERS.contains(&lower.as_str()) {
        return true;
    }
    let (stem, suffix) = split_numbering(&lower);
    if SPEAKER_STEMS.contains(&stem) {
        return true;
    }
    // `P3`, `P 12`: participant numbers, but a bare `P` is not a speaker.
    stem == "p" && !suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_digit())
}

/// `speaker 2` → (`speaker`, `2`); `participant b` → (`participant`, `b`);
/// `p3` → (`p`, `3`); anything else → (label, ``).
fn split_numbering(lower: &str) -> (&str, &str) {
    let without_digits = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    if without_digits.len() < lower.len() {
        return (without_digits.trim_end(), &lower[without_digits.len()..]);
    }
    match lower.rsplit_once(' ') {
        Some((stem, letter)) if letter.chars().count() == 1 => (stem, letter),
        _ => (lower, ""),
    }
}

/// Whether a label is a note-like word (`Note`, `Example`, …), never a speaker.
pub(super) fn is_note_word(label: &str) -> bool {
    let lower = label.to_lowercase();
    NOTE_WORDS.contains(&lower.trim_end_matches('.'))
}

/// The label lines that start speaker turns, in line order, with their
/// line indices (see the module documentation for the rule). Empty when
/// the text has fewer than two turns.
pub(super) fn speaker_lines<'a>(lines: &[&'a str]) -> Vec<(usize, LabelLine<'a>)> {
    let candidates: Vec<(usize, LabelLine<'a>)> = lines
        .iter()
        .enumerate()
        .filter_map(|(index, line)| parse_label_line(line).map(|label| (index, label)))
        .collect();
    if candidates.len() < 2 {
        return Vec::new();
    }
    let tallies = tally(&candidates);
    let primary = primary_labels(&candidates, &tallies);
    let mut primary_at: Vec<usize> = tallies
        .iter()
        .filter(|(label, _)| primary.contains(label))
        .flat_map(|(_, tally)| tally.lines.iter().copied())
        .collect();
    primary_at.sort_unstable();
    let accepted: Vec<&str> = tallies
        .iter()
        .filter(|(label, tally)| {
            primary.contains(label)
                || (tally.lines.len() >= 2
                    && !is_note_word(label)
                    && !is_quotation(&tally.lines, &primary_at))
        })
        .map(|(label, _)| *label)
        .collect();
    let speakers: Vec<(usize, LabelLine<'a>)> = candidates
        .into_iter()
        .filter(|(_, line)| accepted.contains(&line.label))
        .collect();
    if speakers.len() < 2 {
        return Vec::new();
    }
    speakers
}

/// Where each label occurs, and how often aligned.
struct Tally {
    lines: Vec<usize>,
    aligned: usize,
}

/// Tallies per label, in order of first appearance (so results never
/// depend on hash order).
fn tally<'a>(candidates: &[(usize, LabelLine<'a>)]) -> Vec<(&'a str, Tally)> {
    let mut position: HashMap<&'a str, usize> = HashMap::new();
    let mut tallies: Vec<(&'a str, Tally)> = Vec::new();
    for (index, line) in candidates {
        let slot = *position.entry(line.label).or_insert_with(|| {
            tallies.push((
                line.label,
                Tally {
                    lines: Vec::new(),
                    aligned: 0,
                },
            ));
            tallies.len() - 1
        });
        let tally = &mut tallies[slot].1;
        tally.lines.push(*index);
        tally.aligned += usize::from(line.aligned);
    }
    tallies
}

/// Rule 2 of the module documentation.
fn primary_labels<'a>(
    candidates: &[(usize, LabelLine<'a>)],
    tallies: &[(&'a str, Tally)],
) -> Vec<&'a str> {
    let aligned_total = candidates.iter().filter(|(_, line)| line.aligned).count();
    let column_layout = aligned_total >= 2 && aligned_total * 2 >= candidates.len();
    let primary: Vec<&str> = tallies
        .iter()
        .filter(|(label, tally)| {
            is_well_known_speaker(label)
                || (column_layout && tally.aligned > 0 && !is_note_word(label))
        })
        .map(|(label, _)| *label)
        .collect();
    if !primary.is_empty() {
        return primary;
    }
    let usable = || tallies.iter().filter(|(label, _)| !is_note_word(label));
    let most = usable()
        .map(|(_, tally)| tally.lines.len())
        .max()
        .unwrap_or(0);
    if most < 2 {
        return Vec::new();
    }
    usable()
        .filter(|(_, tally)| tally.lines.len() == most)
        .map(|(label, _)| *label)
        .collect()
}

/// Whether all occurrences fall inside one turn of a primary speaker, that
/// is, between the same two consecutive primary label lines: a dialogue
/// quoted within an answer. Labels after the last primary line are not
/// enclosed, so a conversation that continues without the primary speaker
/// is still split.
fn is_quotation(occurrences: &[usize], primary_at: &[usize]) -> bool {
    let turn_of = |line: usize| primary_at.partition_point(|&at| at < line);
    let Some(&first) = occurrences.first() else {
        return false;
    };
    let turn = turn_of(first);
    turn > 0 && turn < primary_at.len() && occurrences.iter().all(|&at| turn_of(at) == turn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels_of(text: &str) -> Vec<&str> {
        let lines: Vec<&str> = text.split('\n').collect();
        speaker_lines(&lines)
            .into_iter()
            .map(|(_, line)| line.label)
            .collect()
    }

    #[test]
    fn parses_the_label_shapes() {
        let line = parse_label_line("User: hello there").unwrap();
        assert_eq!(
            (line.label, line.body, line.aligned),
            ("User", "hello there", false)
        );
        let line = parse_label_line("Max Bigman:         And I keep").unwrap();
        assert_eq!(
            (line.label, line.body, line.aligned),
            ("Max Bigman", "And I keep", true)
        );
        let line = parse_label_line("admin-1:\tSure.").unwrap();
        assert_eq!((line.label, line.aligned), ("admin-1", true));
        let line = parse_label_line("**Interviewer:** So").unwrap();
        assert_eq!((line.label, line.body), ("Interviewer", "So"));
        let line = parse_label_line("**Ann**: Yes").unwrap();
        assert_eq!((line.label, line.body), ("Ann", "Yes"));
        let line = parse_label_line("[00:01:02] Speaker 1: Hi").unwrap();
        assert_eq!((line.label, line.start_ms), ("Speaker 1", Some(62_000)));
        let line = parse_label_line("Speaker 2 (00:00:05): Hi").unwrap();
        assert_eq!(
            (line.label, line.start_ms, line.body),
            ("Speaker 2", Some(5_000), "Hi")
        );
        let line = parse_label_line("Mr. Dabor:          Thank you.").unwrap();
        assert_eq!(line.label, "Mr. Dabor");
        let line = parse_label_line("ChatGPT said:").unwrap();
        assert_eq!((line.label, line.body), ("ChatGPT said", ""));
    }

    #[test]
    fn refuses_what_is_not_a_label() {
        for line in [
            "https://example.com",
            "00:22:01] needs to be part",
            "2. Determine the language: x",
            "   * Chinese -> English: x",
            "* Trust: x",
            "So the best rule of thumb is: x",
            "For my final question: x",
            "pretty happy: x",
            "Hello, world: x",
            "Why?: x",
            "Ratio:1",
            ": nothing",
            "",
            "A very long label that goes on and on: x",
        ] {
            assert_eq!(parse_label_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn knows_common_speaker_names() {
        for label in [
            "User",
            "AI",
            "assistant",
            "Interviewer",
            "Interviewer 2",
            "Speaker 12",
            "Speaker A",
            "P3",
            "P 4",
            "Q",
            "A",
            "I",
            "R",
            "Respondent",
            "Moderator",
        ] {
            assert!(is_well_known_speaker(label), "{label:?}");
        }
        for label in ["P", "Max Bigman", "Note", "Users", "Speakerphone"] {
            assert!(!is_well_known_speaker(label), "{label:?}");
        }
    }

    #[test]
    fn note_lines_inside_a_turn_do_not_start_turns() {
        let text =
            "User: hi\nNote: this is a note\n\nAI: For example: x\n\nUser: ok\nFor example: y";
        assert_eq!(labels_of(text), ["User", "AI", "User"]);
    }

    #[test]
    fn a_dialogue_quoted_inside_one_answer_is_not_split() {
        let text = "AI: How?\n\nUser: Like this:\nMe: find sources\nChosen AI: here\nMe: summarise\n\
                    Chosen AI: done\n\nAI: Thanks.";
        assert_eq!(labels_of(text), ["AI", "User", "AI"]);
    }

    #[test]
    fn named_speakers_who_alternate_are_accepted() {
        let text = "Interviewer: Hi\n\nMaria: Hello\n\nInterviewer: So\n\nMaria: Yes";
        assert_eq!(
            labels_of(text),
            ["Interviewer", "Maria", "Interviewer", "Maria"]
        );
        let only_names = "Maria: Hi\nNote: one\nJohn: Hello\nMaria: So\nJohn: Yes";
        assert_eq!(labels_of(only_names), ["Maria", "John", "Maria", "John"]);
    }

    #[test]
    fn every_aligned_label_counts_in_a_column_layout() {
        let text = "Speaker 1:          Thank you.\n\nAlfeck:             Good evening.\n\n\
                    John:               Hi, I'm John.\nNote: a body line\n\nSpeaker 2:          Bye.";
        assert_eq!(
            labels_of(text),
            ["Speaker 1", "Alfeck", "John", "Speaker 2"]
        );
    }

    #[test]
    fn a_single_label_is_not_a_transcript() {
        assert!(labels_of("Satisfied: very much so.\nThe rest of my notes.").is_empty());
        assert!(labels_of("Maria: hi\n\nJohn: hello").is_empty());
        assert!(labels_of("Note: a\nNote: b").is_empty());
    }
}
