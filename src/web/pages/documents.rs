//! Importing documents, the import summary, reading a transcript, and editing a document's
//! title and attributes.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Layout, PageResult, PageRoute, after_form, redirect_with_flash, render};
use crate::domain::text::byte_offsets;
use crate::domain::transcript::{self, format_time};
use crate::error::AppError;
use crate::service::access::{InDocument, ProjectAccess};
use crate::service::codes::{self, CodeView};
use crate::service::documents::Turn;
use crate::service::documents::{self as docs, DocumentChanges};
use crate::service::excerpts;
use crate::service::excerpts::CoderFilter;
use crate::service::import::{self, ImportSummary};
use crate::service::progress;
use crate::web::AppState;
use crate::web::error::{ApiError, PageError};
use crate::web::extract::Page;
use crate::web::upload::Upload;
use crate::web::upload_routes;
use crate::web::urls;

pub(super) fn routes() -> Vec<PageRoute> {
    vec![
        PageRoute::post(upload_routes::IMPORT_DOCUMENTS_PAGE, import),
        PageRoute::get("/projects/{id}/imports/{import_id}", import_summary),
        PageRoute::post("/projects/{id}/speakers", set_speaker_role),
        PageRoute::get("/documents/{id}", document_page),
        PageRoute::post("/documents/{id}/edit", edit_document),
        PageRoute::post("/documents/{id}/delete", delete_document),
    ]
}

async fn import(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    headers: HeaderMap,
    upload: Result<Upload, ApiError>,
) -> PageResult {
    let result = match upload {
        Ok(upload) => import::import_files(&app.db, &access, upload.files, upload.settings).await,
        Err(ApiError(err)) => Err(err),
    };
    if wants_json(&headers) {
        // The page's upload script shows progress and errors in place.
        return Ok(match result {
            Ok(summary) => {
                let to = urls::import_summary(access.project_id(), summary.import_id);
                Json(json!({ "redirect": to })).into_response()
            }
            Err(err) => ApiError(err).into_response(),
        });
    }
    let back = urls::project(access.project_id());
    match result {
        Ok(summary) => Ok(Redirect::to(&urls::import_summary(
            access.project_id(),
            summary.import_id,
        ))
        .into_response()),
        Err(err @ AppError::Forbidden(_)) => Err(PageError(err)),
        Err(err) => after_form::<()>(&app, &page.session, Err(err), "", &back, &back).await,
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.starts_with("application/json"))
}

#[derive(Template)]
#[template(path = "import_summary.html")]
struct ImportSummaryPage {
    layout: Layout,
    project_id: i64,
    project_name: String,
    summary: ImportSummary,
}

async fn import_summary(
    State(app): State<AppState>,
    Page(mut page, access): Page<ProjectAccess>,
    Path((_, import_id)): Path<(i64, i64)>,
) -> PageResult {
    let summary = import::import_summary(&app.db, &access, import_id).await?;
    let layout = Layout::for_user(&app, &mut page, "Import summary").await?;
    render(&ImportSummaryPage {
        layout,
        project_id: access.project_id(),
        project_name: access.project.name,
        summary,
    })
}

#[derive(Deserialize)]
struct SpeakerForm {
    label: String,
    role: String,
}

async fn set_speaker_role(
    State(app): State<AppState>,
    Page(page, access): Page<ProjectAccess>,
    Form(form): Form<SpeakerForm>,
) -> PageResult {
    let result = docs::set_speaker_role(&app.db, &access, &form.label, &form.role).await;
    let back = format!("{}#speakers", urls::project(access.project_id()));
    let done = format!("“{}” is now treated as {}.", form.label, form.role);
    after_form(&app, &page.session, result, &done, &back, &back).await
}

/// One block of the transcript as shown: a speaker turn or text outside turns.
struct ShownBlock<'a> {
    start: usize,
    end: usize,
    speaker: Option<&'a str>,
    role: &'a str,
    time: Option<String>,
    text: &'a str,
}

/// What the coding script needs at start, embedded in the page as JSON so the document
/// is interactive without further requests.
#[derive(Serialize)]
struct CodingData<'a> {
    document: DocumentRef,
    me: Me<'a>,
    blind: bool,
    archived: bool,
    codes: Vec<CodeView>,
    excerpts: Vec<PageExcerpt>,
    urls: ApiUrls,
}

