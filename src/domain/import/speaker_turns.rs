//! Speaker-turn transcripts: text (after its header) → canonical text and
//! turns.
//!
//! The canonical text is the leading block (text before the first label),
//! if any, followed by the turn bodies, separated by blank lines. Labels
//! and the separator after them are not part of the text; each body is
//! trimmed at both ends and kept exactly inside, except that hard-wrapped
//! files get their paragraphs re-flowed (see [`super::hard_wrap`]).
//! Text without speaker labels is returned whole, minus surrounding blank
//! lines, with no turns.

use super::ParsedTurn;
use super::canonical::CanonicalText;
use super::hard_wrap;
use super::labels::{self, LabelLine};
use super::timecode;

/// A transcript body split into turns.
#[derive(Debug, Default)]
pub(super) struct Transcript {
    pub text: String,
    pub turns: Vec<ParsedTurn>,
    /// Line breaks removed by re-flowing a hard-wrapped file.
    pub unwrapped_lines: usize,
    /// Labels with nothing after them before the next label.
    pub empty_turns: usize,
}

/// Splits a transcript body (canonical form, header removed) into turns.
pub(super) fn parse_transcript(body: &str) -> Transcript {
    let lines: Vec<&str> = body.split('\n').collect();
    let unwrap = hard_wrap::is_hard_wrapped(&lines);
    let speakers = labels::speaker_lines(&lines);
    if speakers.is_empty() {
        return without_turns(&lines, unwrap);
    }
    let mut transcript = Transcript::default();
    let mut canonical = CanonicalText::default();
    let (leading, joined) = hard_wrap::join_lines(&lines[..speakers[0].0], unwrap);
    transcript.unwrapped_lines += joined;
    if !leading.trim().is_empty() {
        canonical.push_block(leading.trim());
    }
    for (position, (line_index, label_line)) in speakers.iter().enumerate() {
        let next_label = speakers
            .get(position + 1)
            .map_or(lines.len(), |next| next.0);
        let body_lines = turn_lines(label_line, &lines[line_index + 1..next_label]);
        let (body, joined) = hard_wrap::join_lines(&body_lines, unwrap);
        transcript.unwrapped_lines += joined;
        let body = body.trim();
        if body.is_empty() {
            transcript.empty_turns += 1;
            continue;
        }
        let (start, end) = canonical.push_block(body);
        transcript.turns.push(ParsedTurn {
            speaker: label_line.label.to_owned(),
            start,
            end,
            start_ms: label_line.start_ms.or_else(|| leading_timestamp(body)),
            end_ms: None,
        });
    }
    transcript.text = canonical.into_string();
    transcript
}

/// The body of a turn as lines: the rest of the label line, then the lines
/// up to the next label.
fn turn_lines<'a>(label_line: &LabelLine<'a>, following: &[&'a str]) -> Vec<&'a str> {
    let mut body = Vec::with_capacity(following.len() + 1);
    body.push(label_line.body);
    body.extend_from_slice(following);
    body
}

/// A body that opens with `[00:01:02]` or `(00:01:02)` started then; the
/// timestamp stays in the text, where the researcher put it.
fn leading_timestamp(body: &str) -> Option<u64> {
    timecode::bracketed_prefix(body).map(|(ms, _)| ms)
}

fn without_turns(lines: &[&str], unwrap: bool) -> Transcript {
    let (text, unwrapped_lines) = hard_wrap::join_lines(lines, unwrap);
    Transcript {
        text: trim_blank_lines(&text).to_owned(),
        turns: Vec::new(),
        unwrapped_lines,
        empty_turns: 0,
    }
}

/// Removes whitespace-only lines at the start and the end, keeping the
/// indentation of the first line and everything inside.
pub(super) fn trim_blank_lines(text: &str) -> &str {
    let Some(first_visible) = text.find(|c: char| !c.is_whitespace()) else {
        return "";
    };
    let start = text[..first_visible].rfind('\n').map_or(0, |at| at + 1);
    let last_visible = text.trim_end().len();
    let end = text[last_visible..]
        .find('\n')
        .map_or(text.len(), |at| last_visible + at);
    &text[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(transcript: &Transcript) -> Vec<(String, String)> {
        transcript
            .turns
            .iter()
            .map(|turn| {
                let body: String = transcript
                    .text
                    .chars()
                    .skip(turn.start)
                    .take(turn.end - turn.start)
                    .collect();
                (turn.speaker.clone(), body)
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(s, b)| ((*s).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn labels_leave_the_text_and_bodies_keep_their_inside() {
        let body =
            "\nAssistant: Hi there. \n\nSecond paragraph.\n\nUser: Sounds good!\n\nAI: Great.  \n";
        let transcript = parse_transcript(body);
        assert_eq!(
            transcript.text,
            "Hi there. \n\nSecond paragraph.\n\nSounds good!\n\nGreat."
        );
        assert_eq!(
            bodies(&transcript),
            pairs(&[
                ("Assistant", "Hi there. \n\nSecond paragraph."),
                ("User", "Sounds good!"),
                ("AI", "Great."),
            ])
        );
    }

    #[test]
    fn text_before_the_first_label_is_an_uncovered_leading_block() {
        let transcript = parse_transcript("Recorded 3 May.\n\nQ: Ready?\nA: Yes.");
        assert_eq!(transcript.text, "Recorded 3 May.\n\nReady?\n\nYes.");
        assert_eq!(transcript.turns[0].start, 17);
    }

    #[test]
    fn empty_turns_are_dropped_and_counted() {
        let transcript = parse_transcript("User:\n\nAI: Hello?\n\nUser:   \nAI: Still there?");
        assert_eq!(transcript.empty_turns, 2);
        assert_eq!(
            bodies(&transcript),
            pairs(&[("AI", "Hello?"), ("AI", "Still there?")])
        );
    }

    #[test]
    fn body_lines_may_start_on_the_next_line() {
        let transcript = parse_transcript("Interviewer:\nHow was it?\n\nRespondent:\nFine.");
        assert_eq!(
            bodies(&transcript),
            pairs(&[("Interviewer", "How was it?"), ("Respondent", "Fine.")])
        );
    }

    #[test]
    fn timestamps_set_start_times_and_stay_in_the_text() {
        let transcript = parse_transcript(
            "[00:00:05] Speaker 1: Hello.\nSpeaker 2: [00:01:00] Hi.\nSpeaker 1: Bye.",
        );
        let times: Vec<Option<u64>> = transcript.turns.iter().map(|t| t.start_ms).collect();
        assert_eq!(times, [Some(5_000), Some(60_000), None]);
        assert_eq!(transcript.text, "Hello.\n\n[00:01:00] Hi.\n\nBye.");
    }

    #[test]
    fn text_without_speakers_is_kept_whole() {
        let transcript = parse_transcript("\n\n  Indented first line.\nNote: kept.  \n\n");
        assert!(transcript.turns.is_empty());
        assert_eq!(transcript.text, "  Indented first line.\nNote: kept.  ");
    }

    #[test]
    fn trims_only_blank_lines() {
        assert_eq!(trim_blank_lines(" \n\n a b \n \n"), " a b ");
        assert_eq!(trim_blank_lines("x"), "x");
        assert_eq!(trim_blank_lines(" \n "), "");
    }
}
