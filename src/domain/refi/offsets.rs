//! How a peer counted positions, and mapping its positions into Gloss's.
//!
//! The standard says code points, but NVivo counts UTF-16 code units with CRLF as two,
//! and ATLAS.ti counts CRLF as one. For each source the model under which the most
//! selections line up with the text wins: a selection lines up when its `name` (peers
//! often quote the passage) matches the text it covers, or, for selections without a
//! quote, when it starts at a line start. Positions are then mapped to code points of
//! the text with line breaks normalised to LF (`normalised`).

/// A way of counting positions in the raw text (BOM removed, line breaks as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum OffsetModel {
    /// Unicode code points, CRLF counting as two (the standard).
    CodePoints,
    /// UTF-16 code units, CRLF counting as two (NVivo).
    Utf16,
    /// Code points with CRLF counting as one (ATLAS.ti).
    CodePointsCrlfAsOne,
}

impl OffsetModel {
    pub const ALL: [OffsetModel; 3] = [
        OffsetModel::CodePoints,
        OffsetModel::Utf16,
        OffsetModel::CodePointsCrlfAsOne,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            OffsetModel::CodePoints => "code points (the REFI-QDA standard)",
            OffsetModel::Utf16 => "UTF-16 code units, CRLF as two (as NVivo counts)",
            OffsetModel::CodePointsCrlfAsOne => "code points, CRLF as one (as ATLAS.ti counts)",
        }
    }
}

/// A source's text with its line breaks normalised to LF, and for each model the
/// position of every normalised character, so positions map in a binary search.
pub struct SourceText {
    pub normalised: String,
    /// `starts[model][k]`: the position, in that model, of normalised character `k`;
    /// the last entry is the total length.
    starts: [Vec<usize>; 3],
}

impl SourceText {
    /// `raw`: the source text as stored in the archive (any BOM already removed).
    pub fn new(raw: &str) -> Self {
        let mut normalised = String::with_capacity(raw.len());
        let mut starts: [Vec<usize>; 3] = Default::default();
        let (mut cp, mut utf16, mut crlf_one) = (0usize, 0usize, 0usize);
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            starts[0].push(cp);
            starts[1].push(utf16);
            starts[2].push(crlf_one);
            if c == '\r' {
                normalised.push('\n');
                if chars.peek() == Some(&'\n') {
                    chars.next();
                    cp += 2;
                    utf16 += 2;
                    crlf_one += 1;
                    continue;
                }
                cp += 1;
                utf16 += 1;
                crlf_one += 1;
                continue;
            }
            normalised.push(c);
            cp += 1;
            utf16 += c.len_utf16();
            crlf_one += 1;
        }
        starts[0].push(cp);
        starts[1].push(utf16);
        starts[2].push(crlf_one);
        Self { normalised, starts }
    }

    /// Characters of the normalised text.
    pub fn len(&self) -> usize {
        self.starts[0].len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn index(model: OffsetModel) -> usize {
        match model {
            OffsetModel::CodePoints => 0,
            OffsetModel::Utf16 => 1,
            OffsetModel::CodePointsCrlfAsOne => 2,
        }
    }

    /// A position in `model` as a character index of the normalised text, and whether
    /// it had to be clamped (past the end, or negative).
    pub fn map(&self, model: OffsetModel, position: i64) -> (usize, bool) {
        let starts = &self.starts[Self::index(model)];
        let total = *starts.last().expect("never empty");
        if position < 0 {
            return (0, true);
        }
        let position = position as usize;
        if position > total {
            return (self.len(), true);
        }
        (starts.partition_point(|&s| s < position), false)
    }
}

/// A selection as the detector sees it.
pub struct Probe<'a> {
    pub start: i64,
    pub end: i64,
    pub name: &'a str,
}

/// The chosen model for one source, with how many selections lined up under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Detection {
    pub model: OffsetModel,
    pub aligned: usize,
    pub checked: usize,
}

