//! Project-wide full-text search: the hits of a query as code-point spans of the stored
//! text, one item per hit, with the sentence around each hit, filtered by speaker role,
//! document attribute and coding. Blind coding applies to the coding filter: a coder's
//! "coded with X" sees only their own excerpts (`coders::select`).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use super::access::ProjectAccess;
use super::coders::{self, Selection};
use super::params;
use crate::db::Db;
use crate::db::search::{self as store, MatchingTurn, TurnFilter, TurnRange};
use crate::domain::import::SpeakerRole;
use crate::domain::search::{SearchQuery, extent, hit_spans};
use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
/// Longest snippet either side of a hit inside its sentence, in code points.
const SNIPPET_SIDE: usize = 120;

/// Search parameters as the API and the page receive them (blank means "any").
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query: words, "exact phrases", prefix*, AND / OR / NOT, NEAR(a b, 10).
    #[serde(default)]
    pub q: String,
    /// Only turns of speakers in this role: `participant` or `interviewer`.
    #[serde(default)]
    pub role: String,
    /// Only documents with this attribute value, as `name:value`.
    #[serde(default)]
    pub attribute: String,
    /// Only hits inside (or, with `coded=false`, outside) excerpts with this code.
    #[serde(default)]
    pub code_id: String,
    /// With `code_id`: `true` (default) for coded hits, `false` for hits not coded with it.
    #[serde(default)]
    pub coded: String,
    /// With `code_id`: whose excerpts count, a user name or `consensus` (default: everyone
    /// you may see; in blind projects a coder sees only their own).
    #[serde(default)]
    pub coder: String,
    /// Hits per page, 1 to 500 (default 50).
    #[serde(default)]
    pub limit: String,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: String,
}

/// A checked search (what the filters mean, not yet resolved against the project).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: SearchQuery,
    pub role: Option<SpeakerRole>,
    pub attribute: Option<(String, String)>,
    pub code: Option<CodeFilter>,
}

#[derive(Debug, Clone)]
pub struct CodeFilter {
    pub code_id: i64,
    pub coded: bool,
    pub coder: Option<String>,
}

impl SearchParams {
    pub fn request(&self) -> AppResult<SearchRequest> {
        let code = match self.code_id.trim() {
            "" => {
                if !self.coder.trim().is_empty() {
                    return Err(AppError::invalid(
                        "coder",
                        "Choose a code (code_id) whose coding by this coder to filter by.",
                    ));
                }
                None
            }
            raw => Some(CodeFilter {
                code_id: raw.parse().map_err(|_| {
                    AppError::invalid("code_id", format!("'{raw}' is not a code id."))
                })?,
                coded: match self.coded.trim() {
                    "" => true,
                    raw => parse_bool("coded", raw)?,
                },
                coder: Some(self.coder.trim().to_owned()).filter(|c| !c.is_empty()),
            }),
        };
        Ok(SearchRequest {
            query: SearchQuery::parse(&self.q)?,
            role: params::speaker_role(&self.role)?,
            attribute: params::attribute(&self.attribute)?,
            code,
        })
    }

    pub fn limit(&self) -> AppResult<usize> {
        match self.limit.trim() {
            "" => Ok(DEFAULT_LIMIT),
            raw => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    AppError::invalid(
                        "limit",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}."),
                    )
                }),
        }
    }

    pub fn cursor(&self) -> AppResult<Option<Cursor>> {
        Cursor::parse(&self.cursor)
    }
}

fn parse_bool(field: &'static str, raw: &str) -> AppResult<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(AppError::invalid(
            field,
            format!("'{raw}': use true or false."),
        )),
    }
}

/// Where a page starts: the `index`-th hit of the turn with FTS rowid `rowid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    rowid: i64,
    index: usize,
}

impl Cursor {
    fn parse(raw: &str) -> AppResult<Option<Self>> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let bad = || {
            AppError::invalid(
                "cursor",
                "This cursor is not one Gloss gave out; pass next_cursor from the previous page.",
            )
        };
        let (rowid, index) = raw.split_once('.').ok_or_else(bad)?;
        Ok(Some(Cursor {
            rowid: rowid.parse().map_err(|_| bad())?,
            index: index.parse().map_err(|_| bad())?,
        }))
    }

    pub fn encode(self) -> String {
        format!("{}.{}", self.rowid, self.index)
    }
}

/// A matching turn, its text as code points, shared by its hits.
#[derive(Debug)]
pub struct Turn {
    pub rowid: i64,
    pub document_id: i64,
    pub document_title: String,
    pub turn_start: usize,
    pub speaker: String,
    pub role: SpeakerRole,
    pub text: Vec<char>,
}

/// One hit: `[start, end)` code points of the turn's text.
#[derive(Debug, Clone)]
pub struct TurnHit {
    pub turn: Arc<Turn>,
    pub index: usize,
    pub start: usize,
    pub end: usize,
}

