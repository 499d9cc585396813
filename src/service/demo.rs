//! The demo project: `domain::demo` builds it (interviews, codebook, two demo coders'
//! coding, consensus decisions); this stores it for a user in one transaction, owned by
//! them, with demo coders who cannot sign in (made like a REFI import's coders).

use std::collections::HashMap;

use crate::db::adjudications::{self as decisions, NewAdjudication};
use crate::db::codes::NewCode;
use crate::db::documents::{self as doc_store, NewDocument, NewTurn};
use crate::db::excerpts::{self as excerpt_store, NewExcerpt};
use crate::db::refi as store;
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::demo::{self, Decided, Decision};
use crate::domain::import::{SpeakerRole, default_role};
use crate::error::AppResult;
use crate::service::User;
use crate::service::access::{self, ProjectAccess};
use crate::service::events::{self, Change, Origin};

/// Creates a new demo project owned by `user` and returns access to it.
pub async fn create(db: &Db, user: &User) -> AppResult<ProjectAccess> {
    let documents = super::blocking(demo::documents).await?;
    let mut tx = db::begin_write(db).await?;
    let project_id = db::projects::insert(&mut *tx, demo::NAME, &demo::description()).await?;
    db::members::upsert(&mut *tx, project_id, user.id, Role::Owner).await?;
    let mut coders: Vec<(i64, String)> = Vec::new();
    for wanted in demo::CODERS {
        let name = free_username(&mut tx, wanted).await?;
        let id = store::insert_coder(&mut *tx, &name, None).await?;
        db::members::upsert(&mut *tx, project_id, id, Role::Coder).await?;
        coders.push((id, name));
    }
    let mut code_ids: Vec<i64> = Vec::with_capacity(demo::CODEBOOK.len());
    for code in &demo::CODEBOOK {
        let new = NewCode {
            project_id,
            parent_id: code.parent.map(|p| code_ids[p]),
            name: code.name,
            color: code.color,
            description: code.description,
        };
        code_ids.push(store::insert_code(&mut *tx, &new, None).await?);
    }
    let mut excerpts = 0;
    let mut speakers = Vec::new();
    let owner = Owners {
        project_id,
        owner: user.id,
        code_ids: &code_ids,
        coders: &coders,
    };
    for item in &documents {
        excerpts += store_document(&mut tx, &owner, item, &mut speakers).await?;
    }
    doc_store::add_speakers(&mut tx, project_id, &speakers).await?;
    let change = Change::DemoCreated {
        name: demo::NAME.to_owned(),
        documents: documents.len(),
        codes: code_ids.len(),
        excerpts,
        coders: coders.into_iter().map(|(_, name)| name).collect(),
    };
    events::commit(tx, Origin::in_project(project_id, Some(user.id)), change).await?;
    access::project(db, user, project_id).await
}

/// Stores one demo document with its turns, attributes, both coders' excerpts, their
/// completion marks and the decisions on it; returns how many excerpts it stored.
async fn store_document(
    tx: &mut db::Tx,
    at: &Owners<'_>,
    item: &demo::Document,
    speakers: &mut Vec<(String, SpeakerRole)>,
) -> AppResult<usize> {
    let document = &item.document;
    let new = NewDocument {
        project_id: at.project_id,
        title: &document.title,
        external_id: document.external_id.as_deref(),
        source_name: item.file_name,
        source_format: "demo",
        text: &document.text,
        length: document.text.chars().count() as i64,
        turn_count: document.turns.len() as i64,
        created_by: Some(at.owner),
    };
    let document_id = doc_store::insert(&mut **tx, &new).await?;
    let turns: Vec<NewTurn> = document
        .turns
        .iter()
        .map(|t| NewTurn {
            speaker: &t.speaker,
            start: t.start as i64,
            end: t.end as i64,
            start_ms: None,
            end_ms: None,
        })
        .collect();
    doc_store::insert_turns(tx, document_id, &document.text, &turns).await?;
    doc_store::insert_attributes(tx, document_id, &document.attributes).await?;
    for turn in &document.turns {
        if !speakers.iter().any(|(label, _)| *label == turn.speaker) {
            speakers.push((turn.speaker.clone(), default_role(&turn.speaker)));
        }
    }
    let mut applications = Vec::new();
    for (coder, coding) in item.coding.iter().enumerate() {
        for excerpt in coding {
            let new = NewExcerpt {
                project_id: at.project_id,
                document_id,
                coder_id: at.coders[coder].0,
                consensus: false,
                start: excerpt.start as i64,
                end: excerpt.end as i64,
                memo: &excerpt.memo,
            };
            let id = excerpt_store::insert(&mut **tx, &new).await?.id;
            applications.extend(excerpt.codes.iter().map(|&c| (id, at.code_ids[c])));
        }
        if item.complete[coder] {
            db::progress::complete(&mut **tx, document_id, at.coders[coder].0).await?;
        }
    }
    excerpt_store::apply_project_codes(tx, at.project_id, &applications).await?;
    store_decisions(tx, at, document_id, &item.decisions).await?;
    Ok(item.coding.iter().map(Vec::len).sum())
}

/// The first of `wanted`, `wanted-2`, `wanted-3` … that no account has.
async fn free_username(tx: &mut db::Tx, wanted: &str) -> AppResult<String> {
    let mut candidate = wanted.to_owned();
    let mut n = 2;
    while db::users::by_username(&mut **tx, &candidate)
        .await?
        .is_some()
    {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// The new project's owner, codes and coders, for storing its documents.
struct Owners<'a> {
    project_id: i64,
    owner: i64,
    code_ids: &'a [i64],
    coders: &'a [(i64, String)],
}

/// The lead's decisions, stored as `adjudication::decide` stores them: one decision row
/// per region (labelled like the page's), one consensus excerpt per span, shared by codes.
async fn store_decisions(
    tx: &mut db::Tx,
    at: &Owners<'_>,
    document_id: i64,
    decided: &[Decision],
) -> AppResult<()> {
    let mut consensus: HashMap<(usize, usize), i64> = HashMap::new();
    for decision in decided {
        let code_id = at.code_ids[decision.code];
        for &(start, end) in &decision.consensus {
            let id = match consensus.get(&(start, end)) {
                Some(id) => *id,
                None => {
                    let new = NewExcerpt {
                        project_id: at.project_id,
                        document_id,
                        coder_id: at.owner,
                        consensus: true,
                        start: start as i64,
                        end: end as i64,
                        memo: "",
                    };
                    let id = excerpt_store::insert(&mut **tx, &new).await?.id;
                    consensus.insert((start, end), id);
                    id
                }
            };
            excerpt_store::add_code(&mut **tx, id, code_id).await?;
        }
        let label = match decision.decided {
            Decided::Accept(coder) => format!("coder:{}", at.coders[coder].1),
            Decided::NotApplicable => "none".to_owned(),
        };
        let new = NewAdjudication {
            project_id: at.project_id,
            code_id,
            document_id,
            start: decision.start as i64,
            end: decision.end as i64,
            decision: &label,
            decided_by: at.owner,
        };
        decisions::insert(&mut **tx, &new).await?;
    }
    Ok(())
}
