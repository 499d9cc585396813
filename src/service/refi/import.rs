//! Importing a peer's `.qdpx` into a new project owned by the importing user: parsing
//! and planning happen before the write transaction (off the async threads), then one
//! transaction stores the project, its coders, codebook, documents and excerpts and
//! ends with the audit event.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::db::codes::NewCode;
use crate::db::documents::{self as doc_store, NewDocument, NewTurn};
use crate::db::refi::{self as store, ImportedExcerpt};
use crate::db::{self, Db};
use crate::domain::analysis::{CONSENSUS_SET, CodedExcerpt};
use crate::domain::import::{SpeakerRole, default_role};
use crate::domain::names::CONSENSUS;
use crate::domain::refi::archive::Archive;
use crate::domain::refi::plan::{
    self, PlanHeader, PlanReport, PlannedDocument, PlannedExcerpt, Planner, SourceReport,
};
use crate::domain::refi::read::ReadError;
use crate::domain::{ProjectName, Role, Username};
use crate::error::{AppError, AppResult};
use crate::service::User;
use crate::service::access::{self, ProjectAccess};
use crate::service::events::{self, Change, Origin};

use super::rows::PendingRows;

/// What an import did: the new project, and spec section 7's data-loss report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QdpxImportSummary {
    pub project_id: i64,
    pub project_name: String,
    pub documents: usize,
    pub codes: usize,
    pub excerpts: usize,
    /// Coders created for the file's users (accounts that cannot sign in until an
    /// administrator sets a password).
    pub coders_created: Vec<String>,
    /// File users matched to existing accounts of the same name (on request).
    pub coders_matched: Vec<String>,
    /// Per source: the offset model used and how many selections lined up under it.
    pub sources: Vec<SourceReport>,
    /// What was not carried over, counted per kind.
    pub not_imported: BTreeMap<String, usize>,
    /// What was changed on the way in.
    pub changed: Vec<String>,
}

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct QdpxOptions {
    /// Use an existing account whose name matches a file's user, instead of creating a
    /// new coder (the importing user confirms that the names mean the same people).
    pub match_users_by_name: bool,
}

fn refused(error: impl std::fmt::Display) -> AppError {
    AppError::invalid("file", format!("This .qdpx cannot be imported: {error}."))
}

/// Imports the `.qdpx` in `file` (an upload spooled to disk, or the CLI's file) into a
/// new project owned by `user`.
///
/// The project file's outline is read and every reference in it checked before the
/// write transaction begins, so a file that is refused never takes the write gate. The
/// sources are then read (a second pass over the project file) and planned one at a
/// time on a blocking thread while this task stores the previous one (a bounded channel
/// between them), so one or two sources' text and selections are in memory at once, not
/// the whole project, and the archive itself stays on disk. Any failure, planning or
/// storing, drops the transaction: nothing is left.
pub async fn import_qdpx(
    db: &Db,
    user: &User,
    file: std::fs::File,
    options: QdpxOptions,
) -> AppResult<(ProjectAccess, QdpxImportSummary)> {
    let (mut planned, header) = PlannedSources::start(file).await?;
    let name = ProjectName::parse(&header.name)
        .or_else(|_| ProjectName::parse("Imported REFI-QDA project"))
        .expect("a valid fallback name");
    let mut tx = db::begin_write(db).await?;
    let project_id = db::projects::insert(&mut *tx, name.as_str(), &header.description).await?;
    db::members::upsert(&mut *tx, project_id, user.id, Role::Owner).await?;
    let code_ids = store_codes(&mut tx, project_id, &header).await?;
    let coders = CoderAccounts::new(project_id, user, options, &header.users);
    let mut store = ProjectStore::new(&mut tx, project_id, user, code_ids, coders).await?;
    let report = loop {
        match planned.next().await? {
            Planned::Document(document) => store.document(&mut tx, document).await?,
            Planned::Finished(report) => break report,
        }
    };
    let summary = store
        .finish(&mut tx, name, header.codes.len(), report)
        .await?;
    let change = Change::QdpxImported {
        name: summary.project_name.clone(),
        documents: summary.documents,
        codes: summary.codes,
        excerpts: summary.excerpts,
        not_imported: summary.not_imported.clone(),
    };
    events::commit(tx, Origin::in_project(project_id, Some(user.id)), change).await?;
    Ok((access::project(db, user, project_id).await?, summary))
}

