//! Text documents: `.txt`/`.md` files, pasted text, CSV cells and the
//! text of `.docx` files all go through [`parse_text`]: header → title and
//! attributes, then speaker turns or, without speakers, plain text.

use super::decode::{self, Decoded, TextEncoding};
use super::header::{self, Header};
use super::speaker_turns::{self, Transcript};
use super::{ImportError, ImportOptions, ParsedDocument, ParsedFile, ParsedTurn, SourceFormat};

/// The longest title taken from a text's first line.
const MAX_DERIVED_TITLE_CHARS: usize = 120;

/// A text parsed into header and transcript, before its title is settled
/// (which depends on where the text came from).
#[derive(Debug)]
pub(super) struct ParsedText {
    pub header: Header,
    pub text: String,
    pub turns: Vec<ParsedTurn>,
    pub unwrapped_lines: usize,
    pub empty_turns: usize,
}

impl ParsedText {
    /// Builds the document, with `title` if the caller has one, else the
    /// header's title, else `fallback()`. A header title that is not used
    /// as the title is kept as a `Title` attribute, so nothing is lost.
    pub(super) fn into_document(
        self,
        title: Option<String>,
        fallback: impl FnOnce(&str) -> String,
    ) -> ParsedDocument {
        let mut attributes = self.header.attributes;
        let title = match (title, self.header.title) {
            (Some(title), Some(header_title)) => {
                attributes.push(("Title".to_owned(), header_title));
                title
            }
            (Some(title), None) | (None, Some(title)) => title,
            (None, None) => fallback(&self.text),
        };
        ParsedDocument {
            title,
            external_id: None,
            attributes,
            text: self.text,
            turns: self.turns,
            source_row: None,
        }
    }

    /// `SpeakerText` when speaker turns were found, else `PlainText`.
    pub(super) fn format(&self) -> SourceFormat {
        if self.turns.is_empty() {
            SourceFormat::PlainText
        } else {
            SourceFormat::SpeakerText
        }
    }

    /// Human-readable notes about what parsing changed.
    pub(super) fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.unwrapped_lines > 0 {
            notes.push(format!(
                "Joined {} hard-wrapped line(s) back into paragraphs.",
                self.unwrapped_lines
            ));
        }
        if self.empty_turns > 0 {
            notes.push(format!(
                "Skipped {} speaker label(s) with no text after them.",
                self.empty_turns
            ));
        }
        notes
    }
}

/// Parses canonical text (see [`decode::canonical_form`]).
pub(super) fn parse_text(text: &str) -> ParsedText {
    let (header, body) = header::split_header(text);
    let Transcript {
        text,
        turns,
        unwrapped_lines,
        empty_turns,
    } = speaker_turns::parse_transcript(body);
    ParsedText {
        header,
        text,
        turns,
        unwrapped_lines,
        empty_turns,
    }
}

/// A `.txt`/`.md` file (or any text file): decoded, repaired, parsed. The
/// title is the header's, else the file name without its extension.
pub(super) fn parse_text_file(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    let decoded = decode::decode_bytes(file_name, bytes)?;
    let mut notes = encoding_notes(&decoded);
    let (text, repairs) = decode::canonical_form(&decoded.text, options.repair_mojibake);
    let parsed = parse_text(&text);
    require_text(file_name, &parsed.text)?;
    notes.extend(parsed.notes());
    notes.extend(repair_note(repairs));
    let format = parsed.format();
    let stem = file_stem(file_name).to_owned();
    Ok(ParsedFile {
        file_name: file_name.to_owned(),
        format,
        encoding: decoded.encoding.name(),
        documents: vec![parsed.into_document(None, |_| stem)],
        repairs,
        notes,
    })
}

