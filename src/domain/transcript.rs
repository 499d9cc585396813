//! How a transcript is laid out for reading: its speaker turns, and any text outside turns
//! (a preamble, notes between turns) as blocks of its own, so every character is shown.

/// A displayable stretch of a document: `[start, end)` in code points, and the index of
/// the turn it is (or `None` for text outside any turn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub start: usize,
    pub end: usize,
    pub turn: Option<usize>,
}

/// Splits a text into blocks: each turn (turns must be sorted and non-overlapping), plus
/// each run of text between or around turns that is not just whitespace.
pub fn blocks(text: &str, turns: &[(usize, usize)]) -> Vec<Block> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(turns.len() * 2 + 1);
    let mut cursor = 0;
    for (index, &(start, end)) in turns.iter().enumerate() {
        let (start, end) = (start.min(chars.len()), end.min(chars.len()));
        if start < cursor {
            continue; // overlapping turn: the import never produces one; show text once
        }
        push_gap(&chars, cursor, start, &mut out);
        out.push(Block {
            start,
            end,
            turn: Some(index),
        });
        cursor = end;
    }
    push_gap(&chars, cursor, chars.len(), &mut out);
    out
}

fn push_gap(chars: &[char], start: usize, end: usize, out: &mut Vec<Block>) {
    let gap = &chars[start..end];
    let Some(first) = gap.iter().position(|c| !c.is_whitespace()) else {
        return;
    };
    let last = gap
        .iter()
        .rposition(|c| !c.is_whitespace())
        .unwrap_or(first);
    out.push(Block {
        start: start + first,
        end: start + last + 1,
        turn: None,
    });
}

/// `h:mm:ss` (or `m:ss` under an hour) for a time in milliseconds.
pub fn format_time(ms: i64) -> String {
    let total = ms.max(0) / 1000;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_become_blocks_and_blank_gaps_vanish() {
        let text = "Hello\n\nHi there";
        let blocks = blocks(text, &[(0, 5), (7, 15)]);
        assert_eq!(
            blocks,
            vec![
                Block {
                    start: 0,
                    end: 5,
                    turn: Some(0)
                },
                Block {
                    start: 7,
                    end: 15,
                    turn: Some(1)
                }
            ]
        );
    }

    #[test]
    fn text_outside_turns_is_kept_trimmed() {
        let text = "  Preface 💛\n\nQ\n\nA\n\n(end) ";
        let blocks = blocks(text, &[(13, 14), (16, 17)]);
        assert_eq!(
            blocks[0],
            Block {
                start: 2,
                end: 11,
                turn: None
            }
        );
        assert_eq!(
            blocks[1],
            Block {
                start: 13,
                end: 14,
                turn: Some(0)
            }
        );
        assert_eq!(
            blocks[2],
            Block {
                start: 16,
                end: 17,
                turn: Some(1)
            }
        );
        assert_eq!(
            blocks[3],
            Block {
                start: 19,
                end: 24,
                turn: None
            }
        );
        assert_eq!(blocks.len(), 4);
    }

    #[test]
    fn a_text_without_turns_is_one_block() {
        assert_eq!(
            blocks("just text", &[]),
            vec![Block {
                start: 0,
                end: 9,
                turn: None
            }]
        );
        assert!(blocks("   ", &[]).is_empty());
    }

    #[test]
    fn times_read_naturally() {
        assert_eq!(format_time(0), "0:00");
        assert_eq!(format_time(52_000), "0:52");
        assert_eq!(format_time(3_723_400), "1:02:03");
    }
}
