//! Writers of the codebook (`.qdc`) and project (`.qde`) XML, in the element order the
//! schemas fix. The project is written piece by piece (head, then each source with its
//! selections, then the tail), so an export streams whatever the project's size.

use std::io::{self, Write};

use super::xml::XmlWriter;
use super::{CODEBOOK_NS, ORIGIN, PROJECT_NS};

/// One code, in tree order (parents before children, siblings in order) with its depth.
#[derive(Debug, Clone)]
pub struct CodeEntry<'a> {
    pub guid: &'a str,
    pub name: &'a str,
    pub color: &'a str,
    pub description: &'a str,
    pub depth: usize,
}

/// `<Codes>` with each code nested under its parent; the schemas require at least one.
fn write_codes<W: Write>(xml: &mut XmlWriter<W>, codes: &[CodeEntry<'_>]) -> io::Result<()> {
    xml.open("Codes", &[])?;
    let mut open_depths: Vec<usize> = Vec::new();
    for code in codes {
        while open_depths.last().is_some_and(|&d| d >= code.depth) {
            open_depths.pop();
            xml.close("Code")?;
        }
        xml.open(
            "Code",
            &[
                ("guid", code.guid),
                ("name", code.name),
                ("isCodable", "true"),
                ("color", code.color),
            ],
        )?;
        if !code.description.is_empty() {
            xml.text_element("Description", code.description)?;
        }
        open_depths.push(code.depth);
    }
    for _ in open_depths {
        xml.close("Code")?;
    }
    xml.close("Codes")
}

/// A codebook file. `codes` must not be empty (the schema requires a code).
pub fn write_codebook<W: Write>(out: W, codes: &[CodeEntry<'_>]) -> io::Result<W> {
    let mut xml = XmlWriter::new(out)?;
    xml.open("CodeBook", &[("xmlns", CODEBOOK_NS), ("origin", ORIGIN)])?;
    write_codes(&mut xml, codes)?;
    xml.close("CodeBook")?;
    Ok(xml.into_inner())
}

pub struct ProjectHead<'a> {
    pub name: &'a str,
    pub created_at: &'a str,
    pub modified_at: &'a str,
    pub users: &'a [UserEntry<'a>],
    pub codes: &'a [CodeEntry<'a>],
    pub variables: &'a [VariableEntry<'a>],
    pub cases: &'a [CaseEntry<'a>],
}

pub struct UserEntry<'a> {
    pub guid: &'a str,
    pub name: &'a str,
}

/// A document attribute, exported as a text variable.
pub struct VariableEntry<'a> {
    pub guid: &'a str,
    pub name: &'a str,
}

/// `(variable GUID, value)`.
pub type VariableValue<'a> = (&'a str, &'a str);

/// A case per document (how MAXQDA reads attributes): its values and its source.
pub struct CaseEntry<'a> {
    pub guid: String,
    pub name: &'a str,
    pub source_guid: &'a str,
    pub values: Vec<VariableValue<'a>>,
}

pub struct SourceEntry<'a> {
    pub guid: &'a str,
    pub name: &'a str,
    pub plain_text_path: &'a str,
    pub created_at: &'a str,
    pub modified_at: &'a str,
}

pub struct SelectionEntry<'a> {
    pub guid: &'a str,
    /// A short quote of the passage (peers show it; importers use it to check offsets).
    pub name: &'a str,
    pub start: usize,
    pub end: usize,
    pub creating_user: &'a str,
    pub created_at: &'a str,
    pub modified_at: &'a str,
    pub memo: &'a str,
    pub codings: &'a [CodingEntry<'a>],
}

pub struct CodingEntry<'a> {
    pub guid: String,
    pub code_guid: &'a str,
    pub creating_user: &'a str,
    pub created_at: &'a str,
}

/// A project file being written: [`ProjectWriter::begin`], then for each source
/// `source` and its `selection`s and `end_source`, then [`ProjectWriter::finish`].
pub struct ProjectWriter<W: Write> {
    xml: XmlWriter<W>,
    sources_open: bool,
}

