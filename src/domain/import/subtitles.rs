//! WebVTT and SRT subtitles → speaker turns.
//!
//! A cue's speaker comes from a WebVTT voice tag (`<v Ann>`) or a `Name:`
//! prefix in the cue text (accepted like a speaker label in text: a
//! well-known name, or one used in at least two cues). Consecutive cues of
//! the same speaker merge into one turn that starts at the first cue's
//! start and ends at the last cue's end; cue texts join with a space,
//! because cue breaks are display breaks, not paragraphs. A cue without a
//! speaker continues the current turn (captions name the speaker only when
//! it changes); unnamed cues before the first named one form a leading
//! block.
//!
//! If no cue names a speaker the document has no turns: the cue texts
//! become plain text, with a paragraph break wherever the recording pauses
//! for [`PARAGRAPH_PAUSE_MS`] or more. Inventing an `Unknown` speaker would
//! put a fake label on every highlight.
//!
//! Markup is dropped: cue identifiers and settings, `NOTE`/`STYLE`/`REGION`
//! blocks, formatting tags (`<i>`, `<c.red>`, `<00:00:01.000>`, SRT's
//! `<font>` and `{\an8}`); character references (`&amp;`) are decoded.

use super::canonical::CanonicalText;
use super::labels;
use super::plain;
use super::timecode;
use super::{
    ImportError, ImportOptions, ParsedDocument, ParsedFile, ParsedTurn, SourceFormat, decode,
};

/// A pause this long between cues starts a new paragraph in subtitles
/// without speakers.
const PARAGRAPH_PAUSE_MS: u64 = 2_000;

/// The two subtitle formats; they differ only in their header and in the
/// decimal separator, which the cue reader accepts either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    WebVtt,
    Srt,
}

/// One timed cue, its text split where the voice changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cue {
    start_ms: u64,
    end_ms: u64,
    segments: Vec<Segment>,
}

/// Text spoken by one voice within a cue.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    speaker: Option<String>,
    text: String,
}

/// Imports a `.vtt` or `.srt` file as one document.
pub(super) fn parse_subtitle_file(
    file_name: &str,
    bytes: &[u8],
    flavor: Flavor,
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    let decoded = decode::decode_bytes(file_name, bytes)?;
    let mut notes = plain::encoding_notes(&decoded);
    let (text, repairs) = decode::canonical_form(&decoded.text, options.repair_mojibake);
    let (mut cues, ignored_blocks) = read_cues(file_name, &text, flavor)?;
    if cues.is_empty() {
        return Err(ImportError::NoCues {
            file: file_name.to_owned(),
        });
    }
    resolve_name_prefixes(&mut cues);
    let has_speakers = cues
        .iter()
        .flat_map(|cue| &cue.segments)
        .any(|segment| segment.speaker.is_some());
    let (text, turns) = if has_speakers {
        merge_into_turns(&cues)
    } else {
        notes.push(format!(
            "No cue names a speaker, so the subtitles were imported as plain text \
             (a new paragraph starts after each pause of {} s or more).",
            PARAGRAPH_PAUSE_MS / 1000
        ));
        (paragraphs_by_pause(&cues), Vec::new())
    };
    plain::require_text(file_name, &text)?;
    if ignored_blocks > 0 {
        notes.push(format!(
            "Ignored {ignored_blocks} block(s) without a cue timing line."
        ));
    }
    notes.extend(plain::repair_note(repairs));
    Ok(ParsedFile {
        file_name: file_name.to_owned(),
        format: match flavor {
            Flavor::WebVtt => SourceFormat::WebVtt,
            Flavor::Srt => SourceFormat::Srt,
        },
        encoding: decoded.encoding.name(),
        documents: vec![ParsedDocument {
            title: plain::file_stem(file_name).to_owned(),
            external_id: None,
            attributes: Vec::new(),
            text,
            turns,
            source_row: None,
        }],
        repairs,
        notes,
    })
}

/// The cues of a file, and how many blocks were neither cues, metadata nor
/// continuations of a cue. A block that tries to be a cue (a timing-like line
/// among its first two) but whose timing cannot be read is an error.
fn read_cues(
    file_name: &str,
    text: &str,
    flavor: Flavor,
) -> Result<(Vec<Cue>, usize), ImportError> {
    let mut cues: Vec<Cue> = Vec::new();
    let mut ignored = 0;
    for (index, block) in blocks(text).iter().enumerate() {
        if index == 0 && flavor == Flavor::WebVtt && block[0].starts_with("WEBVTT") {
            continue;
        }
        if is_metadata_block(block[0]) {
            continue;
        }
        if let Some((timing_at, start_ms, end_ms)) = find_timing(block) {
            cues.push(Cue {
                start_ms,
                end_ms,
                segments: segments(&block[timing_at + 1..]),
            });
            continue;
        }
        if let Some(line) = block.iter().take(2).find(|line| looks_like_timing(line)) {
            return Err(ImportError::BadCueTiming {
                file: file_name.to_owned(),
                line: line_number(text, line),
                text: line.trim().to_owned(),
            });
        }
        // Hand-made SRT files sometimes leave a blank line inside a cue's
        // text; such a block belongs to the cue before it. A lone number is
        // a cue index whose timing line is missing.
        match cues.last_mut() {
            Some(cue) if !is_index_line(block) => cue.segments.extend(segments(block)),
            _ => ignored += 1,
        }
    }
    Ok((cues, ignored))
}

