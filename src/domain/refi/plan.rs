//! From a peer's project to what Gloss will store: documents parsed exactly as a `.txt`
//! import would (speaker labels become turns), selections mapped from the peer's offset
//! model through the label removal into Gloss's code points, codes with names Gloss
//! accepts, and a record of everything that was changed or left out.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::archive::{Archive, text_of};
use super::guid::Guid;
use super::offsets::{self, OffsetModel, Probe, SourceText};
use super::read::{Project, ReadError, Selection, TextSource};
use crate::domain::import::{self, ImportOptions, ParsedDocument};

pub struct PlannedCode {
    pub guid: String,
    pub name: String,
    pub color: String,
    pub description: String,
    pub parent: Option<usize>,
}

pub struct PlannedExcerpt {
    pub guid: String,
    /// The creating user's GUID, if the file names one.
    pub user: Option<String>,
    pub start: usize,
    pub end: usize,
    pub memo: String,
    /// Indices into `Plan::codes`.
    pub codes: Vec<usize>,
}

pub struct PlannedDocument {
    pub guid: String,
    pub title: String,
    pub document: ParsedDocument,
    pub excerpts: Vec<PlannedExcerpt>,
}

/// What happened to one source.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourceReport {
    pub name: String,
    /// How positions were counted, in words.
    pub offset_model: String,
    /// Selections that lined up with the text under that model, of those checked.
    pub aligned: usize,
    pub checked: usize,
    pub excerpts: usize,
    /// Selections that fell outside the text and were clamped to it.
    pub clamped: usize,
    /// Selections left out because they were empty (zero-length, or only a label).
    pub empty: usize,
}

/// What an import stores before any document: the project, its codebook and the file's
/// users. The documents follow one at a time from [`Planner::plan_sources`], so only one
/// source's text and selections are in memory at once.
pub struct PlanHeader {
    pub name: String,
    pub description: String,
    pub codes: Vec<PlannedCode>,
    /// GUID → name, for every user the file lists.
    pub users: BTreeMap<String, String>,
}

/// What the import leaves out or changes, known once every source is planned.
pub struct PlanReport {
    pub sources: Vec<SourceReport>,
    /// What was not carried over, counted per kind.
    pub not_imported: BTreeMap<String, usize>,
    /// What was changed on the way in, in words.
    pub changed: Vec<String>,
}

const DEFAULT_COLOR: &str = "#888888";

/// Plans an import source by source, in two passes over the project file: its outline
/// (everything but the sources, every reference checked) is read when the planner is
/// made; then [`Planner::plan_sources`] reads the sources one at a time, each with its
/// selections and its text from the archive, and hands each document on before reading
/// the next.
pub struct Planner {
    /// The outline: no sources.
    project: Project,
    code_index: HashMap<Guid, usize>,
    report: PlanReport,
}

impl Planner {
    /// Reads and checks the project file's outline, and plans its codebook.
    pub fn new(archive: &mut Archive) -> Result<(Self, PlanHeader), ReadError> {
        let project = archive.read_outline()?;
        let mut report = PlanReport {
            sources: Vec::new(),
            not_imported: project.not_imported.clone(),
            changed: Vec::new(),
        };
        let header = PlanHeader {
            name: project.name.trim().to_owned(),
            description: project.description.clone(),
            codes: plan_codes(&project, &mut report.changed),
            users: project.users.clone(),
        };
        let code_index = project
            .codes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| Some((Guid::parse(&c.guid)?, i)))
            .collect();
        let planner = Self {
            project,
            code_index,
            report,
        };
        Ok((planner, header))
    }

    /// Plans every source that has text, in file order, handing each document to `each`
    /// before the next source is read; a source without text is skipped and reported.
    /// An error from `each` stops the reading.
    pub fn plan_sources(
        &mut self,
        archive: &mut Archive,
        mut each: impl FnMut(PlannedDocument) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        archive.each_source(
            |source, archive| match self.plan_source(archive, &source)? {
                Some(document) => each(document),
                None => Ok(()),
            },
        )
    }

    /// What was left out and changed; call after the last document.
    pub fn finish(mut self) -> PlanReport {
        summarise_changes(&mut self.report);
        self.report
    }

    fn plan_source(
        &mut self,
        archive: &mut Archive,
        source: &TextSource,
    ) -> Result<Option<PlannedDocument>, ReadError> {
        let Some(raw) = self.source_text(archive, source)? else {
            return Ok(None);
        };
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
        let text = SourceText::new(raw);
        let Some(mut document) = parse_as_txt(&source_title(source), &text.normalised) else {
            self.skip(source, "text sources with no text to import");
            return Ok(None);
        };
        let detection = offsets::detect(&text, &probes(source));
        let map = offsets::alignment(&text.normalised, &document.text);
        let mut report = SourceReport {
            name: source_title(source),
            offset_model: detection.model.describe().to_owned(),
            aligned: detection.aligned,
            checked: detection.checked,
            excerpts: 0,
            clamped: 0,
            empty: 0,
        };
        let excerpts: Vec<PlannedExcerpt> = source
            .selections
            .iter()
            .filter_map(|selection| {
                let span = map_selection(&text, detection.model, &map, selection, &mut report)?;
                Some(self.excerpt(selection, span))
            })
            .collect();
        report.excerpts = excerpts.len();
        add_attributes(&self.project, source, &mut document);
        self.report.sources.push(report);
        Ok(Some(PlannedDocument {
            guid: source.guid.clone(),
            title: source_title(source),
            document,
            excerpts,
        }))
    }

    /// The source's raw text, inline or from the archive; `None` (reported) if it has none.
    fn source_text(
        &mut self,
        archive: &mut Archive,
        source: &TextSource,
    ) -> Result<Option<String>, ReadError> {
        match (&source.plain_text_content, &source.plain_text_path) {
            (Some(content), _) => Ok(Some(content.clone())),
            (None, Some(path)) => match archive.source(path)? {
                Some(bytes) => Ok(Some(text_of(&bytes, path)?)),
                None => {
                    self.skip(
                        source,
                        "text sources whose file is missing from the archive",
                    );
                    Ok(None)
                }
            },
            (None, None) => {
                self.skip(source, "text sources without text");
                Ok(None)
            }
        }
    }

    /// A selection that maps to `start..end` of the document, with its memo (its
    /// description and the notes it links) and codes.
    fn excerpt(&self, selection: &Selection, (start, end): (usize, usize)) -> PlannedExcerpt {
        let notes = selection
            .note_guids
            .iter()
            .filter_map(|note| self.project.notes.get(&note.to_string()));
        let memo = std::iter::once(&selection.description)
            .chain(notes)
            .map(|text| text.trim())
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n");
        PlannedExcerpt {
            guid: selection.guid.to_string(),
            user: selection.creating_user.map(|g| g.to_string()),
            start,
            end,
            memo,
            codes: selection
                .code_guids
                .iter()
                .filter_map(|g| self.code_index.get(g).copied())
                .collect(),
        }
    }

    fn skip(&mut self, source: &TextSource, kind: &str) {
        *self.report.not_imported.entry(kind.to_owned()).or_default() += 1;
        self.report.changed.push(format!(
            "Skipped “{}”: {kind} ({} selection(s) not imported).",
            source_title(source),
            source.selections.len()
        ));
    }
}

