//! Importing: files and pasted text become documents, one upload in one transaction (all
//! or nothing). Parsing and every check that needs no database run before the write
//! transaction starts, so an import holds other writers up only while it inserts.

pub mod summary;

use std::collections::{BTreeMap, HashSet};

use super::access::ProjectAccess;
use super::blocking;
use super::events::{self, Change, Origin};
use crate::db::documents::{self as store, NewDocument, NewTurn};
use crate::db::{self, Db};
use crate::domain::Invalid;
use crate::domain::import::{
    self, ImportError, ImportOptions, ParsedDocument, ParsedFile, SpeakerRole,
};
use crate::error::{AppError, AppResult};

pub use summary::{FileSummary, ImportSummary, ImportedDocument, SkippedDocument};

/// One uploaded file.
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How to import: parser options plus what to do with documents already in the project.
#[derive(Debug, Clone, Default)]
pub struct ImportSettings {
    pub options: ImportOptions,
    pub skip_duplicates: bool,
}

const IMPORT_EVENT: &str = "documents.imported";

/// The summary of an earlier import into this project.
pub async fn import_summary(
    db: &Db,
    access: &ProjectAccess,
    import_id: i64,
) -> AppResult<ImportSummary> {
    match events::find(db, access.project_id(), import_id, IMPORT_EVENT).await? {
        Some(Change::DocumentsImported(summary)) => Ok(ImportSummary {
            import_id,
            ..*summary
        }),
        _ => Err(AppError::NotFound("Import")),
    }
}

/// Imports uploaded files into a project, all or nothing.
pub async fn import_files(
    db: &Db,
    access: &ProjectAccess,
    files: Vec<UploadedFile>,
    settings: ImportSettings,
) -> AppResult<ImportSummary> {
    access.require_document_editor()?;
    let parsed = parse_uploads(files, settings.options.clone()).await?;
    store_parsed(
        db,
        access.project_id(),
        Some(access.user.id),
        parsed,
        true,
        settings.skip_duplicates,
    )
    .await
}

/// The command line's import: the operator acts on any project.
pub async fn import_files_as_operator(
    db: &Db,
    project_id: i64,
    files: Vec<UploadedFile>,
    settings: ImportSettings,
) -> AppResult<ImportSummary> {
    let parsed = parse_uploads(files, settings.options.clone()).await?;
    store_parsed(db, project_id, None, parsed, true, settings.skip_duplicates).await
}

/// Text sent as JSON: parsed exactly like an uploaded `.txt` file, or, when the caller
/// gives the speaker turns, stored verbatim with those turns.
pub struct TextDocument {
    pub title: Option<String>,
    pub text: String,
    pub attributes: BTreeMap<String, String>,
    pub turns: Option<Vec<import::ParsedTurn>>,
}

/// Imports text sent as JSON.
pub async fn import_text(
    db: &Db,
    access: &ProjectAccess,
    document: TextDocument,
    settings: ImportSettings,
) -> AppResult<ImportSummary> {
    access.require_document_editor()?;
    let options = settings.options.clone();
    let TextDocument {
        title,
        text,
        attributes,
        turns,
    } = document;
    let mut parsed = blocking(move || match turns {
        Some(turns) => {
            let title = title.unwrap_or_else(|| {
                text.lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("Untitled")
                    .chars()
                    .take(120)
                    .collect()
            });
            import::with_explicit_turns(&title, &text, turns)
        }
        None => import::parse_pasted_text(title.as_deref(), &text, &options),
    })
    .await?
    .map_err(|e| import_errors(&[e]))?;
    for document in &mut parsed.documents {
        for (name, value) in &attributes {
            upsert_attribute(&mut document.attributes, name, value);
        }
    }
    // The caller's attributes count towards the same limits as the parsed ones.
    import::limits::check_file(&parsed).map_err(|e| import_errors(&[e]))?;
    store_parsed(
        db,
        access.project_id(),
        Some(access.user.id),
        vec![parsed],
        false,
        settings.skip_duplicates,
    )
    .await
}

