//! From a peer's project to what Gloss will store: documents parsed exactly as a `.txt`
//! import would (speaker labels become turns), selections mapped from the peer's offset
//! model through the label removal into Gloss's code points, codes with names Gloss
//! accepts, and a record of everything that was changed or left out.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::archive::{Archive, text_of};
use super::offsets::{self, Probe, SourceText};
use super::read::{Project, ReadError};
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

pub struct Plan {
    pub name: String,
    pub description: String,
    pub codes: Vec<PlannedCode>,
    /// GUID → name, for every user an excerpt names.
    pub users: BTreeMap<String, String>,
    pub documents: Vec<PlannedDocument>,
    pub sources: Vec<SourceReport>,
    /// What was not carried over, counted per kind.
    pub not_imported: BTreeMap<String, usize>,
    /// What was changed on the way in, in words.
    pub changed: Vec<String>,
}

const DEFAULT_COLOR: &str = "#888888";

/// Plans the import of an opened archive.
pub fn plan(archive: &mut Archive) -> Result<Plan, ReadError> {
    let xml = archive.project_file()?;
    let project = super::read::project(&xml)?;
    let mut plan = Plan {
        name: project.name.trim().to_owned(),
        description: project.description.clone(),
        codes: Vec::new(),
        users: project.users.clone(),
        documents: Vec::new(),
        sources: Vec::new(),
        not_imported: project.not_imported.clone(),
        changed: Vec::new(),
    };
    plan_codes(&project, &mut plan);
    let code_index: HashMap<&str, usize> = project
        .codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.guid.as_str(), i))
        .collect();
    for source in &project.sources {
        let title = source_title(source);
        let raw = match (&source.plain_text_content, &source.plain_text_path) {
            (Some(content), _) => content.clone(),
            (None, Some(path)) => match archive.source(path)? {
                Some(bytes) => text_of(&bytes, path)?,
                None => {
                    missing(
                        &mut plan,
                        "text sources whose file is missing from the archive",
                        source,
                    );
                    continue;
                }
            },
            (None, None) => {
                missing(&mut plan, "text sources without text", source);
                continue;
            }
        };
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
        let text = SourceText::new(raw);
        let parsed = import::parse_file(
            &format!("{title}.txt"),
            text.normalised.as_bytes(),
            &ImportOptions {
                repair_mojibake: false,
                ..ImportOptions::default()
            },
        );
        let Ok(mut file) = parsed else {
            missing(&mut plan, "text sources with no text to import", source);
            continue;
        };
        let Some(mut document) = file.documents.drain(..).next() else {
            missing(&mut plan, "text sources with no text to import", source);
            continue;
        };
        let detection = offsets::detect(
            &text,
            &source
                .selections
                .iter()
                .map(|s| Probe {
                    start: s.start,
                    end: s.end,
                    name: &s.name,
                })
                .collect::<Vec<_>>(),
        );
        let map = offsets::alignment(&text.normalised, &document.text);
        let mut report = SourceReport {
            name: title.clone(),
            offset_model: detection.model.describe().to_owned(),
            aligned: detection.aligned,
            checked: detection.checked,
            excerpts: 0,
            clamped: 0,
            empty: 0,
        };
        let mut excerpts = Vec::new();
        for selection in &source.selections {
            let (start, clamped_start) = text.map(detection.model, selection.start);
            let (end, clamped_end) = text.map(detection.model, selection.end);
            if clamped_start || clamped_end {
                report.clamped += 1;
            }
            let (start, end) = (map[start.min(end)], map[end.max(start)]);
            if end <= start {
                report.empty += 1;
                continue;
            }
            let mut memo_parts: Vec<&str> = Vec::new();
            if !selection.description.trim().is_empty() {
                memo_parts.push(selection.description.trim());
            }
            for note in &selection.note_guids {
                if let Some(text) = project.notes.get(note).filter(|t| !t.trim().is_empty()) {
                    memo_parts.push(text.trim());
                }
            }
            if let Some(user) = &selection.creating_user {
                plan.users
                    .entry(user.clone())
                    .or_insert_with(|| format!("user-{}", &user[..8]));
            }
            excerpts.push(PlannedExcerpt {
                guid: selection.guid.clone(),
                user: selection.creating_user.clone(),
                start,
                end,
                memo: memo_parts.join("\n\n"),
                codes: selection
                    .code_guids
                    .iter()
                    .filter_map(|g| code_index.get(g.as_str()).copied())
                    .collect(),
            });
        }
        report.excerpts = excerpts.len();
        add_attributes(&project, source, &mut document);
        plan.sources.push(report);
        plan.documents.push(PlannedDocument {
            guid: source.guid.clone(),
            title,
            document,
            excerpts,
        });
    }
    summarise_changes(&mut plan);
    Ok(plan)
}

fn source_title(source: &super::read::TextSource) -> String {
    let name = source.name.trim();
    if !name.is_empty() {
        return name.chars().take(200).collect();
    }
    let path = source.plain_text_path.as_deref().unwrap_or("Untitled");
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.trim_end_matches(".txt").to_owned()
}

fn missing(plan: &mut Plan, kind: &str, source: &super::read::TextSource) {
    *plan.not_imported.entry(kind.to_owned()).or_default() += 1;
    plan.changed.push(format!(
        "Skipped “{}”: {kind} ({} selection(s) not imported).",
        source_title(source),
        source.selections.len()
    ));
}

/// Codes with names Gloss accepts: no `>` (it separates path levels), one line, at most
/// 100 characters, distinct among siblings (case-insensitively).
fn plan_codes(project: &Project, plan: &mut Plan) {
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
            plan.changed
                .push(format!("Renamed the code “{}” to “{name}”.", code.name));
        }
        plan.codes.push(PlannedCode {
            guid: code.guid.clone(),
            name,
            color: code.color.clone().unwrap_or_else(|| DEFAULT_COLOR.into()),
            description: code.description.clone(),
            parent: code.parent,
        });
    }
}

/// A source's own variable values and those of the cases that name it, as attributes.
fn add_attributes(
    project: &Project,
    source: &super::read::TextSource,
    document: &mut ParsedDocument,
) {
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

fn summarise_changes(plan: &mut Plan) {
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