/// What the planning thread hands over.
enum Planned {
    Document(PlannedDocument),
    Finished(PlanReport),
}

/// The sources of an archive, planned on a blocking thread a little ahead of the store.
struct PlannedSources {
    receiver: mpsc::Receiver<Result<Planned, ReadError>>,
}

/// Planned documents waiting to be stored: enough to keep both cores busy, few enough
/// that memory stays flat.
const PLANNED_AHEAD: usize = 2;

impl PlannedSources {
    /// Opens the archive and reads its project file; the sources follow as they are
    /// planned.
    async fn start(file: std::fs::File) -> AppResult<(Self, PlanHeader)> {
        let (header_sender, header) = oneshot::channel();
        let (sender, receiver) = mpsc::channel(PLANNED_AHEAD);
        tokio::task::spawn_blocking(move || {
            let opened = Archive::open(file)
                .and_then(|mut archive| Planner::new(&mut archive).map(|p| (archive, p)));
            let (mut archive, (mut planner, plan_header)) = match opened {
                Ok(opened) => opened,
                Err(error) => return drop(header_sender.send(Err(error))),
            };
            if header_sender.send(Ok(plan_header)).is_err() {
                return;
            }
            let planned = planner.plan_sources(&mut archive, |document| {
                sender
                    .blocking_send(Ok(Planned::Document(document)))
                    // The store has stopped (it failed): stop reading.
                    .map_err(|_| ReadError("the import was stopped".into()))
            });
            let last = planned.map(|()| Planned::Finished(planner.finish()));
            let _ = sender.blocking_send(last);
        });
        let header = header
            .await
            .map_err(|_| anyhow::anyhow!("the import planner stopped"))?
            .map_err(refused)?;
        Ok((Self { receiver }, header))
    }

    async fn next(&mut self) -> AppResult<Planned> {
        match self.receiver.recv().await {
            Some(planned) => planned.map_err(refused),
            None => Err(anyhow::anyhow!("the import planner stopped").into()),
        }
    }
}

/// Stores planned documents into the new project: their turns, attributes and excerpts
/// (many rows a statement, with ids chosen here so codes can be applied without reading
/// them back), and the speakers and coders they bring.
struct ProjectStore<'a> {
    project_id: i64,
    importer: &'a User,
    code_ids: Vec<i64>,
    coders: CoderAccounts<'a>,
    next_excerpt_id: i64,
    /// Excerpt GUIDs already used in this file: a repeat gets a fresh GUID.
    guids: HashSet<u128>,
    speakers: Vec<(String, SpeakerRole)>,
    rows: PendingRows,
    documents: usize,
    excerpts: usize,
}

impl<'a> ProjectStore<'a> {
    async fn new(
        tx: &mut db::Tx,
        project_id: i64,
        importer: &'a User,
        code_ids: Vec<i64>,
        coders: CoderAccounts<'a>,
    ) -> AppResult<Self> {
        Ok(Self {
            project_id,
            importer,
            code_ids,
            coders,
            next_excerpt_id: store::next_excerpt_id(&mut **tx).await?,
            guids: HashSet::new(),
            speakers: Vec::new(),
            rows: PendingRows::new(project_id),
            documents: 0,
            excerpts: 0,
        })
    }

    async fn document(&mut self, tx: &mut db::Tx, planned: PlannedDocument) -> AppResult<()> {
        let document_id = self.insert_document(tx, &planned).await?;
        for turn in &planned.document.turns {
            if !self
                .speakers
                .iter()
                .any(|(label, _)| *label == turn.speaker)
            {
                self.speakers
                    .push((turn.speaker.clone(), default_role(&turn.speaker)));
            }
        }
        self.insert_excerpts(tx, document_id, &planned).await?;
        self.documents += 1;
        Ok(())
    }