/// Starts with a digit, has an arrow and a clock time (`12:34`): what a timing line
/// looks like, readable or not.
fn looks_like_timing(line: &str) -> bool {
    let bytes = line.as_bytes();
    line.trim_start().starts_with(|c: char| c.is_ascii_digit())
        && line.contains("->")
        && bytes
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit())
}

/// The 1-based line of `line`, a slice of `text`.
fn line_number(text: &str, line: &str) -> usize {
    let offset = (line.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Runs of non-blank lines.
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// WebVTT comment, style and region blocks.
fn is_metadata_block(first_line: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|keyword| {
        first_line
            .strip_prefix(keyword)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    })
}

fn is_index_line(block: &[&str]) -> bool {
    block.len() == 1 && block[0].trim().bytes().all(|b| b.is_ascii_digit())
}

/// The `start --> end [settings]` line (first or second line of a block,
/// after an optional identifier) and its times.
fn find_timing(block: &[&str]) -> Option<(usize, u64, u64)> {
    block.iter().take(2).enumerate().find_map(|(index, line)| {
        let (left, right) = line.split_once("-->")?;
        let start = timecode::parse_clock(left.trim())?;
        let end = timecode::parse_clock(right.split_whitespace().next()?)?;
        Some((index, start, end.max(start)))
    })
}

/// A cue's text lines as voice segments, markup removed, lines joined with
/// spaces.
fn segments(lines: &[&str]) -> Vec<Segment> {
    let mut segments = vec![Segment {
        speaker: None,
        text: String::new(),
    }];
    for line in lines {
        let current = segments.last_mut().map(|segment| &mut segment.text);
        if let Some(text) = current.filter(|text| !text.is_empty()) {
            text.push(' ');
        }
        read_markup(line.trim(), &mut segments);
    }
    segments
        .into_iter()
        .filter_map(|segment| {
            let text = segment.text.trim();
            (!text.is_empty()).then(|| Segment {
                speaker: segment.speaker,
                text: text.to_owned(),
            })
        })
        .collect()
}

/// Appends a line's text to the segments, starting a new segment at each
/// voice tag and dropping all other markup.
fn read_markup(line: &str, segments: &mut Vec<Segment>) {
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(close) = rest.find('>')
        {
            apply_tag(&rest[1..close], segments);
            rest = &rest[close + 1..];
            continue;
        }
        if rest.starts_with("{\\")
            && let Some(close) = rest.find('}')
        {
            rest = &rest[close + 1..];
            continue;
        }
        if c == '&'
            && let Some((decoded, length)) = character_reference(rest)
        {
            push_text(segments, decoded);
            rest = &rest[length..];
            continue;
        }
        push_text(segments, c);
        rest = &rest[c.len_utf8()..];
    }
}

fn push_text(segments: &mut [Segment], c: char) {
    if let Some(segment) = segments.last_mut() {
        segment.text.push(c);
    }
}

/// `<v Ann>` / `<v.loud Ann>` start Ann's segment, `</v>` ends it; every
/// other tag is formatting and is dropped.
fn apply_tag(tag: &str, segments: &mut Vec<Segment>) {
    let voice = tag
        .strip_prefix('v')
        .filter(|rest| rest.starts_with([' ', '\t', '.']))
        .map(|rest| {
            let name = rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, name)| name);
            name.trim().to_owned()
        });
    let speaker = match voice {
        Some(name) if !name.is_empty() => Some(name),
        Some(_) => None,
        None if tag == "/v" => None,
        None => return,
    };
    segments.push(Segment {
        speaker,
        text: String::new(),
    });
}

