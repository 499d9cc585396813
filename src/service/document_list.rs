//! The project's document list as the Documents tab shows it: every document's summary,
//! attributes, coded share (of the coding the caller may see) and first participant line,
//! searched, filtered, sorted and paged by `domain::document_list`.

use std::collections::BTreeMap;

use crate::db::Db;
use crate::db::documents as store;
use crate::domain::document_list::{self, Listing, Query, Row};
use crate::error::AppResult;
use crate::service::access::ProjectAccess;

pub use crate::domain::document_list::{Coded, PAGE_SIZES, SortKey, looks_like_id, snippet};

/// One page of the project's documents for `query`.
pub async fn browse(db: &Db, access: &ProjectAccess, query: &Query) -> AppResult<Listing> {
    let project = access.project_id();
    let mut attributes: BTreeMap<i64, Vec<(String, String)>> = BTreeMap::new();
    for a in store::attributes_in_range(db, project, 0, i64::MAX).await? {
        attributes
            .entry(a.document_id)
            .or_default()
            .push((a.name, a.value));
    }
    // Kept per document by the database, so every document's share costs one row.
    let coded = super::documents::coded_characters(db, access, 0, i64::MAX).await?;
    let rows = store::list_rows(db, project)
        .await?
        .into_iter()
        .map(|(id, title, length, turns, created_at, first_line)| Row {
            id,
            title,
            length,
            turns,
            coded: coded.get(&id).copied().unwrap_or(0),
            created_at,
            attributes: attributes.remove(&id).unwrap_or_default(),
            first_line,
        })
        .collect();
    Ok(document_list::browse(rows, query))
}