/// Pasted text: parsed exactly like an uploaded `.txt`. The title is the
/// given one, else the header's, else the text's first non-empty line.
pub(super) fn parse_pasted_text(
    title: Option<&str>,
    text: &str,
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    const FILE_NAME: &str = "pasted text";
    if text.trim().is_empty() {
        return Err(ImportError::NoText {
            file: FILE_NAME.to_owned(),
        });
    }
    let decoded = decode::decode_bytes(FILE_NAME, text.as_bytes())?;
    let (canonical, repairs) = decode::canonical_form(&decoded.text, options.repair_mojibake);
    let parsed = parse_text(&canonical);
    require_text(FILE_NAME, &parsed.text)?;
    let mut notes = parsed.notes();
    notes.extend(repair_note(repairs));
    let format = parsed.format();
    let given_title = title
        .map(str::trim)
        .filter(|title| !title.is_empty())
        .map(str::to_owned);
    Ok(ParsedFile {
        file_name: FILE_NAME.to_owned(),
        format,
        encoding: TextEncoding::Utf8.name(),
        documents: vec![parsed.into_document(given_title, title_from_first_line)],
        repairs,
        notes,
    })
}

/// An error when parsing left nothing to code.
pub(super) fn require_text(file_name: &str, text: &str) -> Result<(), ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::NoText {
            file: file_name.to_owned(),
        });
    }
    Ok(())
}

/// Notes about how the bytes were decoded, when it was not plain UTF-8.
pub(super) fn encoding_notes(decoded: &Decoded) -> Vec<String> {
    match (decoded.encoding, decoded.damaged_utf8_at) {
        (TextEncoding::Windows1252, Some(offset)) => vec![format!(
            "The file is mostly UTF-8 but has invalid bytes (the first at byte {offset}); \
             it was read as Windows-1252 instead. Check accented letters and punctuation."
        )],
        (TextEncoding::Windows1252, None) => {
            vec!["The file is not UTF-8; it was read as Windows-1252.".to_owned()]
        }
        _ => Vec::new(),
    }
}

/// A note on mojibake repairs, if there were any.
pub(super) fn repair_note(repairs: usize) -> Option<String> {
    (repairs > 0).then(|| {
        format!(
            "Repaired {repairs} garbled character(s) (text that had been decoded with \
             the wrong encoding, such as â€“ for –)."
        )
    })
}

/// `C:\fakepath\Interview 3.final.txt` → `Interview 3.final`.
pub(super) fn file_stem(file_name: &str) -> &str {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(dot) if dot > 0 => &name[..dot],
        _ => name,
    }
}