impl TurnHit {
    /// The hit's span in the document's text.
    pub fn span(&self) -> (usize, usize) {
        (
            self.turn.turn_start + self.start,
            self.turn.turn_start + self.end,
        )
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            rowid: self.turn.rowid,
            index: self.index,
        }
    }
}

/// What a results page shows of a hit.
#[derive(Debug, Clone)]
pub struct Hit {
    pub document_id: i64,
    pub document_title: String,
    pub start: usize,
    pub end: usize,
    pub speaker: String,
    pub role: SpeakerRole,
    /// The hit's sentence (at most `SNIPPET_SIDE` code points either side of the hit).
    pub snippet: String,
    /// Where the snippet starts in the document, so `start - snippet_start` is the hit's
    /// position inside it.
    pub snippet_start: usize,
}

pub struct SearchResults {
    pub total: usize,
    pub items: Vec<Hit>,
    pub next_cursor: Option<String>,
}

/// One page of hits of a search, with the total over all pages. Only the turns the page
/// shows are read and highlighted (from the cursor's turn on, in growing chunks until the
/// page is full); the total is counted from the index (`db::search::hit_total`), and with
/// a code filter from the highlighted turns of the coded documents only.
pub async fn search(
    db: &Db,
    access: &ProjectAccess,
    request: &SearchRequest,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<SearchResults> {
    let coded = coded_filter(db, access, request).await?;
    let filter = turn_filter(request, None);
    let total = total(db, access, request, &filter, coded.as_ref()).await?;
    let (page, next) = page(db, access, request, &filter, coded.as_ref(), limit, cursor).await?;
    Ok(SearchResults {
        total,
        items: page.iter().map(shown).collect(),
        next_cursor: next.map(Cursor::encode),
    })
}

/// The code filter with the spans it keeps or drops hits by.
struct Coded {
    keep_coded: bool,
    spans: SpansByDocument,
}

async fn coded_filter(
    db: &Db,
    access: &ProjectAccess,
    request: &SearchRequest,
) -> AppResult<Option<Coded>> {
    Ok(match &request.code {
        Some(filter) => Some(Coded {
            keep_coded: filter.coded,
            spans: coded_spans(db, access, filter).await?,
        }),
        None => None,
    })
}

fn turn_filter<'a>(request: &'a SearchRequest, documents: Option<&'a [i64]>) -> TurnFilter<'a> {
    TurnFilter {
        role: request.role,
        attribute: request
            .attribute
            .as_ref()
            .map(|(n, v)| (n.as_str(), v.as_str())),
        documents,
    }
}

/// Every hit of the search, counted. With a code filter, the hits inside the code's
/// excerpts are counted from the highlighted turns of the documents that have such
/// excerpts; the hits outside them are the rest.
async fn total(
    db: &Db,
    access: &ProjectAccess,
    request: &SearchRequest,
    filter: &TurnFilter<'_>,
    coded: Option<&Coded>,
) -> AppResult<usize> {
    let project_id = access.project_id();
    let fts = request.query.fts();
    let all = || async {
        let total = store::hit_total(db, project_id, fts, filter)
            .await
            .map_err(query_error)?;
        Ok::<usize, AppError>(total as usize)
    };
    let Some(coded) = coded else {
        return all().await;
    };
    let documents: Vec<i64> = coded.spans.keys().copied().collect();
    let mut inside = 0;
    if !documents.is_empty() {
        let in_coded = TurnFilter {
            documents: Some(&documents),
            ..filter.clone()
        };
        let turns = store::matching_turns(db, project_id, fts, &in_coded, TurnRange::default())
            .await
            .map_err(query_error)?;
        for turn in turns {
            let spans = coded.spans.get(&turn.document_id);
            let offset = turn.turn_start as usize;
            inside += hit_spans(&turn.highlighted)
                .1
                .into_iter()
                .filter(|&(s, e)| spans.is_some_and(|spans| overlap(spans, offset + s, offset + e)))
                .count();
        }
    }
    Ok(if coded.keep_coded {
        inside
    } else {
        all().await?.saturating_sub(inside)
    })
}

/// Turns read at first for a page of `limit` hits: every matching turn holds a hit
/// (unless a code filter drops it), so one more than the page usually suffices.
fn first_chunk(limit: usize) -> i64 {
    limit as i64 + 1
}

/// Most turns read in one go while filling a page.
const MAX_CHUNK: i64 = 4096;

/// The page: `limit` hits from the cursor on, and the hit after them (the next cursor).
async fn page(
    db: &Db,
    access: &ProjectAccess,
    request: &SearchRequest,
    filter: &TurnFilter<'_>,
    coded: Option<&Coded>,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<TurnHit>, Option<Cursor>)> {
    let mut hits = Vec::with_capacity(limit);
    let mut range = TurnRange {
        from: cursor.map(|c| c.rowid),
        limit: Some(first_chunk(limit)),
    };
    loop {
        let turns =
            store::matching_turns(db, access.project_id(), request.query.fts(), filter, range)
                .await
                .map_err(query_error)?;
        let chunk = range.limit.unwrap_or(MAX_CHUNK);
        let more = turns.len() as i64 == chunk;
        let last = turns.last().map(|t| t.rowid);
        for matching in turns {
            for hit in turn_hits(matching, coded) {
                if cursor.is_some_and(|c| hit.cursor() < c) {
                    continue;
                }
                if hits.len() == limit {
                    return Ok((hits, Some(hit.cursor())));
                }
                hits.push(hit);
            }
        }
        match last {
            Some(last) if more => {
                range = TurnRange {
                    from: Some(last + 1),
                    limit: Some((chunk * 2).min(MAX_CHUNK)),
                }
            }
            _ => return Ok((hits, None)),
        }
    }
}

fn shown(hit: &TurnHit) -> Hit {
    let turn = &hit.turn;
    let (sentence_start, sentence_end) = extent::sentence_around(&turn.text, hit.start, hit.end);
    let from = sentence_start.max(hit.start.saturating_sub(SNIPPET_SIDE));
    let to = sentence_end.min(hit.end + SNIPPET_SIDE);
    let (start, end) = hit.span();
    Hit {
        document_id: turn.document_id,
        document_title: turn.document_title.clone(),
        start,
        end,
        speaker: turn.speaker.clone(),
        role: turn.role,
        snippet: turn.text[from..to].iter().collect(),
        snippet_start: turn.turn_start + from,
    }
}

/// Every hit of the search in document order, optionally only in some documents.
pub async fn all_hits(
    db: &Db,
    access: &ProjectAccess,
    request: &SearchRequest,
    documents: Option<&[i64]>,
) -> AppResult<Vec<TurnHit>> {
    let coded = coded_filter(db, access, request).await?;
    let filter = turn_filter(request, documents);
    let turns = store::matching_turns(
        db,
        access.project_id(),
        request.query.fts(),
        &filter,
        TurnRange::default(),
    )
    .await
    .map_err(query_error)?;
    Ok(turns
        .into_iter()
        .flat_map(|matching| turn_hits(matching, coded.as_ref()))
        .collect())
}

/// The hits of one matching turn the code filter keeps; cursors count them within the
/// turn.
fn turn_hits(matching: MatchingTurn, coded: Option<&Coded>) -> Vec<TurnHit> {
    let (turn, spans) = split(matching);
    let kept = spans.into_iter().filter(|&(start, end)| match coded {
        Some(coded) => {
            let spans = coded.spans.get(&turn.document_id);
            let inside = spans.is_some_and(|spans| {
                overlap(spans, turn.turn_start + start, turn.turn_start + end)
            });
            inside == coded.keep_coded
        }
        None => true,
    });
    kept.enumerate()
        .map(|(index, (start, end))| TurnHit {
            turn: turn.clone(),
            index,
            start,
            end,
        })
        .collect()
}

fn split(matching: MatchingTurn) -> (Arc<Turn>, Vec<(usize, usize)>) {
    let (plain, spans) = hit_spans(&matching.highlighted);
    let turn = Turn {
        rowid: matching.rowid,
        document_id: matching.document_id,
        document_title: matching.document_title,
        turn_start: matching.turn_start as usize,
        speaker: matching.speaker,
        role: matching.role,
        text: plain.chars().collect(),
    };
    (Arc::new(turn), spans)
}

/// An FTS5 error on a query that passed the checks (it should not happen; the checks
/// are there so it does not) is still the query's fault, never a 500.
fn query_error(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.message().contains("fts5") => {
            tracing::warn!(%error, "FTS5 refused a checked query");
            AppError::invalid("q", "This query cannot be searched; simplify it.")
        }
        _ => error.into(),
    }
}

