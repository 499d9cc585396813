//! How far coders have got: a coder marks a document complete (and may reopen it), owners
//! assign documents ([`assignments`]), and each member sees their own documents with a
//! status while owners see everyone's. Completion feeds the agreement report's default
//! scope (`agreement::scope`).

pub mod assignments;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::User;
use super::access::{InDocument, ProjectAccess};
use super::events::{self, Change, Origin};
use super::projects::Project;
use crate::db::progress as store;
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::text::coverage_runs;
use crate::error::AppResult;

/// Where one coder stands with one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    Complete,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::InProgress => "in progress",
            Status::Complete => "complete",
        }
    }

    fn of(complete: bool, excerpts: usize) -> Status {
        match (complete, excerpts) {
            (true, _) => Status::Complete,
            (false, 0) => Status::NotStarted,
            (false, _) => Status::InProgress,
        }
    }
}

/// The caller's status on one document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Completion {
    pub document_id: i64,
    pub coder: String,
    pub status: Status,
    /// When the document was marked complete (ISO 8601 UTC), while it is.
    pub completed_at: Option<String>,
}

/// The caller's status on a document of the project (opened through `access::open`).
pub async fn completion(db: &Db, doc: &InDocument) -> AppResult<Completion> {
    completion_of(db, &doc.access, doc.document.summary.id).await
}

/// [`completion`] for a document already known to be in `access`'s project.
pub async fn completion_of(
    db: &Db,
    access: &ProjectAccess,
    document_id: i64,
) -> AppResult<Completion> {
    let me = access.user.id;
    let completed_at = store::completed_at(db, document_id, me).await?;
    let mine = crate::db::excerpts::for_document(
        db,
        document_id,
        crate::db::excerpts::CoderFilter::Coder(me),
    )
    .await?;
    Ok(Completion {
        document_id,
        coder: access.user.username.clone(),
        status: Status::of(completed_at.is_some(), mine.len()),
        completed_at,
    })
}

/// Marks the caller's coding of a document complete, or reopens it. Setting the status it
/// already has changes nothing and logs nothing.
pub async fn set_completion(db: &Db, doc: &InDocument, complete: bool) -> AppResult<Completion> {
    let access = &doc.access;
    access.require(
        Role::can_code,
        "Only coders and owners code documents, so only they can mark one complete.",
    )?;
    access.require_active()?;
    let document_id = doc.document.summary.id;
    let mut tx = db::begin_write(db).await?;
    let changed = if complete {
        store::complete(&mut *tx, document_id, access.user.id).await?
    } else {
        store::reopen(&mut *tx, document_id, access.user.id).await?
    };
    if changed {
        let change = Change::DocumentCompletion {
            document_id,
            complete,
        };
        events::commit(tx, Origin::member(access), change).await?;
    } else {
        tx.rollback().await?;
    }
    completion(db, doc).await
}

/// One coder's progress on one document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoderCell {
    pub coder: String,
    pub assigned: bool,
    pub status: Status,
    pub excerpts: usize,
    /// Code points covered by the coder's excerpts (overlaps count once).
    pub coded_characters: usize,
}

/// A document with the coders who are assigned to it or have coded it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentProgress {
    pub document_id: i64,
    pub title: String,
    pub length: i64,
    pub coders: Vec<CoderCell>,
}

/// Everyone's progress in a project (owners), or the caller's own.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectProgress {
    /// The coders in the table's columns: every member who may code, in name order.
    pub coders: Vec<String>,
    pub documents: Vec<DocumentProgress>,
    /// Documents nobody has coded yet.
    pub uncoded: Vec<i64>,
}

/// One coder's documents, summed over the progress table's rows (the chart per coder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CoderTotal {
    pub coder: String,
    /// Documents the coder has coded in (in progress or complete).
    pub coded: usize,
    /// Of those, the ones marked complete.
    pub complete: usize,
    /// Documents in the table.
    pub documents: usize,
}

impl ProjectProgress {
    /// Per coder (in the table's column order): how many of the documents they have
    /// coded, and how many they have marked complete.
    pub fn per_coder(&self) -> Vec<CoderTotal> {
        let documents = self.documents.len();
        self.coders
            .iter()
            .enumerate()
            .map(|(i, coder)| {
                let cells = || self.documents.iter().filter_map(|d| d.coders.get(i));
                CoderTotal {
                    coder: coder.clone(),
                    coded: cells().filter(|c| c.status != Status::NotStarted).count(),
                    complete: cells().filter(|c| c.status == Status::Complete).count(),
                    documents,
                }
            })
            .collect()
    }
}

/// The figures behind progress: per (document, coder id), whether complete, assigned,
/// how many excerpts and characters.
#[derive(Default)]
struct Tally {
    complete: BTreeSet<(i64, i64)>,
    assigned: BTreeSet<(i64, i64)>,
    spans: BTreeMap<(i64, i64), Vec<(usize, usize)>>,
}

impl Tally {
    /// The project's figures; of one coder's excerpts only when `only` names them.
    async fn load(db: &Db, project_id: i64, only: Option<i64>) -> AppResult<Tally> {
        let mut tally = Tally {
            complete: store::completions(db, project_id)
                .await?
                .into_iter()
                .collect(),
            assigned: store::assignments(db, project_id)
                .await?
                .into_iter()
                .collect(),
            spans: BTreeMap::new(),
        };
        for (document, coder, start, end) in store::coder_spans(db, project_id, only).await? {
            tally
                .spans
                .entry((document, coder))
                .or_default()
                .push((start as usize, end as usize));
        }
        Ok(tally)
    }