/// `&amp;`, `&#233;`, `&#xE9;` … at the start of `text`: the character
/// and the reference's byte length.
fn character_reference(text: &str) -> Option<(char, usize)> {
    let end = text.find(';').filter(|&end| end <= 10)?;
    let name = &text[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((c, end + 1))
}

/// Turns `Name: text` at the start of unvoiced segments into speakers.
/// A cue start is a structural position, unlike a line inside a text
/// transcript, so once at least two cues open with a name every such name
/// counts, even one that speaks only once; a single prefixed cue counts
/// only with a well-known name. Note-like words (`Note:`) never count.
fn resolve_name_prefixes(cues: &mut [Cue]) {
    let prefixed = cues
        .iter()
        .flat_map(|cue| &cue.segments)
        .filter_map(unvoiced_label)
        .filter(|line| !labels::is_note_word(line.label))
        .count();
    let accepted = |label: &str| {
        labels::is_well_known_speaker(label) || (prefixed >= 2 && !labels::is_note_word(label))
    };
    for segment in cues.iter_mut().flat_map(|cue| &mut cue.segments) {
        let Some(line) = unvoiced_label(segment) else {
            continue;
        };
        if accepted(line.label) && !line.body.is_empty() {
            let (speaker, body) = (line.label.to_owned(), line.body.to_owned());
            segment.speaker = Some(speaker);
            segment.text = body;
        }
    }
}

fn unvoiced_label(segment: &Segment) -> Option<labels::LabelLine<'_>> {
    match segment.speaker {
        Some(_) => None,
        None => labels::parse_label_line(&segment.text),
    }
}

/// A turn being assembled from consecutive cues.
struct OpenTurn {
    speaker: String,
    text: String,
    start_ms: u64,
    end_ms: u64,
}

/// Merges consecutive segments of one speaker into turns.
fn merge_into_turns(cues: &[Cue]) -> (String, Vec<ParsedTurn>) {
    let mut leading = String::new();
    let mut turns: Vec<OpenTurn> = Vec::new();
    for cue in cues {
        for segment in &cue.segments {
            let continues = match (&segment.speaker, turns.last()) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(speaker), Some(open)) => *speaker == open.speaker,
            };
            if continues {
                if let Some(open) = turns.last_mut() {
                    append(&mut open.text, &segment.text);
                    open.end_ms = open.end_ms.max(cue.end_ms);
                }
            } else if let Some(speaker) = &segment.speaker {
                turns.push(OpenTurn {
                    speaker: speaker.clone(),
                    text: segment.text.clone(),
                    start_ms: cue.start_ms,
                    end_ms: cue.end_ms,
                });
            } else {
                append(&mut leading, &segment.text);
            }
        }
    }
    let mut canonical = CanonicalText::default();
    if !leading.is_empty() {
        canonical.push_block(&leading);
    }
    let parsed = turns
        .into_iter()
        .map(|turn| {
            let (start, end) = canonical.push_block(&turn.text);
            ParsedTurn {
                speaker: turn.speaker,
                start,
                end,
                start_ms: Some(turn.start_ms),
                end_ms: Some(turn.end_ms),
            }
        })
        .collect();
    (canonical.into_string(), parsed)
}

/// Cue texts as paragraphs, broken at pauses.
fn paragraphs_by_pause(cues: &[Cue]) -> String {
    let mut canonical = CanonicalText::default();
    let mut paragraph = String::new();
    let mut previous_end: Option<u64> = None;
    for cue in cues {
        let paused = previous_end.is_some_and(|end| cue.start_ms >= end + PARAGRAPH_PAUSE_MS);
        if paused && !paragraph.is_empty() {
            canonical.push_block(&paragraph);
            paragraph.clear();
        }
        for segment in &cue.segments {
            append(&mut paragraph, &segment.text);
        }
        previous_end = Some(cue.end_ms);
    }
    if !paragraph.is_empty() {
        canonical.push_block(&paragraph);
    }
    canonical.into_string()
}