async fn parse_uploads(
    files: Vec<UploadedFile>,
    options: ImportOptions,
) -> AppResult<Vec<ParsedFile>> {
    if files.is_empty() {
        return Err(AppError::invalid(
            "files",
            "Choose at least one file to import.",
        ));
    }
    // Parsing is CPU-bound (decoding, normalisation, CSV): keep it off the async workers.
    let results = blocking(move || {
        files
            .iter()
            .map(|file| import::parse_file(&file.name, &file.bytes, &options))
            .collect::<Vec<_>>()
    })
    .await?;
    let (parsed, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
    if failed.is_empty() {
        return Ok(parsed.into_iter().flatten().collect());
    }
    // Every unreadable file at once, so one round of fixes is enough.
    let errors: Vec<ImportError> = failed.into_iter().filter_map(Result::err).collect();
    Err(import_errors(&errors))
}

fn import_errors(errors: &[ImportError]) -> AppError {
    let message = match errors {
        [one] => one.to_string(),
        many => format!(
            "{} files cannot be imported; nothing was imported. {}",
            many.len(),
            many.iter()
                .map(ImportError::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    AppError::Invalid(Invalid::new("file", message))
}

/// A document about to be stored, with the identifier used to detect duplicates.
struct Pending<'a> {
    file: &'a ParsedFile,
    /// Where this document's file is in the plan's `files`, so a skip can be counted there.
    file_index: usize,
    document: &'a ParsedDocument,
    external_id: Option<String>,
    title: String,
}

/// Everything about an upload that does not depend on the database, worked out before the
/// write transaction so that an import holds other writers up only while it inserts.
struct Plan<'a> {
    documents: Vec<Pending<'a>>,
    files: Vec<FileSummary>,
}

fn plan(parsed: &[ParsedFile], from_upload: bool) -> AppResult<Plan<'_>> {
    let mut documents = Vec::new();
    for (file_index, file) in parsed.iter().enumerate() {
        for document in &file.documents {
            check_document(&file.file_name, document)?;
            documents.push(Pending {
                file,
                file_index,
                document,
                external_id: external_id_for(document, file, from_upload),
                title: clean_title(&document.title),
            });
        }
    }
    Ok(Plan {
        documents,
        files: parsed.iter().map(file_summary).collect(),
    })
}

/// Splits the plan's documents into new ones and duplicates (already in the project, or
/// twice in this upload), skipping or refusing the duplicates as asked. A skipped document
/// is taken off its file's counts, so the file rows add up to what was created.
fn without_duplicates<'a>(
    documents: Vec<Pending<'a>>,
    existing: &HashSet<String>,
    skip_duplicates: bool,
    files: &mut [FileSummary],
) -> AppResult<(Vec<Pending<'a>>, Vec<SkippedDocument>)> {
    let mut seen = existing.clone();
    let (mut fresh, mut skipped, mut duplicates) = (Vec::new(), Vec::new(), Vec::new());
    for item in documents {
        let id = match &item.external_id {
            Some(id) if !seen.insert(id.clone()) => id.clone(),
            _ => {
                fresh.push(item);
                continue;
            }
        };
        let reason = if existing.contains(&id) {
            "already in this project (same id)"
        } else {
            "appears twice in this upload (same id)"
        };
        if skip_duplicates {
            files[item.file_index].count_skipped(item.document.turns.len());
            skipped.push(SkippedDocument {
                file: item.file.file_name.clone(),
                title: item.document.title.clone(),
                external_id: Some(id),
                reason: reason.into(),
            });
        } else {
            duplicates.push(format!("“{}” in {} ({reason})", id, item.file.file_name));
        }
    }
    if duplicates.is_empty() {
        Ok((fresh, skipped))
    } else {
        Err(duplicates_error(&duplicates))
    }
}