type SpansByDocument = HashMap<i64, Vec<(usize, usize)>>;

/// The spans of excerpts with the filter's code by the coders it covers.
async fn coded_spans(
    db: &Db,
    access: &ProjectAccess,
    filter: &CodeFilter,
) -> AppResult<SpansByDocument> {
    let code = access.code(db, filter.code_id).await.map_err(|_| {
        AppError::invalid(
            "code_id",
            format!("There is no code {} in this project.", filter.code_id),
        )
    })?;
    let names: Vec<String> = filter.coder.iter().cloned().collect();
    let selection = coders::select(db, access, "coder", &names).await?;
    let mut out: SpansByDocument = HashMap::new();
    for span in store::spans_with_code(db, access.project_id(), code.id).await? {
        let counts = match &selection {
            Selection::Everyone => true,
            Selection::Only(chosen) => chosen
                .iter()
                .any(|c| c.made_span(span.consensus, span.coder_id)),
        };
        if counts {
            out.entry(span.document_id)
                .or_default()
                .push((span.start as usize, span.end as usize));
        }
    }
    Ok(out)
}

/// Whether `[start, end)` shares a code point with one of the spans.
fn overlap(spans: &[(usize, usize)], start: usize, end: usize) -> bool {
    spans.iter().any(|&(s, e)| s < end && start < e)
}
