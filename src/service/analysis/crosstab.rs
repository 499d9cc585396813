//! Code × document and code × attribute value tables, and the excerpts behind one cell.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::{choose, code_counts, coded, csv_text};
use crate::db::{self, Db};
use crate::domain::analysis::crosstab::{self as arithmetic};
use crate::domain::spreadsheet::neutralise;
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::codes;

/// Whose coding, and which columns: one per document, or one per value of `attribute`.
#[derive(Debug, Clone, Default)]
pub struct CrosstabRequest {
    /// User names or `consensus`; empty: everyone the caller may see.
    pub coders: Vec<String>,
    pub attribute: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeName {
    pub id: i64,
    pub name: String,
    /// The code's place in the codebook, `Parent / Child`.
    pub path: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Column {
    /// The attribute value, or the document's title.
    pub value: String,
    /// The document (code × document tables only).
    pub document_id: Option<i64>,
    /// How many documents the column holds.
    pub documents: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrosstabCell {
    pub code_id: i64,
    /// Index into `columns`.
    pub column: usize,
    /// Excerpts with the code (every coder's added).
    pub excerpts: u64,
    /// Documents of the column where the code occurs.
    pub documents: u64,
    /// `documents` over the column's documents.
    pub share: f64,
    /// Code points coded with the code (each coder's overlapping excerpts once).
    pub characters: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Crosstab {
    /// The attribute the columns are values of; `null` for code × document.
    pub attribute: Option<String>,
    /// The coding sets covered; empty means everyone the caller may see.
    pub coders: Vec<String>,
    /// Every code of the codebook, in codebook order.
    pub codes: Vec<CodeName>,
    pub columns: Vec<Column>,
    /// Cells with at least one excerpt; absent cells are 0.
    pub cells: Vec<CrosstabCell>,
}

impl Crosstab {
    pub fn cell(&self, code_id: i64, column: usize) -> Option<&CrosstabCell> {
        self.cells
            .iter()
            .find(|c| c.code_id == code_id && c.column == column)
    }
}

/// The columns and, per document, the columns it falls in.
struct Layout {
    columns: Vec<Column>,
    columns_of: HashMap<i64, Vec<usize>>,
}

async fn layout(db: &Db, access: &ProjectAccess, attribute: Option<&str>) -> AppResult<Layout> {
    let documents = db::documents::lengths(db, access.project_id()).await?;
    let mut columns_of: HashMap<i64, Vec<usize>> = documents
        .iter()
        .map(|(id, _, _)| (*id, Vec::new()))
        .collect();
    let Some(name) = attribute else {
        let columns = documents
            .into_iter()
            .enumerate()
            .map(|(i, (id, title, _))| {
                columns_of.insert(id, vec![i]);
                Column {
                    value: title,
                    document_id: Some(id),
                    documents: 1,
                }
            })
            .collect();
        return Ok(Layout {
            columns,
            columns_of,
        });
    };
    let mut by_value: BTreeMap<String, HashSet<i64>> = BTreeMap::new();
    for (document_id, value) in db::analysis::attribute(db, access.project_id(), name).await? {
        by_value.entry(value).or_default().insert(document_id);
    }
    if by_value.is_empty() {
        return Err(AppError::invalid(
            "attribute",
            format!("No document in this project has the attribute '{name}'."),
        ));
    }
    let mut columns = Vec::new();
    for (i, (value, ids)) in by_value.into_iter().enumerate() {
        for id in &ids {
            columns_of.entry(*id).or_default().push(i);
        }
        columns.push(Column {
            value,
            document_id: None,
            documents: ids.len() as u64,
        });
    }
    Ok(Layout {
        columns,
        columns_of,
    })
}

async fn code_names(db: &Db, access: &ProjectAccess) -> AppResult<Vec<CodeName>> {
    Ok(codes::codebook(db, access)
        .await?
        .into_iter()
        .map(|c| CodeName {
            id: c.id,
            name: c.name,
            path: c.path,
        })
        .collect())
}

pub async fn table(
    db: &Db,
    access: &ProjectAccess,
    request: &CrosstabRequest,
) -> AppResult<Crosstab> {
    let attribute = request.attribute.as_deref();
    let layout = layout(db, access, attribute).await?;
    let chosen = choose(db, access, &request.coders).await?;
    let counts: Vec<arithmetic::DocumentCode> = code_counts(db, access, &chosen, false)
        .await?
        .into_iter()
        .map(|c| arithmetic::DocumentCode {
            document_id: c.document_id,
            code_id: c.code_id,
            excerpts: c.excerpts.max(0) as u64,
            characters: c.characters.max(0) as u64,
        })
        .collect();
    let codes = code_names(db, access).await?;
    let computed = arithmetic::crosstab(&counts, &layout.columns_of, layout.columns.len());
    let known: HashSet<i64> = codes.iter().map(|c| c.id).collect();
    let cells = computed
        .cells
        .iter()
        .filter(|((code, _), _)| known.contains(code))
        .map(|(&(code_id, column), counts)| CrosstabCell {
            code_id,
            column,
            excerpts: counts.excerpts,
            documents: counts.documents,
            share: computed.share(code_id, column),
            characters: counts.characters,
        })
        .collect();
    Ok(Crosstab {
        attribute: request.attribute.clone(),
        coders: chosen.coders,
        codes,
        columns: layout.columns,
        cells,
    })
}

/// The table as CSV, one row per cell with coding, formula-safe.
pub fn csv(table: &Crosstab) -> AppResult<String> {
    let path: HashMap<i64, &str> = table
        .codes
        .iter()
        .map(|c| (c.id, c.path.as_str()))
        .collect();
    let column_header = match &table.attribute {
        Some(name) => neutralise(name).into_owned(),
        None => "document".to_owned(),
    };
    let mut rows = vec![vec![
        "code_id".to_owned(),
        "code".to_owned(),
        "document_id".to_owned(),
        column_header,
        "excerpts".to_owned(),
        "documents".to_owned(),
        "documents_in_column".to_owned(),
        "share_of_documents".to_owned(),
        "characters".to_owned(),
    ]];
    for cell in &table.cells {
        let column = &table.columns[cell.column];
        rows.push(vec![
            cell.code_id.to_string(),
            neutralise(path.get(&cell.code_id).copied().unwrap_or_default()).into_owned(),
            column
                .document_id
                .map(|d| d.to_string())
                .unwrap_or_default(),
            neutralise(&column.value).into_owned(),
            cell.excerpts.to_string(),
            cell.documents.to_string(),
            column.documents.to_string(),
            format!("{:.4}", cell.share),
            cell.characters.to_string(),
        ]);
    }
    csv_text(rows)
}

/// One excerpt behind a cell.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellExcerpt {
    pub id: i64,
    pub document_id: i64,
    pub document_title: String,
    /// The coder (or `consensus`) whose excerpt this is.
    pub coder: String,
    pub start: i64,
    pub end: i64,
    pub text: String,
}

/// How many excerpts one cell lists (the count says how many there are in all).
pub const EXCERPTS_SHOWN: usize = 200;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellExcerpts {
    pub attribute: Option<String>,
    pub code: CodeName,
    pub column: Column,
    /// Every excerpt of the cell, though at most 200 are listed.
    pub count: usize,
    pub excerpts: Vec<CellExcerpt>,
}

/// Which cell: a code, and a document (code × document) or an attribute value.
#[derive(Debug, Clone, Default)]
pub struct CellKey {
    pub code: String,
    pub document: String,
    pub value: String,
}

fn column_of(table: &Crosstab, key: &CellKey) -> AppResult<usize> {
    let found = match &table.attribute {
        Some(_) => table.columns.iter().position(|c| c.value == key.value),
        None => {
            let id: Option<i64> = key.document.trim().parse().ok();
            table
                .columns
                .iter()
                .position(|c| id.is_some() && c.document_id == id)
        }
    };
    found.ok_or_else(|| match &table.attribute {
        Some(name) => {
            AppError::invalid("value", format!("No document has {name} '{}'.", key.value))
        }
        None => AppError::invalid("document", "Give the id of a document of this project."),
    })
}

/// The excerpts behind one cell of [`table`].
pub async fn cell(
    db: &Db,
    access: &ProjectAccess,
    request: &CrosstabRequest,
    key: &CellKey,
) -> AppResult<CellExcerpts> {
    let table = table(db, access, request).await?;
    let code = key
        .code
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| table.codes.iter().find(|c| c.id == id))
        .cloned()
        .ok_or_else(|| AppError::invalid("code", "Give the id of a code of this project."))?;
    let column = column_of(&table, key)?;
    let layout = layout(db, access, request.attribute.as_deref()).await?;
    let coded = coded(db, access, &request.coders).await?;
    let in_column = |document_id| {
        layout
            .columns_of
            .get(&document_id)
            .is_some_and(|list| list.contains(&column))
    };
    let found = arithmetic::cell_excerpts(&coded.excerpts, code.id, in_column);
    let count = found.len();
    let shown: Vec<_> = found.into_iter().take(EXCERPTS_SHOWN).collect();
    let mut document_ids: Vec<i64> = shown.iter().map(|e| e.document_id).collect();
    document_ids.dedup();
    let texts: HashMap<i64, String> = db::documents::texts_of(db, &document_ids)
        .await?
        .into_iter()
        .collect();
    let titles: HashMap<i64, String> = db::documents::lengths(db, access.project_id())
        .await?
        .into_iter()
        .map(|(id, title, _)| (id, title))
        .collect();
    let excerpts = shown
        .into_iter()
        .map(|e| {
            let full = texts
                .get(&e.document_id)
                .map(String::as_str)
                .unwrap_or_default();
            CellExcerpt {
                id: e.id,
                document_id: e.document_id,
                document_title: titles.get(&e.document_id).cloned().unwrap_or_default(),
                coder: coded.set_names.get(&e.set).cloned().unwrap_or_default(),
                start: e.start,
                end: e.end,
                text: text::slice(full, e.start as usize, e.end as usize).to_owned(),
            }
        })
        .collect();
    Ok(CellExcerpts {
        attribute: table.attribute.clone(),
        code,
        column: table.columns[column].clone(),
        count,
        excerpts,
    })
}
