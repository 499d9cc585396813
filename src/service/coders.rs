//! Whose coding a read covers. Every read that lets the caller choose coders (pages, API,
//! exports, agreement, retrieval) resolves the names here, so a name means the same thing
//! everywhere and blind coding refuses the same requests everywhere.

use std::collections::BTreeSet;

use super::access::ProjectAccess;
use crate::db::excerpts::{CoderFilter, Excerpt};
use crate::db::{self, Db};
use crate::domain::names::CONSENSUS;
use crate::error::{AppError, AppResult};

/// One set of codings: a coder's own excerpts, or the project's consensus set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Coder {
    User(i64),
    Consensus,
}

impl Coder {
    /// Whether an excerpt belongs to this set.
    pub fn made(self, excerpt: &Excerpt) -> bool {
        self.made_span(excerpt.consensus, excerpt.coder_id)
    }

    /// [`Self::made`] for rows that carry only the two columns.
    pub fn made_span(self, consensus: bool, coder_id: i64) -> bool {
        match self {
            Coder::Consensus => consensus,
            Coder::User(id) => !consensus && coder_id == id,
        }
    }
}

/// The coders a read covers: everyone the caller may see, or the ones they chose.
#[derive(Debug, Clone)]
pub enum Selection {
    Everyone,
    Only(Vec<Coder>),
}

impl Selection {
    pub fn includes(&self, excerpt: &Excerpt) -> bool {
        match self {
            Selection::Everyone => true,
            Selection::Only(coders) => coders.iter().any(|c| c.made(excerpt)),
        }
    }
}

const BLIND: &str = "This project codes blind: coders see only their own excerpts.";

/// The coders named in `names` (user names or `consensus`), in order. Refuses a name
/// listed twice, a name that is no member or coder of this project (whether or not such
/// an account exists, so members cannot probe for accounts), and in a blind project, a
/// coder's request for anyone else's work.
pub async fn resolve(
    db: &Db,
    access: &ProjectAccess,
    field: &'static str,
    names: &[String],
) -> AppResult<Vec<Coder>> {
    let mut seen = BTreeSet::new();
    let mut coders = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !seen.insert(name.to_lowercase()) {
            return Err(AppError::invalid(
                field,
                format!("'{name}' is listed twice."),
            ));
        }
        coders.push(resolve_one(db, access, field, name).await?);
    }
    Ok(coders)
}

async fn resolve_one(
    db: &Db,
    access: &ProjectAccess,
    field: &'static str,
    name: &str,
) -> AppResult<Coder> {
    let own = name.eq_ignore_ascii_case(&access.user.username);
    if !access.sees_all_coders() && !own {
        return Err(AppError::forbidden(BLIND));
    }
    if name.eq_ignore_ascii_case(CONSENSUS) {
        return Ok(Coder::Consensus);
    }
    db::members::coder_named(db, access.project_id(), name)
        .await?
        .map(Coder::User)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                format!("'{name}' is not a member or coder of this project."),
            )
        })
}

/// The chosen coders (a name listed twice counts once), or with none chosen, everyone
/// the caller may see.
pub async fn select(
    db: &Db,
    access: &ProjectAccess,
    field: &'static str,
    names: &[String],
) -> AppResult<Selection> {
    // A name given twice in an export's list means that coder once (as it always has).
    let mut seen = BTreeSet::new();
    let distinct: Vec<String> = names
        .iter()
        .filter(|n| seen.insert(n.trim().to_lowercase()))
        .cloned()
        .collect();
    let chosen = resolve(db, access, field, &distinct).await?;
    Ok(match access.visible(CoderFilter::Everyone) {
        _ if !chosen.is_empty() => Selection::Only(chosen),
        CoderFilter::Coder(me) => Selection::Only(vec![Coder::User(me)]),
        _ => Selection::Everyone,
    })
}

/// The filter for one requested coder, or none: everyone the caller may see.
pub async fn filter(
    db: &Db,
    access: &ProjectAccess,
    requested: Option<&str>,
) -> AppResult<CoderFilter> {
    let requested: Vec<String> = requested.map(str::to_owned).into_iter().collect();
    Ok(match select(db, access, "coder", &requested).await? {
        Selection::Everyone => CoderFilter::Everyone,
        Selection::Only(coders) => match coders[..] {
            [Coder::Consensus] => CoderFilter::Consensus,
            [Coder::User(id)] => access.visible(CoderFilter::Coder(id)),
            _ => unreachable!("at most one coder was requested"),
        },
    })
}

/// Whom a report can compare: members who code, and anyone who has coded here (a former
/// member's work stays comparable), by name.
pub async fn choices(db: &Db, access: &ProjectAccess) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = db::members::list(db, access.project_id())
        .await?
        .into_iter()
        .filter(|m| m.role.can_code())
        .map(|m| m.username)
        .collect();
    for (_, name) in db::excerpts::coders(db, access.project_id()).await? {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

/// The coders whose work the caller may filter by: everyone who has coded here, or in a
/// blind project, the caller alone.
pub async fn visible_coders(db: &Db, access: &ProjectAccess) -> AppResult<Vec<String>> {
    if !access.sees_all_coders() {
        return Ok(vec![access.user.username.clone()]);
    }
    let coders = db::excerpts::coders(db, access.project_id()).await?;
    Ok(coders.into_iter().map(|(_, name)| name).collect())
}
