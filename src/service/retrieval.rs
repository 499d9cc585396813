//! Retrieval: every excerpt with a code (optionally its sub-codes) across the project's
//! documents, with a little context, the speakers involved, and filters.

use std::collections::{BTreeSet, HashMap};

use crate::db::Db;
use crate::db::codes::Code;
use crate::db::documents::{self as doc_store, DocumentTurn};
use crate::db::excerpts::{self as store, Excerpt};
use crate::domain::import::SpeakerRole;
use crate::domain::text;
use crate::error::AppResult;

use super::access::ProjectAccess;
use super::coders;

/// How many code points of context to show on each side of an excerpt.
const CONTEXT: usize = 120;
pub const PER_PAGE: usize = 100;

#[derive(Debug, Default)]
pub struct RetrievalQuery<'a> {
    pub include_subcodes: bool,
    /// A user name or `consensus`; everyone visible when `None`.
    pub coder: Option<&'a str>,
    /// `(name, value)` of a document attribute.
    pub attribute: Option<(&'a str, &'a str)>,
    /// Only excerpts that overlap a turn by a speaker in this role.
    pub role: Option<SpeakerRole>,
    /// 0-based page.
    pub page: usize,
}

pub struct Retrieved {
    pub excerpt: Excerpt,
    pub document_title: String,
    pub code_ids: Vec<i64>,
    pub before: String,
    pub text: String,
    pub after: String,
    /// `(speaker, role)` of the turns the excerpt overlaps.
    pub speakers: Vec<(String, SpeakerRole)>,
}

pub struct Retrieval {
    pub items: Vec<Retrieved>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

pub async fn retrieve(
    db: &Db,
    access: &ProjectAccess,
    code: &Code,
    query: &RetrievalQuery<'_>,
) -> AppResult<Retrieval> {
    let code_ids = if query.include_subcodes {
        super::codes::subtree_ids(&super::codes::codebook(db, access).await?, code.id)
    } else {
        vec![code.id]
    };
    let filter = coders::filter(db, access, query.coder).await?;
    let located =
        store::with_codes(db, access.project_id(), &code_ids, filter, query.attribute).await?;

    let document_ids: Vec<i64> = located
        .iter()
        .map(|l| l.excerpt.document_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut turns: HashMap<i64, Vec<DocumentTurn>> = HashMap::new();
    for turn in doc_store::turns_of_documents(db, &document_ids).await? {
        turns.entry(turn.document_id).or_default().push(turn);
    }
    let speakers_of = |e: &Excerpt| -> Vec<(String, SpeakerRole)> {
        let mut out: Vec<(String, SpeakerRole)> = Vec::new();
        for t in turns
            .get(&e.document_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let overlaps = t.turn.start < e.end && e.start < t.turn.end;
            if overlaps && !out.iter().any(|(s, _)| *s == t.turn.speaker) {
                out.push((t.turn.speaker.clone(), t.turn.role));
            }
        }
        out
    };
    let wanted_role = query.role;
    let matching: Vec<(store::Located, Vec<(String, SpeakerRole)>)> = located
        .into_iter()
        .map(|l| {
            let speakers = speakers_of(&l.excerpt);
            (l, speakers)
        })
        .filter(|(_, speakers)| {
            wanted_role.is_none_or(|role| speakers.iter().any(|(_, r)| *r == role))
        })
        .collect();

    let total = matching.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = query.page.min(pages - 1);
    let shown: Vec<_> = matching
        .into_iter()
        .skip(page * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let items = with_text_and_codes(db, shown).await?;
    Ok(Retrieval {
        items,
        total,
        page,
        pages,
    })
}

async fn with_text_and_codes(
    db: &Db,
    shown: Vec<(store::Located, Vec<(String, SpeakerRole)>)>,
) -> AppResult<Vec<Retrieved>> {
    let excerpt_ids: Vec<i64> = shown.iter().map(|(l, _)| l.excerpt.id).collect();
    let mut codes: HashMap<i64, Vec<i64>> = HashMap::new();
    for (excerpt_id, code_id) in store::codes_of(db, &excerpt_ids).await? {
        codes.entry(excerpt_id).or_default().push(code_id);
    }
    let document_ids: Vec<i64> = shown
        .iter()
        .map(|(l, _)| l.excerpt.document_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let texts: HashMap<i64, String> = doc_store::texts_of(db, &document_ids)
        .await?
        .into_iter()
        .collect();
    Ok(shown
        .into_iter()
        .map(|(located, speakers)| {
            let e = &located.excerpt;
            let full = texts
                .get(&e.document_id)
                .map(String::as_str)
                .unwrap_or_default();
            let (start, end) = (e.start as usize, e.end as usize);
            let parts = text::slices(
                full,
                &[
                    (start.saturating_sub(CONTEXT), start),
                    (start, end),
                    (end, end + CONTEXT),
                ],
            );
            Retrieved {
                code_ids: codes.remove(&e.id).unwrap_or_default(),
                before: parts[0].to_owned(),
                text: parts[1].to_owned(),
                after: parts[2].to_owned(),
                speakers,
                document_title: located.document_title.clone(),
                excerpt: located.excerpt,
            }
        })
        .collect())
}