    fn cell(&self, document: i64, coder: (i64, &str)) -> CoderCell {
        let key = (document, coder.0);
        let spans = self.spans.get(&key).map(Vec::as_slice).unwrap_or_default();
        let end = spans.iter().map(|s| s.1).max().unwrap_or(0);
        let coded_characters = coverage_runs(0, end, spans)
            .iter()
            .filter(|run| run.2)
            .map(|run| run.1 - run.0)
            .sum();
        CoderCell {
            coder: coder.1.to_owned(),
            assigned: self.assigned.contains(&key),
            status: Status::of(self.complete.contains(&key), spans.len()),
            excerpts: spans.len(),
            coded_characters,
        }
    }

    fn involved(&self, document: i64, coder: i64) -> bool {
        let key = (document, coder);
        self.assigned.contains(&key)
            || self.complete.contains(&key)
            || self.spans.contains_key(&key)
    }
}

/// Every coder's status per document, and the documents nobody has coded (owners).
pub async fn project_progress(db: &Db, access: &ProjectAccess) -> AppResult<ProjectProgress> {
    access.require(
        Role::can_plan_work,
        "Only project owners see everyone's progress.",
    )?;
    let members = db::members::list(db, access.project_id()).await?;
    let mut coders: Vec<(i64, String)> = members
        .into_iter()
        .filter(|m| m.role.can_code())
        .map(|m| (m.user_id, m.username))
        .collect();
    coders.sort_by_key(|c| c.1.to_lowercase());
    progress_of(db, access, &coders, false).await
}

/// The caller's own documents: assigned to them, or coded or completed by them.
pub async fn my_documents(db: &Db, access: &ProjectAccess) -> AppResult<Vec<DocumentProgress>> {
    let me = [(access.user.id, access.user.username.clone())];
    Ok(progress_of(db, access, &me, true).await?.documents)
}

async fn progress_of(
    db: &Db,
    access: &ProjectAccess,
    coders: &[(i64, String)],
    only_involved: bool,
) -> AppResult<ProjectProgress> {
    // The caller's own view reads only their own excerpts (a project may hold 150,000);
    // its `uncoded` is then not meaningful, and only `documents` is used.
    let only = only_involved
        .then_some(coders.first().map(|c| c.0))
        .flatten();
    let tally = Tally::load(db, access.project_id(), only).await?;
    let coded: BTreeSet<i64> = tally.spans.keys().map(|(document, _)| *document).collect();
    let mut documents = Vec::new();
    let mut uncoded = Vec::new();
    for (id, title, length) in db::documents::lengths(db, access.project_id()).await? {
        if !coded.contains(&id) {
            uncoded.push(id);
        }
        if only_involved && !coders.iter().any(|(c, _)| tally.involved(id, *c)) {
            continue;
        }
        documents.push(DocumentProgress {
            document_id: id,
            title,
            length,
            coders: coders
                .iter()
                .map(|(c, name)| tally.cell(id, (*c, name)))
                .collect(),
        });
    }
    Ok(ProjectProgress {
        coders: coders.iter().map(|(_, name)| name.clone()).collect(),
        documents,
        uncoded,
    })
}

/// For each project where `user` may code (of `projects`, which they are a member of):
/// how many of their documents are in each status. Projects without any are left out.
pub async fn my_counts(
    db: &Db,
    user: &User,
    projects: &[(Project, Role)],
) -> AppResult<Vec<(i64, [(Status, usize); 3])>> {
    let mut all = Vec::new();
    for (project, _) in projects.iter().filter(|(_, role)| role.can_code()) {
        let access = super::access::project(db, user, project.id).await?;
        let documents = my_documents(db, &access).await?;
        if !documents.is_empty() {
            all.push((project.id, counts(&documents)));
        }
    }
    Ok(all)
}

/// Counts per status of the caller's documents.
fn counts(documents: &[DocumentProgress]) -> [(Status, usize); 3] {
    [Status::NotStarted, Status::InProgress, Status::Complete].map(|status| {
        let n = documents
            .iter()
            .filter(|d| d.coders.first().is_some_and(|c| c.status == status))
            .count();
        (status, n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(coder: &str, status: Status) -> CoderCell {
        CoderCell {
            coder: coder.into(),
            assigned: false,
            status,
            excerpts: usize::from(status != Status::NotStarted),
            coded_characters: 0,
        }
    }

    fn document(id: i64, cells: Vec<CoderCell>) -> DocumentProgress {
        DocumentProgress {
            document_id: id,
            title: format!("D{id}"),
            length: 10,
            coders: cells,
        }
    }

    #[test]
    fn per_coder_totals_count_coded_and_complete_documents_in_column_order() {
        use Status::*;
        let progress = ProjectProgress {
            coders: vec!["ann".into(), "cal".into()],
            documents: vec![
                document(1, vec![cell("ann", Complete), cell("cal", InProgress)]),
                document(2, vec![cell("ann", InProgress), cell("cal", NotStarted)]),
                document(3, vec![cell("ann", NotStarted), cell("cal", NotStarted)]),
            ],
            uncoded: vec![3],
        };
        let total = |coder: &str, coded, complete| CoderTotal {
            coder: coder.into(),
            coded,
            complete,
            documents: 3,
        };
        assert_eq!(
            progress.per_coder(),
            vec![total("ann", 2, 1), total("cal", 1, 0)]
        );
        let empty = ProjectProgress {
            coders: vec!["ann".into()],
            documents: vec![],
            uncoded: vec![],
        };
        assert_eq!(empty.per_coder()[0].documents, 0);
    }
}
