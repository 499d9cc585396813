//! Positions in a document's text. Everywhere in Gloss a position is a Unicode code-point
//! (scalar value) offset into the stored NFC text, and spans are half-open `[start, end)`.
//! Rust strings index by byte, so every conversion goes through this module.

use super::Invalid;

/// Number of code points in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Byte offsets of the given code-point positions, which must be sorted ascending, in a
/// single pass over the text. Positions past the end map to `text.len()`.
pub fn byte_offsets(text: &str, sorted_positions: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(sorted_positions.len());
    let mut chars = text.char_indices().enumerate();
    let mut current = chars.next();
    for &position in sorted_positions {
        loop {
            match current {
                Some((index, (byte, _))) if index == position => {
                    out.push(byte);
                    break;
                }
                Some((index, _)) if index < position => current = chars.next(),
                _ => {
                    // Past the end (or a position behind the cursor, which sorted input
                    // never produces): clamp to the end of the text.
                    out.push(current.map_or(text.len(), |(_, (byte, _))| byte));
                    break;
                }
            }
        }
    }
    out
}

/// The text of the code-point span `[start, end)`; positions past the end are clamped.
pub fn slice(text: &str, start: usize, end: usize) -> &str {
    let bytes = byte_offsets(text, &[start, end.max(start)]);
    &text[bytes[0]..bytes[1]]
}

/// The texts of many code-point spans of one text, with a single pass over it.
pub fn slices<'a>(text: &'a str, spans: &[(usize, usize)]) -> Vec<&'a str> {
    let mut positions: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e.max(s)]).collect();
    positions.sort_unstable();
    positions.dedup();
    let bytes = byte_offsets(text, &positions);
    let byte_of = |p: usize| bytes[positions.binary_search(&p).expect("position was collected")];
    spans
        .iter()
        .map(|&(s, e)| &text[byte_of(s)..byte_of(e.max(s))])
        .collect()
}

/// Narrows `[start, end)` to exclude leading and trailing whitespace; `None` if nothing
/// but whitespace is inside.
pub fn trim_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let inside = slice(text, start, end);
    let leading = inside.chars().take_while(|c| c.is_whitespace()).count();
    let total = inside.chars().count();
    if leading == total {
        return None;
    }
    let trailing = inside
        .chars()
        .rev()
        .take_while(|c| c.is_whitespace())
        .count();
    Some((start + leading, start + total - trailing))
}

/// Splits the window `[start, end)` into runs covered or not covered by any of `spans`:
/// `(run_start, run_end, covered)`, in order, with no empty runs.
pub fn coverage_runs(
    start: usize,
    end: usize,
    spans: &[(usize, usize)],
) -> Vec<(usize, usize, bool)> {
    let mut clipped: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| (s.max(start), e.min(end)))
        .filter(|(s, e)| s < e)
        .collect();
    clipped.sort_unstable();
    let mut runs = Vec::new();
    let mut cursor = start;
    for (s, e) in clipped {
        if e <= cursor {
            continue;
        }
        if s > cursor {
            runs.push((cursor, s, false));
        }
        let from = s.max(cursor);
        match runs.last_mut() {
            Some(last) if last.2 && last.1 == from => last.1 = e,
            _ => runs.push((from, e, true)),
        }
        cursor = e;
    }
    if cursor < end {
        runs.push((cursor, end, false));
    }
    runs
}

/// A validated, non-empty span `[start, end)` inside a text of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    pub fn new(start: i64, end: i64, text_len: usize) -> Result<Self, Invalid> {
        if start < 0 || end < 0 {
            return Err(Invalid::new("start", "Offsets cannot be negative."));
        }
        let (start, end) = (start as usize, end as usize);
        if end > text_len {
            return Err(Invalid::new(
                "end",
                format!(
                    "The span ends at {end}, past the end of the document ({text_len} characters)."
                ),
            ));
        }
        if start >= end {
            return Err(Invalid::new(
                "end",
                format!(
                    "The span [{start}, {end}) is empty or reversed; end must be greater than start."
                ),
            ));
        }
        Ok(Span { start, end })
    }

    pub fn start(self) -> usize {
        self.start
    }

    pub fn end(self) -> usize {
        self.end
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn overlaps(self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = "a💛b\u{e9}c😂";

    #[test]
    fn counts_code_points_not_bytes_or_utf16_units() {
        assert_eq!(char_len(MIXED), 6);
        assert_eq!(MIXED.len(), 1 + 4 + 1 + 2 + 1 + 4);
        assert_eq!(MIXED.encode_utf16().count(), 8);
    }

    #[test]
    fn slices_by_code_point() {
        assert_eq!(slice(MIXED, 1, 2), "💛");
        assert_eq!(slice(MIXED, 2, 5), "b\u{e9}c");
        assert_eq!(slice(MIXED, 5, 6), "😂");
        assert_eq!(slice(MIXED, 0, 6), MIXED);
        assert_eq!(slice(MIXED, 4, 100), "c😂");
        assert_eq!(slice(MIXED, 6, 6), "");
    }

    #[test]
    fn byte_offsets_in_one_pass() {
        assert_eq!(
            byte_offsets(MIXED, &[0, 1, 2, 3, 4, 5, 6, 7]),
            vec![0, 1, 5, 6, 8, 9, 13, 13]
        );
        assert_eq!(byte_offsets(MIXED, &[2, 2, 6]), vec![5, 5, 13]);
        assert_eq!(byte_offsets("", &[0, 3]), vec![0, 0]);
    }

    #[test]
    fn coverage_runs_merge_overlaps_and_clip_to_the_window() {
        assert_eq!(coverage_runs(0, 10, &[]), vec![(0, 10, false)]);
        assert_eq!(
            coverage_runs(0, 10, &[(2, 4), (3, 6), (8, 20)]),
            vec![(0, 2, false), (2, 6, true), (6, 8, false), (8, 10, true)]
        );
        assert_eq!(
            coverage_runs(5, 8, &[(0, 6), (6, 7)]),
            vec![(5, 7, true), (7, 8, false)]
        );
        assert_eq!(coverage_runs(5, 8, &[(0, 2)]), vec![(5, 8, false)]);
    }

    #[test]
    fn many_slices_at_once() {
        assert_eq!(
            slices(MIXED, &[(1, 2), (0, 6), (5, 6), (2, 2)]),
            vec!["💛", MIXED, "😂", ""]
        );
    }

    #[test]
    fn trimming_works_in_code_points() {
        let text = " \n💛 hi \t";
        assert_eq!(trim_span(text, 0, 8), Some((2, 6)));
        assert_eq!(slice(text, 2, 6), "💛 hi");
        assert_eq!(trim_span(text, 0, 2), None);
        assert_eq!(trim_span(text, 2, 3), Some((2, 3)));
    }

    #[test]
    fn spans_must_be_inside_and_non_empty() {
        assert!(Span::new(0, 1, 1).is_ok());
        assert_eq!(Span::new(2, 5, 6).unwrap().len(), 3);
        assert!(Span::new(-1, 2, 6).is_err());
        assert!(Span::new(3, 3, 6).unwrap_err().message.contains("empty"));
        assert!(Span::new(4, 3, 6).is_err());
        assert!(
            Span::new(0, 7, 6)
                .unwrap_err()
                .message
                .contains("past the end")
        );
    }

    #[test]
    fn overlap_is_half_open() {
        let span = Span::new(2, 5, 10).unwrap();
        assert!(span.overlaps(4, 8));
        assert!(!span.overlaps(5, 8));
        assert!(!span.overlaps(0, 2));
    }
}
