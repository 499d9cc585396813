//! Reading a peer's project file (`.qde`) into what Gloss can import, tolerating what
//! real files do (GUID spellings, `rgb()` colours, `isCodable="false"` folders, notes,
//! cases) and refusing what is hostile (DOCTYPE and entity declarations, dangling
//! references). Kinds Gloss does not import are counted, so the summary can say so.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::guid;

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
    pub guid: String,
    pub name: String,
    pub start: i64,
    pub end: i64,
    pub creating_user: Option<String>,
    pub description: String,
    pub code_guids: Vec<String>,
    pub note_guids: Vec<String>,
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

/// The element whose text is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Collect {
    CodeDescription,
    SelectionDescription,
    PlainTextContent,
    TextValue,
    NoteContent,
    ProjectDescription,
    Nothing,
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
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut project = Project::default();
    let mut code_stack: Vec<usize> = Vec::new();
    let mut collect = Collect::Nothing;
    let mut text = String::new();
    // Where we are: inside a selection, a note, a case, a skipped subtree.
    let mut in_selection = false;
    let mut note: Option<String> = None;
    let mut case_sources: Vec<String> = Vec::new();
    let mut case_values: Vec<(String, String)> = Vec::new();
    let mut in_case = false;
    let mut value_variable: Option<String> = None;
    let mut skip_depth = 0usize;
    let mut depth = 0usize;
    loop {
        buf.clear();
        let event = reader.read_event_into(&mut buf).map_err(not_well_formed)?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.local_name().as_ref().to_owned();
            if skip_depth > 0 {
                if !empty {
                    skip_depth += 1;
                }
                continue;
            }
            if !empty {
                depth += 1;
            }
            match name.as_str() {
                "Project" => {
                    project.name = attr(&e, "name").unwrap_or_default();
                }
                "User" => {
                    let g = guid_attr(&e, "guid", "User")?;
                    let name = attr(&e, "name").unwrap_or_default();
                    project.users.insert(g, name);
                }
                "Code" if !in_case => {
                    let code = Code {
                        guid: guid_attr(&e, "guid", "Code")?,
                        name: attr(&e, "name").unwrap_or_default(),
                        color: attr(&e, "color").and_then(|c| color(&c)),
                        description: String::new(),
                        parent: code_stack.last().copied(),
                    };
                    project.codes.push(code);
                    if !empty {
                        code_stack.push(project.codes.len() - 1);
                    }
                }
                "Variable" => {
                    let g = guid_attr(&e, "guid", "Variable")?;
                    project
                        .variables
                        .insert(g, attr(&e, "name").unwrap_or_default());
                }
                "Case" => {
                    in_case = true;
                    case_sources.clear();
                    case_values.clear();
                }
                "SourceRef" if in_case => {
                    case_sources.push(guid_attr(&e, "targetGUID", "SourceRef")?);
                }
                "VariableRef" => value_variable = Some(guid_attr(&e, "targetGUID", "VariableRef")?),
                "TextValue" | "BooleanValue" | "IntegerValue" | "FloatValue" | "DateValue"
                | "DateTimeValue" => {
                    collect = Collect::TextValue;
                    text.clear();
                }
                "TextSource" if note.is_none() => project.sources.push(TextSource {
                    guid: guid_attr(&e, "guid", "TextSource")?,
                    name: attr(&e, "name").unwrap_or_default(),
                    plain_text_path: attr(&e, "plainTextPath"),
                    ..TextSource::default()
                }),
                "Note" => {
                    note = Some(guid_attr(&e, "guid", "Note")?);
                }
                "PlainTextContent" if note.is_some() => {
                    collect = Collect::NoteContent;
                    text.clear();
                }
                "PlainTextContent" => {
                    collect = Collect::PlainTextContent;
                    text.clear();
                }
                "PlainTextSelection" if note.is_none() => {
                    let source = project.sources.last_mut().ok_or_else(|| {
                        ReadError("a <PlainTextSelection> outside any <TextSource>".into())
                    })?;
                    let number = |n: &str| -> Result<i64, ReadError> {
                        let raw = attr(&e, n).unwrap_or_default();
                        raw.trim().parse().map_err(|_| {
                            ReadError(format!(
                                "a <PlainTextSelection> has {n}=\"{raw}\", which is not a number"
                            ))
                        })
                    };
                    source.selections.push(Selection {
                        guid: guid_attr(&e, "guid", "PlainTextSelection")?,
                        name: attr(&e, "name").unwrap_or_default(),
                        start: number("startPosition")?,
                        end: number("endPosition")?,
                        creating_user: attr(&e, "creatingUser").and_then(|g| guid::normalise(&g)),
                        ..Selection::default()
                    });
                    in_selection = !empty;
                }
                "CodeRef" if in_selection => {
                    let g = guid_attr(&e, "targetGUID", "CodeRef")?;
                    if let Some(selection) = current_selection(&mut project)
                        && !selection.code_guids.contains(&g)
                    {
                        selection.code_guids.push(g);
                    }
                }
                "NoteRef" if in_selection => {
                    let g = guid_attr(&e, "targetGUID", "NoteRef")?;
                    if let Some(selection) = current_selection(&mut project) {
                        selection.note_guids.push(g);
                    }
                }
                "NoteRef" => count(&mut project, NOT_IMPORTED[7]),
                "Description" => {
                    collect = if in_selection {
                        Collect::SelectionDescription
                    } else if !code_stack.is_empty() {
                        Collect::CodeDescription
                    } else if depth == 2 {
                        Collect::ProjectDescription
                    } else {
                        Collect::Nothing
                    };
                    text.clear();
                }
                kind @ ("PictureSource" | "PDFSource" | "AudioSource" | "VideoSource" | "Sets"
                | "Links" | "Graphs") => {
                    let kind = NOT_IMPORTED.iter().find(|k| **k == kind).expect("listed");
                    count(&mut project, kind);
                    if !empty {
                        skip_depth = 1;
                        depth -= 1;
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::End(e) => {
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                depth = depth.saturating_sub(1);
                let name = e.local_name().as_ref().to_owned();
                let finished = std::mem::replace(&mut collect, Collect::Nothing);
                match name.as_str() {
                    "Code" if !in_case => {
                        code_stack.pop();
                    }
                    "Description" => match finished {
                        Collect::SelectionDescription => {
                            if let Some(s) = current_selection(&mut project) {
                                s.description = text.clone();
                            }
                        }
                        Collect::CodeDescription => {
                            if let Some(&i) = code_stack.last() {
                                project.codes[i].description = text.clone();
                            }
                        }
                        Collect::ProjectDescription => project.description = text.clone(),
                        _ => {}
                    },
                    "PlainTextContent" => match finished {
                        Collect::NoteContent => {
                            if let Some(g) = &note {
                                project.notes.insert(g.clone(), text.clone());
                            }
                        }
                        Collect::PlainTextContent => {
                            if let Some(s) = project.sources.last_mut() {
                                s.plain_text_content = Some(text.clone());
                            }
                        }
                        _ => {}
                    },
                    "TextValue" | "BooleanValue" | "IntegerValue" | "FloatValue" | "DateValue"
                    | "DateTimeValue" => {
                        if let Some(variable) = value_variable.take() {
                            let pair = (variable, text.clone());
                            if in_case {
                                case_values.push(pair);
                            } else if let Some(s) = project.sources.last_mut() {
                                s.values.push(pair);
                            }
                        }
                    }
                    "PlainTextSelection" => in_selection = false,
                    "Note" => note = None,
                    "Case" => {
                        in_case = false;
                        for source in &case_sources {
                            let values = project.case_values.entry(source.clone()).or_default();
                            values.extend(case_values.iter().cloned());
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if collect != Collect::Nothing && skip_depth == 0 => {
                text.push_str(&t.xml10_content());
            }
            Event::CData(t) if collect != Collect::Nothing && skip_depth == 0 => {
                text.push_str(&t);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            ReadError(format!(
                                "the project file uses the undeclared entity &{};",
                                &*r
                            ))
                        })?,
                };
                if collect != Collect::Nothing && skip_depth == 0 {
                    text.push_str(&resolved);
                }
            }
            Event::DocType(_) => {
                return Err(ReadError(
                    "the project file declares a DOCTYPE; REFI-QDA files have none, and Gloss refuses entity declarations".into(),
                ));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(ReadError(
            "the project file ends before its elements are closed".into(),
        ));
    }
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

/// A read error of the archive (a cap reached while unpacking) says so in its own words;
/// anything else is the XML's fault.
fn not_well_formed(error: quick_xml::Error) -> ReadError {
    match error {
        quick_xml::Error::Io(io) => ReadError(io.to_string()),
        other => ReadError(format!("the project file is not well-formed XML: {other}")),
    }
}

fn current_selection(project: &mut Project) -> Option<&mut Selection> {
    project.sources.last_mut()?.selections.last_mut()
}

fn count(project: &mut Project, kind: &str) {
    *project.not_imported.entry(kind.to_owned()).or_default() += 1;
}

/// Every code and note a selection refers to must exist: a dangling GUID is an error
/// naming it, never a silently lost coding.
fn check_references(project: &Project) -> Result<(), ReadError> {
    let codes: HashSet<&str> = project.codes.iter().map(|c| c.guid.as_str()).collect();
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
            if let Some(missing) = selection
                .code_guids
                .iter()
                .find(|g| !codes.contains(g.as_str()))
            {
                return Err(ReadError(format!(
                    "a coding of selection {} refers to code {missing}, which is not in the codebook",
                    selection.guid
                )));
            }
            if let Some(missing) = selection
                .note_guids
                .iter()
                .find(|g| !project.notes.contains_key(*g))
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
            ["c0000000-0000-4000-8000-000000000002"]
        );
        assert_eq!(p.notes[&selection.note_guids[0]], "a note");
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