/// Appends with a single space between pieces.
fn append(text: &mut String, piece: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(piece);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_file_invariants, speakers, turn_text};
    use super::*;

    fn parse(name: &str, text: &str) -> ParsedFile {
        let flavor = if name.ends_with(".srt") {
            Flavor::Srt
        } else {
            Flavor::WebVtt
        };
        let file = parse_subtitle_file(name, text.as_bytes(), flavor, &ImportOptions::default())
            .expect("parses");
        assert_file_invariants(&file);
        file
    }

    const VOICED: &str = "WEBVTT - interview\n\nNOTE recorded on site\nby Ann\n\n\
        STYLE\n::cue { color: white }\n\n\
        intro\n00:00:01.000 --> 00:00:04.000 align:start line:0\n<v Ann>So, <i>how</i> did it start?\n\n\
        00:00:04.500 --> 00:00:06.000\n<v.loud Ann>Tell me &amp; take your time.</v>\n\n\
        00:00:06.000 --> 00:00:09.250\n<v Ben>It started <00:00:07.000><c.yellow>small</c>.\nVery small.\n\n\
        00:01:00.000 --> 00:01:02.000\n<v Ann>Thanks.</v>\n";

    #[test]
    fn a_cue_with_an_unreadable_timing_line_is_named_not_merged() {
        let srt = "1\n00:00:01,000 --> 00:00:03,000\nAnn: Hello there.\n\n2\n00:00:0x,600 -> 00:00:04,000\nBob: This cue has a broken timing line.\n\n3\n00:00:05,000 --> 00:00:06,000\nAnn: How are you?\n";
        let error = parse_subtitle_file(
            "broken.srt",
            srt.as_bytes(),
            Flavor::Srt,
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with(
                "“broken.srt”, line 6: “00:00:0x,600 -> 00:00:04,000” is not a cue timing line"
            ),
            "{error}"
        );
        // Text that merely mentions times is still cue text.
        let fine = "1\n00:00:01,000 --> 00:00:03,000\nAnn: We met at 10:30.\n\nThe meeting -> 11:00, then lunch.\n";
        let file = parse("fine.srt", fine);
        assert!(file.documents[0].text.contains("then lunch"));
    }

    #[test]
    fn voice_tags_become_merged_turns() {
        let file = parse("talk.vtt", VOICED);
        assert_eq!(file.format, SourceFormat::WebVtt);
        let document = &file.documents[0];
        assert_eq!(document.title, "talk");
        assert_eq!(speakers(document), ["Ann", "Ben", "Ann"]);
        assert_eq!(
            turn_text(document, 0),
            "So, how did it start? Tell me & take your time."
        );
        assert_eq!(turn_text(document, 1), "It started small. Very small.");
        let times: Vec<(Option<u64>, Option<u64>)> = document
            .turns
            .iter()
            .map(|t| (t.start_ms, t.end_ms))
            .collect();
        assert_eq!(
            times,
            [
                (Some(1_000), Some(6_000)),
                (Some(6_000), Some(9_250)),
                (Some(60_000), Some(62_000))
            ]
        );
        assert!(!document.text.contains("recorded"));
        assert!(!document.text.contains("color"));
    }

    #[test]
    fn name_prefixes_mark_speakers_and_unnamed_cues_continue() {
        let vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nMaria: Where were we?\n\n\
                   00:00:02.000 --> 00:00:03.000\nwith the garden.\n\n\
                   00:00:03.000 --> 00:00:05.000\nTom: Right.\n\n\
                   00:00:05.000 --> 00:00:07.000\nMaria: Yes.\n";
        let document = &parse("p.vtt", vtt).documents[0];
        assert_eq!(speakers(document), ["Maria", "Tom", "Maria"]);
        assert_eq!(turn_text(document, 0), "Where were we? with the garden.");
        assert_eq!(document.turns[0].end_ms, Some(3_000));
    }

    #[test]
    fn srt_with_indices_tags_and_a_stray_blank_line() {
        let srt = "1\n00:00:01,000 --> 00:00:02,500\n<i>Interviewer:</i> Ready?\n\n\
                   2\n00:00:03,000 --> 00:00:05,000\n{\\an8}Respondent: <font color=\"red\">Yes</font>,\n\nI am.\n\n\
                   3\n00:00:05,000 --> 00:00:06,000\nInterviewer: Good.\n";
        let file = parse("s.srt", srt);
        assert_eq!(file.format, SourceFormat::Srt);
        let document = &file.documents[0];
        assert_eq!(
            speakers(document),
            ["Interviewer", "Respondent", "Interviewer"]
        );
        assert_eq!(turn_text(document, 1), "Yes, I am.");
        assert_eq!(document.turns[1].start_ms, Some(3_000));
    }

    #[test]
    fn subtitles_without_speakers_become_paragraphs() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nHello and\n\n\
                   2\n00:00:02,100 --> 00:00:03,000\nwelcome.\n\n\
                   3\n00:00:09,000 --> 00:00:10,000\nLater on.\n";
        let file = parse("n.srt", srt);
        let document = &file.documents[0];
        assert!(document.turns.is_empty());
        assert_eq!(document.text, "Hello and welcome.\n\nLater on.");
        assert!(file.notes[0].contains("No cue names a speaker"));
    }

    #[test]
    fn files_without_cues_are_errors() {
        let error = parse_subtitle_file(
            "x.vtt",
            b"WEBVTT\n\nNOTE nothing here\n",
            Flavor::WebVtt,
            &ImportOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, ImportError::NoCues { .. }));
        assert!(error.to_string().contains("x.vtt"));
    }

    #[test]
    fn character_references() {
        assert_eq!(character_reference("&amp;x"), Some(('&', 5)));
        assert_eq!(character_reference("&#233;"), Some(('é', 6)));
        assert_eq!(character_reference("&#x1F49B;"), Some(('💛', 9)));
        assert_eq!(character_reference("&#0;"), None);
        assert_eq!(character_reference("& you;"), None);
        assert_eq!(character_reference("&"), None);
    }
}