async fn store_parsed(
    db: &Db,
    project_id: i64,
    user_id: Option<i64>,
    parsed: Vec<ParsedFile>,
    from_upload: bool,
    skip_duplicates: bool,
) -> AppResult<ImportSummary> {
    let Plan {
        documents,
        mut files,
    } = plan(&parsed, from_upload)?;
    let mut tx = db::begin_write(db).await?;
    let existing: HashSet<String> = store::existing_external_ids(&mut *tx, project_id)
        .await?
        .into_iter()
        .collect();
    let (fresh, skipped) = without_duplicates(documents, &existing, skip_duplicates, &mut files)?;
    let mut imported = Vec::with_capacity(fresh.len());
    for item in &fresh {
        let id = insert_document(&mut tx, project_id, user_id, item).await?;
        imported.push(ImportedDocument {
            id,
            title: item.title.clone(),
            external_id: item.external_id.clone(),
            length: item.document.text.chars().count(),
            turns: item.document.turns.len(),
            attributes: item.document.attributes.len(),
        });
    }
    store::add_speakers(&mut tx, project_id, &speakers_of(&fresh)).await?;
    let mut summary = ImportSummary {
        import_id: 0,
        documents: imported,
        files,
        skipped,
    };
    // The audit event carries the whole summary, so the summary page can be shown again.
    let change = Change::DocumentsImported(Box::new(summary));
    let origin = Origin::in_project(project_id, user_id);
    let import_id = events::record(&mut tx, origin, &change).await?;
    tx.commit().await?;
    let Change::DocumentsImported(done) = change else {
        unreachable!("built above")
    };
    summary = *done;
    summary.import_id = import_id;
    Ok(summary)
}

/// Limits on what an import may store, whatever its source.
const MAX_ATTRIBUTE_NAME: usize = 200;
const MAX_ATTRIBUTE_VALUE: usize = 100_000;
const MAX_SPEAKER: usize = 200;
/// Ten years, in milliseconds: beyond this a turn time is a mistake, not a recording.
const MAX_TIME_MS: u64 = 10 * 366 * 24 * 3600 * 1000;

/// Refuses documents that no transcript should contain: NUL characters, names that are
/// not one line, oversized attributes, impossible times.
fn check_document(file: &str, document: &ParsedDocument) -> AppResult<()> {
    let fail = |what: String| Err(AppError::invalid("file", format!("“{file}”: {what}")));
    if document.text.contains('\0') {
        return fail("the text contains NUL characters; is this really a text file?".into());
    }
    for (name, value) in &document.attributes {
        if name.trim().is_empty()
            || name.chars().any(char::is_control)
            || name.chars().count() > MAX_ATTRIBUTE_NAME
        {
            return fail(format!(
                "attribute names must be one line of at most {MAX_ATTRIBUTE_NAME} characters (got “{}”)",
                name.chars().take(40).collect::<String>()
            ));
        }
        if value.contains('\0') || value.chars().count() > MAX_ATTRIBUTE_VALUE {
            return fail(format!(
                "the value of attribute “{name}” is longer than {MAX_ATTRIBUTE_VALUE} characters or contains NUL"
            ));
        }
    }
    for turn in &document.turns {
        if turn.speaker.chars().any(char::is_control) || turn.speaker.chars().count() > MAX_SPEAKER
        {
            return fail(format!(
                "speaker labels must be one line of at most {MAX_SPEAKER} characters"
            ));
        }
        if turn
            .start_ms
            .into_iter()
            .chain(turn.end_ms)
            .any(|ms| ms > MAX_TIME_MS)
        {
            return fail(format!(
                "the turn of “{}” has a time beyond ten years",
                turn.speaker
            ));
        }
    }
    Ok(())
}

async fn insert_document(
    tx: &mut db::Tx,
    project_id: i64,
    user_id: Option<i64>,
    item: &Pending<'_>,
) -> AppResult<i64> {
    let document = item.document;
    let title = &item.title;
    let length = document.text.chars().count() as i64;
    let new = NewDocument {
        project_id,
        title,
        external_id: item.external_id.as_deref(),
        source_name: &item.file.file_name,
        source_format: format_name(item.file.format),
        text: &document.text,
        length,
        turn_count: document.turns.len() as i64,
        created_by: user_id,
    };
    let id = store::insert(&mut **tx, &new).await?;
    let turns: Vec<NewTurn> = document
        .turns
        .iter()
        .map(|t| NewTurn {
            speaker: &t.speaker,
            start: t.start as i64,
            end: t.end as i64,
            start_ms: t.start_ms.map(|ms| ms as i64),
            end_ms: t.end_ms.map(|ms| ms as i64),
        })
        .collect();
    store::insert_turns(tx, id, &document.text, &turns).await?;
    store::insert_attributes(tx, id, &document.attributes).await?;
    Ok(id)
}

