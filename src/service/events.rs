//! The audit log: every change Gloss makes is one [`Change`], recorded in the same write
//! transaction as the change itself ([`commit`]), so a change and its entry land together
//! or not at all. The log is append-only; the activity page and the API read it back as
//! typed [`LoggedEvent`]s.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::access::ProjectAccess;
use super::import::summary::ImportSummary;
use crate::db::{self, Db, Tx};
use crate::domain::Role;
use crate::domain::import::SpeakerRole;
use crate::error::AppResult;

/// Every kind of change, with what the log keeps of it. The serialised form (`kind` and
/// `payload`) is what the events API returns, so renaming a field changes the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum Change {
    #[serde(rename = "user.created")]
    UserCreated {
        username: String,
        admin: bool,
        /// The first administrator, created by the set-up form.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        first: bool,
    },
    #[serde(rename = "user.password_changed")]
    PasswordChanged {},
    #[serde(rename = "user.admin_changed")]
    AdminChanged { username: String, admin: bool },
    #[serde(rename = "user.deactivated")]
    UserDeactivated { username: String },
    #[serde(rename = "user.reactivated")]
    UserReactivated { username: String },
    #[serde(rename = "token.created")]
    TokenCreated { token_id: i64, name: String },
    #[serde(rename = "token.revoked")]
    TokenRevoked { token_id: i64 },
    #[serde(rename = "project.created")]
    ProjectCreated { name: String },
    #[serde(rename = "project.updated")]
    ProjectUpdated {
        name: Option<String>,
        description_changed: bool,
        archived: Option<bool>,
        blind_coding: Option<bool>,
    },
    #[serde(rename = "member.set")]
    MemberSet { username: String, role: Role },
    #[serde(rename = "member.removed")]
    MemberRemoved { username: String },
    #[serde(rename = "member.invited")]
    MemberInvited { username: String, role: Role },
    #[serde(rename = "invitation.withdrawn")]
    InvitationWithdrawn { username: String },
    #[serde(rename = "invitation.accepted")]
    InvitationAccepted { username: String, role: Role },
    #[serde(rename = "invitation.declined")]
    InvitationDeclined { username: String },
    #[serde(rename = "documents.imported")]
    DocumentsImported(Box<ImportSummary>),
    #[serde(rename = "document.updated")]
    DocumentUpdated {
        document_id: i64,
        title: Option<String>,
        /// Attribute name → new value (`null`: removed).
        attributes: Value,
    },
    #[serde(rename = "document.deleted")]
    DocumentDeleted { document_id: i64, title: String },
    #[serde(rename = "speaker.role_changed")]
    SpeakerRoleChanged { label: String, role: SpeakerRole },
    #[serde(rename = "code.created")]
    CodeCreated {
        code_id: i64,
        name: String,
        parent_id: Option<i64>,
    },
    #[serde(rename = "code.updated")]
    CodeUpdated {
        code_id: i64,
        name: Option<String>,
        color: Option<String>,
        description_changed: bool,
        parent_id: Option<Option<i64>>,
    },
    #[serde(rename = "code.deleted")]
    CodeDeleted {
        code_id: i64,
        name: String,
        excerpts_affected: i64,
    },
    #[serde(rename = "code.merged")]
    CodeMerged {
        code_id: i64,
        name: String,
        into: i64,
        excerpts: i64,
    },
    #[serde(rename = "codebook.imported")]
    CodebookImported { created: usize, updated: usize },
    #[serde(rename = "project.imported_qdpx")]
    QdpxImported {
        name: String,
        documents: usize,
        codes: usize,
        excerpts: usize,
        /// What the file held that was not carried over, per kind.
        not_imported: std::collections::BTreeMap<String, usize>,
    },
    #[serde(rename = "project.demo_created")]
    DemoCreated {
        name: String,
        documents: usize,
        codes: usize,
        excerpts: usize,
        coders: Vec<String>,
    },
    #[serde(rename = "project.deleted")]
    ProjectDeleted { project_id: i64, name: String },
    #[serde(rename = "excerpt.created")]
    ExcerptCreated {
        excerpt_id: i64,
        document_id: i64,
        start: i64,
        end: i64,
        code_ids: Vec<i64>,
        consensus: bool,
    },
    #[serde(rename = "excerpt.updated")]
    ExcerptUpdated {
        excerpt_id: i64,
        start: usize,
        end: usize,
        code_ids: Vec<i64>,
        memo_changed: bool,
    },
    #[serde(rename = "excerpt.deleted")]
    ExcerptDeleted {
        excerpt_id: i64,
        document_id: i64,
        start: i64,
        end: i64,
        code_ids: Vec<i64>,
        memo: String,
    },
    /// An auto-code run: every hit of a search coded with one code, as one action.
    #[serde(rename = "autocode.applied")]
    AutocodeApplied {
        batch_id: i64,
        code_id: i64,
        query: String,
        extent: String,
        hits: usize,
        created: usize,
        skipped: usize,
    },
    /// An auto-code run undone: the excerpts it created (those still there) removed.
    #[serde(rename = "autocode.undone")]
    AutocodeUndone { batch_id: i64, removed: u64 },
    /// A coder marked a document complete (`complete`) or reopened it.
    #[serde(rename = "document.completion")]
    DocumentCompletion { document_id: i64, complete: bool },
    /// An owner assigned documents to coders (`assigned`) or took them back.
    #[serde(rename = "assignments.changed")]
    AssignmentsChanged {
        document_ids: Vec<i64>,
        coders: Vec<String>,
        assigned: bool,
    },
    #[serde(rename = "adjudication.decided")]
    AdjudicationDecided {
        code_id: i64,
        document_id: i64,
        start: i64,
        end: i64,
        decision: String,
        consensus_spans: Vec<(i64, i64)>,
    },
}

