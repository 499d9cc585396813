//! Walking through disagreements and adjudicating them into the project's consensus set:
//! the lead accepts one coder's version, decides the code does not apply, or draws a new
//! excerpt; each decision is recorded so the walk continues at the next open region.

mod consensus;

use consensus::decision_covering;
pub use consensus::{CodeConsensus, CoderConsensus, ConsensusProgress, consensus_progress};

use std::collections::{BTreeSet, HashMap};

use super::access::ProjectAccess;
use super::agreement::{self, AgreementData, AgreementRequest};
use super::codes::CodeView;
use super::events::{self, Change, Origin};
use crate::db::adjudications::{self as store, NewAdjudication};
use crate::db::documents::{self as doc_store, Document};
use crate::db::excerpts::{self as excerpt_store, CoderFilter, NewExcerpt};
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::names::CONSENSUS;
use crate::domain::text::{self, Span};
use crate::error::{AppError, AppResult};

/// One disagreement region, ready to show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RegionView {
    pub document_id: i64,
    pub document: String,
    pub start: u64,
    pub end: u64,
    pub length: u64,
    /// The region's text.
    pub text: String,
    pub speakers: Vec<String>,
    pub coders_with: Vec<String>,
    pub coders_without: Vec<String>,
    /// The decision taken on this region, if any.
    pub decision: Option<String>,
}

/// A report's disagreements on one of its codes.
pub struct OnCode {
    pub data: AgreementData,
    pub code: CodeView,
    pub regions: Vec<RegionView>,
}

/// Loads the report and its disagreements on `code_id` ("not found" unless the code is in
/// the report).
pub async fn on_code(
    db: &Db,
    access: &ProjectAccess,
    request: &AgreementRequest,
    code_id: i64,
) -> AppResult<OnCode> {
    let data = agreement::load(db, access, request).await?;
    let code = data
        .codes
        .iter()
        .find(|c| c.id == code_id)
        .cloned()
        .ok_or(AppError::NotFound("Code"))?;
    let regions = regions(db, access, &data, code_id).await?;
    Ok(OnCode {
        data,
        code,
        regions,
    })
}

/// The regions where the report's coders differ on `code_id`, largest first, with the
/// decisions already taken.
pub async fn regions(
    db: &Db,
    access: &ProjectAccess,
    data: &AgreementData,
    code_id: i64,
) -> AppResult<Vec<RegionView>> {
    let regions = agreement::disagreements(data, code_id)?;
    let document_ids: Vec<i64> = regions
        .iter()
        .map(|r| data.documents[r.document].0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let texts: HashMap<i64, String> = doc_store::texts_of(db, &document_ids)
        .await?
        .into_iter()
        .collect();
    let mut turns: HashMap<i64, Vec<(i64, i64, String)>> = HashMap::new();
    for t in doc_store::turns_of_documents(db, &document_ids).await? {
        turns
            .entry(t.document_id)
            .or_default()
            .push((t.turn.start, t.turn.end, t.turn.speaker));
    }
    let decisions = store::for_code(db, access.project_id(), code_id).await?;
    Ok(regions
        .into_iter()
        .map(|r| {
            let (document_id, title) = data.documents[r.document].clone();
            let text = texts.get(&document_id).map_or("", String::as_str);
            let (start, end) = (r.start as i64, r.end as i64);
            let mut speakers: Vec<String> = Vec::new();
            for (ts, te, speaker) in turns
                .get(&document_id)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if *ts < end && start < *te && !speakers.contains(speaker) {
                    speakers.push(speaker.clone());
                }
            }
            RegionView {
                document_id,
                document: title,
                start: r.start,
                end: r.end,
                length: r.length(),
                text: text::slice(text, r.start as usize, r.end as usize).to_owned(),
                speakers,
                coders_with: r
                    .coders_with
                    .iter()
                    .map(|&i| data.coders[i].clone())
                    .collect(),
                coders_without: r
                    .coders_without
                    .iter()
                    .map(|&i| data.coders[i].clone())
                    .collect(),
                decision: decision_covering(&decisions, document_id, start, end),
            }
        })
        .collect())
}

