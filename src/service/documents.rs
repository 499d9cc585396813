//! Documents: importing files and pasted text (one upload, one transaction), reading a
//! document with its turns and attributes, editing title and attributes, and the
//! per-project speaker roles.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::ProjectAccess;
use super::blocking;
use crate::db::documents::{self as store, NewDocument, NewTurn};
use crate::db::{self, Db};
use crate::domain::import::{
    self, ImportError, ImportOptions, ParsedDocument, ParsedFile, SpeakerRole,
};
use crate::domain::names::single_line;
use crate::domain::{Invalid, Role};
use crate::error::{AppError, AppResult};

/// What callers see of documents, their turns and speakers.
pub use crate::db::documents::{Document, DocumentSummary, Speaker, Turn};

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

/// What an import did, shown to the user afterwards and returned by the API.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Identifies this import; its summary can be shown again later.
    pub import_id: i64,
    pub documents: Vec<ImportedDocument>,
    pub files: Vec<FileSummary>,
    pub skipped: Vec<SkippedDocument>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportedDocument {
    pub id: i64,
    pub title: String,
    pub external_id: Option<String>,
    pub length: usize,
    pub turns: usize,
    pub attributes: usize,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FileSummary {
    pub name: String,
    pub format: String,
    pub encoding: String,
    pub documents: usize,
    pub turns: usize,
    pub speakers: Vec<String>,
    pub attributes: Vec<String>,
    pub repairs: usize,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkippedDocument {
    pub file: String,
    pub title: String,
    pub external_id: Option<String>,
    pub reason: String,
}

impl FileSummary {
    /// How the file was read, in words.
    pub fn format_label(&self) -> &'static str {
        match self.format.as_str() {
            "speaker_text" => "transcript with speakers",
            "plain_text" => "plain text",
            "csv" => "CSV data set",
            "webvtt" => "WebVTT subtitles",
            "srt" => "SRT subtitles",
            "docx" => "Word document",
            _ => "file",
        }
    }
}

impl ImportSummary {
    pub fn turns(&self) -> usize {
        self.documents.iter().map(|d| d.turns).sum()
    }

    pub fn repairs(&self) -> usize {
        self.files.iter().map(|f| f.repairs).sum()
    }
}

const IMPORT_EVENT: &str = "documents.imported";

/// The summary of an earlier import into this project.
pub async fn import_summary(
    db: &Db,
    access: &ProjectAccess,
    import_id: i64,
) -> AppResult<ImportSummary> {
    let payload = db::events::payload(db, access.project_id(), import_id, IMPORT_EVENT)
        .await?
        .ok_or(AppError::NotFound("Import"))?;
    let mut summary: ImportSummary = serde_json::from_str(&payload).map_err(anyhow::Error::from)?;
    summary.import_id = import_id;
    Ok(summary)
}

/// Imports uploaded files into a project, all or nothing.
pub async fn import_files(
    db: &Db,
    access: &ProjectAccess,
    files: Vec<UploadedFile>,
    settings: ImportSettings,
) -> AppResult<ImportSummary> {
    require_editor(access)?;
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
    require_editor(access)?;
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

fn require_editor(access: &ProjectAccess) -> AppResult<()> {
    access.require(
        Role::can_edit_documents,
        "Only project owners can import and edit documents.",
    )?;
    access.require_active()
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
    document: &'a ParsedDocument,
    external_id: Option<String>,
}

async fn store_parsed(
    db: &Db,
    project_id: i64,
    user_id: Option<i64>,
    parsed: Vec<ParsedFile>,
    from_upload: bool,
    skip_duplicates: bool,
) -> AppResult<ImportSummary> {
    let mut tx = db::begin_write(db).await?;
    let existing: HashSet<String> = store::existing_external_ids(&mut *tx, project_id)
        .await?
        .into_iter()
        .collect();
    let mut seen = existing.clone();
    let mut pending = Vec::new();
    let mut skipped = Vec::new();
    let mut duplicates = Vec::new();
    for file in &parsed {
        for document in &file.documents {
            check_document(&file.file_name, document)?;
            let external_id = external_id_for(document, file, from_upload);
            let is_duplicate = external_id
                .as_ref()
                .is_some_and(|id| !seen.insert(id.clone()));
            if !is_duplicate {
                pending.push(Pending {
                    file,
                    document,
                    external_id,
                });
            } else {
                let id = external_id.unwrap_or_default();
                let reason = if existing.contains(&id) {
                    "already in this project (same id)"
                } else {
                    "appears twice in this upload (same id)"
                };
                if skip_duplicates {
                    skipped.push(SkippedDocument {
                        file: file.file_name.clone(),
                        title: document.title.clone(),
                        external_id: Some(id),
                        reason: reason.into(),
                    });
                } else {
                    duplicates.push(format!("“{}” in {} ({reason})", id, file.file_name));
                }
            }
        }
    }
    if !duplicates.is_empty() {
        return Err(duplicates_error(&duplicates));
    }

    let mut documents = Vec::with_capacity(pending.len());
    let mut speakers: BTreeMap<String, SpeakerRole> = BTreeMap::new();
    for item in &pending {
        let id = insert_document(&mut tx, project_id, user_id, item).await?;
        for turn in &item.document.turns {
            speakers
                .entry(turn.speaker.clone())
                .or_insert_with(|| import::default_role(&turn.speaker));
        }
        documents.push(ImportedDocument {
            id,
            title: clean_title(&item.document.title),
            external_id: item.external_id.clone(),
            length: item.document.text.chars().count(),
            turns: item.document.turns.len(),
            attributes: item.document.attributes.len(),
        });
    }
    let speaker_rows: Vec<(String, SpeakerRole)> = speakers.into_iter().collect();
    store::add_speakers(&mut tx, project_id, &speaker_rows).await?;
    let mut summary = ImportSummary {
        import_id: 0,
        documents,
        files: parsed.iter().map(file_summary).collect(),
        skipped,
    };
    // The audit event carries the whole summary, so the summary page can be shown again.
    let payload = serde_json::to_value(&summary).map_err(anyhow::Error::from)?;
    summary.import_id =
        db::events::record(&mut *tx, Some(project_id), user_id, IMPORT_EVENT, payload).await?;
    tx.commit().await?;
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
    let title = clean_title(&document.title);
    let length = document.text.chars().count() as i64;
    let new = NewDocument {
        project_id,
        title: &title,
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
    store::insert_turns(tx, id, &turns).await?;
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

fn file_summary(file: &ParsedFile) -> FileSummary {
    let mut speakers: Vec<String> = Vec::new();
    let mut attributes: Vec<String> = Vec::new();
    for document in &file.documents {
        for turn in &document.turns {
            if !speakers.contains(&turn.speaker) {
                speakers.push(turn.speaker.clone());
            }
        }
        for (name, _) in &document.attributes {
            if !attributes.contains(name) {
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

// ---------------------------------------------------------------------------------------
// Reading and editing

/// A document with everything needed to show it.
pub struct DocumentView {
    pub document: Document,
    pub turns: Vec<Turn>,
    pub attributes: Vec<(String, String)>,
}

pub async fn view(db: &Db, document: Document) -> AppResult<DocumentView> {
    let turns = store::turns_of(db, document.summary.id).await?;
    let attributes = store::attributes_of(db, document.summary.id)
        .await?
        .into_iter()
        .map(|a| (a.name, a.value))
        .collect();
    Ok(DocumentView {
        document,
        turns,
        attributes,
    })
}

/// One row of a project's document list.
pub struct DocumentListItem {
    pub summary: DocumentSummary,
    pub attributes: Vec<(String, String)>,
    /// Code points covered by at least one excerpt (0 until coding lands).
    pub coded: i64,
}

pub struct DocumentList {
    pub items: Vec<DocumentListItem>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

pub struct ListQuery<'a> {
    pub cursor: Option<i64>,
    pub limit: i64,
    pub attribute: Option<(&'a str, &'a str)>,
}

pub const MAX_PAGE: i64 = 1000;

pub async fn list(
    db: &Db,
    access: &ProjectAccess,
    query: &ListQuery<'_>,
) -> AppResult<DocumentList> {
    let limit = query.limit.clamp(1, MAX_PAGE);
    let filter = store::ListFilter {
        after_id: query.cursor.unwrap_or(0),
        limit: limit + 1,
        attribute: query.attribute,
    };
    let mut summaries = store::list(db, access.project_id(), &filter).await?;
    let has_more = summaries.len() as i64 > limit;
    summaries.truncate(limit as usize);
    let (Some(first), Some(last)) = (summaries.first(), summaries.last()) else {
        return Ok(DocumentList {
            items: Vec::new(),
            next_cursor: None,
        });
    };
    let mut attributes: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for a in store::attributes_in_range(db, access.project_id(), first.id, last.id).await? {
        attributes
            .entry(a.document_id)
            .or_default()
            .push((a.name, a.value));
    }
    let coded = coded_characters(db, access, first.id, last.id).await?;
    let next_cursor = has_more.then_some(last.id);
    let items = summaries
        .into_iter()
        .map(|summary| DocumentListItem {
            attributes: attributes.remove(&summary.id).unwrap_or_default(),
            coded: coded.get(&summary.id).copied().unwrap_or(0),
            summary,
        })
        .collect();
    Ok(DocumentList { items, next_cursor })
}

/// Characters covered by at least one excerpt the member may see, per document in the
/// id range (overlapping excerpts count once).
async fn coded_characters(
    db: &Db,
    access: &ProjectAccess,
    first: i64,
    last: i64,
) -> AppResult<BTreeMap<i64, i64>> {
    let filter = access.visible(crate::db::excerpts::CoderFilter::Everyone);
    let spans =
        crate::db::excerpts::spans_of_documents(db, access.project_id(), first, last, filter)
            .await?;
    let mut by_document: BTreeMap<i64, Vec<(usize, usize)>> = BTreeMap::new();
    for (document_id, start, end) in spans {
        by_document
            .entry(document_id)
            .or_default()
            .push((start as usize, end as usize));
    }
    Ok(by_document
        .into_iter()
        .map(|(id, spans)| {
            let end = spans.iter().map(|s| s.1).max().unwrap_or(0);
            let covered: usize = crate::domain::text::coverage_runs(0, end, &spans)
                .iter()
                .filter(|r| r.2)
                .map(|r| r.1 - r.0)
                .sum();
            (id, covered as i64)
        })
        .collect())
}

/// Changes to a document: a new title, and attributes to set (`Some`) or remove (`None`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChanges {
    pub title: Option<String>,
    /// Attributes to set; a `null` value removes the attribute.
    #[serde(default)]
    pub attributes: BTreeMap<String, Option<String>>,
}

pub async fn update(
    db: &Db,
    access: &ProjectAccess,
    document_id: i64,
    changes: &DocumentChanges,
) -> AppResult<()> {
    require_editor(access)?;
    let title = changes
        .title
        .as_deref()
        .map(|t| single_line("title", t, 300, "a title"))
        .transpose()?;
    let mut attributes = Vec::new();
    for (name, value) in &changes.attributes {
        let name = single_line("attributes", name, 200, "an attribute name")?;
        let value = value
            .as_deref()
            .map(|v| crate::domain::names::free_text("attributes", v, 10_000))
            .transpose()?;
        attributes.push((name, value));
    }
    let mut tx = db::begin_write(db).await?;
    ensure_in_project(&mut tx, access, document_id).await?;
    if let Some(title) = &title {
        store::set_title(&mut *tx, document_id, title).await?;
    }
    let mut position = store::next_attribute_position(&mut *tx, document_id).await?;
    for (name, value) in &attributes {
        match value {
            Some(value) => {
                store::set_attribute(&mut *tx, document_id, position, name, value).await?;
                position += 1;
            }
            None => store::remove_attribute(&mut *tx, document_id, name).await?,
        }
    }
    store::touch(&mut *tx, document_id).await?;
    let payload =
        json!({ "document_id": document_id, "title": title, "attributes": changes.attributes });
    db::events::record(
        &mut *tx,
        Some(access.project_id()),
        Some(access.user.id),
        "document.updated",
        payload,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, access: &ProjectAccess, document_id: i64) -> AppResult<()> {
    require_editor(access)?;
    let mut tx = db::begin_write(db).await?;
    let summary = ensure_in_project(&mut tx, access, document_id).await?;
    store::delete(&mut *tx, document_id).await?;
    let payload = json!({ "document_id": document_id, "title": summary.title });
    db::events::record(
        &mut *tx,
        Some(access.project_id()),
        Some(access.user.id),
        "document.deleted",
        payload,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_in_project(
    tx: &mut db::Tx,
    access: &ProjectAccess,
    document_id: i64,
) -> AppResult<DocumentSummary> {
    store::summary_by_id(&mut **tx, document_id)
        .await?
        .filter(|d| d.project_id == access.project_id())
        .ok_or(AppError::NotFound("Document"))
}

pub async fn attribute_values(
    db: &Db,
    access: &ProjectAccess,
) -> AppResult<Vec<(String, String, i64)>> {
    Ok(store::attribute_values(db, access.project_id()).await?)
}

pub async fn count(db: &Db, access: &ProjectAccess) -> AppResult<i64> {
    Ok(store::count(db, access.project_id()).await?)
}

// ---------------------------------------------------------------------------------------
// Speakers

pub async fn speakers(db: &Db, access: &ProjectAccess) -> AppResult<Vec<store::Speaker>> {
    Ok(store::speakers(db, access.project_id()).await?)
}

pub async fn set_speaker_role(
    db: &Db,
    access: &ProjectAccess,
    label: &str,
    role: &str,
) -> AppResult<()> {
    require_editor(access)?;
    let role = SpeakerRole::parse(role)?;
    let mut tx = db::begin_write(db).await?;
    if !store::set_speaker_role(&mut *tx, access.project_id(), label, role).await? {
        return Err(AppError::NotFound("Speaker"));
    }
    let payload = json!({ "label": label, "role": role.as_str() });
    db::events::record(
        &mut *tx,
        Some(access.project_id()),
        Some(access.user.id),
        "speaker.role_changed",
        payload,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
