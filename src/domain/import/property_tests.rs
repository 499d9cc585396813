//! Never-panics property tests: thousands of generated inputs, from random
//! bytes to near-miss transcripts, subtitles, CSV and `.docx` files,
//! through every public entry point. Every success must satisfy the
//! document invariants; every error must name the file.

use super::docx::tests::build_docx;
use super::test_support::assert_file_invariants;
use super::{ImportError, ImportOptions, ParsedFile, inspect_csv, parse_file, parse_pasted_text};

/// A small deterministic PRNG (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces that steer inputs into the parsers' interesting corners.
const FRAGMENTS: &[&str] = &[
    "User:",
    "User: ",
    "AI: ",
    "Assistant: ",
    "Interviewer:\t",
    "Max Bigman:         ",
    "admin-1:     ",
    "Speaker 2:          ",
    "P3: ",
    "Q: ",
    "Note: ",
    "For example: ",
    "**Interviewer:** ",
    "Ann (00:01:02): ",
    "[00:00:52] ",
    "(1:02) ",
    "Mr. Dabor: ",
    "\r\n",
    "\n",
    "\n\n",
    "\r",
    "\u{FEFF}",
    "-->",
    " --> ",
    "00:00:01.000",
    "00:00:02,500",
    "99:99",
    "<v Ann>",
    "<v.loud Ben>",
    "<v",
    "</v>",
    "<i>",
    "<00:00:01.000>",
    ">",
    "<",
    "{\\an8}",
    "&amp;",
    "&#x1F49B;",
    "&#",
    "&",
    "\"",
    ",",
    "\"\"",
    "\t",
    "WEBVTT\n\n",
    "NOTE ",
    "STYLE\n",
    "1\n",
    "# Title\n",
    "**Key:** value\n",
    "Key: value\n",
    "---\n",
    "***",
    "é",
    "e\u{301}",
    "\u{301}",
    "💛",
    "🥹",
    "😂",
    "â€“",
    "â€™",
    "â€\u{9d}",
    "Ã©",
    "Ã",
    "Â",
    "Â\u{A0}",
    "ðŸ’",
    "\u{9d}",
    " ",
    "  ",
    "a",
    "word ",
    "- item\n",
    "1. item\n",
    "\u{0}",
    "\u{1}",
    "\u{85}",
    "\u{2028}",
    "\u{A0}",
    ":",
];

/// Wrapped-looking prose, so the hard-wrap path gets exercised.
const WRAPPED_LINE: &str = "this line is about seventy characters long so that it looks wrapped, ";

const FILE_NAMES: &[&str] = &[
    "t.txt", "t.md", "t.csv", "t.tsv", "t.vtt", "t.srt", "t.docx", "t", "t.bin", "t.pdf",
];

fn fragment_soup(rng: &mut Rng) -> String {
    let pieces = rng.below(40);
    let mut text = String::new();
    for _ in 0..pieces {
        match rng.below(10) {
            0 => text.push_str(WRAPPED_LINE),
            1 => text.push(char::from_u32(rng.below(0x3000) as u32).unwrap_or('?')),
            _ => text.push_str(rng.pick::<&str>(FRAGMENTS)),
        }
    }
    text
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let length = rng.below(200);
    (0..length).map(|_| rng.next() as u8).collect()
}

/// Soup as bytes, sometimes behind a byte-order mark or re-encoded, and
/// sometimes with a few bytes flipped.
fn encoded_soup(rng: &mut Rng) -> Vec<u8> {
    let text = fragment_soup(rng);
    let mut bytes = match rng.below(6) {
        0 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        1 => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        2 => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        _ => text.into_bytes(),
    };
    if rng.below(3) == 0 && !bytes.is_empty() {
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            bytes[at] = rng.next() as u8;
        }
    }
    bytes
}

/// A valid `.docx` of soup paragraphs, sometimes truncated or corrupted.
fn docx_soup(rng: &mut Rng) -> Vec<u8> {
    let paragraphs: Vec<String> = (0..rng.below(6))
        .map(|_| {
            let text = fragment_soup(rng)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace(|c: char| c.is_control() && c != '\t' && c != '\n', "");
            format!("<w:r><w:t xml:space=\"preserve\">{text}</w:t><w:br/><w:tab/></w:r>")
        })
        .collect();
    let inner: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let mut bytes = build_docx(&inner, (rng.below(2) == 0).then_some("T &amp; t"));
    match rng.below(4) {
        0 => bytes.truncate(rng.below(bytes.len())),
        1 => {
            let at = rng.below(bytes.len());
            bytes[at] ^= 0xFF;
        }
        _ => {}
    }
    bytes
}

fn check(file_name: &str, result: Result<ParsedFile, ImportError>) {
    match result {
        Ok(file) => {
            assert_file_invariants(&file);
            assert!(
                !file.documents.is_empty(),
                "{file_name}: Ok without documents"
            );
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains(file_name),
                "{message:?} does not name {file_name}"
            );
        }
    }
}

#[test]
fn no_input_panics_or_breaks_the_invariants() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let options = [
        ImportOptions::default(),
        ImportOptions {
            repair_mojibake: false,
            ..ImportOptions::default()
        },
    ];
    for case in 0..6_000 {
        let bytes = match case % 4 {
            0 => random_bytes(&mut rng),
            1 | 2 => encoded_soup(&mut rng),
            _ => docx_soup(&mut rng),
        };
        let file_name = *rng.pick(FILE_NAMES);
        let options = rng.pick(&options);
        check(file_name, parse_file(file_name, &bytes, options));
        if file_name.ends_with("sv")
            && let Err(error) = inspect_csv(file_name, &bytes)
        {
            assert!(error.to_string().contains(file_name));
        }
        let text = fragment_soup(&mut rng);
        check("pasted text", parse_pasted_text(None, &text, options));
    }
}

#[test]
fn the_generator_reaches_the_interesting_paths() {
    // Guards the property test against silently testing only errors.
    let mut rng = Rng(7);
    let mut with_turns = 0;
    let mut unwrapped = 0;
    for _ in 0..2_000 {
        let text = fragment_soup(&mut rng);
        if let Ok(file) = parse_pasted_text(None, &text, &ImportOptions::default()) {
            with_turns += usize::from(!file.documents[0].turns.is_empty());
            unwrapped += usize::from(file.notes.iter().any(|note| note.contains("hard-wrapped")));
        }
    }
    assert!(with_turns > 50, "{with_turns}");
    assert!(unwrapped > 0, "{unwrapped}");
}