/// An excerpt as the API shows it, without `text`: the page already shows the document's
/// text, and leaving it out halves the embedded JSON of a densely coded interview (about
/// 1 MB for 2,000 excerpts), which the browser must parse before the page is interactive.
#[derive(Serialize)]
struct PageExcerpt {
    id: i64,
    document_id: i64,
    start: i64,
    end: i64,
    code_ids: Vec<i64>,
    memo: String,
    coder: String,
    consensus: bool,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl From<excerpts::ExcerptView> for PageExcerpt {
    fn from(view: excerpts::ExcerptView) -> Self {
        let e = view.excerpt;
        PageExcerpt {
            id: e.id,
            document_id: e.document_id,
            start: e.start,
            end: e.end,
            code_ids: view.code_ids,
            memo: e.memo,
            coder: e.coder,
            consensus: e.consensus,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Serialize)]
struct DocumentRef {
    id: i64,
    project_id: i64,
    length: i64,
}

#[derive(Serialize)]
struct Me<'a> {
    username: &'a str,
    can_code: bool,
    can_adjudicate: bool,
    sees_all_coders: bool,
}

#[derive(Serialize)]
struct ApiUrls {
    excerpts: String,
    excerpt: String,
    codes: String,
    code: String,
    /// A code's page (its retrieval), without the id: the codebook panel links there.
    code_page: String,
}

/// JSON that is safe inside `<script type="application/json">`: no `<` can end the element.
fn script_json(value: &impl Serialize) -> Result<String, AppError> {
    let json = serde_json::to_string(value).map_err(anyhow::Error::from)?;
    Ok(json.replace('<', "\\u003c"))
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    layout: Layout,
    project_id: i64,
    project_name: &'a str,
    document_id: i64,
    title: &'a str,
    length: i64,
    attributes: &'a [(String, String)],
    blocks: Vec<ShownBlock<'a>>,
    /// Speaker turns and distinct speakers, said in words above the transcript.
    turns: usize,
    speakers: usize,
    can_edit: bool,
    coding_data: String,
    /// The caller's status on this document, when they may code it.
    completion: Option<progress::Completion>,
}

async fn document_page(
    State(app): State<AppState>,
    Page(mut page, InDocument { access, document }): Page<InDocument>,
) -> PageResult {
    let codes = codes::codebook(&app.db, &access).await?;
    let excerpts =
        excerpts::for_document(&app.db, &access, &document, CoderFilter::Everyone).await?;
    let view = docs::view(&app.db, document).await?;
    let data = CodingData {
        document: DocumentRef {
            id: view.document.summary.id,
            project_id: access.project_id(),
            length: view.document.summary.length,
        },
        me: Me {
            username: &page.user.username,
            can_code: access.role.can_code() && !access.project.archived,
            can_adjudicate: access.role.can_manage_codebook(),
            sees_all_coders: access.sees_all_coders(),
        },
        blind: access.project.blind_coding,
        archived: access.project.archived,
        codes,
        excerpts: excerpts.into_iter().map(Into::into).collect(),
        urls: ApiUrls {
            excerpts: urls::api::document_excerpts(view.document.summary.id),
            excerpt: urls::api::excerpt_prefix(),
            codes: urls::api::project_codes(access.project_id()),
            code: urls::api::code_prefix(),
            code_page: urls::code(""),
        },
    };
    let coding_data = script_json(&data)?;
    let completion = match access.role.can_code() {
        true => {
            let id = view.document.summary.id;
            Some(progress::completion_of(&app.db, &access, id).await?)
        }
        false => None,
    };
    let layout = Layout::for_user(&app, &mut page, view.document.summary.title.clone()).await?;
    let blocks = shown_blocks(&view.document.text, &view.turns);
    let speakers = view
        .turns
        .iter()
        .map(|t| t.speaker.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    render(&DocumentPage {
        layout,
        project_id: access.project_id(),
        project_name: &access.project.name,
        document_id: view.document.summary.id,
        title: &view.document.summary.title,
        length: view.document.summary.length,
        attributes: &view.attributes,
        blocks,
        turns: view.turns.len(),
        speakers,
        can_edit: access.role.can_edit_documents(),
        coding_data,
        completion,
    })
}

/// Lays the transcript out in blocks and slices their text with one pass over the text.
fn shown_blocks<'a>(text: &'a str, turns: &'a [Turn]) -> Vec<ShownBlock<'a>> {
    let spans: Vec<(usize, usize)> = turns
        .iter()
        .map(|t| (t.start as usize, t.end as usize))
        .collect();
    let blocks = transcript::blocks(text, &spans);
    let boundaries: Vec<usize> = blocks.iter().flat_map(|b| [b.start, b.end]).collect();
    let bytes = byte_offsets(text, &boundaries);
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let turn = block.turn.map(|t| &turns[t]);
            ShownBlock {
                start: block.start,
                end: block.end,
                speaker: turn.map(|t| t.speaker.as_str()),
                role: turn.map_or("none", |t| t.role.as_str()),
                time: turn.and_then(|t| t.start_ms).map(format_time),
                text: &text[bytes[2 * i]..bytes[2 * i + 1]],
            }
        })
        .collect()
}