/// One coder's (or the consensus set's) coding of a code around a region.
pub struct CoderColumn {
    pub name: String,
    /// `(text, covered)` runs of the window.
    pub runs: Vec<(String, bool)>,
    /// Every excerpt of this coder's that overlaps the region, with all its codes (not only
    /// the one under review) and its memo.
    pub on_passage: Vec<PassageExcerpt>,
}

pub struct PassageExcerpt {
    pub start: i64,
    pub end: i64,
    /// Code paths.
    pub codes: Vec<String>,
    pub memo: String,
}

pub struct Comparison {
    pub document_id: i64,
    pub window_start: usize,
    pub window_end: usize,
    pub columns: Vec<CoderColumn>,
}

/// How many code points of context to show around a region outside any speaker turn.
const WINDOW: usize = 300;

/// The context shown around a region: the whole turns it touches, or (in text without
/// turns) a fixed window either side.
fn context_window(
    turns: &[(usize, usize)],
    start: usize,
    end: usize,
    length: usize,
) -> (usize, usize) {
    let touched: Vec<&(usize, usize)> = turns
        .iter()
        .filter(|(ts, te)| *ts < end.max(start + 1) && start < *te)
        .collect();
    match (
        touched.iter().map(|t| t.0).min(),
        touched.iter().map(|t| t.1).max(),
    ) {
        (Some(from), Some(to)) => (from.min(start), to.max(end).min(length)),
        _ => (start.saturating_sub(WINDOW), (end + WINDOW).min(length)),
    }
}

/// Each coder's coding of `code_id` around `[start, end)` of a document, side by side,
/// with the consensus set last.
pub async fn compare(
    db: &Db,
    access: &ProjectAccess,
    data: &AgreementData,
    code_id: i64,
    document_id: i64,
    start: usize,
    end: usize,
) -> AppResult<Comparison> {
    let document = access.document(db, document_id).await?;
    let length = document.summary.length as usize;
    let turns: Vec<(usize, usize)> = doc_store::turns_of(db, document_id)
        .await?
        .iter()
        .map(|t| (t.start as usize, t.end as usize))
        .collect();
    let (window_start, window_end) = context_window(&turns, start, end, length);
    let mut names: Vec<String> = data.coders.clone();
    if !names.iter().any(|n| n.eq_ignore_ascii_case(CONSENSUS)) {
        names.push(CONSENSUS.to_owned());
    }
    let code_paths: HashMap<i64, String> = super::codes::codebook(db, access)
        .await?
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect();
    let mut codes_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (excerpt, code) in excerpt_store::codes_for_document(db, document_id).await? {
        if let Some(path) = code_paths.get(&code) {
            codes_of.entry(excerpt).or_default().push(path.clone());
        }
    }
    let mut columns = Vec::with_capacity(names.len());
    for name in names {
        let filter = filter_for(db, &name).await?;
        let on_passage = excerpt_store::for_document(db, document_id, filter)
            .await?
            .into_iter()
            .filter(|e| (e.start as usize) < end && start < e.end as usize)
            .map(|e| PassageExcerpt {
                start: e.start,
                end: e.end,
                codes: codes_of.remove(&e.id).unwrap_or_default(),
                memo: e.memo,
            })
            .collect();
        let spans: Vec<(usize, usize)> = excerpt_store::with_code_overlapping(
            db,
            document_id,
            code_id,
            filter,
            window_start as i64,
            window_end as i64,
        )
        .await?
        .iter()
        .map(|e| (e.start as usize, e.end as usize))
        .collect();
        let runs = text::coverage_runs(window_start, window_end, &spans);
        let bounds: Vec<(usize, usize)> = runs.iter().map(|&(s, e, _)| (s, e)).collect();
        let texts = text::slices(&document.text, &bounds);
        columns.push(CoderColumn {
            name,
            on_passage,
            runs: texts
                .into_iter()
                .zip(runs)
                .map(|(t, (_, _, covered))| (t.to_owned(), covered))
                .collect(),
        });
    }
    Ok(Comparison {
        document_id,
        window_start,
        window_end,
        columns,
    })
}

