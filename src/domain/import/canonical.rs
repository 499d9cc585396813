//! Assembles a document's canonical text from blocks (a leading block and
//! turn bodies) separated by blank lines, and reports each block's span in
//! Unicode code points, the one offset unit Gloss stores.

/// A canonical text under construction.
#[derive(Debug, Default)]
pub(super) struct CanonicalText {
    text: String,
    chars: usize,
}

/// What separates blocks in the canonical text.
const BLOCK_SEPARATOR: &str = "\n\n";

impl CanonicalText {
    /// Appends a block after a blank line (none before the first block) and
    /// returns its half-open code-point span `[start, end)`.
    pub(super) fn push_block(&mut self, block: &str) -> (usize, usize) {
        if !self.text.is_empty() {
            self.text.push_str(BLOCK_SEPARATOR);
            self.chars += BLOCK_SEPARATOR.len();
        }
        let start = self.chars;
        self.text.push_str(block);
        self.chars += block.chars().count();
        (start, self.chars)
    }

    pub(super) fn into_string(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_code_points_not_bytes() {
        let mut text = CanonicalText::default();
        assert_eq!(text.push_block("héllo 💛"), (0, 7));
        assert_eq!(text.push_block("🥹 ok"), (9, 13));
        let text = text.into_string();
        assert_eq!(text, "héllo 💛\n\n🥹 ok");
        let second: String = text.chars().skip(9).take(4).collect();
        assert_eq!(second, "🥹 ok");
    }
}
