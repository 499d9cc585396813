//! Reading a peer's project file (`.qde`) into what Gloss can import, tolerating what
//! real files do (GUID spellings, `rgb()` colours, `isCodable="false"` folders, notes,
//! cases) and refusing what is hostile (DOCTYPE and entity declarations, dangling
//! references). Kinds Gloss does not import are counted, so the summary can say so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::guid::{self, Guid};

mod parser;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Code {
    pub guid: String,
    pub name: String,
    /// `#rrggbb`, if the file gave a colour Gloss understands.
    pub color: Option<String>,
    pub description: String,
    /// Index of the parent in `Project::codes`.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub guid: Guid,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub creating_user: Option<Guid>,
    pub description: String,
    pub code_guids: Vec<Guid>,
    pub note_guids: Vec<Guid>,
}

#[derive(Debug, Clone, Default)]
pub struct TextSource {
    pub guid: String,
    pub name: String,
    pub plain_text_path: Option<String>,
    pub plain_text_content: Option<String>,
    pub selections: Vec<Selection>,
    /// `(variable GUID, value)`.
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub name: String,
    pub description: String,
    /// GUID → name.
    pub users: BTreeMap<String, String>,
    pub codes: Vec<Code>,
    /// GUID → name.
    pub variables: HashMap<String, String>,
    /// Per source GUID, `(variable GUID, value)` from the cases that name it.
    pub case_values: HashMap<String, Vec<(String, String)>>,
    pub sources: Vec<TextSource>,
    /// Note GUID → its text.
    pub notes: HashMap<String, String>,
    /// What the file holds that Gloss does not import, counted per kind.
    pub not_imported: BTreeMap<String, usize>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn guid_attr(e: &BytesStart<'_>, name: &str, element: &str) -> Result<String, ReadError> {
    let raw = attr(e, name).unwrap_or_default();
    guid::normalise(&raw).ok_or_else(|| not_a_guid(element, name, &raw))
}

/// [`guid_attr`] held as bytes.
fn guid_value(e: &BytesStart<'_>, name: &str, element: &str) -> Result<Guid, ReadError> {
    let raw = attr(e, name).unwrap_or_default();
    Guid::parse(&raw).ok_or_else(|| not_a_guid(element, name, &raw))
}

fn not_a_guid(element: &str, name: &str, raw: &str) -> ReadError {
    ReadError(format!(
        "a <{element}> has {name}=\"{raw}\", which is not a GUID"
    ))
}

/// `#rgb`, `#rrggbb`, `#aarrggbb`/`#rrggbbaa` (alpha dropped) or `rgb(r, g, b)`.
pub fn color(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if let Some(inner) = raw
        .strip_prefix("rgb(")
        .or_else(|| raw.strip_prefix("rgba("))
        .and_then(|s| s.strip_suffix(')'))
    {
        let parts: Vec<u8> = inner
            .split(',')
            .take(3)
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        return (parts.len() == 3)
            .then(|| format!("#{:02x}{:02x}{:02x}", parts[0], parts[1], parts[2]));
    }
    let hex = raw.trim_start_matches('#').to_ascii_lowercase();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        3 => Some(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        6 => Some(format!("#{hex}")),
        // Alpha first (ARGB, as .NET writes it); REFI peers that write alpha do so.
        8 => Some(format!("#{}", &hex[2..])),
        _ => None,
    }
}

const NOT_IMPORTED: [&str; 8] = [
    "PictureSource",
    "PDFSource",
    "AudioSource",
    "VideoSource",
    "Sets",
    "Links",
    "Graphs",
    "NoteRef on codes and sources",
];

/// Reads a project file whole, every source with its selections (codebooks, tests).
/// `xml` is the file's text (a BOM is tolerated).
pub fn project(xml: &str) -> Result<Project, ReadError> {
    let mut sources = Vec::new();
    let mut project = outline_keeping(xml.as_bytes(), &mut |source| sources.push(source))?;
    project.sources = sources;
    Ok(project)
}

/// The first of an import's two passes over a project file, read as it streams in (from
/// the archive, unpacked as it is read): everything but the sources (users, codebook,
/// variables, cases, notes, what is not imported), with every reference the sources'
/// selections make checked. Each source's selections are dropped once checked, so memory
/// does not grow with the file. The sources follow in the second pass, [`each_source`].
pub fn outline(input: impl BufRead) -> Result<Project, ReadError> {
    outline_keeping(input, &mut |_| {})
}

fn outline_keeping(
    input: impl BufRead,
    keep: &mut dyn FnMut(TextSource),
) -> Result<Project, ReadError> {
    let mut references = References::default();
    let project = parser::read(input, parser::Part::Whole, &mut |source| {
        references.note(&source);
        keep(source);
        Ok(())
    })?;
    references.check(&project)?;
    Ok(project)
}

/// The second pass over a project file whose [`outline`] has been read: each text source
/// with its selections, in file order, handed to `each` as soon as it is read. Anything
/// else in the file is skipped unread.
pub fn each_source(
    input: impl BufRead,
    mut each: impl FnMut(TextSource) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    parser::read(input, parser::Part::Sources, &mut each).map(drop)
}

/// Reads a codebook file (`.qdc`): its codes, nested, and what it holds that Gloss does
/// not import (sets).
pub fn codebook(xml: &str) -> Result<(Vec<Code>, BTreeMap<String, usize>), ReadError> {
    let read = project(xml)?;
    if read.codes.is_empty() {
        return Err(ReadError("the codebook file has no codes".into()));
    }
    Ok((read.codes, read.not_imported))
}

/// The codes and notes the selections refer to, each with where it is first mentioned
/// (a running count of references in file order) and by which selection: codes and
/// notes may be defined after the sources that use them, so the check waits for the end
/// of the file, and only the distinct GUIDs are kept, not the selections.
#[derive(Default)]
struct References {
    codes: HashMap<Guid, (usize, Guid)>,
    notes: HashMap<Guid, (usize, Guid)>,
    mentions: usize,
}

impl References {
    fn note(&mut self, source: &TextSource) {
        for selection in &source.selections {
            for (kind, guids) in [
                (&mut self.codes, &selection.code_guids),
                (&mut self.notes, &selection.note_guids),
            ] {
                for guid in guids {
                    kind.entry(*guid).or_insert((self.mentions, selection.guid));
                    self.mentions += 1;
                }
            }
        }
    }

