//! Word `.docx` files: the text of `word/document.xml`, then the same
//! header and speaker-label parsing as a `.txt` file.
//!
//! Each `w:p` paragraph becomes one line (a Word paragraph is what a text
//! file has between line breaks), `w:t` holds the text, `w:tab` is a tab,
//! `w:br`/`w:cr` a line break. Deleted tracked changes (`w:delText`) and
//! field codes (`w:instrText`) are not text the reader sees, so they are
//! left out. The title comes from `docProps/core.xml` when it has one.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, Event};
use zip::ZipArchive;
use zip::result::ZipError;

use super::decode::{self, TextEncoding};
use super::detect::OLE_MAGIC;
use super::plain;
use super::{ImportError, ImportOptions, ParsedFile, SourceFormat};

const DOCUMENT_XML: &str = "word/document.xml";
const CORE_XML: &str = "docProps/core.xml";
/// The largest `document.xml` read: far above any transcript (a 500-page
/// document is a few MB), low enough that a zip bomb cannot exhaust memory.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// Imports a `.docx` file as one document.
pub(super) fn parse_docx(
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ParsedFile, ImportError> {
    let content = read_docx(file_name, bytes)?;
    let (text, repairs) = decode::canonical_form(&content.text, options.repair_mojibake);
    let parsed = plain::parse_text(&text);
    plain::require_text(file_name, &parsed.text)?;
    let mut notes = parsed.notes();
    notes.extend(plain::repair_note(repairs));
    let stem = plain::file_stem(file_name).to_owned();
    Ok(ParsedFile {
        file_name: file_name.to_owned(),
        format: SourceFormat::Docx,
        encoding: TextEncoding::Utf8.name(),
        documents: vec![parsed.into_document(content.title, |_| stem)],
        repairs,
        notes,
    })
}

/// The parts of a `.docx` that Gloss imports.
struct DocxContent {
    text: String,
    title: Option<String>,
}

fn read_docx(file_name: &str, bytes: &[u8]) -> Result<DocxContent, ImportError> {
    let fail = |reason: &str| ImportError::Docx {
        file: file_name.to_owned(),
        reason: reason.to_owned(),
    };
    if bytes.starts_with(OLE_MAGIC) {
        return Err(fail(
            "it is password-protected, or an old Word 97–2003 file renamed to .docx; remove \
             the password or use “Save as” → Word Document (.docx) and import it again",
        ));
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        fail(
            "it is damaged or not really a .docx (it cannot be opened as a zip archive); \
             open it in Word or LibreOffice and save it as .docx again",
        )
    })?;
    let Some(xml) = read_entry(file_name, &mut archive, DOCUMENT_XML)? else {
        return Err(fail(
            "it is a zip archive without word/document.xml, so not a Word document; \
             save the transcript as .docx or .txt and import that",
        ));
    };
    let text = document_text(&xml).map_err(|error| ImportError::Docx {
        file: file_name.to_owned(),
        reason: format!(
            "its word/document.xml is damaged ({error}); open it in Word or LibreOffice and \
             save it again"
        ),
    })?;
    // The title is a nicety: a damaged core.xml must not block the import.
    let title = read_entry(file_name, &mut archive, CORE_XML)
        .ok()
        .flatten()
        .and_then(|core| core_title(&core));
    Ok(DocxContent { text, title })
}

