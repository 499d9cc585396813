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
    let mut merger = Merger::new(&mut tx, access.project_id(), codes.len(), not_imported).await?;
    for code in &codes {
        merger.merge(&mut tx, code).await?;
    }
    let summary = merger.summary;
    let change = Change::CodebookImported {
        created: summary.created.len(),
        updated: summary.merged_by_guid.len() + summary.merged_by_path.len(),
    };
    events::commit(tx, Origin::member(access), change).await?;
    Ok(summary)
}

/// The project's codebook as the file's codes are merged into it, in file order (a
/// parent before its children).
struct Merger {
    project_id: i64,
    by_guid: HashMap<String, i64>,
    /// (parent, lower-case name) → code, for merging by path.
    by_place: HashMap<(Option<i64>, String), i64>,
    paths: HashMap<i64, String>,
    /// The Gloss code of each file code merged so far, by file index.
    ids: Vec<i64>,
    /// Codes in the project before the import (for the default colours).
    existing: usize,
    summary: QdcImportSummary,
}

impl Merger {
    async fn new(
        tx: &mut db::Tx,
        project_id: i64,
        incoming: usize,
        not_imported: BTreeMap<String, usize>,
    ) -> AppResult<Self> {
        let existing = code_store::list(&mut **tx, project_id).await?;
        if existing.len() + incoming > codebook::MAX_CODES_PER_PROJECT {
            return Err(AppError::invalid(
                "file",
                format!(
                    "A project holds at most {} codes; this codebook would make {}.",
                    codebook::MAX_CODES_PER_PROJECT,
                    existing.len() + incoming
                ),
            ));
        }
        let by_guid = store::code_guids(&mut **tx, project_id)
            .await?
            .into_iter()
            .map(|(id, guid)| (guid, id))
            .collect();
        let by_place = existing
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
        Ok(Self {
            project_id,
            by_guid,
            by_place,
            paths: codebook::paths(&nodes).into_iter().collect(),
            ids: Vec::with_capacity(incoming),
            existing: existing.len(),
            summary: QdcImportSummary {
                created: Vec::new(),
                merged_by_guid: Vec::new(),
                merged_by_path: Vec::new(),
                not_imported,
            },
        })
    }

    /// Merges one file code by GUID, else by path, else creates it; fills in an empty
    /// definition.
    async fn merge(&mut self, tx: &mut db::Tx, code: &read::Code) -> AppResult<()> {
        let parent = code.parent.map(|p| self.ids[p]);
        let name = code_name(&code.name);
        let path = match parent.and_then(|p| self.paths.get(&p)) {
            Some(parent_path) => format!("{parent_path}{}{name}", codebook::PATH_SEPARATOR),
            None => name.clone(),
        };
        // A merged code is named by its Gloss path.
        let gloss_path = |id: i64| self.paths.get(&id).cloned().unwrap_or_else(|| path.clone());
        let place = (parent, name.to_lowercase());
        let id = if let Some(&id) = self.by_guid.get(&code.guid) {
            let merged = (code.name.clone(), gloss_path(id));
            self.summary.merged_by_guid.push(merged);
            id
        } else if let Some(&id) = self.by_place.get(&place) {
            self.summary.merged_by_path.push(gloss_path(id));
            id
        } else {
            let id = self.create(tx, code, parent, &name).await?;
            self.by_place.insert(place, id);
            self.summary.created.push(path.clone());
            id
        };
        if !code.description.is_empty() {
            fill_definition(tx, id, &code.description).await?;
        }
        self.paths.entry(id).or_insert(path);
        self.ids.push(id);
        Ok(())
    }

    async fn create(
        &self,
        tx: &mut db::Tx,
        code: &read::Code,
        parent: Option<i64>,
        name: &str,
    ) -> AppResult<i64> {
        let color = code.color.clone().unwrap_or_else(|| {
            Color::default_for(self.existing + self.ids.len())
                .as_str()
                .to_owned()
        });
        let new = NewCode {
            project_id: self.project_id,
            parent_id: parent,
            name,
            color: &color,
            description: &code.description,
        };
        Ok(store::insert_code(&mut **tx, &new, Some(&code.guid)).await?)
    }
}

/// A file code's name as a Gloss code name: no path separator, trimmed, at most 100
/// characters, never empty.
fn code_name(raw: &str) -> String {
    let name: String = raw.replace('>', "›").trim().chars().take(100).collect();
    match name.is_empty() {
        true => "Unnamed code".to_owned(),
        false => name,
    }
}

/// Gives a merged code the file's definition if it has none of its own.
async fn fill_definition(tx: &mut db::Tx, id: i64, definition: &str) -> AppResult<()> {
    let current = code_store::by_id(&mut **tx, id).await?;
    if current.is_some_and(|c| c.description.is_empty()) {
        let changes = code_store::Changes {
            description: Some(definition),
            ..Default::default()
        };
        code_store::update(&mut **tx, id, &changes).await?;
    }
    Ok(())
}
