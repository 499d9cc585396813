//! `/api/v1/projects/{id}/documents` and `/api/v1/documents/{id}`: import, list, read,
//! edit and delete documents; `/api/v1/projects/{id}/speakers`: speaker roles.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiResult, ErrorBody, PageParams};
use crate::domain::import::{CsvColumns, ImportOptions, ParsedTurn};
use crate::service::access::{InDocument, ProjectAccess};
use crate::service::documents::{self as docs, DocumentChanges, ListQuery};
use crate::service::documents::{DocumentSummary, Turn};
use crate::service::import::{self, ImportSettings, ImportSummary, TextDocument};
use crate::service::params;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::extract::Api;
use crate::web::upload::Upload;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(speakers))
        .routes(routes!(set_speaker))
}

/// The body of a document import: JSON text, or uploaded files.
enum ImportBody {
    Text(NewText),
    Files(Upload),
}

/// `{title?, text, attributes?}` parsed exactly like an uploaded `.txt` file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewText {
    title: Option<String>,
    text: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    /// The speaker turns, when the caller knows them: the text is then stored verbatim.
    turns: Option<Vec<TurnInput>>,
    #[serde(default = "yes")]
    repair_mojibake: bool,
    #[serde(default)]
    skip_duplicates: bool,
}

fn yes() -> bool {
    true
}

/// A multipart upload of one or more files.
#[allow(dead_code)] // describes the multipart form for the OpenAPI document only
#[derive(ToSchema)]
struct UploadForm {
    /// One or more files (.txt, .md, .csv, .tsv, .vtt, .srt, .docx).
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
    /// "false" keeps mojibake as it is (default true).
    repair_mojibake: Option<bool>,
    /// "true" skips documents whose id is already in the project.
    skip_duplicates: Option<bool>,
    /// CSV: the column with the transcript text (guessed if absent).
    text_column: Option<String>,
    /// CSV: the column with each interview's id or title (guessed if absent).
    id_column: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TurnInput {
    speaker: String,
    start: usize,
    end: usize,
    /// Seconds.
    start_time: Option<f64>,
    end_time: Option<f64>,
}

impl From<TurnInput> for ParsedTurn {
    fn from(t: TurnInput) -> Self {
        let ms = |s: Option<f64>| {
            s.filter(|s| s.is_finite() && *s >= 0.0)
                .map(|s| (s * 1000.0).round() as u64)
        };
        ParsedTurn {
            speaker: t.speaker,
            start: t.start,
            end: t.end,
            start_ms: ms(t.start_time),
            end_ms: ms(t.end_time),
        }
    }
}

impl<S> FromRequest<S> for ImportBody
where
    S: Send + Sync,
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            Ok(ImportBody::Files(Upload::from_request(req, state).await?))
        } else {
            let ApiJson(text) = ApiJson::<NewText>::from_request(req, state).await?;
            Ok(ImportBody::Text(text))
        }
    }
}

#[derive(Serialize, ToSchema)]
struct Created {
    /// The new document's id when exactly one was created.
    id: Option<i64>,
    #[serde(flatten)]
    summary: ImportSummary,
}

