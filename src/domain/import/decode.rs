//! Bytes → text: byte-order marks, UTF-8, UTF-16, the Windows-1252
//! fallback, and the normal form every canonical text is stored in
//! (LF line endings, NFC).

use std::borrow::Cow;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::ImportError;
use super::mojibake;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";
const UTF32LE_BOM: &[u8] = b"\xFF\xFE\x00\x00";
const UTF32BE_BOM: &[u8] = b"\x00\x00\xFE\xFF";

/// The character encodings Gloss reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextEncoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    /// The name reported to the user (WHATWG spelling).
    pub(super) fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }
}

/// Decoded text, before line endings and normal form are unified.
#[derive(Debug)]
pub(super) struct Decoded {
    pub text: String,
    pub encoding: TextEncoding,
    /// Set when the bytes were mostly UTF-8 but held invalid sequences, so
    /// the Windows-1252 fallback was a repair of a damaged file rather than
    /// the file's real encoding: the byte offset of the first bad byte.
    pub damaged_utf8_at: Option<usize>,
}

/// Decodes a whole file: a byte-order mark decides UTF-8 or UTF-16; without
/// one, valid UTF-8 is UTF-8 and anything else is read as Windows-1252,
/// which never fails. Empty and binary files are errors.
pub(super) fn decode_bytes(file_name: &str, bytes: &[u8]) -> Result<Decoded, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: file_name.to_owned(),
        });
    }
    // UTF-32's byte-order mark starts like UTF-16's, so it is checked first.
    if bytes.starts_with(UTF32LE_BOM) || bytes.starts_with(UTF32BE_BOM) {
        return Err(ImportError::Encoding {
            file: file_name.to_owned(),
            detail: "it is encoded as UTF-32, which Gloss does not read".to_owned(),
        });
    }
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return decode_utf16(file_name, rest, TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        return decode_utf16(file_name, rest, TextEncoding::Utf16Be);
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    reject_binary(file_name, bytes)?;
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: TextEncoding::Utf8,
            damaged_utf8_at: None,
        });
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: TextEncoding::Windows1252,
        damaged_utf8_at: damaged_utf8_offset(bytes),
    })
}

/// Turns decoded text into its canonical form: LF line endings, mojibake
/// repaired (when asked), NFC, no byte-order mark. Returns the text and the
/// number of repaired mojibake sequences.
///
/// Repair runs before NFC because a repaired sequence can yield a combining
/// mark that NFC must then compose with the letter before it.
pub(super) fn canonical_form(raw: &str, repair_mojibake: bool) -> (String, usize) {
    let unified = normalize_line_endings(raw);
    let (repaired, repairs) = if repair_mojibake {
        mojibake::repair(&unified)
    } else {
        (Cow::Borrowed(unified.as_ref()), 0)
    };
    let normalized = to_nfc(&repaired);
    let without_bom = normalized.strip_prefix('\u{FEFF}').unwrap_or(&normalized);
    (without_bom.to_owned(), repairs)
}

/// CRLF and lone CR become LF.
pub(super) fn normalize_line_endings(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// NFC, skipping the (slow) normaliser when a quick check proves the text
/// is already composed, which is nearly always.
pub(super) fn to_nfc(text: &str) -> Cow<'_, str> {
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

fn decode_utf16(
    file_name: &str,
    bytes: &[u8],
    encoding: TextEncoding,
) -> Result<Decoded, ImportError> {
    let decoder = if encoding == TextEncoding::Utf16Le {
        UTF_16LE
    } else {
        UTF_16BE
    };
    let Some(text) = decoder.decode_without_bom_handling_and_without_replacement(bytes) else {
        return Err(ImportError::Encoding {
            file: file_name.to_owned(),
            detail: format!(
                "it starts with a {} byte-order mark but contains invalid UTF-16 \
                 (an odd number of bytes or an unpaired surrogate)",
                encoding.name()
            ),
        });
    };
    if text.contains('\0') {
        return Err(ImportError::Binary {
            file: file_name.to_owned(),
            detail: "it contains NUL characters".to_owned(),
        });
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding,
        damaged_utf8_at: None,
    })
}

/// Refuses bytes that are not text: NUL bytes (with a special message for
/// UTF-16 saved without a byte-order mark, whose ASCII half is all NULs)
/// or a high share of other control characters.
fn reject_binary(file_name: &str, bytes: &[u8]) -> Result<(), ImportError> {
    let nul_count = bytes.iter().filter(|&&b| b == 0).count();
    if nul_count > 0 {
        let detail = if looks_like_bomless_utf16(bytes) {
            return Err(ImportError::Encoding {
                file: file_name.to_owned(),
                detail: "it looks like UTF-16 text saved without a byte-order mark".to_owned(),
            });
        } else {
            format!("it contains {nul_count} NUL byte(s)")
        };
        return Err(ImportError::Binary {
            file: file_name.to_owned(),
            detail,
        });
    }
    let control_count = bytes.iter().filter(|&&b| is_binary_control(b)).count();
    // Real text has at most a stray form feed or escape; binary formats are
    // full of low bytes. 1 % keeps a few odd bytes in a long text acceptable.
    if control_count > 0 && control_count * 100 > bytes.len() {
        return Err(ImportError::Binary {
            file: file_name.to_owned(),
            detail: format!(
                "{control_count} of its {} bytes are control codes",
                bytes.len()
            ),
        });
    }
    Ok(())
}

