//! Documents: reading one with its turns and attributes, the project's document list,
//! editing title and attributes, deleting, and the per-project speaker roles. Importing
//! lives in [`super::import`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::access::ProjectAccess;
use super::events::{self, Change, Origin};
use crate::db::documents as store;
use crate::db::{self, Db};
use crate::domain::import::SpeakerRole;
use crate::domain::names::single_line;
use crate::error::{AppError, AppResult};

/// What callers see of documents, their turns and speakers.
pub use crate::db::documents::{Document, DocumentSummary, Speaker, Turn};

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
pub(super) async fn coded_characters(
    db: &Db,
    access: &ProjectAccess,
    first: i64,
    last: i64,
) -> AppResult<BTreeMap<i64, i64>> {
    let filter = access.visible(crate::db::excerpts::CoderFilter::Everyone);
    let coded =
        crate::db::coverage::coded_characters(db, access.project_id(), first, last, filter).await?;
    Ok(coded.into_iter().collect())
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
    access.require_document_editor()?;
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
    events::commit(
        tx,
        Origin::member(access),
        Change::DocumentUpdated {
            document_id,
            title,
            attributes: serde_json::to_value(&changes.attributes).map_err(anyhow::Error::from)?,
        },
    )
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, access: &ProjectAccess, document_id: i64) -> AppResult<()> {
    access.require_document_editor()?;
    let mut tx = db::begin_write(db).await?;
    let summary = ensure_in_project(&mut tx, access, document_id).await?;
    store::delete(&mut *tx, document_id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::DocumentDeleted {
            document_id,
            title: summary.title,
        },
    )
    .await?;
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
    access.require_document_editor()?;
    let role = SpeakerRole::parse(role)?;
    let mut tx = db::begin_write(db).await?;
    if !store::set_speaker_role(&mut *tx, access.project_id(), label, role).await? {
        return Err(AppError::NotFound("Speaker"));
    }
    events::commit(
        tx,
        Origin::member(access),
        Change::SpeakerRoleChanged {
            label: label.to_owned(),
            role,
        },
    )
    .await?;
    Ok(())
}
