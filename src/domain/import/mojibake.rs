//! Repair of mojibake: UTF-8 that was once read as Windows-1252 or Latin-1,
//! so that `–` (E2 80 93) turned into `â€“`.
//!
//! Each garbled character is a run of characters that each stand for one
//! Windows-1252/Latin-1 byte; re-encoding the run gives back valid UTF-8.
//! A sequence is repaired only if it starts with a UTF-8 lead byte
//! (C2–F4), is followed by exactly the continuation bytes (80–BF) the lead
//! byte announces, decodes to one valid character that is not a control
//! character, and passes a plausibility check for two- and three-byte
//! sequences (see [`is_plausible_two_byte`], [`is_plausible_three_byte`]). Everything else is left untouched, so
//! correct text such as `NÃO`, `café` or `–` never changes.

use std::borrow::Cow;

/// A garbled sequence found in the text: where it is and what it meant.
struct Garbled {
    /// Byte range of the garbled characters in the text.
    start: usize,
    end: usize,
    /// The character the original UTF-8 bytes encoded.
    meant: char,
    /// Number of UTF-8 bytes (2, 3 or 4).
    width: usize,
}

/// Repairs every garbled sequence; returns the text and how many sequences
/// were repaired. Borrows the input when there is nothing to repair.
pub(super) fn repair(text: &str) -> (Cow<'_, str>, usize) {
    let candidates = find_candidates(text);
    let accepted: Vec<&Garbled> = candidates
        .iter()
        .enumerate()
        .filter(|&(index, garbled)| is_accepted(text, &candidates, index, garbled))
        .map(|(_, garbled)| garbled)
        .collect();
    if accepted.is_empty() {
        return (Cow::Borrowed(text), 0);
    }
    let mut repaired = String::with_capacity(text.len());
    let mut copied_up_to = 0;
    for garbled in &accepted {
        repaired.push_str(&text[copied_up_to..garbled.start]);
        repaired.push(garbled.meant);
        copied_up_to = garbled.end;
    }
    repaired.push_str(&text[copied_up_to..]);
    (Cow::Owned(repaired), accepted.len())
}

/// Every garbled sequence starts with one of Â…ô (U+00C2–U+00F4).
fn is_lead_char(c: char) -> bool {
    ('\u{C2}'..='\u{F4}').contains(&c)
}

/// All non-overlapping sequences that decode as UTF-8, left to right. Only
/// lead characters are examined closely, so clean text costs one scan.
fn find_candidates(text: &str) -> Vec<Garbled> {
    let mut found = Vec::new();
    let mut position = 0;
    while let Some(offset) = text[position..].find(is_lead_char) {
        let start = position + offset;
        match decode_at(text, start) {
            Some(garbled) => {
                position = garbled.end;
                found.push(garbled);
            }
            // Lead characters are all two bytes long in UTF-8.
            None => position = start + 2,
        }
    }
    found
}

/// Tries to read the characters from byte `start` on as the Windows-1252
/// bytes of one UTF-8 character.
fn decode_at(text: &str, start: usize) -> Option<Garbled> {
    let mut chars = text[start..].char_indices();
    let (_, lead_char) = chars.next()?;
    let lead = single_byte(lead_char)?;
    let width = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    for byte in bytes.iter_mut().take(width).skip(1) {
        let (_, c) = chars.next()?;
        *byte = single_byte(c).filter(|b| (0x80..=0xBF).contains(b))?;
    }
    let meant = std::str::from_utf8(&bytes[..width]).ok()?.chars().next()?;
    if meant.is_control() {
        return None;
    }
    let end = chars.next().map_or(text.len(), |(at, _)| start + at);
    Some(Garbled {
        start,
        end,
        meant,
        width,
    })
}

