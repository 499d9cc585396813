//! The `.txt` a `.qdpx` carries for a document, and where Gloss's positions fall in it.
//!
//! Gloss stores a transcript as its turn bodies (speaker labels live beside the text);
//! a reader of the exported file expects `Speaker: …` at the start of each turn. The
//! exported text is the stored text with each turn's label inserted before its body
//! (turn bodies are already separated by blank lines, LF, NFC), so a stored position
//! maps to an exported one by adding the lengths of the labels inserted before it.
//! An excerpt inside one turn covers exactly its text; one that runs across turns also
//! covers the labels of the turns it runs into (a reader sees who spoke), which an
//! import removes again.

use std::io::{self, Write};

use crate::domain::text::byte_offsets;

/// A turn as the exporter needs it: the code-point start of its body and its speaker.
#[derive(Debug, Clone)]
pub struct TurnStart<'a> {
    pub start: usize,
    pub speaker: &'a str,
}

/// The label written before a turn's body.
pub fn label(speaker: &str) -> Option<String> {
    let speaker = speaker.trim();
    (!speaker.is_empty()).then(|| format!("{speaker}: "))
}

/// Where stored positions fall in the exported text.
#[derive(Debug, Clone, Default)]
pub struct PositionMap {
    /// `(stored position, label length in code points)` of each inserted label, sorted.
    inserts: Vec<(usize, usize)>,
    /// `shift[i]` = total length of the labels `inserts[..i]`.
    shift: Vec<usize>,
}

impl PositionMap {
    pub fn new(turns: &[TurnStart<'_>]) -> Self {
        let mut inserts: Vec<(usize, usize)> = turns
            .iter()
            .filter_map(|t| label(t.speaker).map(|l| (t.start, l.chars().count())))
            .collect();
        inserts.sort_by_key(|i| i.0);
        let mut shift = Vec::with_capacity(inserts.len() + 1);
        let mut total = 0;
        shift.push(0);
        for (_, len) in &inserts {
            total += len;
            shift.push(total);
        }
        Self { inserts, shift }
    }

    /// An excerpt's `[start, end)` in the exported text. A label inserted exactly at
    /// the start comes before the excerpt; one inserted exactly at the end, after it.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let before_start = self.inserts.partition_point(|i| i.0 <= start);
        let before_end = self.inserts.partition_point(|i| i.0 < end);
        (
            start + self.shift[before_start],
            end + self.shift[before_end],
        )
    }
}

/// Writes the exported text: `text` (the stored text) with the turns' labels inserted.
/// UTF-8 without a byte-order mark, LF (the stored text already is).
pub fn write_text(out: &mut impl Write, text: &str, turns: &[TurnStart<'_>]) -> io::Result<()> {
    let mut labelled: Vec<(usize, String)> = turns
        .iter()
        .filter_map(|t| label(t.speaker).map(|l| (t.start, l)))
        .collect();
    labelled.sort_by_key(|(start, _)| *start);
    let starts: Vec<usize> = labelled.iter().map(|(start, _)| *start).collect();
    let bytes = byte_offsets(text, &starts);
    let mut written = 0;
    for ((_, label), byte) in labelled.iter().zip(bytes) {
        out.write_all(&text.as_bytes()[written..byte])?;
        out.write_all(label.as_bytes())?;
        written = byte;
    }
    out.write_all(&text.as_bytes()[written..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(text: &str, turns: &[TurnStart<'_>]) -> String {
        let mut out = Vec::new();
        write_text(&mut out, text, turns).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn slice(text: &str, (start, end): (usize, usize)) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn labels_start_each_turn_and_spans_cover_the_same_text() {
        let stored = "Hello 💛 there\n\nWell, e\u{301}h.\n\nYes";
        let turns = [
            TurnStart {
                start: 0,
                speaker: "Interviewer",
            },
            TurnStart {
                start: 15,
                speaker: "User",
            },
            TurnStart {
                start: 27,
                speaker: "Interviewer",
            },
        ];
        let exported = export(stored, &turns);
        assert_eq!(
            exported,
            "Interviewer: Hello 💛 there\n\nUser: Well, e\u{301}h.\n\nInterviewer: Yes"
        );
        let map = PositionMap::new(&turns);
        let chars = stored.chars().count();
        for start in 0..chars {
            for end in start + 1..=chars {
                // A span that crosses into another turn also covers that turn's label,
                // which the exported text has and the stored text does not.
                let crossed: String = turns
                    .iter()
                    .filter(|t| start < t.start && t.start < end)
                    .map(|t| label(t.speaker).unwrap())
                    .collect();
                let exported_slice = slice(&exported, map.span(start, end));
                let mut without_labels = exported_slice.clone();
                for t in &turns {
                    if start < t.start && t.start < end {
                        without_labels = without_labels.replacen(&label(t.speaker).unwrap(), "", 1);
                    }
                }
                assert_eq!(
                    without_labels,
                    slice(stored, (start, end)),
                    "[{start}, {end})"
                );
                assert_eq!(
                    exported_slice.chars().count(),
                    end - start + crossed.chars().count()
                );
            }
        }
    }

    #[test]
    fn text_before_the_first_turn_and_unlabelled_turns_stay_as_they_are() {
        let stored = "Preamble\n\nBody";
        let turns = [
            TurnStart {
                start: 10,
                speaker: "A",
            },
            TurnStart {
                start: 12,
                speaker: " ",
            },
        ];
        assert_eq!(export(stored, &turns), "Preamble\n\nA: Body");
        assert_eq!(PositionMap::new(&turns).span(10, 14), (13, 17));
        assert_eq!(export("x", &[]), "x");
    }
}
