//! Where the hits of a search are. FTS5 reports matches by marking them in the turn's
//! text (its `highlight()` function); this module reads the marks back as code-point spans
//! of the turn, so a hit is positioned exactly like an excerpt (code points into the
//! stored NFC text, half-open), whatever emoji or combining characters come before it.

/// Opens a hit in FTS5's highlighted text. Unicode noncharacters: they never occur in
/// interchanged text, so a transcript cannot contain them by accident.
pub const HIT_START: char = '\u{FDD0}';
/// Closes a hit.
pub const HIT_END: char = '\u{FDD1}';

/// The turn's own text and its hits as code-point spans `[start, end)` of that text, in
/// order, from the highlighted text. An unclosed mark runs to the end of the turn; empty
/// marks are dropped.
pub fn hit_spans(highlighted: &str) -> (String, Vec<(usize, usize)>) {
    let mut plain = String::with_capacity(highlighted.len());
    let mut spans = Vec::new();
    let mut position = 0;
    let mut open: Option<usize> = None;
    for c in highlighted.chars() {
        match c {
            HIT_START => open = Some(position),
            HIT_END => {
                if let Some(start) = open.take()
                    && start < position
                {
                    spans.push((start, position));
                }
            }
            _ => {
                plain.push(c);
                position += 1;
            }
        }
    }
    if let Some(start) = open
        && start < position
    {
        spans.push((start, position));
    }
    (plain, spans)
}

/// How many hits FTS5's `highlight()` marks in a turn, from the phrase instances it
/// reports (`xInst`), without the text: each instance as its first and last token
/// position, in the order FTS5 gives them (by position). Like `highlight()` (its
/// "coalesced instance iterator"), an instance that starts at or before the last token of
/// the hit being built joins that hit; any other starts a new one. Two hits never touch:
/// the tokenizer leaves at least one separator between tokens, so each coalesced instance
/// is one mark in the highlighted text (the count equals `hit_spans(..).1.len()`).
pub fn coalesced_hits(instances: impl IntoIterator<Item = (i64, i64)>) -> usize {
    let mut hits = 0;
    let mut open_until: Option<i64> = None;
    for (first, last) in instances {
        match open_until {
            Some(until) if first <= until => open_until = Some(until.max(last)),
            _ => {
                hits += 1;
                open_until = Some(last);
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_instances_are_separate_hits() {
        assert_eq!(coalesced_hits([]), 0);
        assert_eq!(coalesced_hits([(3, 3)]), 1);
        // Adjacent tokens ("time time") are two marks.
        assert_eq!(coalesced_hits([(3, 3), (4, 4), (9, 9)]), 3);
    }

    #[test]
    fn overlapping_instances_are_one_hit() {
        // `time OR tim*` both at token 3; a phrase over 5..7 and a word at 6.
        assert_eq!(coalesced_hits([(3, 3), (3, 3)]), 1);
        assert_eq!(coalesced_hits([(5, 7), (6, 6), (7, 9), (10, 10)]), 2);
        // A long instance swallows the shorter ones inside it.
        assert_eq!(coalesced_hits([(1, 8), (2, 2), (8, 8), (9, 9)]), 2);
    }

    fn marked(s: &str) -> String {
        s.replace('[', &HIT_START.to_string())
            .replace(']', &HIT_END.to_string())
    }

    #[test]
    fn plain_ascii() {
        let (plain, spans) = hit_spans(&marked("I [love] my [job]"));
        assert_eq!(plain, "I love my job");
        assert_eq!(spans, vec![(2, 6), (10, 13)]);
    }

    #[test]
    fn emoji_before_a_hit_count_as_one_code_point_each() {
        // 🤖 is 4 bytes in UTF-8 and 2 units in UTF-16, but one code point.
        let (plain, spans) = hit_spans(&marked("🤖🤖 [robots] 👍🏽 [café]"));
        assert_eq!(spans, vec![(3, 9), (13, 17)]);
        let chars: Vec<char> = plain.chars().collect();
        assert_eq!(chars[3..9].iter().collect::<String>(), "robots");
        assert_eq!(chars[13..17].iter().collect::<String>(), "café");
    }

    #[test]
    fn combining_characters_stay_inside_the_hit() {
        // "e" + U+0301 (a decomposed é that NFC could not compose with "q").
        let text = "q\u{301}uick [ne\u{301}e] end";
        let (plain, spans) = hit_spans(&marked(text));
        assert_eq!(spans, vec![(7, 11)]);
        let chars: Vec<char> = plain.chars().collect();
        assert_eq!(chars[7..11].iter().collect::<String>(), "ne\u{301}e");
    }

    #[test]
    fn a_phrase_is_one_hit_and_empty_or_unclosed_marks_are_handled() {
        assert_eq!(hit_spans(&marked("[my job] is")).1, vec![(0, 6)]);
        assert_eq!(hit_spans(&marked("a [] b")).1, vec![]);
        assert_eq!(hit_spans(&marked("a [b")).1, vec![(2, 3)]);
    }
}
