//! Which importer a file goes to: by extension, else by content, with a
//! helpful refusal for formats people commonly try (PDF, old `.doc`,
//! audio).

use super::ImportError;

/// The importers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileKind {
    Text,
    Delimited { delimiter: u8 },
    WebVtt,
    Srt,
    Docx,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// OLE compound files: Word 97–2003 `.doc`, and password-protected `.docx`.
pub(super) const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const PDF_MAGIC: &[u8] = b"%PDF";
const RTF_MAGIC: &[u8] = b"{\\rtf";

/// Decides the importer for a file.
pub(super) fn detect(file_name: &str, bytes: &[u8]) -> Result<FileKind, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: file_name.to_owned(),
        });
    }
    let extension = extension(file_name);
    match extension.as_str() {
        "txt" | "text" | "md" | "markdown" => Ok(FileKind::Text),
        "csv" | "tsv" => Ok(FileKind::Delimited {
            delimiter: delimiter_for(file_name),
        }),
        "vtt" | "webvtt" => Ok(FileKind::WebVtt),
        "srt" => Ok(FileKind::Srt),
        "docx" => Ok(FileKind::Docx),
        _ => known_unsupported(file_name, &extension, bytes)
            .map_or_else(|| sniff(file_name, bytes), Err),
    }
}

/// `,` for CSV, tab for `.tsv` files.
pub(super) fn delimiter_for(file_name: &str) -> u8 {
    if extension(file_name) == "tsv" {
        b'\t'
    } else {
        b','
    }
}

fn extension(file_name: &str) -> String {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(dot) if dot > 0 => name[dot + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Content-based detection for files without a known extension.
fn sniff(file_name: &str, bytes: &[u8]) -> Result<FileKind, ImportError> {
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(FileKind::Docx);
    }
    if let Some(error) = refuse_by_magic(file_name, bytes) {
        return Err(error);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let head = head.trim_start_matches('\u{FEFF}');
    if head.starts_with("WEBVTT") {
        return Ok(FileKind::WebVtt);
    }
    if looks_like_srt(head) {
        return Ok(FileKind::Srt);
    }
    // Anything else is tried as text; the decoder refuses binary data.
    Ok(FileKind::Text)
}

/// `1` / `00:00:01,000 --> …` at the start.
fn looks_like_srt(head: &str) -> bool {
    let mut lines = head.lines().map(str::trim).filter(|line| !line.is_empty());
    let index_line = lines
        .next()
        .is_some_and(|line| line.bytes().all(|b| b.is_ascii_digit()));
    index_line && lines.next().is_some_and(|line| line.contains("-->"))
}

/// Extensions people try that Gloss cannot read, with advice.
fn known_unsupported(file_name: &str, extension: &str, bytes: &[u8]) -> Option<ImportError> {
    let (kind, advice) = match extension {
        "doc" => (
            "an old Word 97–2003 document (.doc)",
            "Open it in Word or LibreOffice and save it as .docx, then import that.",
        ),
        "pdf" => (
            "a PDF",
            "Export the transcript as .docx or .txt from the program that made it.",
        ),
        "rtf" | "odt" | "pages" => (
            "a word-processor format other than .docx",
            "Save it as .docx or .txt, then import that.",
        ),
        "xlsx" | "xls" | "ods" | "numbers" => (
            "a spreadsheet",
            "Save the sheet as CSV (UTF-8), then import the .csv file.",
        ),
        "mp3" | "wav" | "m4a" | "mp4" | "mov" | "ogg" | "webm" => (
            "an audio or video recording",
            "Gloss imports transcripts: transcribe the recording first and import the text, \
             or import its .vtt/.srt subtitles.",
        ),
        _ => return refuse_by_magic(file_name, bytes),
    };
    Some(unsupported(file_name, kind, advice))
}

/// Recognisable non-text formats under an unknown extension.
fn refuse_by_magic(file_name: &str, bytes: &[u8]) -> Option<ImportError> {
    let (kind, advice) = if bytes.starts_with(PDF_MAGIC) {
        (
            "a PDF",
            "Export the transcript as .docx or .txt from the program that made it.",
        )
    } else if bytes.starts_with(OLE_MAGIC) {
        (
            "an old Word/Excel file or a password-protected Office document",
            "Remove the password and save it as .docx (or a spreadsheet as CSV), then import it.",
        )
    } else if bytes.starts_with(RTF_MAGIC) {
        (
            "an RTF document",
            "Save it as .docx or .txt, then import that.",
        )
    } else {
        return None;
    };
    Some(unsupported(file_name, kind, advice))
}

fn unsupported(file_name: &str, kind: &str, advice: &str) -> ImportError {
    ImportError::Unsupported {
        file: file_name.to_owned(),
        kind: kind.to_owned(),
        advice: advice.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_choose_the_importer() {
        let cases = [
            ("a.TXT", FileKind::Text),
            ("notes.md", FileKind::Text),
            ("set.csv", FileKind::Delimited { delimiter: b',' }),
            ("set.tsv", FileKind::Delimited { delimiter: b'\t' }),
            ("talk.vtt", FileKind::WebVtt),
            ("talk.srt", FileKind::Srt),
            ("talk.docx", FileKind::Docx),
        ];
        for (name, kind) in cases {
            assert_eq!(detect(name, b"x").unwrap(), kind, "{name}");
        }
    }

    #[test]
    fn unknown_extensions_are_sniffed() {
        assert_eq!(detect("x", b"WEBVTT\n\n").unwrap(), FileKind::WebVtt);
        assert_eq!(
            detect("x.sub", b"1\n00:00:01,000 --> 00:00:02,000\nHi").unwrap(),
            FileKind::Srt
        );
        assert_eq!(detect("x.dat", b"PK\x03\x04rest").unwrap(), FileKind::Docx);
        assert_eq!(detect("x.log", b"User: hi").unwrap(), FileKind::Text);
    }

    #[test]
    fn common_wrong_formats_get_advice() {
        for (name, bytes) in [
            ("a.pdf", b"%PDF-1.7".as_slice()),
            ("a.bin", b"%PDF-1.7".as_slice()),
            ("a.doc", OLE_MAGIC),
            ("a.mp3", b"ID3"),
            ("a.xlsx", b"PK\x03\x04"),
        ] {
            let error = detect(name, bytes).unwrap_err();
            assert!(matches!(error, ImportError::Unsupported { .. }), "{name}");
            assert!(error.to_string().contains(name), "{error}");
        }
    }

    #[test]
    fn empty_files_are_refused_before_anything_else() {
        assert!(matches!(
            detect("a.csv", b""),
            Err(ImportError::Empty { .. })
        ));
    }
}