/// C0 control bytes that do not occur in text (tab, LF, VT, FF, CR and ESC do).
fn is_binary_control(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0x1B)
}

/// In UTF-16 of mostly Latin text, one byte of every pair is NUL.
fn looks_like_bomless_utf16(bytes: &[u8]) -> bool {
    let pairs = bytes.len() / 2;
    if pairs == 0 {
        return false;
    }
    let nul_at = |parity: usize| {
        bytes
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let most = nul_at(0).max(nul_at(1));
    most * 10 >= pairs * 7
}

/// Where the first invalid byte is, when the bytes are "UTF-8 with damage"
/// rather than a legacy encoding: more valid multi-byte UTF-8 characters
/// than invalid sequences. A genuine Windows-1252 file almost never holds a
/// valid multi-byte UTF-8 sequence, so this tells the two apart.
fn damaged_utf8_offset(bytes: &[u8]) -> Option<usize> {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    let mut first_invalid = None;
    let mut offset = 0;
    while offset < bytes.len() {
        match std::str::from_utf8(&bytes[offset..]) {
            Ok(rest) => {
                valid_multibyte += rest.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(error) => {
                let good = error.valid_up_to();
                let prefix = &bytes[offset..offset + good];
                // The prefix was just validated, so this cannot fail.
                if let Ok(text) = std::str::from_utf8(prefix) {
                    valid_multibyte += text.chars().filter(|c| !c.is_ascii()).count();
                }
                invalid += 1;
                first_invalid.get_or_insert(offset + good);
                offset += good + error.error_len().unwrap_or(bytes.len() - offset - good);
            }
        }
    }
    (valid_multibyte > invalid)
        .then_some(first_invalid)
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> Decoded {
        decode_bytes("t.txt", bytes).expect("decodes")
    }

    fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        bytes
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let plain = decode("café 💛".as_bytes());
        assert_eq!(
            (plain.text.as_str(), plain.encoding),
            ("café 💛", TextEncoding::Utf8)
        );
        let with_bom = decode(b"\xEF\xBB\xBFcaf\xC3\xA9");
        assert_eq!(with_bom.text, "café");
    }

    #[test]
    fn utf16_both_byte_orders_with_bom() {
        for little_endian in [true, false] {
            let decoded = decode(&utf16("User: café 💛\r\n", little_endian));
            assert_eq!(decoded.text, "User: café 💛\r\n");
            let expected = if little_endian {
                TextEncoding::Utf16Le
            } else {
                TextEncoding::Utf16Be
            };
            assert_eq!(decoded.encoding, expected);
        }
    }

    #[test]
    fn invalid_utf16_is_an_error_naming_the_file() {
        let mut odd = utf16("hi", true);
        odd.push(b'x');
        let unpaired = [0xFF, 0xFE, 0x00, 0xD8, b'a', 0x00];
        for bytes in [odd.as_slice(), &unpaired] {
            let error = decode_bytes("talk.txt", bytes).unwrap_err();
            assert!(matches!(error, ImportError::Encoding { .. }), "{error:?}");
            assert!(error.to_string().contains("talk.txt"));
        }
    }

    #[test]
    fn bomless_utf16_gets_its_own_message() {
        let bytes: Vec<u8> = "Hello there"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let error = decode_bytes("x.txt", &bytes).unwrap_err();
        assert!(error.to_string().contains("byte-order mark"), "{error}");
    }

    #[test]
    fn windows_1252_is_the_fallback() {
        let decoded = decode(b"caf\xe9 \x93quoted\x94");
        assert_eq!(decoded.text, "café “quoted”");
        assert_eq!(decoded.encoding, TextEncoding::Windows1252);
        assert_eq!(decoded.damaged_utf8_at, None);
    }

    #[test]
    fn mostly_utf8_with_a_bad_byte_is_flagged_as_damaged() {
        let decoded = decode(
            "naïve – ok\n"
                .as_bytes()
                .iter()
                .chain(b"bad \xff")
                .copied()
                .collect::<Vec<_>>()
                .as_slice(),
        );
        assert_eq!(decoded.encoding, TextEncoding::Windows1252);
        assert_eq!(decoded.damaged_utf8_at, Some(18));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert!(matches!(
            decode_bytes("e.txt", b""),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            decode_bytes("b.txt", b"abc\0def\x01\x02"),
            Err(ImportError::Binary { .. })
        ));
        let noisy: Vec<u8> = (0u8..=255).filter(|&b| b != 0).collect();
        assert!(matches!(
            decode_bytes("n.bin", &noisy),
            Err(ImportError::Binary { .. })
        ));
    }

    #[test]
    fn canonical_form_unifies_line_endings_and_composes() {
        let (text, repairs) = canonical_form("\u{FEFF}e\u{301}\r\na\rb\n", true);
        assert_eq!(text, "é\na\nb\n");
        assert_eq!(repairs, 0);
    }

    #[test]
    fn canonical_form_repairs_before_composing() {
        // "e" + mojibake of U+0301 (CC 81 read as Windows-1252).
        let (text, repairs) = canonical_form("caf e\u{CC}\u{81}", true);
        assert_eq!(text, "caf é");
        assert_eq!(repairs, 1);
        let (untouched, none) = canonical_form("â€“", false);
        assert_eq!((untouched.as_str(), none), ("â€“", 0));
    }
}