/// The first non-empty line, cut at a word boundary near
/// [`MAX_DERIVED_TITLE_CHARS`].
fn title_from_first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("Pasted text");
    if line.chars().count() <= MAX_DERIVED_TITLE_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(MAX_DERIVED_TITLE_CHARS).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(space) if space > MAX_DERIVED_TITLE_CHARS / 2 => cut[..space].trim_end(),
        _ => cut.as_str(),
    };
    format!("{at_word}…")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        assert_file_invariants, corpus_file_or_skip, speakers, turn_text,
    };
    use super::super::{ImportOptions, parse_file};
    use super::*;

    const SEED: &str = include_str!("../../../tests/fixtures/work_0759.txt");
    const ALIGNED_SYNTHETIC: &str =
        include_str!("../../../tests/fixtures/aligned_wrapped_synthetic.txt");

    fn import(file_name: &str, bytes: &[u8]) -> ParsedFile {
        let file = parse_file(file_name, bytes, &ImportOptions::default()).expect("imports");
        assert_file_invariants(&file);
        file
    }

    /// The seed's turns computed without the importer: split the text after
    /// the `---` rule at its three labels, trim, and apply the one repair.
    fn seed_turns_by_hand() -> Vec<(String, String)> {
        let body = SEED.split_once("\n---\n").expect("a rule").1;
        let mut turns: Vec<(String, String)> = Vec::new();
        for line in body.split('\n') {
            let label = ["Assistant: ", "User: ", "AI: "]
                .iter()
                .find(|label| line.starts_with(*label));
            match (label, turns.last_mut()) {
                (Some(label), _) => turns.push((
                    label.trim_end_matches([':', ' ']).to_owned(),
                    line[label.len()..].to_owned(),
                )),
                (None, Some((_, text))) => {
                    text.push('\n');
                    text.push_str(line);
                }
                (None, None) => assert!(line.trim().is_empty(), "{line:?}"),
            }
        }
        turns
            .into_iter()
            .map(|(speaker, text)| (speaker, text.trim().replace("â€“", "–")))
            .collect()
    }

    #[test]
    fn the_seed_imports_faithfully() {
        let file = import("work_0759.txt", SEED.as_bytes());
        assert_eq!(file.format, SourceFormat::SpeakerText);
        assert_eq!(file.encoding, "UTF-8");
        assert_eq!(file.repairs, 1);
        let document = &file.documents[0];
        assert_eq!(document.title, "Dialog 00355");
        assert_eq!(
            document.attributes,
            [("Transcript ID".to_owned(), "work_0759".to_owned())]
        );
        let expected = seed_turns_by_hand();
        assert_eq!(expected.len(), 19);
        assert_eq!(document.turns.len(), expected.len());
        // Assistant opens, then the participant and the AI alternate.
        let alternating: Vec<&str> = (0..19)
            .map(|index| match index {
                0 => "Assistant",
                odd if odd % 2 == 1 => "User",
                _ => "AI",
            })
            .collect();
        assert_eq!(speakers(document), alternating);
        for (index, (speaker, body)) in expected.iter().enumerate() {
            assert_eq!(&document.turns[index].speaker, speaker);
            assert_eq!(&turn_text(document, index), body, "turn {index}");
        }
        assert!(turn_text(document, 0).contains("no right or wrong answers – we're"));
        // Nothing but turns: the text is exactly the bodies joined.
        let joined: Vec<&str> = expected.iter().map(|(_, body)| body.as_str()).collect();
        assert_eq!(document.text, joined.join("\n\n"));
    }

    #[test]
    fn the_seed_keeps_its_mojibake_when_repair_is_off() {
        let options = ImportOptions {
            repair_mojibake: false,
            ..ImportOptions::default()
        };
        let file = parse_file("work_0759.txt", SEED.as_bytes(), &options).unwrap();
        assert_eq!(file.repairs, 0);
        assert!(file.documents[0].text.contains("answers â€“ we're"));
        assert!(file.notes.is_empty(), "{:?}", file.notes);
    }

    #[test]
    fn emoji_combining_marks_and_crlf() {
        let text = "# Caf\u{E9} notes\r\n\r\nInterviewer: How did it feel? 💛\r\n\r\n\
                    Participant 2: Honestly 🥹 \u{2014} cafe\u{301} au lait 😂\r\nSecond line.\r\n\r\n\
                    Interviewer: Thanks!\r\n";
        let file = import("notes.md", text.as_bytes());
        let document = &file.documents[0];
        assert_eq!(document.title, "Café notes");
        let expected = [
            "How did it feel? 💛",
            "Honestly 🥹 \u{2014} café au lait 😂\nSecond line.",
            "Thanks!",
        ];
        assert_eq!(document.turns.len(), 3);
        for (index, body) in expected.iter().enumerate() {
            let turn = &document.turns[index];
            let by_code_points: String = document
                .text
                .chars()
                .skip(turn.start)
                .take(turn.end - turn.start)
                .collect();
            assert_eq!(by_code_points, *body);
        }
        // 💛 is one code point, so the second turn starts 2 after the
        // first one's end (the blank line), not 2 + 3 bytes later.
        assert_eq!(document.turns[0].end, "How did it feel? 💛".chars().count());
        assert_eq!(document.turns[1].start, document.turns[0].end + 2);
        assert!(!document.text.contains('\r'));
        assert!(!document.text.contains('\u{301}'));
    }

    #[test]
    fn utf16_files_with_a_bom_import_like_utf8() {
        let text = "User: café 💛\r\n\r\nAI: ok";
        let little: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let big: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        for (bytes, encoding) in [(little, "UTF-16LE"), (big, "UTF-16BE")] {
            let file = import("u.txt", &bytes);
            assert_eq!(file.encoding, encoding);
            assert_eq!(file.documents[0].text, "café 💛\n\nok");
            assert_eq!(speakers(&file.documents[0]), ["User", "AI"]);
        }
    }

    #[test]
    fn windows_1252_text_is_decoded_and_noted() {
        let file = import("old.txt", b"User: caf\xe9 \x96 ok\n\nAI: fine");
        assert_eq!(file.encoding, "windows-1252");
        assert_eq!(file.documents[0].text, "café – ok\n\nfine");
        assert_eq!(
            file.notes,
            ["The file is not UTF-8; it was read as Windows-1252."]
        );
    }

    #[test]
    fn damaged_utf8_is_read_as_windows_1252_and_repaired() {
        // Valid UTF-8 "naïve – " then a stray Windows-1252 "é" (0xE9).
        let file = import("mixed.txt", b"na\xc3\xafve \xe2\x80\x93 caf\xe9");
        assert_eq!(file.documents[0].text, "naïve – café");
        assert_eq!(file.repairs, 2);
        assert!(file.notes[0].contains("mostly UTF-8"), "{:?}", file.notes);
    }

    #[test]
    fn mojibake_is_repaired_but_correct_text_is_not() {
        let garbled = "User: It didnâ€™t work â€œat allâ€\u{9d}, cafÃ© Ã¼ber.\n\nAI: NÃO, IRMÃ, São Paulo – café.";
        let file = import("g.txt", garbled.as_bytes());
        assert_eq!(
            file.documents[0].text,
            "It didn’t work “at all”, café über.\n\nNÃO, IRMÃ, São Paulo – café."
        );
        assert_eq!(file.repairs, 5);
        assert!(file.notes.iter().any(|note| note.contains("Repaired 5")));
    }

    #[test]
    fn plain_text_is_one_document_without_turns() {
        let file = import(
            "Field notes.txt",
            b"\n\nWe met at the allotment.\nNote: bring boots.\n\n",
        );
        assert_eq!(file.format, SourceFormat::PlainText);
        let document = &file.documents[0];
        assert_eq!(document.title, "Field notes");
        assert_eq!(
            document.text,
            "We met at the allotment.\nNote: bring boots."
        );
        assert!(document.turns.is_empty());
    }

    #[test]
    fn unreadable_files_are_explained() {
        let options = ImportOptions::default();
        for (name, bytes, expected) in [
            ("empty.txt", b"".as_slice(), "is empty"),
            ("blank.txt", b" \n\t\n", "contains no text"),
            ("nul.txt", b"User: a\0b", "NUL"),
            (
                "photo.jpg",
                b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01",
                "not a text file",
            ),
        ] {
            let error = parse_file(name, bytes, &options).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains(name) && message.contains(expected),
                "{message}"
            );
        }
    }

    #[test]
    fn pasted_text_takes_its_title_from_the_caller_header_or_first_line() {
        let options = ImportOptions::default();
        let given = parse_pasted_text(Some(" Session 4 "), "User: a\n\nAI: b", &options).unwrap();
        assert_eq!(given.documents[0].title, "Session 4");
        assert_eq!(given.file_name, "pasted text");
        let header =
            parse_pasted_text(None, "# From header\n\nUser: a\n\nAI: b", &options).unwrap();
        assert_eq!(header.documents[0].title, "From header");
        let first_line = parse_pasted_text(None, "\n  Walk with Sam  \nmore", &options).unwrap();
        assert_eq!(first_line.documents[0].title, "Walk with Sam");
        let file = parse_file("x.txt", "User: a\n\nAI: b".as_bytes(), &options).unwrap();
        assert_eq!(given.documents[0].text, file.documents[0].text);
        assert_eq!(given.documents[0].turns, file.documents[0].turns);
        let error = parse_pasted_text(None, "  \n ", &options).unwrap_err();
        assert!(error.to_string().contains("pasted text"));
    }

    /// Checks an aligned, hard-wrapped transcript: every turn is one
    /// flowing paragraph and the wrapped words are rejoined.
    fn assert_unwrapped(file: &ParsedFile) {
        let document = &file.documents[0];
        assert_eq!(file.format, SourceFormat::SpeakerText);
        assert!(
            file.notes.iter().any(|note| note.starts_with("Joined")),
            "{:?}",
            file.notes
        );
        for index in 0..document.turns.len() {
            let body = turn_text(document, index);
            assert!(!body.contains('\n'), "turn {index} still wrapped: {body:?}");
            assert!(
                !body.contains("  "),
                "turn {index} has a double space: {body:?}"
            );
        }
    }

    #[test]
    fn aligned_hard_wrapped_layout_synthetic() {
        let file = import("garden.txt", ALIGNED_SYNTHETIC.as_bytes());
        assert_unwrapped(&file);
        let document = &file.documents[0];
        assert_eq!(
            speakers(document),
            [
                "Automation",
                "Dana Whitfield",
                "teacher-2",
                "Dana Whitfield",
                "teacher-2",
                "teacher-2",
                "Speaker 3",
                "Dana Whitfield"
            ]
        );
        assert_eq!(
            turn_text(document, 1),
            "Thanks for making time today. Before we start, can I confirm that you are happy \
             for me to record this conversation for the garden study, and that I will send the \
             consent paperwork afterwards by email?"
        );
        assert!(turn_text(document, 3).contains("year, [inaudible 00:00:41] roughly"));
        assert_eq!(document.turns[4].start_ms, Some(58_000));
        assert!(turn_text(document, 4).starts_with("[00:00:58] It started"));
        assert_eq!(
            file.notes[0],
            "Joined 10 hard-wrapped line(s) back into paragraphs."
        );
    }

    #[test]
    fn qc_demo_interview_when_present() {
        let Some(bytes) =
            corpus_file_or_skip("qc_demo/admin-1.txt", "the synthetic layout test covers it")
        else {
            return;
        };
        let file = import("admin-1.txt", &bytes);
        assert_unwrapped(&file);
        let document = &file.documents[0];
        assert_eq!(document.turns.len(), 86);
        assert_eq!(
            &speakers(document)[..4],
            ["Automation", "Max Bigman", "admin-1", "Max Bigman"]
        );
        assert_eq!(
            turn_text(document, 1),
            "And I keep forgetting to send out these IRB official consent forms, but can I get \
             your verbal consent that it's okay if I am record this, just for using it for \
             transcription for the research project and then formally send you those documents \
             to sign after we hang up?"
        );
        assert!(turn_text(document, 4).contains("for the [Pallis 00:00:52] Unified School"));
        assert_eq!(turn_text(document, 85), "Uh-huh (affirmative). Bye.");
    }

    #[test]
    fn qc_demo_board_meeting_when_present() {
        let Some(bytes) = corpus_file_or_skip(
            "qc_demo/board_2017.txt",
            "the synthetic layout test covers it",
        ) else {
            return;
        };
        let file = import("board_2017.txt", &bytes);
        assert_unwrapped(&file);
        let document = &file.documents[0];
        assert_eq!(document.turns.len(), 131);
        let names = speakers(document);
        assert_eq!(
            &names[..5],
            [
                "Speaker 1",
                "Speaker 2",
                "Speaker 2",
                "Speaker 2",
                "Speaker 2"
            ]
        );
        for expected in [
            "Alfeck",
            "Committee 1",
            "Com 7",
            "Mr. Dabor",
            "Ms. Ofek",
            "Moderator",
        ] {
            assert!(names.contains(&expected), "{expected} missing");
        }
        assert_eq!(
            turn_text(document, 0),
            "Thank you. Let's move on to the preK-12 computer science curriculum."
        );
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("interview_03.txt"), "interview_03");
        assert_eq!(
            file_stem("C:\\fakepath\\Interview 3.final.md"),
            "Interview 3.final"
        );
        assert_eq!(file_stem("dir/.hidden"), ".hidden");
        assert_eq!(file_stem("noext"), "noext");
    }

    #[test]
    fn titles_from_first_lines_are_short() {
        assert_eq!(
            title_from_first_line("\n  First line  \nsecond"),
            "First line"
        );
        let long = "word ".repeat(40);
        let title = title_from_first_line(&long);
        assert!(
            title.chars().count() <= MAX_DERIVED_TITLE_CHARS + 1,
            "{title}"
        );
        assert!(title.ends_with("word…"), "{title}");
    }

    #[test]
    fn an_unused_header_title_becomes_an_attribute() {
        let parsed = parse_text("# Heading\n\nUser: a\n\nAI: b");
        let document = parsed.into_document(Some("Given".to_owned()), |_| unreachable!());
        assert_eq!(document.title, "Given");
        assert_eq!(
            document.attributes,
            [("Title".to_owned(), "Heading".to_owned())]
        );
    }
}
