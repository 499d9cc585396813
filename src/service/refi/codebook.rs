//! Importing a REFI-QDA codebook (`.qdc`) into a project's codebook: a code whose GUID
//! the project already has merges into that code, else one at the same path (parent
//! and name, case-insensitively) merges into it, else it is created with its GUID.
//! Merged codes keep their Gloss name and place; an empty definition is filled in.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::db::codes::{self as code_store, NewCode};
use crate::db::refi as store;
use crate::db::{self, Db};
use crate::domain::codebook::{self, Color};
use crate::domain::refi::read;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::codes::require_codebook_manager;
use crate::service::events::{self, Change, Origin};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QdcImportSummary {
    /// New codes, by path.
    pub created: Vec<String>,
    /// File codes merged into a code with the same GUID (file name → Gloss path).
    pub merged_by_guid: Vec<(String, String)>,
    /// File codes merged into the code at the same path.
    pub merged_by_path: Vec<String>,
    /// What the file held that was not imported (sets), per kind.
    pub not_imported: BTreeMap<String, usize>,
}

pub async fn import_qdc(
    db: &Db,
    access: &ProjectAccess,
    bytes: &[u8],
) -> AppResult<QdcImportSummary> {
    require_codebook_manager(access)?;
    let refuse = |e: read::ReadError| {
        AppError::invalid("file", format!("This .qdc cannot be imported: {e}."))
    };
    let text = crate::domain::refi::archive::text_of(bytes, "the codebook file").map_err(refuse)?;
    let (codes, not_imported) = read::codebook(&text).map_err(refuse)?;
    let mut tx = db::begin_write(db).await?;
    let project_id = access.project_id();
    let existing = code_store::list(&mut *tx, project_id).await?;
    if existing.len() + codes.len() > codebook::MAX_CODES_PER_PROJECT {
        return Err(AppError::invalid(
            "file",
            format!(
                "A project holds at most {} codes; this codebook would make {}.",
                codebook::MAX_CODES_PER_PROJECT,
                existing.len() + codes.len()
            ),
        ));
    }
    let by_guid: HashMap<String, i64> = store::code_guids(&mut *tx, project_id)
        .await?
        .into_iter()
        .map(|(id, guid)| (guid, id))
        .collect();
    // (parent, lower-case name) → code, for merging by path.
    let mut by_place: HashMap<(Option<i64>, String), i64> = existing
        .iter()
        .map(|c| ((c.parent_id, c.name.to_lowercase()), c.id))
        .collect();
    let nodes: Vec<codebook::Node> = existing
        .iter()
        .map(|c| codebook::Node {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            position: c.position,
        })
        .collect();
    let mut paths: HashMap<i64, String> = codebook::paths(&nodes).into_iter().collect();
    let mut ids: Vec<i64> = Vec::with_capacity(codes.len());
    let mut summary = QdcImportSummary {
        created: Vec::new(),
        merged_by_guid: Vec::new(),
        merged_by_path: Vec::new(),
        not_imported,
    };
    for (index, code) in codes.iter().enumerate() {
        let parent = code.parent.map(|p| ids[p]);
        let name = code
            .name
            .replace('>', "›")
            .trim()
            .chars()
            .take(100)
            .collect::<String>();
        let name = if name.is_empty() {
            "Unnamed code".to_owned()
        } else {
            name
        };
        let path = match parent.and_then(|p| paths.get(&p)) {
            Some(parent_path) => format!("{parent_path}{}{name}", codebook::PATH_SEPARATOR),
            None => name.clone(),
        };
        // A merged code is named by its Gloss path.
        let gloss_path = |id: i64| paths.get(&id).cloned().unwrap_or_else(|| path.clone());
        let id = if let Some(&id) = by_guid.get(&code.guid) {
            summary
                .merged_by_guid
                .push((code.name.clone(), gloss_path(id)));
            id
        } else if let Some(&id) = by_place.get(&(parent, name.to_lowercase())) {
            summary.merged_by_path.push(gloss_path(id));
            id
        } else {
            let color = code.color.clone().unwrap_or_else(|| {
                Color::default_for(existing.len() + index)
                    .as_str()
                    .to_owned()
            });
            let new = NewCode {
                project_id,
                parent_id: parent,
                name: &name,
                color: &color,
                description: &code.description,
            };
            let id = store::insert_code(&mut *tx, &new, Some(&code.guid)).await?;
            by_place.insert((parent, name.to_lowercase()), id);
            summary.created.push(path.clone());
            id
        };
        if !code.description.is_empty() {
            let current = code_store::by_id(&mut *tx, id).await?;
            if current.is_some_and(|c| c.description.is_empty()) {
                let changes = code_store::Changes {
                    description: Some(&code.description),
                    ..Default::default()
                };
                code_store::update(&mut *tx, id, &changes).await?;
            }
        }
        paths.entry(id).or_insert(path);
        ids.push(id);
    }
    let change = Change::CodebookImported {
        created: summary.created.len(),
        updated: summary.merged_by_guid.len() + summary.merged_by_path.len(),
    };
    events::commit(tx, Origin::member(access), change).await?;
    Ok(summary)
}
