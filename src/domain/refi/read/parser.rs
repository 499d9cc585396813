//! The state machine behind `read::outline` and `read::each_source`: the reader hands it
//! one XML event at a time, and each element's meaning lives in one small method. Each
//! text source, with its selections, is handed on as it closes, so a caller that does not
//! keep them holds one source's selections at a time, never the whole file's.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::{
    Code, NOT_IMPORTED, Project, ReadError, Selection, TextSource, attr, guid_attr, guid_value,
};
use crate::domain::refi::guid::Guid;

/// Elements whose text is a variable's value, whatever its type.
const VALUE_ELEMENTS: [&str; 6] = [
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
];

/// The element whose text is being collected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Collect {
    CodeDescription,
    SelectionDescription,
    PlainTextContent,
    TextValue,
    NoteContent,
    ProjectDescription,
    #[default]
    Nothing,
}

/// What a pass over the project file reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Everything; the sources are handed on as they close.
    Whole,
    /// Only the sources (the second pass of an import, which has the rest already):
    /// users, codebook, variables, cases, notes and what Gloss does not import are
    /// skipped unread.
    Sources,
}

/// The top-level sections a [`Part::Sources`] pass skips.
const NOT_SOURCES: [&str; 8] = [
    "Users",
    "CodeBook",
    "Variables",
    "Cases",
    "Notes",
    "Links",
    "Sets",
    "Graphs",
];

/// Where the reader is in the file, and what it has read so far.
#[derive(Debug)]
struct Parser {
    part: Part,
    project: Project,
    /// The text source being read.
    source: Option<TextSource>,
    /// A text source that has just closed, for the caller to take.
    finished: Option<TextSource>,
    /// Indexes (into `project.codes`) of the codes enclosing the reader.
    code_stack: Vec<usize>,
    collect: Collect,
    text: String,
    in_selection: bool,
    /// The GUID of the note being read.
    note: Option<String>,
    in_case: bool,
    case_sources: Vec<String>,
    case_values: Vec<(String, String)>,
    /// The variable the value being read belongs to.
    value_variable: Option<String>,
    /// Depth inside a subtree Gloss does not import (0: not inside one).
    skip_depth: usize,
    depth: usize,
}

/// Reads `part` of a project file event by event, handing each text source to
/// `each_source` as it closes (the returned project has no sources); see `read::outline`.
pub(super) fn read(
    input: impl BufRead,
    part: Part,
    each_source: &mut dyn FnMut(TextSource) -> Result<(), ReadError>,
) -> Result<Project, ReadError> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut parser = Parser::new(part);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(not_well_formed)? {
            Event::Start(e) => parser.open(&e, false)?,
            Event::Empty(e) => parser.open(&e, true)?,
            Event::End(e) => parser.close(e.local_name().as_ref()),
            Event::Text(t) => parser.collect_text(&t.xml10_content()),
            Event::CData(t) => parser.collect_text(&t),
            Event::GeneralRef(r) => parser.general_ref(&r)?,
            Event::DocType(_) => {
                return Err(ReadError(
                    "the project file declares a DOCTYPE; REFI-QDA files have none, and Gloss refuses entity declarations".into(),
                ));
            }
            Event::Eof => break,
            _ => {}
        }
        if let Some(source) = parser.finished.take() {
            each_source(source)?;
        }
    }
    if parser.depth != 0 {
        return Err(ReadError(
            "the project file ends before its elements are closed".into(),
        ));
    }
    Ok(parser.project)
}

/// A read error of the archive (a cap reached while unpacking) says so in its own words;
/// anything else is the XML's fault.
fn not_well_formed(error: quick_xml::Error) -> ReadError {
    match error {
        quick_xml::Error::Io(io) => ReadError(io.to_string()),
        other => ReadError(format!("the project file is not well-formed XML: {other}")),
    }
}

impl Parser {
    fn new(part: Part) -> Self {
        Self {
            part,
            project: Project::default(),
            source: None,
            finished: None,
            code_stack: Vec::new(),
            collect: Collect::Nothing,
            text: String::new(),
            in_selection: false,
            note: None,
            in_case: false,
            case_sources: Vec::new(),
            case_values: Vec::new(),
            value_variable: None,
            skip_depth: 0,
            depth: 0,
        }
    }

