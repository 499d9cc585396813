//! Importing a peer's `.qdpx` into a new project owned by the importing user: parsing
//! and planning happen before the write transaction (off the async threads), then one
//! transaction stores the project, its coders, codebook, documents and excerpts and
//! ends with the audit event.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::db::codes::NewCode;
use crate::db::documents::{self as doc_store, NewDocument, NewTurn};
use crate::db::excerpts::{self as excerpt_store, NewExcerpt};
use crate::db::refi as store;
use crate::db::{self, Db};
use crate::domain::import::{SpeakerRole, default_role};
use crate::domain::names::CONSENSUS;
use crate::domain::refi::archive::Archive;
use crate::domain::refi::plan::{self, Plan, SourceReport};
use crate::domain::{ProjectName, Role, Username};
use crate::error::{AppError, AppResult};
use crate::service::User;
use crate::service::access::{self, ProjectAccess};
use crate::service::events::{self, Change, Origin};

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

/// Imports a `.qdpx` into a new project owned by `user`.
pub async fn import_qdpx(
    db: &Db,
    user: &User,
    bytes: Vec<u8>,
    options: QdpxOptions,
) -> AppResult<(ProjectAccess, QdpxImportSummary)> {
    let plan = super::super::blocking(move || {
        let mut archive = Archive::open(bytes)?;
        plan::plan(&mut archive)
    })
    .await?
    .map_err(refused)?;
    let name = ProjectName::parse(&plan.name)
        .or_else(|_| ProjectName::parse("Imported REFI-QDA project"))
        .expect("a valid fallback name");
    let mut tx = db::begin_write(db).await?;
    let project_id = db::projects::insert(&mut *tx, name.as_str(), &plan.description).await?;
    db::members::upsert(&mut *tx, project_id, user.id, Role::Owner).await?;
    let coders = store_coders(&mut tx, project_id, user, &plan, options).await?;
    let code_ids = store_codes(&mut tx, project_id, &plan).await?;
    let mut excerpts = 0;
    let mut speakers: Vec<(String, SpeakerRole)> = Vec::new();
    for planned in &plan.documents {
        let document = &planned.document;
        let new = NewDocument {
            project_id,
            title: &planned.title,
            external_id: None,
            source_name: &planned.title,
            source_format: "REFI-QDA",
            text: &document.text,
            length: document.text.chars().count() as i64,
            turn_count: document.turns.len() as i64,
            created_by: Some(user.id),
        };
        let document_id = store::insert_document(&mut *tx, &new, Some(&planned.guid)).await?;
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
        doc_store::insert_turns(&mut tx, document_id, &turns).await?;
        doc_store::insert_attributes(&mut tx, document_id, &document.attributes).await?;
        for turn in &document.turns {
            if !speakers.iter().any(|(label, _)| *label == turn.speaker) {
                speakers.push((turn.speaker.clone(), default_role(&turn.speaker)));
            }
        }
        let mut applications = Vec::new();
        for excerpt in &planned.excerpts {
            let coder = excerpt.user.as_ref().and_then(|g| coders.get(g));
            let (coder_id, consensus) = match coder.map(|c| &c.0) {
                Some(Coder::Consensus) => (user.id, true),
                Some(Coder::User(id)) => (*id, false),
                None => (user.id, false),
            };
            let new = NewExcerpt {
                project_id,
                document_id,
                coder_id,
                consensus,
                start: excerpt.start as i64,
                end: excerpt.end as i64,
                memo: &excerpt.memo,
            };
            let id = store::insert_excerpt(&mut *tx, &new, Some(&excerpt.guid)).await?;
            applications.extend(excerpt.codes.iter().map(|c| (id, code_ids[*c])));
            excerpts += 1;
            if applications.len() >= 5000 {
                excerpt_store::apply_project_codes(&mut *tx, project_id, &applications).await?;
                applications.clear();
            }
        }
        excerpt_store::apply_project_codes(&mut *tx, project_id, &applications).await?;
    }
    doc_store::add_speakers(&mut tx, project_id, &speakers).await?;
    let mut created: Vec<String> = Vec::new();
    let mut matched: Vec<String> = Vec::new();
    for (_, name, was_matched) in coders.values() {
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
    let summary = QdpxImportSummary {
        project_id,
        project_name: name.as_str().to_owned(),
        documents: plan.documents.len(),
        codes: plan.codes.len(),
        excerpts,
        coders_created: created,
        coders_matched: matched,
        sources: plan.sources.clone(),
        not_imported: plan.not_imported.clone(),
        changed: plan.changed.clone(),
    };
    let change = Change::QdpxImported {
        name: summary.project_name.clone(),
        documents: summary.documents,
        codes: summary.codes,
        excerpts,
        not_imported: summary.not_imported.clone(),
    };
    events::commit(tx, Origin::in_project(project_id, Some(user.id)), change).await?;
    Ok((access::project(db, user, project_id).await?, summary))
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

/// Per file user GUID: whose selections they are, the Gloss name, whether matched.
type Coders = HashMap<String, (Coder, Option<String>, bool)>;

async fn store_coders(
    tx: &mut db::Tx,
    project_id: i64,
    importer: &User,
    plan: &Plan,
    options: QdpxOptions,
) -> AppResult<Coders> {
    let used: std::collections::BTreeSet<&str> = plan
        .documents
        .iter()
        .flat_map(|d| d.excerpts.iter())
        .filter_map(|e| e.user.as_deref())
        .collect();
    let mut coders = HashMap::new();
    for guid in used {
        let name = plan.users.get(guid).map_or("", String::as_str);
        if name.trim().eq_ignore_ascii_case(CONSENSUS) {
            coders.insert(guid.to_owned(), (Coder::Consensus, None, false));
            continue;
        }
        let wanted = username_for(name, guid);
        let existing = db::users::by_username(&mut **tx, &wanted).await?;
        let (id, username, matched) = match existing {
            Some(account) if options.match_users_by_name || account.id == importer.id => {
                (account.id, account.username, true)
            }
            _ => {
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
                (id, candidate, false)
            }
        };
        if id != importer.id {
            db::members::upsert(&mut **tx, project_id, id, Role::Coder).await?;
        }
        coders.insert(guid.to_owned(), (Coder::User(id), Some(username), matched));
    }
    Ok(coders)
}

async fn store_codes(tx: &mut db::Tx, project_id: i64, plan: &Plan) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = Vec::with_capacity(plan.codes.len());
    for code in &plan.codes {
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
