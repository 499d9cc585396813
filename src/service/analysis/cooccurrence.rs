//! The co-occurrence table of a project (code × code) and the passages behind one cell.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::{choose, code_counts, coded};
use crate::db::Db;
use crate::db::{self};
use crate::domain::analysis::cooccurrence::{self as arithmetic, Scope, Turns};
use crate::domain::spreadsheet::neutralise;
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::codes;

/// Whose coding, and at which scope.
#[derive(Debug, Clone, Default)]
pub struct CooccurrenceRequest {
    /// User names or `consensus`; empty: everyone the caller may see.
    pub coders: Vec<String>,
    pub scope: Scope,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CodeTotal {
    pub id: i64,
    pub name: String,
    /// The code's place in the codebook, `Parent / Child`.
    pub path: String,
    /// Excerpts (overlap), turns or documents coded with this code.
    pub n: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cell {
    /// The code with the smaller id.
    pub a: i64,
    pub b: i64,
    pub count: u64,
    /// The c-coefficient `count / (n_a + n_b − count)`, capped at 1.
    pub c: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cooccurrence {
    /// `overlap`, `turn` or `document`.
    pub scope: String,
    /// The coding sets covered; empty means everyone the caller may see.
    pub coders: Vec<String>,
    /// Every code of the codebook, in codebook order.
    pub codes: Vec<CodeTotal>,
    /// One cell per pair of codes that meet at least once (`a < b`); absent pairs are 0.
    pub cells: Vec<Cell>,
}

impl Cooccurrence {
    pub fn cell(&self, a: i64, b: i64) -> Option<&Cell> {
        let (a, b) = (a.min(b), a.max(b));
        self.cells.iter().find(|c| c.a == a && c.b == b)
    }

    pub fn largest_count(&self) -> u64 {
        self.cells.iter().map(|c| c.count).max().unwrap_or(0)
    }
}

async fn turns_if_needed(db: &Db, access: &ProjectAccess, scope: Scope) -> AppResult<Turns> {
    Ok(match scope {
        Scope::Turn => db::analysis::turns(db, access.project_id())
            .await?
            .into_iter()
            .collect(),
        _ => Turns::new(),
    })
}

pub async fn table(
    db: &Db,
    access: &ProjectAccess,
    request: &CooccurrenceRequest,
) -> AppResult<Cooccurrence> {
    let scope = request.scope;
    let (table, coders) = match scope {
        // Where codes occur per document and set is kept by the database: no need to
        // read every excerpt.
        Scope::Document => {
            let chosen = choose(db, access, &request.coders).await?;
            let occurrences = code_counts(db, access, &chosen, true)
                .await?
                .into_iter()
                .map(|c| (c.set, c.document_id, c.code_id))
                .collect();
            (arithmetic::document_table(occurrences), chosen.coders)
        }
        Scope::Overlap | Scope::Turn => {
            // Two reads on two connections at once, so the turns (about a tenth of the
            // excerpts' read: 16 ms against 152 ms for 1,000 interviews) add nothing.
            let (coded, turns) = tokio::try_join!(
                coded(db, access, &request.coders),
                turns_if_needed(db, access, scope)
            )?;
            let excerpts = coded.excerpts;
            let table =
                crate::service::blocking(move || arithmetic::table(&excerpts, &turns, scope))
                    .await?;
            (table, coded.coders)
        }
    };
    let codebook = codes::codebook(db, access).await?;
    let known: BTreeSet<i64> = codebook.iter().map(|c| c.id).collect();
    let cells = table
        .counts
        .iter()
        .filter(|((a, b), _)| known.contains(a) && known.contains(b))
        .map(|(&(a, b), &count)| Cell {
            a,
            b,
            count,
            c: table.c(a, b),
        })
        .collect();
    Ok(Cooccurrence {
        scope: scope.as_str().to_owned(),
        coders,
        codes: codebook
            .into_iter()
            .map(|c| CodeTotal {
                n: table.n.get(&c.id).copied().unwrap_or(0),
                id: c.id,
                name: c.name,
                path: c.path,
            })
            .collect(),
        cells,
    })
}

/// The table as CSV: one row per pair of codes that meet, with both counts, formula-safe.
pub fn csv(table: &Cooccurrence) -> AppResult<String> {
    let path: HashMap<i64, &str> = table
        .codes
        .iter()
        .map(|c| (c.id, c.path.as_str()))
        .collect();
    let n: HashMap<i64, u64> = table.codes.iter().map(|c| (c.id, c.n)).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "code_a_id",
        "code_a",
        "code_b_id",
        "code_b",
        "n_a",
        "n_b",
        "count",
        "c",
        "scope",
    ];
    writer.write_record(header).map_err(anyhow::Error::from)?;
    for cell in &table.cells {
        let name = |id| neutralise(path.get(&id).copied().unwrap_or_default()).into_owned();
        writer
            .write_record([
                cell.a.to_string(),
                name(cell.a),
                cell.b.to_string(),
                name(cell.b),
                n.get(&cell.a).copied().unwrap_or(0).to_string(),
                n.get(&cell.b).copied().unwrap_or(0).to_string(),
                cell.count.to_string(),
                format!("{:.4}", cell.c),
                table.scope.clone(),
            ])
            .map_err(anyhow::Error::from)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

/// One excerpt shown in a passage, with its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PassageExcerpt {
    pub id: i64,
    pub start: i64,
    pub end: i64,
    pub text: String,
}

/// One place two codes meet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Passage {
    pub document_id: i64,
    pub document_title: String,
    /// The coder (or `consensus`) whose coding this is.
    pub coder: String,
    /// The shared span (overlap) or the turn; `0, 0` for a whole document.
    pub start: i64,
    pub end: i64,
    /// The shared text (overlap) or the turn's text; empty for a whole document.
    pub text: String,
    pub with_a: Vec<PassageExcerpt>,
    pub with_b: Vec<PassageExcerpt>,
}

/// How many passages one page lists (the count says how many there are in all).
pub const PASSAGES_SHOWN: usize = 200;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Passages {
    pub scope: String,
    pub a: CodeTotal,
    pub b: CodeTotal,
    /// The cell's count: every meeting, though at most 200 are listed.
    pub count: usize,
    pub passages: Vec<Passage>,
}

fn code_id(field: &'static str, raw: &str) -> AppResult<i64> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::invalid(field, format!("Give the id of a code as {field}.")))
}

/// The passages behind the cell `(a, b)` of [`table`].
pub async fn passages(
    db: &Db,
    access: &ProjectAccess,
    request: &CooccurrenceRequest,
    raw_a: &str,
    raw_b: &str,
) -> AppResult<Passages> {
    let (a, b) = (code_id("a", raw_a)?, code_id("b", raw_b)?);
    let table = table(db, access, request).await?;
    let total = |field, id| {
        table
            .codes
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| {
                AppError::invalid(field, format!("There is no code {id} in this project."))
            })
    };
    let (code_a, code_b) = (total("a", a)?, total("b", b)?);
    if a == b {
        return Err(AppError::invalid("b", "Choose two different codes."));
    }
    let (coded, turns) = tokio::try_join!(
        coded(db, access, &request.coders),
        turns_if_needed(db, access, request.scope)
    )?;
    let meetings = arithmetic::meetings(&coded.excerpts, &turns, request.scope, a, b);
    let count = meetings.len();
    let shown: Vec<_> = meetings.into_iter().take(PASSAGES_SHOWN).collect();
    let document_ids: Vec<i64> = shown
        .iter()
        .map(|m| m.document_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let texts: HashMap<i64, String> = db::documents::texts_of(db, &document_ids)
        .await?
        .into_iter()
        .collect();
    let titles: HashMap<i64, String> = db::documents::lengths(db, access.project_id())
        .await?
        .into_iter()
        .map(|(id, title, _)| (id, title))
        .collect();
    let spans: HashMap<i64, (i64, i64)> = coded
        .excerpts
        .iter()
        .map(|e| (e.id, (e.start, e.end)))
        .collect();
    let passages = shown
        .into_iter()
        .map(|m| {
            let full = texts
                .get(&m.document_id)
                .map(String::as_str)
                .unwrap_or_default();
            let excerpt = |id: &i64| {
                let (start, end) = spans.get(id).copied().unwrap_or_default();
                PassageExcerpt {
                    id: *id,
                    start,
                    end,
                    text: text::slice(full, start as usize, end as usize).to_owned(),
                }
            };
            Passage {
                document_title: titles.get(&m.document_id).cloned().unwrap_or_default(),
                coder: coded.set_names.get(&m.set).cloned().unwrap_or_default(),
                text: text::slice(full, m.start as usize, m.end as usize).to_owned(),
                with_a: m.with_a.iter().map(excerpt).collect(),
                with_b: m.with_b.iter().map(excerpt).collect(),
                document_id: m.document_id,
                start: m.start,
                end: m.end,
            }
        })
        .collect();
    Ok(Passages {
        scope: request.scope.as_str().to_owned(),
        a: code_a,
        b: code_b,
        count,
        passages,
    })
}
