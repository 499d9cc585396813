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
    guid::normalise(&raw).ok_or_else(|| {
        ReadError(format!(
            "a <{element}> has {name}=\"{raw}\", which is not a GUID"
        ))
    })
}

/// [`guid_attr`] held as bytes.
fn guid_value(e: &BytesStart<'_>, name: &str, element: &str) -> Result<Guid, ReadError> {
    let normal = guid_attr(e, name, element)?;
    Ok(Guid::parse(&normal).expect("a normalised GUID parses"))
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

/// Reads a project file. `xml` is the file's text (a BOM is tolerated).
pub fn project(xml: &str) -> Result<Project, ReadError> {
    project_from(xml.as_bytes())
}

/// Reads a project file as it streams in (from the archive, unpacked as it is read), so
/// the file's text is never held whole. A BOM is tolerated.
pub fn project_from(input: impl BufRead) -> Result<Project, ReadError> {
    let project = parser::read(input)?;
    check_references(&project)?;
    Ok(project)
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

/// Every code and note a selection refers to must exist: a dangling GUID is an error
/// naming it, never a silently lost coding.
fn check_references(project: &Project) -> Result<(), ReadError> {
    let codes: HashSet<Guid> = project
        .codes
        .iter()
        .filter_map(|c| Guid::parse(&c.guid))
        .collect();
    let mut seen = HashSet::new();
    for code in &project.codes {
        if !seen.insert(code.guid.as_str()) {
            return Err(ReadError(format!(
                "the code GUID {} is used twice",
                code.guid
            )));
        }
    }
    for source in &project.sources {
        for selection in &source.selections {
            if let Some(missing) = selection.code_guids.iter().find(|g| !codes.contains(g)) {
                return Err(ReadError(format!(
                    "a coding of selection {} refers to code {missing}, which is not in the codebook",
                    selection.guid
                )));
            }
            if let Some(missing) = selection
                .note_guids
                .iter()
                .find(|g| !project.notes.contains_key(&g.to_string()))
            {
                return Err(ReadError(format!(
                    "selection {} refers to note {missing}, which is not in the file",
                    selection.guid
                )));
            }
        }
    }
    Ok(())
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
    fn colours_in_every_spelling() {
        assert_eq!(color("#ABC").as_deref(), Some("#aabbcc"));
        assert_eq!(color("rgb(1,2,3)").as_deref(), Some("#010203"));
        assert_eq!(color("teal"), None);
    }
}