    /// An element opens (`empty`: and closes at once, `<X/>`).
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        if self.skip_depth > 0 {
            if !empty {
                self.skip_depth += 1;
            }
            return Ok(());
        }
        if !empty {
            self.depth += 1;
        }
        let name = e.local_name().as_ref().to_owned();
        if self.part == Part::Sources && NOT_SOURCES.contains(&name.as_str()) {
            self.skip_unread(empty);
            return Ok(());
        }
        match name.as_str() {
            "Project" => self.project.name = attr(e, "name").unwrap_or_default(),
            "User" => {
                let g = guid_attr(e, "guid", "User")?;
                let name = attr(e, "name").unwrap_or_default();
                self.project.users.insert(g, name);
            }
            "Code" if !self.in_case => self.open_code(e, empty)?,
            "Variable" => {
                let g = guid_attr(e, "guid", "Variable")?;
                let name = attr(e, "name").unwrap_or_default();
                self.project.variables.insert(g, name);
            }
            "Case" => {
                self.in_case = true;
                self.case_sources.clear();
                self.case_values.clear();
            }
            "SourceRef" if self.in_case => {
                let g = guid_attr(e, "targetGUID", "SourceRef")?;
                self.case_sources.push(g);
            }
            "VariableRef" => {
                self.value_variable = Some(guid_attr(e, "targetGUID", "VariableRef")?);
            }
            value if VALUE_ELEMENTS.contains(&value) => self.start_collecting(Collect::TextValue),
            "TextSource" if self.note.is_none() => self.open_source(e, empty)?,
            "Note" => self.note = Some(guid_attr(e, "guid", "Note")?),
            "PlainTextContent" if self.note.is_some() => {
                self.start_collecting(Collect::NoteContent);
            }
            "PlainTextContent" => self.start_collecting(Collect::PlainTextContent),
            "PlainTextSelection" if self.note.is_none() => self.open_selection(e, empty)?,
            "CodeRef" if self.in_selection => {
                let g = guid_value(e, "targetGUID", "CodeRef")?;
                if let Some(selection) = self.current_selection()
                    && !selection.code_guids.contains(&g)
                {
                    selection.code_guids.push(g);
                }
            }
            "NoteRef" if self.in_selection => {
                let g = guid_value(e, "targetGUID", "NoteRef")?;
                if let Some(selection) = self.current_selection() {
                    selection.note_guids.push(g);
                }
            }
            "NoteRef" => self.count(NOT_IMPORTED[7]),
            "Description" => self.open_description(),
            kind if NOT_IMPORTED[..7].contains(&kind) => self.skip(kind, empty),
            _ => {}
        }
        Ok(())
    }

    fn open_source(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        let source = TextSource {
            guid: guid_attr(e, "guid", "TextSource")?,
            name: attr(e, "name").unwrap_or_default(),
            plain_text_path: attr(e, "plainTextPath"),
            ..TextSource::default()
        };
        if empty {
            self.finished = Some(source);
        } else {
            self.source = Some(source);
        }
        Ok(())
    }

    fn open_code(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        let code = Code {
            guid: guid_attr(e, "guid", "Code")?,
            name: attr(e, "name").unwrap_or_default(),
            color: attr(e, "color").and_then(|c| super::color(&c)),
            description: String::new(),
            parent: self.code_stack.last().copied(),
        };
        self.project.codes.push(code);
        if !empty {
            self.code_stack.push(self.project.codes.len() - 1);
        }
        Ok(())
    }

    fn open_selection(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), ReadError> {
        let number = |n: &str| -> Result<i64, ReadError> {
            let raw = attr(e, n).unwrap_or_default();
            raw.trim().parse().map_err(|_| {
                ReadError(format!(
                    "a <PlainTextSelection> has {n}=\"{raw}\", which is not a number"
                ))
            })
        };
        let selection = Selection {
            guid: guid_value(e, "guid", "PlainTextSelection")?,
            name: attr(e, "name").unwrap_or_default(),
            start: number("startPosition")?,
            end: number("endPosition")?,
            creating_user: attr(e, "creatingUser").and_then(|g| Guid::parse(&g)),
            ..Selection::default()
        };
        let source = self
            .source
            .as_mut()
            .ok_or_else(|| ReadError("a <PlainTextSelection> outside any <TextSource>".into()))?;
        source.selections.push(selection);
        self.in_selection = !empty;
        Ok(())
    }

    /// A `Description` belongs to the selection, code or project it is inside.
    fn open_description(&mut self) {
        let target = if self.in_selection {
            Collect::SelectionDescription
        } else if !self.code_stack.is_empty() {
            Collect::CodeDescription
        } else if self.depth == 2 {
            Collect::ProjectDescription
        } else {
            Collect::Nothing
        };
        self.start_collecting(target);
    }

    /// A kind Gloss does not import: counted, and its subtree skipped.
    fn skip(&mut self, kind: &str, empty: bool) {
        self.count(kind);
        self.skip_unread(empty);
    }

    fn skip_unread(&mut self, empty: bool) {
        if !empty {
            self.skip_depth = 1;
            self.depth -= 1;
        }
    }

    fn start_collecting(&mut self, target: Collect) {
        self.collect = target;
        self.text.clear();
    }

    /// An element closes: what was collected inside it goes where it belongs.
    fn close(&mut self, name: &str) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        self.depth = self.depth.saturating_sub(1);
        let finished = std::mem::take(&mut self.collect);
        let text = std::mem::take(&mut self.text);
        match name {
            "Code" if !self.in_case => {
                self.code_stack.pop();
            }
            "Description" | "PlainTextContent" => self.store_text(finished, text),
            value if VALUE_ELEMENTS.contains(&value) => {
                if let Some(variable) = self.value_variable.take() {
                    let pair = (variable, text);
                    if self.in_case {
                        self.case_values.push(pair);
                    } else if let Some(s) = self.source.as_mut() {
                        s.values.push(pair);
                    }
                }
            }
            "PlainTextSelection" => self.in_selection = false,
            "TextSource" if self.note.is_none() => self.finished = self.source.take(),
            "Note" => self.note = None,
            "Case" => self.close_case(),
            _ => {}
        }
    }

    fn store_text(&mut self, finished: Collect, text: String) {
        match finished {
            Collect::SelectionDescription => {
                if let Some(s) = self.current_selection() {
                    s.description = text;
                }
            }
            Collect::CodeDescription => {
                if let Some(&i) = self.code_stack.last() {
                    self.project.codes[i].description = text;
                }
            }
            Collect::ProjectDescription => self.project.description = text,
            Collect::NoteContent => {
                if let Some(g) = &self.note {
                    self.project.notes.insert(g.clone(), text);
                }
            }
            Collect::PlainTextContent => {
                if let Some(s) = self.source.as_mut() {
                    s.plain_text_content = Some(text);
                }
            }
            Collect::TextValue | Collect::Nothing => {}
        }
    }

    /// A case's values go to every source it names.
    fn close_case(&mut self) {
        self.in_case = false;
        for source in &self.case_sources {
            let values = self.project.case_values.entry(source.clone()).or_default();
            values.extend(self.case_values.iter().cloned());
        }
    }

    fn collect_text(&mut self, text: &str) {
        if self.collect != Collect::Nothing && self.skip_depth == 0 {
            self.text.push_str(text);
        }
    }

    /// `&#…;` and the five predefined entities; any other entity is refused (a file
    /// without a DOCTYPE cannot declare one).
    fn general_ref(&mut self, r: &BytesRef<'_>) -> Result<(), ReadError> {
        let resolved = match r.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            _ => quick_xml::escape::resolve_predefined_entity(r)
                .map(str::to_owned)
                .ok_or_else(|| {
                    ReadError(format!(
                        "the project file uses the undeclared entity &{};",
                        &**r
                    ))
                })?,
        };
        self.collect_text(&resolved);
        Ok(())
    }

    fn current_selection(&mut self) -> Option<&mut Selection> {
        self.source.as_mut()?.selections.last_mut()
    }

    fn count(&mut self, kind: &str) {
        *self
            .project
            .not_imported
            .entry(kind.to_owned())
            .or_default() += 1;
    }
}