/// Imports documents (owners): uploaded files, or JSON text parsed like a `.txt` file (or
/// stored verbatim when `turns` are given). All or nothing.
#[utoipa::path(post, path = "/projects/{id}/documents", tag = "documents",
    params(("id" = i64, Path, description = "Project id")),
    request_body(content((NewText = "application/json"), (UploadForm = "multipart/form-data"))),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Documents already in the project"),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    body: ImportBody,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let summary = match body {
        ImportBody::Files(upload) => {
            import::import_files(&app.db, &access, upload.files, upload.settings).await?
        }
        ImportBody::Text(new) => {
            let settings = ImportSettings {
                options: ImportOptions {
                    repair_mojibake: new.repair_mojibake,
                    csv: CsvColumns::default(),
                },
                skip_duplicates: new.skip_duplicates,
            };
            let document = TextDocument {
                title: new.title,
                text: new.text,
                attributes: new.attributes,
                turns: new
                    .turns
                    .map(|turns| turns.into_iter().map(Into::into).collect()),
            };
            import::import_text(&app.db, &access, document, settings).await?
        }
    };
    let id = match summary.documents.as_slice() {
        [only] => Some(only.id),
        _ => None,
    };
    Ok((StatusCode::CREATED, Json(Created { id, summary })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Items per page (default 100, at most 1000).
    limit: Option<i64>,
    /// `next_cursor` from the previous page.
    cursor: Option<String>,
    /// `name:value`: only documents whose attribute `name` equals `value`.
    attribute: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DocumentListView {
    documents: Vec<DocumentItemView>,
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DocumentItemView {
    #[serde(flatten)]
    summary: SummaryView,
    #[schema(value_type = Object)]
    attributes: Map<String, Value>,
    /// Characters covered by at least one excerpt you may see.
    coded: i64,
}

#[derive(Serialize, ToSchema)]
struct SummaryView {
    id: i64,
    project_id: i64,
    title: String,
    external_id: Option<String>,
    source_name: String,
    source_format: String,
    length: i64,
    turn_count: i64,
    created_at: String,
    updated_at: String,
}

impl From<DocumentSummary> for SummaryView {
    fn from(d: DocumentSummary) -> Self {
        SummaryView {
            id: d.id,
            project_id: d.project_id,
            title: d.title,
            external_id: d.external_id,
            source_name: d.source_name,
            source_format: d.source_format,
            length: d.length,
            turn_count: d.turn_count,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// The project's documents in id order, without their text.
#[utoipa::path(get, path = "/projects/{id}/documents", tag = "documents",
    params(("id" = i64, Path, description = "Project id"), ListParams),
    responses((status = 200, body = DocumentListView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(params): Query<ListParams>,
) -> ApiResult<Json<DocumentListView>> {
    let attribute = params::attribute(params.attribute.as_deref().unwrap_or_default())?;
    let page = super::PageParams {
        limit: params.limit,
        cursor: params.cursor.clone(),
    };
    let query = ListQuery {
        cursor: page.cursor_number()?,
        limit: page.limit() as i64,
        attribute: attribute.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
    };
    let listed = docs::list(&app.db, &access, &query).await?;
    let documents = listed
        .items
        .into_iter()
        .map(|item| DocumentItemView {
            summary: item.summary.into(),
            attributes: attribute_map(item.attributes),
            coded: item.coded,
        })
        .collect();
    Ok(Json(DocumentListView {
        documents,
        next_cursor: listed.next_cursor.map(|id| id.to_string()),
    }))
}

#[derive(Serialize, ToSchema)]
struct DocumentView {
    #[serde(flatten)]
    summary: SummaryView,
    /// The canonical text: NFC, LF line endings; all offsets are code points into it.
    text: String,
    turns: Vec<TurnView>,
    #[schema(value_type = Object)]
    attributes: Map<String, Value>,
}

#[derive(Serialize, ToSchema)]
struct TurnView {
    speaker: String,
    role: String,
    start: i64,
    end: i64,
    /// Seconds from the start of the recording, when the source has times.
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<f64>,
}

impl From<Turn> for TurnView {
    fn from(t: Turn) -> Self {
        TurnView {
            speaker: t.speaker,
            role: t.role.to_string(),
            start: t.start,
            end: t.end,
            start_time: t.start_ms.map(|ms| ms as f64 / 1000.0),
            end_time: t.end_ms.map(|ms| ms as f64 / 1000.0),
        }
    }
}

fn attribute_map(attributes: Vec<(String, String)>) -> Map<String, Value> {
    attributes
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// A document with its text, speaker turns and attributes.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", params(("id" = i64, Path, description = "Document id")),
    responses((status = 200, body = DocumentView), (status = 404, body = ErrorBody)))]
async fn show(
    State(app): State<AppState>,
    Api(InDocument { document, .. }): Api<InDocument>,
) -> ApiResult<Json<DocumentView>> {
    let view = docs::view(&app.db, document).await?;
    Ok(Json(DocumentView {
        summary: view.document.summary.into(),
        text: view.document.text,
        turns: view.turns.into_iter().map(Into::into).collect(),
        attributes: attribute_map(view.attributes),
    }))
}

/// Changes the title and attributes (owners); `null` removes an attribute. The text never
/// changes after import.
#[utoipa::path(patch, path = "/documents/{id}", tag = "documents", params(("id" = i64, Path, description = "Document id")),
    request_body = DocumentChanges,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(app): State<AppState>,
    Api(InDocument { access, document }): Api<InDocument>,
    ApiJson(changes): ApiJson<DocumentChanges>,
) -> ApiResult<Json<DocumentView>> {
    let id = document.summary.id;
    docs::update(&app.db, &access, id, &changes).await?;
    let document = access.document(&app.db, id).await?;
    show(State(app), Api(InDocument { access, document })).await
}

/// Deletes a document and all coding on it (owners).
#[utoipa::path(delete, path = "/documents/{id}", tag = "documents", params(("id" = i64, Path, description = "Document id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove(
    State(app): State<AppState>,
    Api(InDocument { access, document }): Api<InDocument>,
) -> ApiResult<StatusCode> {
    docs::delete(&app.db, &access, document.summary.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
struct SpeakerView {
    label: String,
    role: String,
    turns: i64,
    documents: i64,
}

#[derive(Serialize, ToSchema)]
struct SpeakerList {
    speakers: Vec<SpeakerView>,
    next_cursor: Option<String>,
}

/// The project's speaker labels, their role and how often they speak.
#[utoipa::path(get, path = "/projects/{id}/speakers", tag = "documents", params(("id" = i64, Path, description = "Project id"), PageParams),
    responses((status = 200, body = SpeakerList), (status = 404, body = ErrorBody)))]
async fn speakers(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<SpeakerList>> {
    let all: Vec<SpeakerView> = docs::speakers(&app.db, &access)
        .await?
        .into_iter()
        .map(|s| SpeakerView {
            label: s.label,
            role: s.role.to_string(),
            turns: s.turns,
            documents: s.documents,
        })
        .collect();
    let (speakers, next_cursor) = page.page_of(all)?;
    Ok(Json(SpeakerList {
        speakers,
        next_cursor,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SpeakerRoleBody {
    /// `interviewer` or `participant`.
    role: String,
}

/// Marks a speaker label as interviewer or participant (owners).
#[utoipa::path(patch, path = "/projects/{id}/speakers/{label}", tag = "documents",
    params(("id" = i64, Path, description = "Project id"), ("label" = String, Path, description = "Speaker label")),
    request_body = SpeakerRoleBody,
    responses((status = 200, body = SpeakerList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_speaker(
    State(app): State<AppState>,
    Api(access): Api<ProjectAccess>,
    Path((_, label)): Path<(i64, String)>,
    ApiJson(body): ApiJson<SpeakerRoleBody>,
) -> ApiResult<Json<SpeakerList>> {
    docs::set_speaker_role(&app.db, &access, &label, &body.role).await?;
    let first_page = PageParams {
        limit: Some(super::MAX_PAGE),
        cursor: None,
    };
    speakers(State(app), Api(access), Query(first_page)).await
}
