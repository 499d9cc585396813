//! Owners assign documents to coders: picked one by one, by attribute value, or a share
//! of the project's documents at random (for double coding, "20 % to both coders").
//! Assigning twice changes nothing; several coders may share a document.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::db::progress as store;
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::sample;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::events::{self, Change, Origin};

/// Which documents to assign or take back. Give exactly one of the three.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// User names of members who may code.
    pub coders: Vec<String>,
    /// Document ids.
    #[serde(default)]
    pub documents: Option<Vec<i64>>,
    /// `name:value`: every document with this attribute value.
    #[serde(default)]
    pub attribute: Option<String>,
    /// A share of the project's documents chosen at random (1–100), the same documents for
    /// every coder named.
    #[serde(default)]
    pub percent: Option<u32>,
    /// With `percent`: makes the random choice repeatable.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// What an assignment did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssignmentOutcome {
    pub coders: Vec<String>,
    /// The documents chosen, in id order.
    pub documents: Vec<i64>,
    /// (document, coder) pairs that changed; assigning an assigned pair changes nothing.
    pub changed: usize,
}

/// Assigns (`assign`) or takes back the chosen documents for the chosen coders, in one
/// transaction with one audit entry.
pub async fn set(
    db: &Db,
    access: &ProjectAccess,
    request: &AssignmentRequest,
    assign: bool,
) -> AppResult<AssignmentOutcome> {
    access.require(Role::can_plan_work, "Only project owners assign documents.")?;
    access.require_active()?;
    let coders = coders_named(db, access, &request.coders).await?;
    let documents = chosen_documents(db, access, request).await?;
    let mut tx = db::begin_write(db).await?;
    let mut changed = 0;
    for &document in &documents {
        for (coder, _) in &coders {
            let did = if assign {
                store::assign(&mut *tx, document, *coder, access.user.id).await?
            } else {
                store::unassign(&mut *tx, document, *coder).await?
            };
            changed += usize::from(did);
        }
    }
    let names: Vec<String> = coders.into_iter().map(|(_, name)| name).collect();
    let change = Change::AssignmentsChanged {
        document_ids: documents.clone(),
        coders: names.clone(),
        assigned: assign,
    };
    if changed > 0 {
        events::commit(tx, Origin::member(access), change).await?;
    } else {
        tx.rollback().await?;
    }
    Ok(AssignmentOutcome {
        coders: names,
        documents,
        changed,
    })
}

/// `(user id, user name)` of each named member who may code, in the order named.
async fn coders_named(
    db: &Db,
    access: &ProjectAccess,
    names: &[String],
) -> AppResult<Vec<(i64, String)>> {
    let members = db::members::list(db, access.project_id()).await?;
    let mut seen = BTreeSet::new();
    let mut coders = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let member = members
            .iter()
            .find(|m| m.username.eq_ignore_ascii_case(name) && m.role.can_code())
            .ok_or_else(|| {
                AppError::invalid(
                    "coders",
                    format!("'{name}' is not a coder or owner of this project."),
                )
            })?;
        if seen.insert(member.user_id) {
            coders.push((member.user_id, member.username.clone()));
        }
    }
    if coders.is_empty() {
        return Err(AppError::invalid("coders", "Name at least one coder."));
    }
    Ok(coders)
}

async fn chosen_documents(
    db: &Db,
    access: &ProjectAccess,
    request: &AssignmentRequest,
) -> AppResult<Vec<i64>> {
    let project = access.project_id();
    let all: Vec<i64> = db::documents::lengths(db, project)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let chosen = match (&request.documents, &request.attribute, request.percent) {
        (Some(ids), None, None) => {
            if let Some(unknown) = ids.iter().find(|id| !all.contains(id)) {
                return Err(AppError::invalid(
                    "documents",
                    format!("There is no document {unknown} in this project."),
                ));
            }
            ids.iter()
                .copied()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        }
        (None, Some(raw), None) => {
            let (name, value) = crate::service::params::attribute(raw)?.ok_or_else(|| {
                AppError::invalid("attribute", "Name the attribute as name:value.")
            })?;
            db::documents::ids_with_attribute(db, project, &name, &value).await?
        }
        (None, None, Some(percent)) => {
            if !(1..=100).contains(&percent) {
                return Err(AppError::invalid(
                    "percent",
                    "Give a share between 1 and 100 percent.",
                ));
            }
            let seed = match request.seed {
                Some(seed) => seed,
                None => random_seed()?,
            };
            let count = sample::share(all.len(), percent);
            sample::sample(all.len(), count, seed)
                .into_iter()
                .map(|i| all[i])
                .collect()
        }
        _ => {
            return Err(AppError::invalid(
                "documents",
                "Choose the documents one way: documents (ids), attribute (name:value) or percent.",
            ));
        }
    };
    if chosen.is_empty() {
        return Err(AppError::invalid(
            "documents",
            "No document matches: nothing to assign.",
        ));
    }
    Ok(chosen)
}

fn random_seed() -> AppResult<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(u64::from_le_bytes(bytes))
}