async fn edit_document(
    State(app): State<AppState>,
    Page(page, InDocument { access, document }): Page<InDocument>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = document.summary.id;
    let old = docs::view(&app.db, document).await?.attributes;
    let changes = changes_from_form(&fields, &old);
    let result = docs::update(&app.db, &access, id, &changes).await;
    let back = urls::document(id);
    after_form(&app, &page.session, result, "Document saved.", &back, &back).await
}

/// The edit form sends `title`, then `attr_name`/`attr_value` pairs in order. A pair with
/// an empty name or value removes that attribute.
fn changes_from_form(fields: &[(String, String)], old: &[(String, String)]) -> DocumentChanges {
    let mut changes = DocumentChanges::default();
    let mut pending_name: Option<&str> = None;
    for (key, value) in fields {
        match key.as_str() {
            "title" => changes.title = Some(value.clone()),
            "attr_name" => pending_name = Some(value.trim()),
            "attr_value" => {
                if let Some(name) = pending_name.take().filter(|n| !n.is_empty()) {
                    let value = Some(value.clone()).filter(|v| !v.trim().is_empty());
                    changes.attributes.insert(name.to_owned(), value);
                }
            }
            _ => {}
        }
    }
    for (name, _) in old {
        changes.attributes.entry(name.clone()).or_insert(None);
    }
    changes
}

async fn delete_document(
    State(app): State<AppState>,
    Page(page, InDocument { access, document }): Page<InDocument>,
) -> PageResult {
    let result = docs::delete(&app.db, &access, document.summary.id).await;
    let project = urls::project(access.project_id());
    match result {
        Ok(()) => {
            redirect_with_flash(
                &app,
                &page.session,
                &format!("Deleted “{}”.", document.summary.title),
                &project,
            )
            .await
        }
        Err(err) => {
            after_form::<()>(
                &app,
                &page.session,
                Err(err),
                "",
                &project,
                &urls::document(document.summary.id),
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_form_sets_changes_and_removes_cleared_attributes() {
        let fields: Vec<(String, String)> = [
            ("title", "New title"),
            ("attr_name", "Site"),
            ("attr_value", "Leeds"),
            ("attr_name", "Wave"),
            ("attr_value", ""),
            ("attr_name", ""),
            ("attr_value", "orphan"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let old = vec![
            ("Wave".to_string(), "1".to_string()),
            ("Old".to_string(), "x".to_string()),
        ];
        let changes = changes_from_form(&fields, &old);
        assert_eq!(changes.title.as_deref(), Some("New title"));
        assert_eq!(
            changes.attributes.get("Site"),
            Some(&Some("Leeds".to_string()))
        );
        assert_eq!(changes.attributes.get("Wave"), Some(&None));
        assert_eq!(
            changes.attributes.get("Old"),
            Some(&None),
            "rows removed from the form are deleted"
        );
        assert_eq!(changes.attributes.len(), 3);
    }
}