/// The identifier used to recognise a document imported twice: the source's own id (CSV
/// id column), else an id-like header field, else the file name of a one-document file.
fn external_id_for(
    document: &ParsedDocument,
    file: &ParsedFile,
    from_upload: bool,
) -> Option<String> {
    let id_like = |name: &str| {
        let name = name.trim().to_lowercase().replace(['_', '-'], " ");
        matches!(
            name.as_str(),
            "id" | "transcript id" | "interview id" | "document id"
        )
    };
    document
        .external_id
        .clone()
        .or_else(|| {
            document
                .attributes
                .iter()
                .find(|(k, _)| id_like(k))
                .map(|(_, v)| v.clone())
        })
        .or_else(|| (from_upload && file.documents.len() == 1).then(|| file.file_name.clone()))
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
}

fn duplicates_error(duplicates: &[String]) -> AppError {
    let shown: Vec<&str> = duplicates.iter().take(5).map(String::as_str).collect();
    let more = if duplicates.len() > shown.len() {
        format!(" and {} more", duplicates.len() - shown.len())
    } else {
        String::new()
    };
    AppError::conflict(format!(
        "{} document(s) have an id that is already taken: {}{more}. Nothing was imported. \
         Choose “skip documents already imported” (API: skip_duplicates=true) to import only \
         the new ones; a document's id is its id column or header field, else its file name.",
        duplicates.len(),
        shown.join("; ")
    ))
}

fn clean_title(raw: &str) -> String {
    let printable: String = raw
        .chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect();
    let one_line: String = printable.split_whitespace().collect::<Vec<_>>().join(" ");
    let title: String = one_line.chars().take(300).collect();
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

/// The speakers of the documents being stored (not of skipped duplicates), each with its
/// default role.
fn speakers_of(documents: &[Pending<'_>]) -> Vec<(String, SpeakerRole)> {
    let mut speakers: BTreeMap<String, SpeakerRole> = BTreeMap::new();
    for turn in documents.iter().flat_map(|item| &item.document.turns) {
        if !speakers.contains_key(&turn.speaker) {
            speakers.insert(turn.speaker.clone(), import::default_role(&turn.speaker));
        }
    }
    speakers.into_iter().collect()
}

/// The file's speakers and attribute names in order of first appearance (a set makes
/// this linear: a file may hold 100,000 distinct labels).
fn file_summary(file: &ParsedFile) -> FileSummary {
    let (mut speakers, mut attributes) = (Vec::new(), Vec::new());
    let (mut seen_speakers, mut seen_attributes) = (HashSet::new(), HashSet::new());
    for document in &file.documents {
        for turn in &document.turns {
            if seen_speakers.insert(turn.speaker.as_str()) {
                speakers.push(turn.speaker.clone());
            }
        }
        for (name, _) in &document.attributes {
            if seen_attributes.insert(name.as_str()) {
                attributes.push(name.clone());
            }
        }
    }
    FileSummary {
        name: file.file_name.clone(),
        format: format_name(file.format).to_owned(),
        encoding: file.encoding.to_owned(),
        documents: file.documents.len(),
        turns: file.documents.iter().map(|d| d.turns.len()).sum(),
        speakers,
        attributes,
        repairs: file.repairs,
        notes: file.notes.clone(),
        skipped: 0,
    }
}

fn format_name(format: import::SourceFormat) -> &'static str {
    match format {
        import::SourceFormat::SpeakerText => "speaker_text",
        import::SourceFormat::PlainText => "plain_text",
        import::SourceFormat::Csv => "csv",
        import::SourceFormat::WebVtt => "webvtt",
        import::SourceFormat::Srt => "srt",
        import::SourceFormat::Docx => "docx",
    }
}

fn upsert_attribute(attributes: &mut Vec<(String, String)>, name: &str, value: &str) {
    match attributes.iter_mut().find(|(k, _)| k == name) {
        Some(existing) => existing.1 = value.to_owned(),
        None => attributes.push((name.to_owned(), value.to_owned())),
    }
}