/// The name a file user is known by: the file's, or (for a user the file names on a
/// selection but does not list) one made from the GUID.
pub fn user_name(users: &BTreeMap<String, String>, guid: &str) -> String {
    users
        .get(guid)
        .cloned()
        .unwrap_or_else(|| format!("user-{}", &guid[..8.min(guid.len())]))
}

/// The text parsed exactly as a `.txt` import would (speaker labels become turns).
fn parse_as_txt(title: &str, text: &str) -> Option<ParsedDocument> {
    let options = ImportOptions {
        repair_mojibake: false,
        ..ImportOptions::default()
    };
    let mut file = import::parse_file(&format!("{title}.txt"), text.as_bytes(), &options).ok()?;
    file.documents.drain(..).next()
}

fn probes(source: &TextSource) -> Vec<Probe<'_>> {
    source
        .selections
        .iter()
        .map(|s| Probe {
            start: s.start,
            end: s.end,
            name: &s.name,
        })
        .collect()
}

/// A selection's span in the document's code points: from the peer's model into the
/// normalised text (clamped, and counted, if it reaches outside), then through the
/// label removal. `None` (counted) if nothing is left of it.
fn map_selection(
    text: &SourceText,
    model: OffsetModel,
    map: &[usize],
    selection: &Selection,
    report: &mut SourceReport,
) -> Option<(usize, usize)> {
    let (start, clamped_start) = text.map(model, selection.start);
    let (end, clamped_end) = text.map(model, selection.end);
    if clamped_start || clamped_end {
        report.clamped += 1;
    }
    let (start, end) = (map[start.min(end)], map[end.max(start)]);
    if end <= start {
        report.empty += 1;
        return None;
    }
    Some((start, end))
}

fn source_title(source: &TextSource) -> String {
    let name = source.name.trim();
    if !name.is_empty() {
        return name.chars().take(200).collect();
    }
    let path = source.plain_text_path.as_deref().unwrap_or("Untitled");
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.trim_end_matches(".txt").to_owned()
}

/// Codes with names Gloss accepts: no `>` (it separates path levels), one line, at most
/// 100 characters, distinct among siblings (case-insensitively).
fn plan_codes(project: &Project, changed: &mut Vec<String>) -> Vec<PlannedCode> {
    let mut codes = Vec::with_capacity(project.codes.len());
    let mut taken: HashSet<(Option<usize>, String)> = HashSet::new();
    for code in &project.codes {
        let mut name: String = code
            .name
            .replace('>', "›")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(90)
            .collect();
        if name.is_empty() {
            name = "Unnamed code".into();
        }
        let base = name.clone();
        let mut n = 2;
        while !taken.insert((code.parent, name.to_lowercase())) {
            name = format!("{base} ({n})");
            n += 1;
        }
        if name != code.name {
            changed.push(format!("Renamed the code “{}” to “{name}”.", code.name));
        }
        codes.push(PlannedCode {
            guid: code.guid.clone(),
            name,
            color: code.color.clone().unwrap_or_else(|| DEFAULT_COLOR.into()),
            description: code.description.clone(),
            parent: code.parent,
        });
    }
    codes
}

/// A source's own variable values and those of the cases that name it, as attributes.
fn add_attributes(project: &Project, source: &TextSource, document: &mut ParsedDocument) {
    let from_cases = project.case_values.get(&source.guid).into_iter().flatten();
    for (variable, value) in source.values.iter().chain(from_cases) {
        let Some(name) = project.variables.get(variable) else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || document.attributes.iter().any(|(n, _)| n == name) {
            continue;
        }
        document.attributes.push((name.to_owned(), value.clone()));
    }
}

fn summarise_changes(plan: &mut PlanReport) {
    let clamped: usize = plan.sources.iter().map(|s| s.clamped).sum();
    let empty: usize = plan.sources.iter().map(|s| s.empty).sum();
    if clamped > 0 {
        plan.changed.push(format!(
            "Clamped {clamped} selection(s) that reached outside their text."
        ));
    }
    if empty > 0 {
        *plan
            .not_imported
            .entry("empty selections (zero-length or only a speaker label)".into())
            .or_default() += empty;
    }
}
