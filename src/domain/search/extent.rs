//! How far auto-coding extends a hit: the match itself, its sentence, its paragraph (a
//! run of lines inside the turn, ended by a line break) or its whole speaker turn. All
//! spans are code points of one turn's text and never leave the turn; whitespace at their
//! edges is trimmed, as the coding page trims a selection.

use crate::domain::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Extent {
    Match,
    Sentence,
    Paragraph,
    Turn,
}

impl Extent {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "match" => Ok(Self::Match),
            "sentence" => Ok(Self::Sentence),
            "paragraph" => Ok(Self::Paragraph),
            "turn" => Ok(Self::Turn),
            other => Err(Invalid::new(
                "extent",
                format!("'{other}' is not an extent; use match, sentence, paragraph or turn."),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::Sentence => "sentence",
            Self::Paragraph => "paragraph",
            Self::Turn => "turn",
        }
    }

    /// The span to code for the hit `[start, end)` of the turn `text` (code points).
    pub fn around(self, text: &[char], start: usize, end: usize) -> (usize, usize) {
        let end = end.min(text.len());
        let start = start.min(end);
        let (from, to) = match self {
            Self::Match => (start, end),
            Self::Sentence => sentence_around(text, start, end),
            Self::Paragraph => paragraph_around(text, start, end),
            Self::Turn => (0, text.len()),
        };
        trim(text, from, to).unwrap_or((start, end))
    }
}

/// Words that end with a full stop without ending a sentence (compared in lower case,
/// without the stop).
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "cf", "no", "nos", "approx", "dept",
    "fig", "mt", "ca", "vol", "pp", "ed", "eds", "est", "min", "max", "gen", "col", "lt", "sgt",
];

const TERMINATORS: &[char] = &['.', '!', '?', '…', '。', '！', '？'];
const CLOSERS: &[char] = &['"', '\'', '”', '’', ')', ']', '»', '*'];

/// The sentence (or sentences, for a hit that runs over a full stop) around a hit.
pub fn sentence_around(text: &[char], start: usize, end: usize) -> (usize, usize) {
    let (line_start, line_end) = paragraph_around(text, start, end);
    let from = (line_start..start)
        .rev()
        .find_map(|i| sentence_end_at(text, i).filter(|&after| after <= start))
        .unwrap_or(line_start);
    let last = end.saturating_sub(1).max(start);
    let to = (last..line_end)
        .find_map(|i| sentence_end_at(text, i))
        .unwrap_or(line_end);
    let from = (from..start)
        .find(|&i| !text[i].is_whitespace())
        .unwrap_or(start);
    (from.min(start), to.min(line_end).max(end))
}

/// The lines around a hit: from the line break before it to the line break after it.
pub fn paragraph_around(text: &[char], start: usize, end: usize) -> (usize, usize) {
    let from = text[..start]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |i| i + 1);
    let to = text[end..]
        .iter()
        .position(|&c| c == '\n')
        .map_or(text.len(), |i| end + i);
    (from, to)
}

/// Where a sentence ends if it ends at `text[i]`: a terminator, with any closing quotes
/// or brackets after it (they belong to the sentence), then whitespace or the end of the
/// turn; not the stop of an abbreviation or an initial, nor when the next word goes on in
/// lower case.
fn sentence_end_at(text: &[char], i: usize) -> Option<usize> {
    let mut next = i + 1;
    if !TERMINATORS.contains(&text[i]) {
        return None;
    }
    // A run of terminators ("?!", "...") ends at its last one.
    if text.get(next).is_some_and(|c| TERMINATORS.contains(c)) {
        return None;
    }
    while text.get(next).is_some_and(|c| CLOSERS.contains(c)) {
        next += 1;
    }
    if text.get(next).is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    (text[i] != '.' || full_stop_ends_sentence(text, i, next)).then_some(next)
}

fn full_stop_ends_sentence(text: &[char], i: usize, next: usize) -> bool {
    let word_start = text[..i]
        .iter()
        .rposition(|c| c.is_whitespace() || matches!(c, '(' | '"' | '“' | '['))
        .map_or(0, |p| p + 1);
    let word: String = text[word_start..i]
        .iter()
        .collect::<String>()
        .to_lowercase();
    let initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    let dotted = word.contains('.'); // e.g. i.e. U.S.
    if initial || dotted || ABBREVIATIONS.contains(&word.as_str()) {
        return false;
    }
    let following = text[next..].iter().find(|c| !c.is_whitespace());
    !following.is_some_and(|c| c.is_lowercase())
}