/// `text` lower-cased with whitespace runs as one space and none at either end, made a
/// character at a time, so a long passage is only read as far as it agrees with a quote.
struct Comparable<I: Iterator<Item = char>> {
    chars: I,
    /// The rest of the last character's lower case (one character may become several).
    lower: Option<std::char::ToLowercase>,
    started: bool,
}

fn comparable<I: Iterator<Item = char>>(chars: I) -> Comparable<I> {
    Comparable {
        chars,
        lower: None,
        started: false,
    }
}

impl<I: Iterator<Item = char>> Iterator for Comparable<I> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.lower.as_mut().and_then(Iterator::next) {
            return Some(c);
        }
        let mut spaced = false;
        let c = loop {
            let c = self.chars.next()?;
            if !c.is_whitespace() {
                break c;
            }
            spaced = true;
        };
        self.lower = Some(c.to_lowercase());
        if spaced && self.started {
            return Some(' ');
        }
        self.started = true;
        self.lower.as_mut().and_then(Iterator::next)
    }
}

/// Whether the covered text and the quote agree: something is covered and one of the two
/// begins with the other (a quote is often cut short, and a selection may end early).
fn agrees(mut covered: impl Iterator<Item = char>, mut quote: impl Iterator<Item = char>) -> bool {
    let mut any = false;
    loop {
        match (covered.next(), quote.next()) {
            (Some(a), Some(b)) if a == b => any = true,
            (Some(_), Some(_)) => return false,
            _ => return any,
        }
    }
}

/// Whether a selection under `model` lines up with the text.
fn lines_up(
    text: &SourceText,
    chars: &[char],
    model: OffsetModel,
    probe: &Probe<'_>,
) -> Option<bool> {
    let (start, clamped_start) = text.map(model, probe.start);
    let (end, clamped_end) = text.map(model, probe.end);
    if clamped_start || clamped_end {
        return Some(false);
    }
    let name = probe.name.trim_end_matches(['…', '.']);
    let head: String = comparable(name.chars()).take(5).collect();
    let usable_quote = head.chars().count() >= 4 && !head.starts_with("line:");
    if usable_quote {
        let covered = chars[start..end.max(start)].iter().copied();
        return Some(agrees(comparable(covered), comparable(name.chars())));
    }
    // No quote: a selection that starts at a line start is a weak sign of alignment.
    Some(start == 0 || chars.get(start - 1) == Some(&'\n'))
}