/// Reads one archive member as UTF-8, or `None` if it is missing.
fn read_entry(
    file_name: &str,
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, ImportError> {
    let fail = |reason: String| ImportError::Docx {
        file: file_name.to_owned(),
        reason,
    };
    let password_protected = || {
        fail(
            "it is password-protected; remove the password in Word (File → Info → Protect \
             Document) and import it again"
                .to_owned(),
        )
    };
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(ZipError::InvalidPassword) => return Err(password_protected()),
        Err(ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED)) => {
            return Err(password_protected());
        }
        Err(error) => return Err(fail(format!("its {name} cannot be read ({error})"))),
    };
    if entry.encrypted() {
        return Err(password_protected());
    }
    let mut bytes = Vec::new();
    entry
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| fail(format!("its {name} cannot be unpacked ({error})")))?;
    if bytes.len() as u64 > MAX_XML_BYTES {
        return Err(fail(format!(
            "its {name} is larger than {} MB; split the document",
            MAX_XML_BYTES / (1024 * 1024)
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec())
        .map(Some)
        .map_err(|_| fail(format!("its {name} is not UTF-8")))
}

/// The visible text of `document.xml`, one line per paragraph. XML that ends before its
/// elements are closed (a file cut off while copying or saving) is an error: the text
/// after the cut would be missing without a word.
fn document_text(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut text = String::new();
    let mut in_text = false;
    let mut run_depth = 0usize;
    let mut open: Vec<String> = Vec::new();
    loop {
        match reader.read_event().map_err(|error| error.to_string())? {
            Event::Start(element) => {
                open.push(element.name().as_ref().to_owned());
                match element.local_name().as_ref() {
                    "t" => in_text = true,
                    "r" => run_depth += 1,
                    name if run_depth > 0 => push_run_mark(name, &mut text),
                    _ => {}
                }
            }
            Event::Empty(element) => match element.local_name().as_ref() {
                "p" => text.push('\n'),
                name if run_depth > 0 => push_run_mark(name, &mut text),
                _ => {}
            },
            Event::End(element) => {
                open.pop();
                match element.local_name().as_ref() {
                    "t" => in_text = false,
                    "r" => run_depth = run_depth.saturating_sub(1),
                    "p" => text.push('\n'),
                    _ => {}
                }
            }
            Event::Text(content) if in_text => text.push_str(&content.xml10_content()),
            Event::CData(content) if in_text => text.push_str(&content),
            Event::GeneralRef(reference) if in_text => {
                push_reference(&reference, &mut text).map_err(|error| error.to_string())?
            }
            // Word never writes a DTD; one in a document is there to define entities (the
            // "billion laughs", external entities reading local files). Refuse it outright
            // rather than rely on entities staying unexpanded.
            Event::DocType(_) => {
                return Err("it declares a DOCTYPE with entity definitions, which Word \
                            documents never contain"
                    .to_owned());
            }
            Event::Eof => {
                return match open.last() {
                    None => Ok(text),
                    Some(innermost) => Err(format!(
                        "it ends inside <{innermost}> with {} element(s) still open, so the \
                         file was cut off",
                        open.len()
                    )),
                };
            }
            _ => {}
        }
    }
}

/// Run content that stands for a character: tabs, breaks, hyphens.
/// (`w:tab` outside a run is a tab-stop definition, not text.)
fn push_run_mark(name: &str, text: &mut String) {
    match name {
        "tab" => text.push('\t'),
        "br" | "cr" => text.push('\n'),
        "noBreakHyphen" => text.push('-'),
        _ => {}
    }
}

/// `&amp;`, `&#233;` … inside `w:t`.
fn push_reference(reference: &BytesRef<'_>, text: &mut String) -> Result<(), quick_xml::Error> {
    if let Some(c) = reference.resolve_char_ref()? {
        text.push(c);
    } else if let Some(resolved) = resolve_predefined_entity(reference) {
        text.push_str(resolved);
    } else {
        // An undeclared entity: keep it as written rather than lose it.
        text.push('&');
        text.push_str(reference);
        text.push(';');
    }
    Ok(())
}

/// `dc:title` from `docProps/core.xml`, if set.
fn core_title(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(element) if element.local_name().as_ref() == "title" => in_title = true,
            Event::End(element) if element.local_name().as_ref() == "title" => break,
            Event::Text(content) if in_title => title.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) if in_title => {
                push_reference(&reference, &mut title).ok()?
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::super::test_support::{assert_file_invariants, speakers, turn_text};
    use super::*;

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

    /// A minimal `.docx` with the given paragraphs' inner XML.
    pub(in super::super) fn build_docx(paragraphs: &[&str], title: Option<&str>) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|inner| format!("<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>{inner}</w:p>"))
            .collect();
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>"
        );
        let mut members = vec![
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types/>".to_owned(),
            ),
            (DOCUMENT_XML, document),
        ];
        if let Some(title) = title {
            members.push((
                CORE_XML,
                format!(
                    "<cp:coreProperties xmlns:cp=\"cp\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
                     <dc:title>{title}</dc:title></cp:coreProperties>"
                ),
            ));
        }
        zip_members(&members)
    }

    fn zip_members(members: &[(&str, String)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in members {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn run(text: &str) -> String {
        format!("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
    }

    fn parse(bytes: &[u8]) -> Result<ParsedFile, ImportError> {
        parse_docx("Interview 7.docx", bytes, &ImportOptions::default())
    }

    #[test]
    fn a_document_with_a_doctype_is_refused_whatever_its_entities() {
        for doctype in [
            "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>",
            "<!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        ] {
            let document = format!(
                "<?xml version=\"1.0\"?>{doctype}<w:document {W}><w:body><w:p><w:r>\
                 <w:t>User: &b;&xxe;</w:t></w:r></w:p></w:body></w:document>"
            );
            let bytes = zip_members(&[(DOCUMENT_XML, document)]);
            let error = parse(&bytes).unwrap_err().to_string();
            assert!(error.contains("DOCTYPE"), "{error}");
        }
    }

    #[test]
    fn paragraphs_runs_tabs_and_breaks_become_text_and_turns() {
        let bytes = build_docx(
            &[
                &format!(
                    "{}{}",
                    run("Interviewer:"),
                    "<w:r><w:tab/><w:t>How did you </w:t><w:t>start?</w:t></w:r>"
                ),
                "",
                &format!(
                    "{}<w:r><w:br/><w:t>Second line &amp; more &#233;</w:t></w:r>",
                    run("Maria: It was slow.")
                ),
                "<w:del><w:r><w:delText>deleted words</w:delText></w:r></w:del>",
                &run("Interviewer: And then?"),
                &run("Maria: Then it grew."),
            ],
            Some("Garden study &amp; notes"),
        );
        let file = parse(&bytes).unwrap();
        assert_file_invariants(&file);
        assert_eq!(file.format, SourceFormat::Docx);
        let document = &file.documents[0];
        assert_eq!(document.title, "Garden study & notes");
        assert_eq!(
            speakers(document),
            ["Interviewer", "Maria", "Interviewer", "Maria"]
        );
        assert_eq!(turn_text(document, 0), "How did you start?");
        assert_eq!(turn_text(document, 1), "It was slow.\nSecond line & more é");
        assert!(!document.text.contains("deleted"));
    }

    #[test]
    fn without_core_title_the_file_name_is_the_title() {
        let file = parse(&build_docx(&[&run("Just some field notes.")], None)).unwrap();
        assert_eq!(file.documents[0].title, "Interview 7");
        assert_eq!(file.documents[0].text, "Just some field notes.");
        assert_eq!(file.format, SourceFormat::Docx);
    }

    #[test]
    fn broken_and_foreign_archives_are_explained() {
        let not_zip = parse(b"PK\x03\x04 truncated").unwrap_err();
        assert!(
            not_zip
                .to_string()
                .contains("cannot be opened as a zip archive"),
            "{not_zip}"
        );
        let other_zip = zip_members(&[("notes.txt", "hi".to_owned())]);
        let error = parse(&other_zip).unwrap_err();
        assert!(error.to_string().contains("not a Word document"), "{error}");
        let ole = parse(OLE_MAGIC).unwrap_err();
        assert!(ole.to_string().contains("password-protected"), "{ole}");
        let broken_xml = zip_members(&[(DOCUMENT_XML, "<w:document><w:t>oops</w:x>".to_owned())]);
        let error = parse(&broken_xml).unwrap_err();
        assert!(error.to_string().contains("damaged"), "{error}");
        assert!(error.to_string().contains("Interview 7.docx"), "{error}");
    }

    #[test]
    fn a_cut_off_document_xml_is_refused() {
        let whole = "<?xml version=\"1.0\"?><w:document><w:body><w:p><w:r><w:t>User: one</w:t>\
                     </w:r></w:p><w:p><w:r><w:t>AI: two</w:t></w:r></w:p></w:body></w:document>";
        assert!(parse(&zip_members(&[(DOCUMENT_XML, whole.to_owned())])).is_ok());
        // Cut after a closed paragraph (well-formed so far), inside text, inside a tag.
        for cut in [
            whole.find("<w:p><w:r><w:t>AI").unwrap(),
            whole.find("two").unwrap(),
            whole.len() - 5,
        ] {
            let error =
                parse(&zip_members(&[(DOCUMENT_XML, whole[..cut].to_owned())])).unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("word/document.xml is damaged"),
                "{cut}: {message}"
            );
        }
        let error = parse(&zip_members(&[(
            DOCUMENT_XML,
            whole[..whole.find("AI").unwrap()].to_owned(),
        )]))
        .unwrap_err();
        assert!(
            error.to_string().contains(
                "it ends inside <w:t> with 5 element(s) still open, so the file was cut off"
            ),
            "{error}"
        );
    }

    #[test]
    fn encrypted_members_are_refused() {
        let mut bytes = build_docx(&[&run("secret")], None);
        // Set the "encrypted" flag (bit 0 of the general purpose flags) in
        // every local and central header, as a password-protected zip has.
        for at in 0..bytes.len().saturating_sub(10) {
            if bytes[at..].starts_with(b"PK\x03\x04") {
                bytes[at + 6] |= 1;
            } else if bytes[at..].starts_with(b"PK\x01\x02") {
                bytes[at + 8] |= 1;
            }
        }
        let error = parse(&bytes).unwrap_err();
        assert!(error.to_string().contains("password-protected"), "{error}");
    }
}