fn trim(text: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    let from = (start..end).find(|&i| !text[i].is_whitespace())?;
    let to = (start..end).rev().find(|&i| !text[i].is_whitespace())? + 1;
    Some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text an extent covers for the first occurrence of `hit` in `text`.
    fn covered(extent: Extent, text: &str, hit: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let byte = text.find(hit).expect("hit in text");
        let start = text[..byte].chars().count();
        let end = start + hit.chars().count();
        let (from, to) = extent.around(&chars, start, end);
        chars[from..to].iter().collect()
    }

    #[test]
    fn sentence_of_a_hit() {
        let text = "I drive trucks. Robots scare me a lot! Do they? Yes.";
        assert_eq!(
            covered(Extent::Sentence, text, "scare"),
            "Robots scare me a lot!"
        );
        assert_eq!(covered(Extent::Sentence, text, "drive"), "I drive trucks.");
        assert_eq!(covered(Extent::Sentence, text, "Yes"), "Yes.");
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        let text = "I saw Dr. Smith and J. R. Jones, e.g. at work. Then I left.";
        assert_eq!(
            covered(Extent::Sentence, text, "Jones"),
            "I saw Dr. Smith and J. R. Jones, e.g. at work."
        );
        let text = "It costs approx. ten dollars. Fine.";
        assert_eq!(
            covered(Extent::Sentence, text, "ten"),
            "It costs approx. ten dollars."
        );
        let text = "We use tools i.e. software. Done.";
        assert_eq!(
            covered(Extent::Sentence, text, "software"),
            "We use tools i.e. software."
        );
    }

    #[test]
    fn no_final_full_stop_runs_to_the_end_of_the_line() {
        let text = "First one. and then robots took over\nNext line.";
        assert_eq!(
            covered(Extent::Sentence, text, "robots"),
            "First one. and then robots took over"
        );
        let text = "It's fine! robots everywhere";
        assert_eq!(
            covered(Extent::Sentence, text, "robots"),
            "robots everywhere"
        );
    }

    #[test]
    fn closing_quotes_and_ellipses_stay_with_their_sentence() {
        let text = "He said \"go home.\" Then... robots came?! Yes";
        assert_eq!(
            covered(Extent::Sentence, text, "go"),
            "He said \"go home.\""
        );
        assert_eq!(
            covered(Extent::Sentence, text, "robots"),
            "Then... robots came?!"
        );
    }

    #[test]
    fn emoji_and_combining_characters_count_as_code_points() {
        let text = "Great 🤖🤖. Cafe\u{301} robots 👍🏽 rule. End";
        assert_eq!(
            covered(Extent::Sentence, text, "robots"),
            "Cafe\u{301} robots 👍🏽 rule."
        );
        assert_eq!(covered(Extent::Sentence, text, "Great"), "Great 🤖🤖.");
    }

    #[test]
    fn a_hit_over_a_full_stop_takes_both_sentences() {
        let text = "Al bo. The end. Other co. More.";
        assert_eq!(
            covered(Extent::Sentence, text, "end. Other"),
            "The end. Other co."
        );
    }

    #[test]
    fn paragraph_turn_and_match() {
        let text = "  One line. Two robots.\n Second para robots.\nThird ";
        assert_eq!(
            covered(Extent::Paragraph, text, "Two"),
            "One line. Two robots."
        );
        assert_eq!(
            covered(Extent::Paragraph, text, "Second"),
            "Second para robots."
        );
        assert_eq!(
            covered(Extent::Turn, text, "Second"),
            "One line. Two robots.\n Second para robots.\nThird"
        );
        assert_eq!(covered(Extent::Match, text, "Two"), "Two");
    }

    #[test]
    fn extents_parse_and_refuse_unknown_names() {
        assert_eq!(Extent::parse("Sentence").unwrap(), Extent::Sentence);
        assert_eq!(Extent::parse("").unwrap(), Extent::Match);
        assert_eq!(Extent::parse("page").unwrap_err().field, "extent");
    }
}