    async fn insert_document(
        &mut self,
        tx: &mut db::Tx,
        planned: &PlannedDocument,
    ) -> AppResult<i64> {
        let document = &planned.document;
        let new = NewDocument {
            project_id: self.project_id,
            title: &planned.title,
            external_id: None,
            source_name: &planned.title,
            source_format: "REFI-QDA",
            text: &document.text,
            length: document.text.chars().count() as i64,
            turn_count: document.turns.len() as i64,
            created_by: Some(self.importer.id),
        };
        let document_id = store::insert_document(&mut **tx, &new, Some(&planned.guid)).await?;
        let turns: Vec<NewTurn> = document
            .turns
            .iter()
            .map(|t| NewTurn {
                speaker: &t.speaker,
                start: t.start as i64,
                end: t.end as i64,
                start_ms: t.start_ms.map(|ms| ms as i64),
                end_ms: t.end_ms.map(|ms| ms as i64),
            })
            .collect();
        doc_store::insert_turns(tx, document_id, &document.text, &turns).await?;
        doc_store::insert_attributes(tx, document_id, &document.attributes).await?;
        Ok(document_id)
    }

    async fn insert_excerpts(
        &mut self,
        tx: &mut db::Tx,
        document_id: i64,
        planned: &PlannedDocument,
    ) -> AppResult<()> {
        let mut rows = Vec::with_capacity(planned.excerpts.len());
        let mut applications = Vec::new();
        let mut counted = Vec::with_capacity(planned.excerpts.len());
        for excerpt in &planned.excerpts {
            let (coder_id, consensus) = match self.coders.coder(tx, excerpt).await? {
                Coder::Consensus => (self.importer.id, true),
                Coder::User(id) => (id, false),
            };
            let id = self.next_excerpt_id;
            self.next_excerpt_id += 1;
            let fresh = guid_key(&excerpt.guid).is_none_or(|key| self.guids.insert(key));
            rows.push(ImportedExcerpt {
                id,
                document_id,
                coder_id,
                consensus,
                start: excerpt.start as i64,
                end: excerpt.end as i64,
                memo: excerpt.memo.clone(),
                guid: fresh.then(|| excerpt.guid.clone()),
            });
            let mut code_ids: Vec<i64> = excerpt.codes.iter().map(|c| self.code_ids[*c]).collect();
            code_ids.sort_unstable();
            code_ids.dedup();
            applications.extend(code_ids.iter().map(|&code_id| (id, code_id)));
            counted.push(CodedExcerpt {
                id,
                set: if consensus { CONSENSUS_SET } else { coder_id },
                document_id,
                start: excerpt.start as i64,
                end: excerpt.end as i64,
                code_ids,
            });
        }
        self.excerpts += rows.len();
        self.rows
            .add_document(tx, rows, applications, &counted)
            .await
    }

    /// Records the speakers met and sums up what was done.
    async fn finish(
        self,
        tx: &mut db::Tx,
        name: ProjectName,
        codes: usize,
        report: PlanReport,
    ) -> AppResult<QdpxImportSummary> {
        doc_store::add_speakers(tx, self.project_id, &self.speakers).await?;
        self.rows.finish(tx).await?;
        let (coders_created, coders_matched) = self.coders.names();
        Ok(QdpxImportSummary {
            project_id: self.project_id,
            project_name: name.as_str().to_owned(),
            documents: self.documents,
            codes,
            excerpts: self.excerpts,
            coders_created,
            coders_matched,
            sources: report.sources,
            not_imported: report.not_imported,
            changed: report.changed,
        })
    }
}

/// A GUID as a number, for remembering many of them cheaply.
fn guid_key(guid: &str) -> Option<u128> {
    u128::from_str_radix(&guid.replace('-', ""), 16).ok()
}

/// Whom a file user's selections belong to.
#[derive(Debug, Clone)]
enum Coder {
    User(i64),
    Consensus,
}