impl Change {
    /// The stored kind and payload.
    fn stored(&self) -> (String, String) {
        let mut tagged = serde_json::to_value(self).expect("a change always serialises");
        let kind = tagged["kind"].as_str().unwrap_or_default().to_owned();
        let payload = tagged
            .get_mut("payload")
            .map(Value::take)
            .unwrap_or_else(|| Value::Object(Default::default()));
        (kind, payload.to_string())
    }

    /// Reads a stored entry back; `None` for a kind this version does not know.
    fn read(kind: &str, payload: &str) -> Option<Self> {
        let payload: Value = serde_json::from_str(payload).ok()?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload })).ok()
    }
}

/// Where a change happened and who made it.
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    project_id: Option<i64>,
    user_id: Option<i64>,
}

impl Origin {
    /// A member's change inside their project.
    pub fn member(access: &ProjectAccess) -> Self {
        Origin {
            project_id: Some(access.project_id()),
            user_id: Some(access.user.id),
        }
    }

    /// A change to an account or the server, not to any project.
    pub fn account(user_id: i64) -> Self {
        Origin {
            project_id: None,
            user_id: Some(user_id),
        }
    }

    /// A change inside a project by `user_id`, or by the operator at the command line.
    pub fn in_project(project_id: i64, user_id: Option<i64>) -> Self {
        Origin {
            project_id: Some(project_id),
            user_id,
        }
    }
}

/// Records `change` in the open write transaction; returns the entry's id.
pub async fn record(tx: &mut Tx, origin: Origin, change: &Change) -> AppResult<i64> {
    let (kind, payload) = change.stored();
    Ok(db::events::record(
        &mut **tx,
        origin.project_id,
        origin.user_id,
        &kind,
        &payload,
    )
    .await?)
}

/// Records `change` and commits the transaction that made it.
pub async fn commit(mut tx: Tx, origin: Origin, change: Change) -> AppResult<i64> {
    let id = record(&mut tx, origin, &change).await?;
    tx.commit().await?;
    Ok(id)
}

/// Records many changes of the same origin kind in one statement (the excerpt group
/// commit writes hundreds at once).
pub async fn record_all(
    conn: &mut sqlx::SqliteConnection,
    changes: &[(Origin, Change)],
) -> sqlx::Result<()> {
    let rows: Vec<db::events::NewEvent> = changes
        .iter()
        .map(|(origin, change)| {
            let (kind, payload) = change.stored();
            db::events::NewEvent {
                project_id: origin.project_id,
                user_id: origin.user_id,
                kind,
                payload,
            }
        })
        .collect();
    db::events::record_all(conn, &rows).await
}

/// One entry of a project's log as read back.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub id: i64,
    /// Who made the change (`None` for the command line).
    pub username: Option<String>,
    pub kind: String,
    /// The change's details as stored (JSON text), for the API.
    pub payload: String,
    /// The change itself, if this version knows its kind.
    pub change: Option<Change>,
    pub created_at: String,
}

/// A project's entries newest first, older than `before_id`.
pub async fn for_project(
    db: &Db,
    project_id: i64,
    before_id: i64,
    limit: i64,
) -> AppResult<Vec<LoggedEvent>> {
    let rows = db::events::for_project(db, project_id, before_id, limit).await?;
    Ok(rows
        .into_iter()
        .map(|row| LoggedEvent {
            change: Change::read(&row.kind, &row.payload),
            id: row.id,
            username: row.username,
            kind: row.kind,
            payload: row.payload,
            created_at: row.created_at,
        })
        .collect())
}

/// One entry of a given kind, by id, in a project.
pub async fn find(db: &Db, project_id: i64, id: i64, kind: &str) -> AppResult<Option<Change>> {
    let payload = db::events::payload(db, project_id, id, kind).await?;
    Ok(payload.and_then(|payload| Change::read(kind, &payload)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_stored_as_its_kind_and_payload_and_read_back() {
        let change = Change::ExcerptCreated {
            excerpt_id: 7,
            document_id: 3,
            start: 0,
            end: 9,
            code_ids: vec![1, 2],
            consensus: false,
        };
        let (kind, payload) = change.stored();
        assert_eq!(kind, "excerpt.created");
        let payload: Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({"excerpt_id": 7, "document_id": 3, "start": 0, "end": 9,
                               "code_ids": [1, 2], "consensus": false})
        );
        assert_eq!(Change::read(&kind, &payload.to_string()), Some(change));
    }

    #[test]
    fn an_empty_payload_is_an_empty_object_and_first_is_omitted_unless_set() {
        assert_eq!(Change::PasswordChanged {}.stored().1, "{}");
        let created = Change::UserCreated {
            username: "ada".into(),
            admin: false,
            first: false,
        };
        let payload: Value = serde_json::from_str(&created.stored().1).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({"username": "ada", "admin": false})
        );
    }

    #[test]
    fn an_unknown_kind_reads_as_none() {
        assert_eq!(Change::read("something.new", "{}"), None);
        assert_eq!(Change::read("member.set", "not json"), None);
    }
}