async fn filter_for(db: &Db, name: &str) -> AppResult<CoderFilter> {
    if name.eq_ignore_ascii_case(CONSENSUS) {
        return Ok(CoderFilter::Consensus);
    }
    let user = db::users::by_username(db, name)
        .await?
        .ok_or_else(|| AppError::invalid("coders", format!("There is no user named '{name}'.")))?;
    Ok(CoderFilter::Coder(user.id))
}

/// What the lead decided about a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// These coders' excerpts with the code that overlap the region join the consensus set
    /// (one coder's version, or several together: "both").
    Accept(Vec<String>),
    /// The code does not apply to this region.
    NotApplicable,
    /// A new consensus excerpt `[start, end)` with the code.
    Draw { start: i64, end: i64 },
}

/// The consensus excerpt with exactly this span, created if there is none yet.
async fn consensus_excerpt(
    tx: &mut db::Tx,
    access: &ProjectAccess,
    document_id: i64,
    start: i64,
    end: i64,
) -> AppResult<i64> {
    if let Some(id) = excerpt_store::consensus_with_span(&mut **tx, document_id, start, end).await?
    {
        return Ok(id);
    }
    let new = NewExcerpt {
        project_id: access.project_id(),
        document_id,
        coder_id: access.user.id,
        consensus: true,
        start,
        end,
        memo: "",
    };
    Ok(excerpt_store::insert(&mut **tx, &new).await?.id)
}

impl Decision {
    /// `accept:<coder>` (or `accept:<coder>,<coder>` for several together), `none`, or
    /// `draw` with the new excerpt's span.
    pub fn parse(raw: &str, draw_start: Option<i64>, draw_end: Option<i64>) -> AppResult<Decision> {
        match raw.trim().split_once(':') {
            Some(("accept", coders)) if !coders.trim().is_empty() => {
                let names: Vec<String> = coders
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect();
                Ok(Decision::Accept(names))
            }
            _ => match (raw.trim(), draw_start, draw_end) {
                ("none", _, _) => Ok(Decision::NotApplicable),
                ("draw", Some(start), Some(end)) => Ok(Decision::Draw { start, end }),
                ("draw", _, _) => Err(AppError::invalid(
                    "draw_start",
                    "Give the new excerpt's start and end.",
                )),
                _ => Err(AppError::invalid(
                    "decision",
                    "Decide with accept:<coder>, none or draw.",
                )),
            },
        }
    }
}

/// Records a decision on the region `[start, end)` of a document for a code, updating the
/// consensus set. One transaction.
pub async fn decide(
    db: &Db,
    access: &ProjectAccess,
    code_id: i64,
    document_id: i64,
    start: i64,
    end: i64,
    decision: &Decision,
) -> AppResult<()> {
    access.require(
        Role::can_manage_codebook,
        "Only project owners adjudicate into the consensus set.",
    )?;
    access.require_active()?;
    let document = access.document(db, document_id).await?;
    let region = Span::new(start, end, document.summary.length as usize)?;
    let code = access.code(db, code_id).await?;
    let mut accepted_filters = Vec::new();
    if let Decision::Accept(names) = decision {
        for name in names {
            accepted_filters.push(filter_for(db, name).await?);
        }
    }
    let (from, to) = (region.start() as i64, region.end() as i64);

    let mut tx = db::begin_write(db).await?;
    let mut new_spans: Vec<(i64, i64)> = Vec::new();
    for filter in accepted_filters {
        let accepted =
            excerpt_store::with_code_overlapping(&mut *tx, document_id, code.id, filter, from, to)
                .await?;
        new_spans.extend(accepted.iter().map(|e| (e.start, e.end)));
    }
    if let Decision::Draw { start, end } = decision {
        new_spans.push(drawn_span(&document, *start, *end)?);
    }
    new_spans.sort_unstable();
    new_spans.dedup();
    let mut spans = lift_consensus(&mut tx, document_id, code.id, from, to).await?;
    spans.extend(new_spans.iter().copied());
    for (s, e) in &spans {
        let id = consensus_excerpt(&mut tx, access, document_id, *s, *e).await?;
        excerpt_store::add_code(&mut *tx, id, code.id).await?;
    }
    let label = match decision {
        Decision::Accept(names) => format!("coder:{}", names.join(",")),
        Decision::NotApplicable => "none".to_owned(),
        Decision::Draw { .. } => "drawn".to_owned(),
    };
    let new = NewAdjudication {
        project_id: access.project_id(),
        code_id: code.id,
        document_id,
        start: from,
        end: to,
        decision: &label,
        decided_by: access.user.id,
    };
    store::insert(&mut *tx, &new).await?;
    let change = Change::AdjudicationDecided {
        code_id: code.id,
        document_id,
        start,
        end,
        decision: label,
        consensus_spans: new_spans,
    };
    events::commit(tx, Origin::member(access), change).await?;
    Ok(())
}

