//! Auto-coding: every hit of a search (or the ones ticked) coded with one code, as the
//! caller, at an extent (the match, its sentence, paragraph or turn). One transaction,
//! recorded as one batch and one event, so one undo removes the whole run.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::access::ProjectAccess;
use super::events::{self, Change, Origin};
use super::search::{self, SearchParams, TurnHit};
use crate::db::excerpts::{self as excerpt_store, NewExcerpt};
use crate::db::search::{self as store, Batch, NewBatch};
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::search::Extent;
use crate::error::{AppError, AppResult};

/// Most hits one run may code (a broader search should be narrowed first).
pub const MAX_HITS: usize = 10_000;

/// A hit as the search returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, utoipa::ToSchema)]
pub struct HitRef {
    pub document_id: i64,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutocodeInput {
    /// The search query, as for `GET …/search`.
    pub q: String,
    /// The code to apply.
    pub code_id: i64,
    /// `match` (default), `sentence`, `paragraph` or `turn`.
    #[serde(default)]
    pub extent: Option<String>,
    /// Count only: nothing is written.
    #[serde(default)]
    pub dry_run: bool,
    /// Only these hits of the search (default: every hit).
    #[serde(default)]
    pub hits: Option<Vec<HitRef>>,
    /// The search's filters, as for `GET …/search`.
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub attribute: String,
}

#[derive(Debug, Clone, Default)]
pub struct AutocodeOutcome {
    /// Hits of the search that the run covered.
    pub hits: usize,
    /// Excerpts created (to be created, on a dry run).
    pub created: usize,
    /// Hits whose extent you had already coded with the code (or another hit of the same
    /// run covers): nothing new for them.
    pub skipped: usize,
    pub excerpt_ids: Vec<i64>,
    /// The batch to undo (none on a dry run or when nothing was created).
    pub batch_id: Option<i64>,
}

pub async fn autocode(
    db: &Db,
    access: &ProjectAccess,
    input: &AutocodeInput,
) -> AppResult<AutocodeOutcome> {
    access.require(Role::can_code, "Viewers cannot code documents.")?;
    access.require_active()?;
    let extent = Extent::parse(input.extent.as_deref().unwrap_or_default())?;
    let code = access.code(db, input.code_id).await.map_err(|_| {
        AppError::invalid(
            "code_id",
            format!("There is no code {} in this project.", input.code_id),
        )
    })?;
    let request = SearchParams {
        q: input.q.clone(),
        role: input.role.clone(),
        attribute: input.attribute.clone(),
        ..Default::default()
    }
    .request()?;
    let chosen = chosen_hits(db, access, &request, input.hits.as_deref()).await?;
    if chosen.len() > MAX_HITS {
        return Err(AppError::invalid(
            "q",
            format!(
                "The search has {} hits, more than the {MAX_HITS} one run may code; narrow it.",
                chosen.len()
            ),
        ));
    }
    let spans = new_spans(db, access, code.id, extent, &chosen).await?;
    let mut outcome = AutocodeOutcome {
        hits: chosen.len(),
        created: spans.len(),
        skipped: chosen.len() - spans.len().min(chosen.len()),
        ..Default::default()
    };
    if input.dry_run || spans.is_empty() {
        return Ok(outcome);
    }
    let mut tx = db::begin_write(db).await?;
    let ids = insert_coded(&mut tx, access, code.id, &spans).await?;
    let batch = NewBatch {
        project_id: access.project_id(),
        coder_id: access.user.id,
        code_id: code.id,
        query: request.query.typed(),
        extent: extent.as_str(),
        created: ids.len() as i64,
    };
    let batch_id = store::insert_batch(&mut *tx, &batch).await?;
    store::insert_batch_excerpts(&mut *tx, batch_id, &ids).await?;
    let change = Change::AutocodeApplied {
        batch_id,
        code_id: code.id,
        query: request.query.typed().to_owned(),
        extent: extent.as_str().to_owned(),
        hits: outcome.hits,
        created: outcome.created,
        skipped: outcome.skipped,
    };
    events::commit(tx, Origin::member(access), change).await?;
    outcome.excerpt_ids = ids;
    outcome.batch_id = Some(batch_id);
    Ok(outcome)
}

/// Creates an excerpt as the current user over each span, coded with `code_id`; refused
/// (and so rolled back) if the code went away meanwhile.
async fn insert_coded(
    tx: &mut db::Tx,
    access: &ProjectAccess,
    code_id: i64,
    spans: &[(i64, usize, usize)],
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(spans.len());
    for &(document_id, start, end) in spans {
        let new = NewExcerpt {
            project_id: access.project_id(),
            document_id,
            coder_id: access.user.id,
            consensus: false,
            start: start as i64,
            end: end as i64,
            memo: "",
        };
        ids.push(excerpt_store::insert(&mut **tx, &new).await?.id);
    }
    let applications: Vec<(i64, i64)> = ids.iter().map(|&id| (id, code_id)).collect();
    if excerpt_store::apply_project_codes(tx, access.project_id(), &applications).await?
        != ids.len() as u64
    {
        return Err(AppError::Conflict(
            "The code was deleted while auto-coding; nothing was changed.".into(),
        ));
    }
    Ok(ids)
}

/// The search's hits, or the ones named in `only` (each must be a hit of the search).
async fn chosen_hits(
    db: &Db,
    access: &ProjectAccess,
    request: &search::SearchRequest,
    only: Option<&[HitRef]>,
) -> AppResult<Vec<TurnHit>> {
    let Some(only) = only else {
        return search::all_hits(db, access, request, None).await;
    };
    if only.is_empty() {
        return Err(AppError::invalid("hits", "Tick at least one hit to code."));
    }
    let wanted: BTreeSet<HitRef> = only.iter().copied().collect();
    let documents: Vec<i64> = wanted
        .iter()
        .map(|h| h.document_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let hits = search::all_hits(db, access, request, Some(&documents)).await?;
    let mut found = BTreeSet::new();
    let chosen: Vec<TurnHit> = hits
        .into_iter()
        .filter(|hit| {
            let (start, end) = hit.span();
            let key = HitRef {
                document_id: hit.turn.document_id,
                start,
                end,
            };
            wanted.contains(&key) && found.insert(key)
        })
        .collect();
    if let Some(missing) = wanted.iter().find(|h| !found.contains(h)) {
        return Err(AppError::invalid(
            "hits",
            format!(
                "[{}, {}) of document {} is not a hit of this search; search again.",
                missing.start, missing.end, missing.document_id
            ),
        ));
    }
    Ok(chosen)
}

/// The document spans to code, `(document_id, start, end)`: each hit's extent, once, and
/// not where the caller already has an excerpt with the code covering it.
async fn new_spans(
    db: &Db,
    access: &ProjectAccess,
    code_id: i64,
    extent: Extent,
    hits: &[TurnHit],
) -> AppResult<Vec<(i64, usize, usize)>> {
    let mut mine: HashMap<i64, Vec<(usize, usize)>> = HashMap::new();
    for span in store::spans_with_code(db, access.project_id(), code_id).await? {
        if !span.consensus && span.coder_id == access.user.id {
            mine.entry(span.document_id)
                .or_default()
                .push((span.start as usize, span.end as usize));
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for hit in hits {
        let turn = &hit.turn;
        let (from, to) = extent.around(&turn.text, hit.start, hit.end);
        let (start, end) = (turn.turn_start + from, turn.turn_start + to);
        let covered = mine
            .get(&turn.document_id)
            .is_some_and(|spans| spans.iter().any(|&(s, e)| s <= start && end <= e));
        if !covered && seen.insert((turn.document_id, start, end)) {
            out.push((turn.document_id, start, end));
        }
    }
    Ok(out)
}

/// Undoes an auto-code run (`batch_id`, or the caller's latest not undone): removes the
/// excerpts it created that are still there. Only the coder who ran it may, once.
/// `None` when there was no run left to undo; else the run and how many excerpts went.
pub async fn undo(
    db: &Db,
    access: &ProjectAccess,
    batch_id: Option<i64>,
) -> AppResult<Option<(i64, u64)>> {
    access.require(Role::can_code, "Viewers cannot code documents.")?;
    access.require_active()?;
    let batch = match batch_id {
        Some(id) => owned_batch(db, access, id).await?,
        None => match latest(db, access).await? {
            Some(batch) => batch,
            None => return Ok(None),
        },
    };
    if batch.undone_at.is_some() {
        return Err(AppError::Conflict(
            "This auto-code run was already undone.".into(),
        ));
    }
    let mut tx = db::begin_write(db).await?;
    let removed = store::undo_batch(&mut tx, batch.id).await?;
    let change = Change::AutocodeUndone {
        batch_id: batch.id,
        removed,
    };
    events::commit(tx, Origin::member(access), change).await?;
    Ok(Some((batch.id, removed)))
}

async fn owned_batch(db: &Db, access: &ProjectAccess, batch_id: i64) -> AppResult<Batch> {
    store::batch(db, access.project_id(), batch_id)
        .await?
        .filter(|b| b.coder_id == access.user.id)
        .ok_or(AppError::NotFound("Auto-code run"))
}

/// The caller's latest auto-code run that can still be undone.
pub async fn latest(db: &Db, access: &ProjectAccess) -> AppResult<Option<Batch>> {
    Ok(store::latest_batch(db, access.project_id(), access.user.id).await?)
}