/// Picks the model under which most selections line up; ties go to the standard's. The
/// standard's is tried first, and when every selection lines up under it no other model
/// can do better, so the others are not tried (a file from a tool that follows the
/// standard, Gloss's own included, costs a third of the work).
pub fn detect(text: &SourceText, probes: &[Probe<'_>]) -> Detection {
    let chars: Vec<char> = text.normalised.chars().collect();
    let mut best = Detection {
        model: OffsetModel::CodePoints,
        aligned: 0,
        checked: probes.len(),
    };
    for model in OffsetModel::ALL {
        if best.aligned == probes.len() && !probes.is_empty() {
            break;
        }
        let aligned = probes
            .iter()
            .filter(|p| lines_up(text, &chars, model, p) == Some(true))
            .count();
        if aligned > best.aligned {
            best = Detection {
                model,
                aligned,
                checked: probes.len(),
            };
        }
    }
    best
}

/// For each character index of `from` (and its end), the index in `to` where it ended
/// up, when `to` was made from `from` by removing, inserting and changing a little
/// (speaker labels and headers removed, whitespace trimmed or re-flowed, NFC): matching
/// runs in order; at a difference, the nearest place where the next few characters agree
/// again decides whether characters were removed, inserted or changed, so a difference
/// costs its own length and never shifts the rest of the text.
pub fn alignment(from: &str, to: &str) -> Vec<usize> {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    let mut map = Vec::with_capacity(from.len() + 1);
    let (mut i, mut j) = (0, 0);
    while i < from.len() {
        if j >= to.len() {
            map.push(to.len());
            i += 1;
            continue;
        }
        if from[i] == to[j] {
            map.push(j);
            i += 1;
            j += 1;
            continue;
        }
        match resync(&from[i..], &to[j..]) {
            Resync::Removed(n) => {
                map.extend(std::iter::repeat_n(j, n));
                i += n;
            }
            Resync::Inserted(n) => j += n,
            Resync::Replaced { removed, inserted } => {
                // The removed characters (a label) map to where the texts agree again.
                map.extend(std::iter::repeat_n(j + inserted, removed));
                i += removed;
                j += inserted;
            }
            Resync::Changed => {
                map.push(j);
                i += 1;
                j += 1;
            }
        }
    }
    map.push(to.len());
    map
}

enum Resync {
    Removed(usize),
    Inserted(usize),
    /// A few characters took the place of others: a label line became the blank line
    /// that separates turns.
    Replaced {
        removed: usize,
        inserted: usize,
    },
    Changed,
}

/// How far to look for the texts to agree again (a label, a header line).
const LOOKAHEAD: usize = 2000;
/// How many characters must agree to count as agreeing again: a long window first (no
/// chance matches), then a short one (a turn shorter than the long window).
const WINDOWS: [usize; 2] = [12, 5];
/// At most this many characters put in place of removed ones (a turn separator).
const MAX_REPLACING: usize = 2;

fn agree(a: &[char], b: &[char], window: usize) -> bool {
    let n = window.min(a.len()).min(b.len());
    n > 0 && a[..n] == b[..n] && (n == window || a.len() == n || b.len() == n)
}

/// The cheapest edit after which the texts agree again: edits are tried by how many
/// characters they touch, so in repetitive text (the same line every few records) a
/// label replaced by a blank line is not mistaken for a removal of whole records up to
/// the next place that happens to agree.
fn resync(from: &[char], to: &[char]) -> Resync {
    for window in WINDOWS {
        // The commonest case first: one character changed (a line break re-flowed).
        if agree(&from[1..], &to[1..], window) {
            return Resync::Changed;
        }
        for cost in 1..LOOKAHEAD {
            if cost < from.len() && agree(&from[cost..], to, window) {
                return Resync::Removed(cost);
            }
            if cost < to.len() && agree(from, &to[cost..], window) {
                return Resync::Inserted(cost);
            }
            for inserted in 1..=MAX_REPLACING.min(cost - 1) {
                let removed = cost - inserted;
                if removed < from.len()
                    && inserted < to.len()
                    && agree(&from[removed..], &to[inserted..], window)
                {
                    return Resync::Replaced { removed, inserted };
                }
            }
        }
    }
    Resync::Changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparable_text_folds_case_and_whitespace_runs_and_trims() {
        let folded: String = comparable("  Ünd\r\n  so\tON  ".chars()).collect();
        assert_eq!(folded, "ünd so on");
        assert_eq!(comparable(" \n ".chars()).count(), 0);
        // One character whose lower case is two.
        assert_eq!(comparable("İx".chars()).collect::<String>(), "i\u{307}x");
    }

    #[test]
    fn a_quote_agrees_with_covered_text_when_either_begins_with_the_other() {
        let agree = |covered: &str, quote: &str| {
            agrees(comparable(covered.chars()), comparable(quote.chars()))
        };
        assert!(agree("I trust it for drafts", "i trust  it"), "a cut quote");
        assert!(
            agree("I trust", "I trust it for drafts"),
            "a short selection"
        );
        assert!(agree("Same text", "same\ntext"));
        assert!(!agree("I trust it", "I trusted"));
        assert!(!agree("", "anything"), "nothing covered");
    }

    #[test]
    fn the_three_models_map_to_the_same_characters() {
        let text = SourceText::new("a😀\r\nb");
        assert_eq!(text.normalised, "a😀\nb");
        // 'b' is at code point 4 (CRLF = 2), UTF-16 unit 5, code point 3 with CRLF = 1.
        assert_eq!(text.map(OffsetModel::CodePoints, 4), (3, false));
        assert_eq!(text.map(OffsetModel::Utf16, 5), (3, false));
        assert_eq!(text.map(OffsetModel::CodePointsCrlfAsOne, 3), (3, false));
        assert_eq!(text.map(OffsetModel::CodePoints, 99), (4, true));
    }

    #[test]
    fn detection_prefers_the_model_under_which_quotes_line_up() {
        let text = SourceText::new("😀😀 first line\r\nsecond 😀 line\r\nthird");
        let chars: Vec<char> = text.normalised.chars().collect();
        let at = |needle: &str| {
            let byte = text.normalised.find(needle).unwrap();
            text.normalised[..byte].chars().count()
        };
        let third = at("third");
        let _ = chars;
        // UTF-16 positions of "third": 2 emoji (4 units) + " first line" 11 + CRLF 2 +
        // "second " 7 + emoji 2 + " line" 5 + CRLF 2 = 33.
        let probes = [Probe {
            start: 33,
            end: 38,
            name: "third",
        }];
        let found = detect(&text, &probes);
        assert_eq!(found.model, OffsetModel::Utf16);
        assert_eq!(text.map(found.model, 33).0, third);
    }

    fn at_in(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].chars().count()
    }

    #[test]
    fn alignment_follows_removed_labels_and_changed_characters() {
        let from = "User: Hello wörld\n\nAI: Bye";
        let to = "Hello wörld\n\nBye";
        let map = alignment(from, to);
        let at = |s: &str| from.find(s).map(|b| from[..b].chars().count()).unwrap();
        assert_eq!(map[at("Hello")], 0);
        assert_eq!(map[at("Bye")], to.chars().count() - 3);
        assert_eq!(map[from.chars().count()], to.chars().count());
        assert_eq!(map[at("User")], 0, "a label maps to the start of its turn");
        let changed = alignment("caf\u{e9}s x", "cafxs x");
        assert_eq!(changed[4], 4);
        // A short turn: the window of agreement reaches into the next label.
        let from = "Interviewer: Say it.\n\nUser: q\u{301}u 👩\u{200d}👧 done.";
        let to = "Say it.\n\nq\u{301}u 👩\u{200d}👧 done.";
        let map = alignment(from, to);
        assert_eq!(map[at_in(from, "Say")], 0);
        assert_eq!(map[at_in(from, "q")], at_in(to, "q"));
        assert_eq!(map[at_in(from, "done")], at_in(to, "done"));
    }

    #[test]
    fn a_label_that_becomes_a_turn_break_in_repetitive_text_is_not_a_long_removal() {
        // Records that repeat line for line (the NVivo 12.6 sample's comment dump): a
        // line "Name: title" becomes a new turn, its label replaced by a blank line.
        let record = |text: &str| format!("id4\nPéter Ádám: a title\n2021\n@someone\n{text}\n1\n");
        let from = format!(
            "{}{}{}",
            record("First"),
            record("Second one"),
            record("Third")
        );
        let to = alignment_target(&from);
        let map = alignment(&from, &to);
        for quote in ["First", "Second one", "Third"] {
            let (start, end) = (
                at_in(&from, quote),
                at_in(&from, quote) + quote.chars().count(),
            );
            let covered: String = to
                .chars()
                .skip(map[start])
                .take(map[end] - map[start])
                .collect();
            assert_eq!(covered, quote);
        }
    }

    /// What the `.txt` import makes of a text with `Name: ` labels mid-way: each label
    /// line starts a turn, after a blank line, without its label.
    fn alignment_target(from: &str) -> String {
        from.replace("\nPéter Ádám: ", "\n\n")
    }
}