/// The name a file user gets in Gloss: their name where it is a valid user name, else
/// made into one.
fn username_for(name: &str, guid: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '.' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(32)
        .collect();
    match Username::parse(&cleaned) {
        Ok(valid) => valid.as_str().to_owned(),
        Err(_) => format!("coder-{}", &guid[..8]),
    }
}

/// The Gloss accounts of the file's users, made (or matched) as their first excerpt is
/// stored, so a user without excerpts does not become a coder.
struct CoderAccounts<'a> {
    project_id: i64,
    importer: &'a User,
    options: QdpxOptions,
    /// GUID → name, from the project file.
    users: &'a BTreeMap<String, String>,
    /// Per file user GUID: whose selections they are, the Gloss name, whether matched.
    known: HashMap<String, (Coder, Option<String>, bool)>,
}

impl<'a> CoderAccounts<'a> {
    fn new(
        project_id: i64,
        importer: &'a User,
        options: QdpxOptions,
        users: &'a BTreeMap<String, String>,
    ) -> Self {
        Self {
            project_id,
            importer,
            options,
            users,
            known: HashMap::new(),
        }
    }

    /// Whose excerpt this is: its file user's account, else the importer's.
    async fn coder(&mut self, tx: &mut db::Tx, excerpt: &PlannedExcerpt) -> AppResult<Coder> {
        let Some(guid) = excerpt.user.as_deref() else {
            return Ok(Coder::User(self.importer.id));
        };
        if let Some((coder, _, _)) = self.known.get(guid) {
            return Ok(coder.clone());
        }
        let name = plan::user_name(self.users, guid);
        let known = if name.trim().eq_ignore_ascii_case(CONSENSUS) {
            (Coder::Consensus, None, false)
        } else {
            let (id, username, matched) = self.account(tx, &name, guid).await?;
            if id != self.importer.id {
                db::members::upsert(&mut **tx, self.project_id, id, Role::Coder).await?;
            }
            (Coder::User(id), Some(username), matched)
        };
        let coder = known.0.clone();
        self.known.insert(guid.to_owned(), known);
        Ok(coder)
    }

    /// `(id, user name, matched)`: an existing account of that name when matching was
    /// asked for (or it is the importer's), else a new coder under a free name.
    async fn account(
        &self,
        tx: &mut db::Tx,
        name: &str,
        guid: &str,
    ) -> AppResult<(i64, String, bool)> {
        let wanted = username_for(name, guid);
        match db::users::by_username(&mut **tx, &wanted).await? {
            Some(account) if self.options.match_users_by_name || account.id == self.importer.id => {
                return Ok((account.id, account.username, true));
            }
            _ => {}
        }
        let mut candidate = wanted.clone();
        let mut n = 2;
        while db::users::by_username(&mut **tx, &candidate)
            .await?
            .is_some()
        {
            candidate = format!("{wanted}-{n}");
            n += 1;
        }
        let id = store::insert_coder(&mut **tx, &candidate, Some(guid)).await?;
        Ok((id, candidate, false))
    }

    /// The names of the coders created and of those matched, sorted.
    fn names(&self) -> (Vec<String>, Vec<String>) {
        let (mut created, mut matched) = (Vec::new(), Vec::new());
        for (_, name, was_matched) in self.known.values() {
            if let Some(name) = name {
                if *was_matched {
                    matched.push(name.clone())
                } else {
                    created.push(name.clone())
                }
            }
        }
        created.sort();
        matched.sort();
        (created, matched)
    }
}

async fn store_codes(tx: &mut db::Tx, project_id: i64, header: &PlanHeader) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::with_capacity(header.codes.len());
    for code in &header.codes {
        let new = NewCode {
            project_id,
            parent_id: code.parent.map(|p| ids[p]),
            name: &code.name,
            color: &code.color,
            description: &code.description,
        };
        ids.push(store::insert_code(&mut **tx, &new, Some(&code.guid)).await?);
    }
    Ok(ids)
}