/// The byte a character stands for in Windows-1252, or in Latin-1 for the
/// five bytes Windows-1252 leaves undefined (decoders map them to C1
/// controls, e.g. the `\u{9d}` in `â€\u{9d}`, the mojibake of `”`).
fn single_byte(c: char) -> Option<u8> {
    let byte = match c {
        '\u{80}'..='\u{FF}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// Four-byte sequences (emoji, mostly: `ðŸ’›`) are accepted outright: a lead
/// letter followed by three symbols from the continuation range does not occur
/// in real text. Shorter ones must decode to something plausible on their own,
/// or touch another sequence (a garbled word of Greek, Cyrillic or Chinese).
fn is_accepted(text: &str, all: &[Garbled], index: usize, garbled: &Garbled) -> bool {
    if garbled.width > 3 {
        return true;
    }
    let touches_another = |other: Option<&Garbled>| {
        other.is_some_and(|o| o.end == garbled.start || o.start == garbled.end)
    };
    let previous = index.checked_sub(1).and_then(|i| all.get(i));
    if touches_another(previous) || touches_another(all.get(index + 1)) {
        return true;
    }
    if garbled.width == 3 {
        return is_plausible_three_byte(garbled.meant);
    }
    let follows_letter = text[..garbled.start]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic);
    is_plausible_two_byte(garbled.meant, follows_letter)
}

/// A lone three-byte sequence is repaired only if it decodes to punctuation or a
/// symbol (`â€“` → `–`, `â‚¬` → `€`, `â„¢` → `™`) or to a Latin letter with
/// stacked accents (Vietnamese `á»…` → `ễ`). Otherwise it is far more likely to be
/// correct text: an accented letter followed by two punctuation marks, as in
/// French `réglé\u{a0}»`, would "decode" to an unrelated CJK character.
fn is_plausible_three_byte(meant: char) -> bool {
    matches!(meant,
        '\u{1E00}'..='\u{1EFF}'   // Latin Extended Additional
        | '\u{2000}'..='\u{2BFF}' // punctuation, currency, letterlike, arrows, symbols
        | '\u{2E00}'..='\u{2E7F}' // supplemental punctuation
        | '\u{3000}'..='\u{303F}' // CJK punctuation
        | '\u{FE00}'..='\u{FE0F}' // variation selectors (emoji presentation)
        | '\u{FEFF}'               // byte-order mark
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
    )
}

/// A lone two-byte sequence is repaired only if it decodes to Latin-1 or
/// Latin Extended-A (`Ã©` → `é`, `Å‚` → `ł`, `Â ` → no-break space), or to
/// a combining accent after a letter (mojibake of decomposed text). Other
/// results, such as `É”` → `ɔ`, are far more likely to be correct text:
/// an accented capital followed by a closing quote. Runs of touching
/// sequences (garbled Greek or Cyrillic) are accepted by the caller.
fn is_plausible_two_byte(meant: char, follows_letter: bool) -> bool {
    ('\u{A0}'..='\u{17F}').contains(&meant)
        || (follows_letter && ('\u{300}'..='\u{36F}').contains(&meant))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> (String, usize) {
        let (out, count) = repair(text);
        (out.into_owned(), count)
    }

    #[test]
    fn repairs_the_usual_suspects() {
        let cases = [
            (
                "no right answers â€“ we are",
                "no right answers – we are",
                1,
            ),
            ("it didnâ€™t", "it didn’t", 1),
            ("â€œquotedâ€\u{9d}", "“quoted”", 2),
            ("cafÃ©", "café", 1),
            ("Ã¼ber", "über", 1),
            ("100Â\u{A0}km", "100\u{A0}km", 1),
            ("Â©", "©", 1),
            ("ZaÅ¼Ã³Å‚Ä‡", "Zażółć", 4),
            ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет", 6),
            ("love it ðŸ’›", "love it 💛", 1),
            ("e\u{CC}\u{81}", "e\u{301}", 1),
            ("Ã\u{85}", "Å", 1),
        ];
        for (garbled, expected, count) in cases {
            assert_eq!(
                repaired(garbled),
                (expected.to_owned(), count),
                "{garbled:?}"
            );
        }
    }

    #[test]
    fn leaves_correct_text_alone() {
        for text in [
            "café – naïve “quotes” ’",
            "NÃO É VERDADE, IRMÃ",
            "São Paulo, coração, ÃO",
            "Ã",
            "CAFÉ” he said",
            "ÓRGÃO…",
            "Ä ö ü ß Æ Ø Å",
            "price: 5€ – 10€",
            "plain ASCII",
            "Â",
            "â€",
            // An accented letter before two punctuation marks looks like a three-byte
            // sequence: French spacing, and quotes or dashes after a word.
            "« c’est réglé\u{a0}» et «\u{a0}voilà\u{a0}»",
            "“a café…” and “no, a rosé—”",
        ] {
            assert_eq!(repaired(text), (text.to_owned(), 0), "{text:?}");
        }
    }

    #[test]
    fn repairs_symbols_emoji_and_runs_of_garbled_letters() {
        for (garbled, meant) in [
            ("1 â‚¬ â€“ Brandâ„¢", "1 € – Brand™"),
            ("Nguyá»…n", "Nguyễn"),
            ("ðŸ’› ok", "💛 ok"),
            ("ä¸\u{AD}æ–‡", "中文"),
            ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),
        ] {
            assert_eq!(repaired(garbled).0, meant, "{garbled:?}");
        }
        assert_eq!(
            repaired("a lone ä¸\u{AD} stays").1,
            0,
            "a lone CJK sequence is too doubtful"
        );
    }

    #[test]
    fn repairs_only_the_garbled_part_of_mixed_text() {
        let (text, count) = repaired("NÃO – donâ€™t");
        assert_eq!(text, "NÃO – don’t");
        assert_eq!(count, 1);
    }
}