/// A passage the lead drew as the consensus, trimmed of whitespace at its edges.
fn drawn_span(document: &Document, start: i64, end: i64) -> AppResult<(i64, i64)> {
    let span = Span::new(start, end, document.summary.length as usize)?;
    let (s, e) = text::trim_span(&document.text, span.start(), span.end())
        .ok_or_else(|| AppError::invalid("start", "The new excerpt contains only whitespace."))?;
    Ok((s as i64, e as i64))
}

/// A new decision replaces whatever the consensus set said about this code in
/// `[from, to)`: the code is taken off consensus excerpts overlapping the region, and the
/// parts of them outside the region are returned, to keep the code.
async fn lift_consensus(
    tx: &mut db::Tx,
    document_id: i64,
    code_id: i64,
    from: i64,
    to: i64,
) -> AppResult<Vec<(i64, i64)>> {
    let overlapping = excerpt_store::with_code_overlapping(
        &mut **tx,
        document_id,
        code_id,
        CoderFilter::Consensus,
        from,
        to,
    )
    .await?;
    let mut kept = Vec::new();
    for earlier in overlapping {
        excerpt_store::remove_code(&mut **tx, earlier.id, code_id).await?;
        excerpt_store::delete_if_empty(&mut **tx, earlier.id).await?;
        kept.extend(
            [(earlier.start, from), (to, earlier.end)]
                .into_iter()
                .filter(|(s, e)| s < e),
        );
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_parse_from_form_and_api_values() {
        assert_eq!(
            Decision::parse("accept:alice", None, None).unwrap(),
            Decision::Accept(vec!["alice".into()])
        );
        assert_eq!(
            Decision::parse("accept:alice, bob", None, None).unwrap(),
            Decision::Accept(vec!["alice".into(), "bob".into()])
        );
        assert_eq!(
            Decision::parse("none", Some(1), None).unwrap(),
            Decision::NotApplicable
        );
        assert_eq!(
            Decision::parse("draw", Some(3), Some(9)).unwrap(),
            Decision::Draw { start: 3, end: 9 }
        );
        assert!(Decision::parse("draw", Some(3), None).is_err());
        assert!(Decision::parse("accept:", None, None).is_err());
        assert!(Decision::parse("maybe", None, None).is_err());
    }

    #[test]
    fn the_context_is_the_whole_turn_or_a_window() {
        let turns = [(0, 50), (50, 900), (900, 1000)];
        assert_eq!(context_window(&turns, 60, 70, 1000), (50, 900));
        assert_eq!(context_window(&turns, 40, 60, 1000), (0, 900), "two turns");
        assert_eq!(context_window(&[], 400, 410, 1000), (100, 710));
        assert_eq!(context_window(&[], 10, 20, 100), (0, 100));
    }

    #[test]
    fn decisions_are_described_in_words() {
        use super::consensus::describe;
        assert_eq!(describe("coder:alice"), "accepted alice's version");
        assert_eq!(describe("coder:a,b"), "accepted the versions of a and b");
        assert_eq!(describe("none"), "code does not apply");
        assert_eq!(describe("drawn"), "new excerpt drawn");
    }
}
