//! The codebook: creating, renaming, recolouring, moving, deleting and merging codes, and
//! reading or writing the whole codebook as CSV.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::access::ProjectAccess;
use super::events::{self, Change, Origin};
use crate::db::codes::{self as store, Code, NewCode};
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::codebook::{self, CodeName, Color, Node};
use crate::domain::names::free_text;
use crate::error::{AppError, AppResult, is_unique_violation};

/// A code as the codebook shows it: with its path, depth and how often it is used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CodeView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
    pub depth: usize,
    pub color: String,
    pub description: String,
    /// Excerpts with this code by the viewer, and by all coders they may see.
    pub excerpts_mine: i64,
    pub excerpts_all: i64,
}

fn nodes(codes: &[Code]) -> Vec<Node> {
    codes
        .iter()
        .map(|c| Node {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            position: c.position,
        })
        .collect()
}

/// `root` and every code below it, among the codebook's codes.
pub fn subtree_ids(codes: &[CodeView], root: i64) -> Vec<i64> {
    let nodes: Vec<Node> = codes
        .iter()
        .map(|c| Node {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            position: 0,
        })
        .collect();
    codebook::subtree(&nodes, root)
}

/// The project's codes in tree order, each with how many excerpts carry it: yours, and
/// all coders' that you may see (the consensus set excluded from both).
pub async fn codebook(db: &Db, access: &ProjectAccess) -> AppResult<Vec<CodeView>> {
    let codes = store::list(db, access.project_id()).await?;
    let usage: HashMap<i64, store::Usage> = store::usage(db, access.project_id(), access.user.id)
        .await?
        .into_iter()
        .map(|u| (u.code_id, u))
        .collect();
    let sees_all = access.sees_all_coders();
    let tree = nodes(&codes);
    let paths = codebook::paths(&tree);
    let by_id: HashMap<i64, &Code> = codes.iter().map(|c| (c.id, c)).collect();
    Ok(codebook::tree_order(&tree)
        .into_iter()
        .map(|(id, depth)| {
            let code = by_id[&id];
            let (mine, all) = usage.get(&id).map_or((0, 0), |u| (u.mine, u.all));
            CodeView {
                id,
                parent_id: code.parent_id,
                name: code.name.clone(),
                path: paths[&id].clone(),
                depth,
                color: code.color.clone(),
                description: code.description.clone(),
                excerpts_mine: mine,
                excerpts_all: if sees_all { all } else { mine },
            }
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCodeInput {
    pub name: String,
    pub color: Option<String>,
    #[serde(default)]
    pub description: String,
    pub parent_id: Option<i64>,
}

fn require_coder(access: &ProjectAccess) -> AppResult<()> {
    access.require(Role::can_code, "Viewers cannot change the codebook.")?;
    access.require_active()
}

pub(crate) fn require_codebook_manager(access: &ProjectAccess) -> AppResult<()> {
    access.require(
        Role::can_manage_codebook,
        "Only project owners can delete, merge or import codes.",
    )?;
    access.require_active()
}

pub async fn create(db: &Db, access: &ProjectAccess, input: &NewCodeInput) -> AppResult<CodeView> {
    require_coder(access)?;
    let name = CodeName::parse(&input.name)?;
    let description = free_text("description", &input.description, 10_000)?;
    let mut tx = db::begin_write(db).await?;
    let existing = store::count(&mut *tx, access.project_id()).await? as usize;
    if existing >= codebook::MAX_CODES_PER_PROJECT {
        return Err(AppError::invalid(
            "name",
            format!(
                "This project already has {existing} codes, the most a codebook may hold \
                 ({}). Merge or delete codes first.",
                codebook::MAX_CODES_PER_PROJECT
            ),
        ));
    }
    let color = match &input.color {
        Some(raw) if !raw.trim().is_empty() => Color::parse(raw)?,
        _ => {
            let taken = store::colors(&mut *tx, access.project_id()).await?;
            Color::least_used(taken.iter().map(String::as_str))
        }
    };
    if let Some(parent) = input.parent_id {
        ensure_code_in_project(&mut tx, access, parent, "parent_id").await?;
    }
    let new = NewCode {
        project_id: access.project_id(),
        parent_id: input.parent_id,
        name: name.as_str(),
        color: color.as_str(),
        description: &description,
    };
    let id = store::insert(&mut *tx, &new)
        .await
        .map_err(|e| name_taken(e, name.as_str()))?;
    events::commit(
        tx,
        Origin::member(access),
        Change::CodeCreated {
            code_id: id,
            name: name.as_str().to_owned(),
            parent_id: input.parent_id,
        },
    )
    .await?;
    find(db, access, id).await
}

/// One code of the codebook, as `codebook` shows it.
pub async fn find(db: &Db, access: &ProjectAccess, code_id: i64) -> AppResult<CodeView> {
    codebook(db, access)
        .await?
        .into_iter()
        .find(|c| c.id == code_id)
        .ok_or(AppError::NotFound("Code"))
}

/// Changes to a code. `parent_id: null` moves the code to the top level; leaving it out
/// keeps the parent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeChanges {
    pub name: Option<String>,
    /// `#rrggbb`.
    pub color: Option<String>,
    pub description: Option<String>,
    /// The new parent code, or `null` for the top level; leave out to keep the parent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

pub async fn update(
    db: &Db,
    access: &ProjectAccess,
    code: &Code,
    changes: &CodeChanges,
) -> AppResult<CodeView> {
    require_coder(access)?;
    let name = changes.name.as_deref().map(CodeName::parse).transpose()?;
    let color = changes.color.as_deref().map(Color::parse).transpose()?;
    let description = changes
        .description
        .as_deref()
        .map(|d| free_text("description", d, 10_000))
        .transpose()?;
    let mut tx = db::begin_write(db).await?;
    if let Some(Some(parent)) = changes.parent_id {
        ensure_code_in_project(&mut tx, access, parent, "parent_id").await?;
        let tree = nodes(&store::list(&mut *tx, access.project_id()).await?);
        if codebook::would_cycle(&tree, code.id, parent) {
            return Err(AppError::invalid(
                "parent_id",
                "A code cannot be moved under itself or one of its own sub-codes.",
            ));
        }
    }
    let db_changes = store::Changes {
        name: name.as_ref().map(CodeName::as_str),
        color: color.as_ref().map(Color::as_str),
        description: description.as_deref(),
        parent_id: changes.parent_id,
    };
    let shown_name = db_changes.name.unwrap_or(&code.name);
    store::update(&mut *tx, code.id, &db_changes)
        .await
        .map_err(|e| name_taken(e, shown_name))?;
    events::commit(
        tx,
        Origin::member(access),
        Change::CodeUpdated {
            code_id: code.id,
            name: db_changes.name.map(str::to_owned),
            color: db_changes.color.map(str::to_owned),
            description_changed: description.is_some(),
            parent_id: changes.parent_id,
        },
    )
    .await?;
    find(db, access, code.id).await
}

/// How many excerpts would lose a code if it were deleted (for the confirmation).
pub async fn usage(db: &Db, code: &Code) -> AppResult<i64> {
    Ok(store::excerpts_with(db, code.id).await?)
}

/// Deletes a code. Its excerpts lose the code (they stay, with their other codes and
/// memos); its sub-codes move up to its parent.
pub async fn delete(db: &Db, access: &ProjectAccess, code: &Code) -> AppResult<i64> {
    require_codebook_manager(access)?;
    let mut tx = db::begin_write(db).await?;
    let affected = store::excerpts_with(&mut *tx, code.id).await?;
    store::reparent_children(&mut *tx, code.id, code.parent_id)
        .await
        .map_err(|e| sibling_clash(e, "delete"))?;
    store::delete(&mut *tx, code.id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::CodeDeleted {
            code_id: code.id,
            name: code.name.clone(),
            excerpts_affected: affected,
        },
    )
    .await?;
    Ok(affected)
}

/// Merges `code` into `into`: its excerpts get `into` (once), its sub-codes move under
/// `into`, and `code` disappears. One transaction.
pub async fn merge(db: &Db, access: &ProjectAccess, code: &Code, into: i64) -> AppResult<CodeView> {
    require_codebook_manager(access)?;
    if into == code.id {
        return Err(AppError::invalid(
            "into",
            "A code cannot be merged into itself.",
        ));
    }
    let mut tx = db::begin_write(db).await?;
    ensure_code_in_project(&mut tx, access, into, "into").await?;
    let tree = nodes(&store::list(&mut *tx, access.project_id()).await?);
    if codebook::subtree(&tree, code.id).contains(&into) {
        return Err(AppError::invalid(
            "into",
            "A code cannot be merged into one of its own sub-codes; move that sub-code out first.",
        ));
    }
    let moved = store::excerpts_with(&mut *tx, code.id).await?;
    store::move_applications(&mut tx, code.id, into).await?;
    store::reparent_children(&mut *tx, code.id, Some(into))
        .await
        .map_err(|e| sibling_clash(e, "merge"))?;
    store::delete(&mut *tx, code.id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::CodeMerged {
            code_id: code.id,
            name: code.name.clone(),
            into,
            excerpts: moved,
        },
    )
    .await?;
    find(db, access, into).await
}

async fn ensure_code_in_project(
    tx: &mut db::Tx,
    access: &ProjectAccess,
    code_id: i64,
    field: &'static str,
) -> AppResult<()> {
    match store::by_id(&mut **tx, code_id).await? {
        Some(code) if code.project_id == access.project_id() => Ok(()),
        _ => Err(AppError::invalid(
            field,
            format!("There is no code {code_id} in this project."),
        )),
    }
}

fn name_taken(err: sqlx::Error, name: &str) -> AppError {
    if is_unique_violation(&err) {
        AppError::conflict(format!(
            "There is already a code named '{name}' at that level of the codebook."
        ))
    } else {
        err.into()
    }
}

fn sibling_clash(err: sqlx::Error, action: &str) -> AppError {
    if is_unique_violation(&err) {
        AppError::conflict(format!(
            "Cannot {action}: a sub-code would end up next to a code with the same name. Rename one of them first."
        ))
    } else {
        err.into()
    }
}

/// The codebook as CSV: `name,parent_path,color,description`, parents before children.
pub async fn export_csv(db: &Db, access: &ProjectAccess) -> AppResult<String> {
    let codes = codebook(db, access).await?;
    let rows: Vec<[String; 4]> = codes
        .iter()
        .map(|c| {
            let parent_path = c
                .path
                .rsplit_once(codebook::PATH_SEPARATOR)
                .map(|(parent, _)| parent.to_owned())
                .unwrap_or_default();
            [
                c.name.clone(),
                parent_path,
                c.color.clone(),
                c.description.clone(),
            ]
        })
        .collect();
    Ok(codebook::write_codebook_csv(rows.iter().map(|r| {
        [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str()]
    })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodebookImport {
    pub created: usize,
    pub updated: usize,
}

/// Adds the codes of a codebook CSV (creating missing parents) and updates the colour and
/// description of codes that already exist at the same path. All or nothing.
/// Every description of an imported codebook is checked before anything is written.
fn check_descriptions(entries: &[codebook::CodebookEntry]) -> AppResult<()> {
    for entry in entries {
        free_text("description", &entry.description, 10_000).map_err(|e| {
            AppError::invalid(
                "file",
                format!(
                    "Code “{}”: {}",
                    entry.path.join(codebook::PATH_SEPARATOR),
                    e.message
                ),
            )
        })?;
    }
    Ok(())
}

pub async fn import_csv(
    db: &Db,
    access: &ProjectAccess,
    bytes: &[u8],
) -> AppResult<CodebookImport> {
    require_codebook_manager(access)?;
    let entries = codebook::read_codebook_csv(bytes)?;
    check_descriptions(&entries)?;
    let mut tx = db::begin_write(db).await?;
    let existing = store::list(&mut *tx, access.project_id()).await?;
    // Names are unique per level up to ASCII case, as the database's NOCASE index says.
    let mut by_path: HashMap<String, i64> = codebook::paths(&nodes(&existing))
        .into_iter()
        .map(|(id, p)| (p.to_ascii_lowercase(), id))
        .collect();
    let mut taken: Vec<String> = existing.iter().map(|c| c.color.clone()).collect();
    let mut summary = CodebookImport {
        created: 0,
        updated: 0,
    };
    for entry in &entries {
        let mut parent: Option<i64> = None;
        for depth in 1..=entry.path.len() {
            let key = entry.path[..depth]
                .join(codebook::PATH_SEPARATOR)
                .to_ascii_lowercase();
            let is_leaf = depth == entry.path.len();
            let id = match by_path.get(&key) {
                Some(&id) => {
                    if is_leaf {
                        let changes = store::Changes {
                            color: entry.color.as_ref().map(Color::as_str),
                            description: Some(entry.description.as_str()).filter(|d| !d.is_empty()),
                            ..Default::default()
                        };
                        store::update(&mut *tx, id, &changes).await?;
                        summary.updated += 1;
                    }
                    id
                }
                None => {
                    let color = match (&entry.color, is_leaf) {
                        (Some(c), true) => c.clone(),
                        _ => Color::least_used(taken.iter().map(String::as_str)),
                    };
                    taken.push(color.as_str().to_owned());
                    let new = NewCode {
                        project_id: access.project_id(),
                        parent_id: parent,
                        name: &entry.path[depth - 1],
                        color: color.as_str(),
                        description: if is_leaf { &entry.description } else { "" },
                    };
                    let id = store::insert(&mut *tx, &new).await?;
                    by_path.insert(key, id);
                    summary.created += 1;
                    id
                }
            };
            parent = Some(id);
        }
    }
    events::commit(
        tx,
        Origin::member(access),
        Change::CodebookImported {
            created: summary.created,
            updated: summary.updated,
        },
    )
    .await?;
    Ok(summary)
}

/// The colour a new code of this project gets unless one is chosen: the palette's
/// least-used (what the New code form starts with).
pub fn suggested_color(codebook: &[CodeView]) -> String {
    Color::least_used(codebook.iter().map(|c| c.color.as_str()))
        .as_str()
        .to_owned()
}
