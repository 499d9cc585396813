//! Hard-wrapped transcripts: files whose paragraphs were broken into lines
//! of about 80 characters by the tool that exported them (the qc_demo
//! transcripts, many e-mail or word-processor exports). Researchers should
//! read and code flowing paragraphs, so the lines of each paragraph are
//! joined again; files that are not hard-wrapped are never touched.
//!
//! Detection, in [`is_hard_wrapped`]: look at the *inner* lines (non-blank
//! lines followed by another non-blank line, i.e. lines where a paragraph
//! continues). A file is hard-wrapped when it has at least
//! [`MIN_INNER_LINES`] of them, at least 80 % are 60–100 characters long,
//! they wrap at a consistent width (the 10th and 90th percentile lengths
//! differ by at most [`MAX_WIDTH_SPREAD`]), and hardly any line (≤ 2 %) is
//! longer than 100 characters, which an unwrapped file always has.

use std::ops::RangeInclusive;

/// Line lengths typical of a wrap width (editors wrap at 72–80, some
/// exports at 90–100); shorter inner lines come from lists and verse.
const WRAP_WIDTHS: RangeInclusive<usize> = 60..=100;
/// Fewer inner lines than this is too little evidence to rewrite a text.
const MIN_INNER_LINES: usize = 3;
/// Lines of a wrapped paragraph end within a word's length of the width.
const MAX_WIDTH_SPREAD: usize = 25;

/// Whether the lines look hard-wrapped (see the module documentation).
pub(super) fn is_hard_wrapped(lines: &[&str]) -> bool {
    let mut inner: Vec<usize> = lines
        .windows(2)
        .filter(|pair| !is_blank(pair[0]) && !is_blank(pair[1]))
        .map(|pair| visible_width(pair[0]))
        .collect();
    if inner.len() < MIN_INNER_LINES {
        return false;
    }
    let in_range = inner.iter().filter(|len| WRAP_WIDTHS.contains(len)).count();
    if in_range * 5 < inner.len() * 4 {
        return false;
    }
    let non_blank = lines.iter().filter(|line| !is_blank(line)).count();
    let too_long = lines
        .iter()
        .filter(|line| visible_width(line) > *WRAP_WIDTHS.end())
        .count();
    if too_long * 50 > non_blank {
        return false;
    }
    inner.sort_unstable();
    let p10 = inner[inner.len() / 10];
    let p90 = inner[inner.len() * 9 / 10];
    p90 - p10 <= MAX_WIDTH_SPREAD
}

/// Joins `lines` with `\n`; with `unwrap`, lines that continue a paragraph
/// are joined with one space instead (dropping the whitespace at the
/// wrap), except before a list item, whose line break is meant. Returns
/// the text and the number of line breaks removed.
pub(super) fn join_lines(lines: &[&str], unwrap: bool) -> (String, usize) {
    let mut text = String::with_capacity(lines.iter().map(|line| line.len() + 1).sum());
    let mut joined = 0;
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            text.push_str(line);
            continue;
        }
        let previous = lines[index - 1];
        let continues = unwrap && !is_blank(previous) && !is_blank(line) && !starts_list_item(line);
        if continues {
            text.truncate(text.trim_end().len());
            text.push(' ');
            text.push_str(line.trim_start());
            joined += 1;
        } else {
            text.push('\n');
            text.push_str(line);
        }
    }
    (text, joined)
}

/// `- x`, `* x`, `• x`, `1. x`, `2) x`.
fn starts_list_item(line: &str) -> bool {
    let line = line.trim_start();
    if ["- ", "* ", "• ", "– "]
        .iter()
        .any(|marker| line.starts_with(marker))
    {
        return true;
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Length in characters without trailing whitespace (wrapping tools often
/// leave the space at which they broke the line).
fn visible_width(line: &str) -> usize {
    line.trim_end().chars().count()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAPPED: &str = "Max Bigman:         And I keep forgetting to send out these IRB official \n\
        consent forms, but can I get your verbal consent that it's okay if I am record \n\
        this, just for using it for transcription for the research project and then \n\
        formally send you those documents to sign after we hang up?\n\
        \n\
        admin-1:     Sure.";

    fn lines(text: &str) -> Vec<&str> {
        text.split('\n').collect()
    }

    #[test]
    fn detects_an_80_column_wrap() {
        assert!(is_hard_wrapped(&lines(WRAPPED)));
    }

    #[test]
    fn long_unwrapped_lines_are_not_hard_wrapped() {
        let long = "word ".repeat(60);
        let text = format!("{long}\n{long}\n{long}\n{long}\nshort\nshort");
        assert!(!is_hard_wrapped(&lines(&text)));
        let mixed = format!("{}\n{long}", WRAPPED);
        assert!(!is_hard_wrapped(&lines(&mixed)));
    }

    #[test]
    fn lists_and_short_lines_are_not_hard_wrapped() {
        let list = "Things I use:\n1. Large tasks\n2. Repetitive tasks\n3. Emails\n4. Notes";
        assert!(!is_hard_wrapped(&lines(list)));
        assert!(!is_hard_wrapped(&lines("one\ntwo")));
    }

    #[test]
    fn joins_wrapped_lines_into_paragraphs() {
        let (text, joined) = join_lines(&lines(WRAPPED), true);
        assert_eq!(joined, 3);
        assert_eq!(
            text,
            "Max Bigman:         And I keep forgetting to send out these IRB official consent \
             forms, but can I get your verbal consent that it's okay if I am record this, just \
             for using it for transcription for the research project and then formally send you \
             those documents to sign after we hang up?\n\nadmin-1:     Sure."
        );
    }

    #[test]
    fn keeps_list_items_and_leaves_unwrapped_text_alone() {
        let text = "intro line\n- first\n- second\ncontinued";
        let (unwrapped, joined) = join_lines(&lines(text), true);
        assert_eq!(unwrapped, "intro line\n- first\n- second continued");
        assert_eq!(joined, 1);
        let untouched = "a \nb\n\n c ";
        assert_eq!(
            join_lines(&lines(untouched), false),
            (untouched.to_owned(), 0)
        );
    }
}