    /// Every code and note a selection refers to must exist: a dangling GUID is an error
    /// naming it (the first mentioned, if several), never a silently lost coding.
    fn check(&self, project: &Project) -> Result<(), ReadError> {
        let mut seen = HashSet::new();
        for code in &project.codes {
            if !seen.insert(code.guid.as_str()) {
                return Err(ReadError(format!(
                    "the code GUID {} is used twice",
                    code.guid
                )));
            }
        }
        let codes: HashSet<Guid> = project
            .codes
            .iter()
            .filter_map(|c| Guid::parse(&c.guid))
            .collect();
        let notes: HashSet<Guid> = project
            .notes
            .keys()
            .filter_map(|g| Guid::parse(g))
            .collect();
        let first_missing = |mentioned: &HashMap<Guid, (usize, Guid)>, known: &HashSet<Guid>| {
            mentioned
                .iter()
                .filter(|(guid, _)| !known.contains(guid))
                .map(|(guid, &(at, selection))| (at, *guid, selection))
                .min_by_key(|(at, _, _)| *at)
        };
        let code = first_missing(&self.codes, &codes);
        let note = first_missing(&self.notes, &notes);
        match (code, note) {
            (Some((at, missing, selection)), note) if note.is_none_or(|n| at < n.0) => {
                Err(ReadError(format!(
                    "a coding of selection {selection} refers to code {missing}, which is not in the codebook"
                )))
            }
            (_, Some((_, missing, selection))) => Err(ReadError(format!(
                "selection {selection} refers to note {missing}, which is not in the file"
            ))),
            (_, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="P">
<Users><User guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="ann"/></Users>
<CodeBook><Codes>
  <Code guid="c0000000-0000-4000-8000-000000000001" name="Folder" isCodable="false" color="rgb(255, 0, 16)">
    <Description>top &amp; more</Description>
    <Code guid="c0000000-0000-4000-8000-000000000002" name="Leaf" isCodable="true" color="#FF112233"/>
  </Code>
</Codes></CodeBook>
<Sources>
  <TextSource guid="50000000-0000-4000-8000-000000000001" name="T">
    <PlainTextContent>Hello world</PlainTextContent>
    <PlainTextSelection guid="5e000000-0000-4000-8000-000000000001" startPosition="0" endPosition="5" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
      <Description>memo</Description>
      <Coding guid="c1000000-0000-4000-8000-000000000001"><CodeRef targetGUID="C0000000-0000-4000-8000-000000000002"/></Coding>
      <NoteRef targetGUID="00000000-0000-4000-8000-0000000000aa"/>
    </PlainTextSelection>
  </TextSource>
  <PDFSource guid="50000000-0000-4000-8000-000000000002"><PDFSelection/></PDFSource>
</Sources>
<Notes><Note guid="00000000-0000-4000-8000-0000000000aa"><PlainTextContent>a note</PlainTextContent></Note></Notes>
<Description>about</Description>
</Project>"##;

    #[test]
    fn a_small_project_reads_with_its_tolerances() {
        let p = project(SMALL).unwrap();
        assert_eq!(p.users["aaaaaaaa-0000-4000-8000-000000000001"], "ann");
        assert_eq!(p.codes.len(), 2);
        assert_eq!(p.codes[0].color.as_deref(), Some("#ff0010"));
        assert_eq!(p.codes[0].description, "top & more");
        assert_eq!(p.codes[1].parent, Some(0));
        assert_eq!(p.codes[1].color.as_deref(), Some("#112233"));
        let source = &p.sources[0];
        assert_eq!(source.plain_text_content.as_deref(), Some("Hello world"));
        let selection = &source.selections[0];
        assert_eq!((selection.start, selection.end), (0, 5));
        assert_eq!(selection.description, "memo");
        assert_eq!(
            selection.code_guids,
            [Guid::parse("c0000000-0000-4000-8000-000000000002").unwrap()]
        );
        assert_eq!(p.notes[&selection.note_guids[0].to_string()], "a note");
        assert_eq!(p.not_imported["PDFSource"], 1);
        assert_eq!(p.description, "about");
    }

    #[test]
    fn hostile_and_broken_files_are_refused_with_a_reason() {
        let doctype = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]>{}",
            &SMALL[SMALL.find("<Project").unwrap()..]
        );
        assert!(project(&doctype).unwrap_err().0.contains("DOCTYPE"));
        let dangling = SMALL.replace(
            "C0000000-0000-4000-8000-000000000002\"/>",
            "C0000000-0000-4000-8000-00000000dead\"/>",
        );
        let error = project(&dangling).unwrap_err().0;
        assert!(
            error.contains("c0000000-0000-4000-8000-00000000dead"),
            "{error}"
        );
        assert!(project(&SMALL[..SMALL.len() - 20]).is_err());
        let bad_guid = SMALL.replace("{AAAAAAAA-0000-4000-8000-000000000001}", "nope");
        assert!(project(&bad_guid).unwrap_err().0.contains("nope"));
    }

    #[test]
    fn the_two_passes_read_the_outline_then_each_source_in_order() {
        let second = SMALL.replace(
            "  <PDFSource",
            "  <TextSource guid=\"50000000-0000-4000-8000-000000000003\" name=\"U\" plainTextPath=\"internal://u.txt\">\
             <PlainTextSelection guid=\"5e000000-0000-4000-8000-000000000002\" startPosition=\"1\" endPosition=\"2\"/>\
             </TextSource>\n  <PDFSource",
        );
        let outline = outline(second.as_bytes()).unwrap();
        assert!(outline.sources.is_empty(), "the outline keeps no sources");
        assert_eq!(outline.codes.len(), 2);
        assert_eq!(outline.notes.len(), 1, "notes after the sources are read");
        assert_eq!(outline.not_imported["PDFSource"], 1);
        let mut seen = Vec::new();
        each_source(second.as_bytes(), |source| {
            seen.push((source.name, source.selections.len()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [("T".to_owned(), 1), ("U".to_owned(), 1)]);
        // A dangling reference in the last source is found by the outline, before any
        // source is stored.
        let dangling = second.replace(
            "endPosition=\"2\"/>",
            "endPosition=\"2\"><Coding guid=\"c1000000-0000-4000-8000-000000000009\"><CodeRef targetGUID=\"c0000000-0000-4000-8000-0000000000ff\"/></Coding></PlainTextSelection>",
        );
        let error = super::outline(dangling.as_bytes()).unwrap_err().0;
        assert!(
            error.contains("5e000000-0000-4000-8000-000000000002"),
            "{error}"
        );
        assert!(
            error.contains("c0000000-0000-4000-8000-0000000000ff"),
            "{error}"
        );
        // An error from the caller stops the second pass.
        let mut calls = 0;
        let stopped = each_source(second.as_bytes(), |_| {
            calls += 1;
            Err(ReadError("stop".into()))
        });
        assert_eq!((stopped.unwrap_err().0, calls), ("stop".to_owned(), 1));
    }

    #[test]
    fn colours_in_every_spelling() {
        assert_eq!(color("#ABC").as_deref(), Some("#aabbcc"));
        assert_eq!(color("rgb(1,2,3)").as_deref(), Some("#010203"));
        assert_eq!(color("teal"), None);
    }
}