impl<W: Write> ProjectWriter<W> {
    /// The XML declaration and everything before the sources: users, codebook,
    /// variables and cases (each left out when empty, as the schema requires).
    pub fn begin(out: W, head: &ProjectHead<'_>) -> io::Result<Self> {
        let mut xml = XmlWriter::new(out)?;
        xml.open(
            "Project",
            &[
                ("xmlns", PROJECT_NS),
                ("name", head.name),
                ("origin", ORIGIN),
                ("creationDateTime", head.created_at),
                ("modifiedDateTime", head.modified_at),
            ],
        )?;
        if !head.users.is_empty() {
            xml.open("Users", &[])?;
            for user in head.users {
                xml.empty("User", &[("guid", user.guid), ("name", user.name)])?;
            }
            xml.close("Users")?;
        }
        if !head.codes.is_empty() {
            xml.open("CodeBook", &[])?;
            write_codes(&mut xml, head.codes)?;
            xml.close("CodeBook")?;
        }
        if !head.variables.is_empty() {
            xml.open("Variables", &[])?;
            for variable in head.variables {
                xml.empty(
                    "Variable",
                    &[
                        ("guid", variable.guid),
                        ("name", variable.name),
                        ("typeOfVariable", "Text"),
                    ],
                )?;
            }
            xml.close("Variables")?;
        }
        if !head.cases.is_empty() {
            xml.open("Cases", &[])?;
            for case in head.cases {
                xml.open("Case", &[("guid", &case.guid), ("name", case.name)])?;
                write_values(&mut xml, &case.values)?;
                xml.empty("SourceRef", &[("targetGUID", case.source_guid)])?;
                xml.close("Case")?;
            }
            xml.close("Cases")?;
        }
        Ok(Self {
            xml,
            sources_open: false,
        })
    }

    pub fn source(&mut self, source: &SourceEntry<'_>) -> io::Result<()> {
        if !self.sources_open {
            self.xml.open("Sources", &[])?;
            self.sources_open = true;
        }
        self.xml.open(
            "TextSource",
            &[
                ("guid", source.guid),
                ("name", source.name),
                ("plainTextPath", source.plain_text_path),
                ("creationDateTime", source.created_at),
                ("modifiedDateTime", source.modified_at),
            ],
        )
    }

    pub fn selection(&mut self, selection: &SelectionEntry<'_>) -> io::Result<()> {
        let (start, end) = (selection.start.to_string(), selection.end.to_string());
        self.xml.open(
            "PlainTextSelection",
            &[
                ("guid", selection.guid),
                ("name", selection.name),
                ("startPosition", &start),
                ("endPosition", &end),
                ("creatingUser", selection.creating_user),
                ("creationDateTime", selection.created_at),
                ("modifyingUser", selection.creating_user),
                ("modifiedDateTime", selection.modified_at),
            ],
        )?;
        if !selection.memo.is_empty() {
            self.xml.text_element("Description", selection.memo)?;
        }
        for coding in selection.codings {
            self.xml.open(
                "Coding",
                &[
                    ("guid", &coding.guid),
                    ("creatingUser", coding.creating_user),
                    ("creationDateTime", coding.created_at),
                ],
            )?;
            self.xml
                .empty("CodeRef", &[("targetGUID", coding.code_guid)])?;
            self.xml.close("Coding")?;
        }
        self.xml.close("PlainTextSelection")
    }

    /// Ends the current source, with its attribute values.
    pub fn end_source(&mut self, values: &[VariableValue<'_>]) -> io::Result<()> {
        write_values(&mut self.xml, values)?;
        self.xml.close("TextSource")
    }

    /// Ends the sources and the project, with its description.
    pub fn finish(mut self, description: &str) -> io::Result<W> {
        if self.sources_open {
            self.xml.close("Sources")?;
        }
        if !description.is_empty() {
            self.xml.text_element("Description", description)?;
        }
        self.xml.close("Project")?;
        Ok(self.xml.into_inner())
    }
}

fn write_values<W: Write>(xml: &mut XmlWriter<W>, values: &[VariableValue<'_>]) -> io::Result<()> {
    for (variable, value) in values {
        xml.open("VariableValue", &[])?;
        xml.empty("VariableRef", &[("targetGUID", variable)])?;
        xml.text_element("TextValue", value)?;
        xml.close("VariableValue")?;
    }
    Ok(())
}

/// A selection's `name`: the start of its text on one line, at most about 60 characters.
pub fn quote(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 60 {
        return flat;
    }
    let mut short: String = flat.chars().take(59).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<'a>(guid: &'a str, name: &'a str, depth: usize) -> CodeEntry<'a> {
        CodeEntry {
            guid,
            name,
            color: "#aabbcc",
            description: "",
            depth,
        }
    }

    #[test]
    fn codes_nest_by_depth() {
        let codes = [
            code("a", "A", 0),
            code("b", "B", 1),
            code("c", "C", 2),
            code("d", "D", 0),
        ];
        let out = String::from_utf8(write_codebook(Vec::new(), &codes).unwrap()).unwrap();
        let tags: Vec<&str> = out
            .split('<')
            .filter_map(|t| t.split([' ', '>']).next())
            .filter(|t| t.contains("Code"))
            .collect();
        assert_eq!(
            tags,
            [
                "CodeBook",
                "Codes",
                "Code",
                "Code",
                "Code",
                "/Code",
                "/Code",
                "/Code",
                "Code",
                "/Code",
                "/Codes",
                "/CodeBook"
            ]
        );
    }

    #[test]
    fn quotes_are_one_short_line() {
        assert_eq!(quote("a\n\nb  c"), "a b c");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 60);
    }
}
