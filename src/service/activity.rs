//! The activity page in sentences: the audit log read back as what people did, with ids
//! replaced by the names they stand for, and a run of the same action collapsed into one
//! entry ("ada coded 3 passages in “Dialog 00355” with Trust and Hope"). The events API
//! keeps returning every event as stored; this is only how a person reads them.

use std::collections::HashMap;

use super::access::ProjectAccess;
use super::events::{Change, LoggedEvent};
use crate::db::{self, Db};
use crate::error::AppResult;

/// One line of the activity page: who did what, and the events behind it.
pub struct ActivityEntry {
    /// Who acted (`None`: the command line).
    pub who: Option<String>,
    /// What they did, as a predicate ("coded 3 passages in …"), without a full stop.
    pub sentence: String,
    /// When the newest event of the entry happened (the log is newest first).
    pub at: String,
    /// The events the entry stands for, newest first, for the details.
    pub events: Vec<LoggedEvent>,
}

/// A page of the project's activity as entries, and the cursor of the older page.
pub async fn entries(
    db: &Db,
    access: &ProjectAccess,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<ActivityEntry>, Option<i64>)> {
    let (events, next) = super::projects::activity(db, access, before_id, limit).await?;
    let names = Names::look_up(db, access.project_id(), &events).await?;
    Ok((group(events, &names), next))
}

/// The names of the documents and codes the log's ids stand for, looked up once a page.
#[derive(Default)]
pub struct Names {
    documents: HashMap<i64, String>,
    codes: HashMap<i64, String>,
}

impl Names {
    async fn look_up(db: &Db, project_id: i64, events: &[LoggedEvent]) -> AppResult<Names> {
        let mut document_ids: Vec<i64> = events
            .iter()
            .filter_map(|e| e.change.as_ref())
            .flat_map(documents_named)
            .collect();
        document_ids.sort_unstable();
        document_ids.dedup();
        let documents = db::documents::titles_of(db, project_id, &document_ids).await?;
        let codes = db::codes::list(db, project_id).await?;
        Ok(Names {
            documents: documents.into_iter().collect(),
            codes: codes.into_iter().map(|c| (c.id, c.name)).collect(),
        })
    }

    fn document(&self, id: i64) -> String {
        match self.documents.get(&id) {
            Some(title) => format!("“{title}”"),
            None => format!("document #{id} (since deleted)"),
        }
    }

    fn code(&self, id: i64) -> String {
        match self.codes.get(&id) {
            Some(name) => name.clone(),
            None => format!("code #{id} (since deleted)"),
        }
    }

    /// "Trust", "Trust and Hope", "Trust, Hope and Fear", "Trust, Hope, Fear and 2 more".
    fn codes(&self, ids: &[i64]) -> String {
        let names: Vec<String> = ids.iter().map(|id| self.code(*id)).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] if names.len() <= 4 => format!("{} and {last}", rest.join(", ")),
            _ => format!("{} and {} more", names[..3].join(", "), names.len() - 3),
        }
    }
}

/// The documents a change names by id.
fn documents_named(change: &Change) -> Vec<i64> {
    use Change::*;
    match change {
        DocumentUpdated { document_id, .. }
        | ExcerptCreated { document_id, .. }
        | ExcerptDeleted { document_id, .. }
        | DocumentCompletion { document_id, .. }
        | AdjudicationDecided { document_id, .. } => vec![*document_id],
        AssignmentsChanged { document_ids, .. } => document_ids.clone(),
        _ => Vec::new(),
    }
}

/// What makes consecutive events one entry: the same person doing the same thing to the
/// same document. Other changes stand alone.
#[derive(PartialEq)]
enum Run {
    Coded { document_id: i64, consensus: bool },
    Recoded,
    Uncoded { document_id: i64 },
    Adjudicated { document_id: i64 },
}

fn run_of(change: &Change) -> Option<Run> {
    match change {
        Change::ExcerptCreated {
            document_id,
            consensus,
            ..
        } => Some(Run::Coded {
            document_id: *document_id,
            consensus: *consensus,
        }),
        Change::ExcerptUpdated { .. } => Some(Run::Recoded),
        Change::ExcerptDeleted { document_id, .. } => Some(Run::Uncoded {
            document_id: *document_id,
        }),
        Change::AdjudicationDecided { document_id, .. } => Some(Run::Adjudicated {
            document_id: *document_id,
        }),
        _ => None,
    }
}

/// The log (newest first) as entries: runs collapsed, each said in words.
pub fn group(events: Vec<LoggedEvent>, names: &Names) -> Vec<ActivityEntry> {
    let mut runs: Vec<(Option<Run>, Vec<LoggedEvent>)> = Vec::new();
    for event in events {
        let run = event.change.as_ref().and_then(run_of);
        if let Some((last_run, last_events)) = runs.last_mut()
            && run.is_some()
            && *last_run == run
            && last_events[0].username == event.username
        {
            last_events.push(event);
            continue;
        }
        runs.push((run, vec![event]));
    }
    runs.into_iter()
        .map(|(_, events)| ActivityEntry {
            who: events[0].username.clone(),
            sentence: sentence(&events, names),
            at: events[0].created_at.clone(),
            events,
        })
        .collect()
}

/// Several events of one run, or a single one, in words.
fn sentence(events: &[LoggedEvent], names: &Names) -> String {
    let changes: Vec<&Change> = events.iter().filter_map(|e| e.change.as_ref()).collect();
    let Some(first) = changes.first() else {
        return format!(
            "made a change of a kind this version does not know ({})",
            events[0].kind
        );
    };
    if changes.len() == 1 {
        return predicate(first, names);
    }
    let n = changes.len();
    let codes = names.codes(&codes_of(&changes));
    match first {
        Change::ExcerptCreated {
            document_id,
            consensus,
            ..
        } => coded(n, *consensus, &names.document(*document_id), &codes),
        Change::ExcerptUpdated { .. } => format!("changed {n} excerpts, now coded with {codes}"),
        Change::ExcerptDeleted { document_id, .. } => {
            format!("deleted {n} excerpts in {}", names.document(*document_id))
        }
        Change::AdjudicationDecided { document_id, .. } => format!(
            "settled {n} disagreements in {} (about {codes})",
            names.document(*document_id)
        ),
        other => predicate(other, names),
    }
}

/// "coded 3 passages in “Dialog 00355” with Trust and Hope".
fn coded(n: usize, consensus: bool, document: &str, codes: &str) -> String {
    let what = match (n, consensus) {
        (1, false) => "a passage".to_owned(),
        (1, true) => "a consensus passage".to_owned(),
        (n, false) => format!("{n} passages"),
        (n, true) => format!("{n} consensus passages"),
    };
    let with = match codes.is_empty() {
        true => " (no codes yet)".to_owned(),
        false => format!(" with {codes}"),
    };
    format!("coded {what} in {document}{with}")
}

/// The codes a run's changes apply, each once, in the order they first appear.
fn codes_of(changes: &[&Change]) -> Vec<i64> {
    let mut seen = Vec::new();
    for change in changes {
        let ids: &[i64] = match change {
            Change::ExcerptCreated { code_ids, .. }
            | Change::ExcerptUpdated { code_ids, .. }
            | Change::ExcerptDeleted { code_ids, .. } => code_ids,
            Change::AdjudicationDecided { code_id, .. } => std::slice::from_ref(code_id),
            _ => &[],
        };
        for id in ids {
            if !seen.contains(id) {
                seen.push(*id);
            }
        }
    }
    seen
}

/// One change in words, as a predicate whose subject is whoever made it.
fn predicate(change: &Change, names: &Names) -> String {
    use Change::*;
    match change {
        UserCreated {
            username, admin, ..
        } => match admin {
            true => format!("created the administrator account {username}"),
            false => format!("created the account {username}"),
        },
        PasswordChanged {} => "changed a password".into(),
        AdminChanged { username, admin } => match admin {
            true => format!("made {username} an administrator"),
            false => format!("made {username} a regular user"),
        },
        UserDeactivated { username } => format!("deactivated the account {username}"),
        UserReactivated { username } => format!("reactivated the account {username}"),
        TokenCreated { name, .. } => format!("created the API token “{name}”"),
        TokenRevoked { token_id } => format!("revoked API token #{token_id}"),
        ProjectCreated { name } => format!("created the project “{name}”"),
        ProjectUpdated {
            name,
            description_changed,
            archived,
            blind_coding,
        } => project_settings(
            name.as_deref(),
            *description_changed,
            *archived,
            *blind_coding,
        ),
        MemberSet { username, role } => format!("made {username} {}", with_article(role.as_str())),
        MemberRemoved { username } => format!("removed {username} from the project"),
        MemberInvited { username, role } => {
            format!("invited {username} to join as {}", role.as_str())
        }
        InvitationWithdrawn { username } => format!("withdrew the invitation to {username}"),
        InvitationAccepted { role, .. } => {
            format!("accepted the invitation and joined as {}", role.as_str())
        }
        InvitationDeclined { .. } => "declined the invitation".into(),
        DocumentsImported(summary) => match summary.documents.len() {
            1 => format!("imported the document “{}”", summary.documents[0].title),
            n => format!("imported {n} documents"),
        },
        DocumentUpdated {
            document_id,
            title,
            attributes,
        } => document_edit(&names.document(*document_id), title.as_deref(), attributes),
        DocumentDeleted { title, .. } => format!("deleted the document “{title}”"),
        SpeakerRoleChanged { label, role } => {
            format!(
                "made the speaker “{label}” {}",
                with_article(&role.to_string())
            )
        }
        CodeCreated { .. } | CodeUpdated { .. } | CodeDeleted { .. } | CodeMerged { .. } => {
            code_change(change, names)
        }
        CodebookImported { created, updated } => {
            format!("imported a codebook: {created} new codes, {updated} changed")
        }
        QdpxImported {
            name,
            documents,
            excerpts,
            ..
        } => format!(
            "imported the REFI-QDA project “{name}”: {documents} documents, {excerpts} excerpts"
        ),
        DemoCreated {
            name,
            documents,
            excerpts,
            ..
        } => {
            format!("created the demo project “{name}”: {documents} documents, {excerpts} excerpts")
        }
        ProjectDeleted { name, .. } => format!("deleted the project “{name}”"),
        ExcerptCreated {
            document_id,
            code_ids,
            consensus,
            ..
        } => coded(
            1,
            *consensus,
            &names.document(*document_id),
            &names.codes(code_ids),
        ),
        ExcerptUpdated { code_ids, .. } => match code_ids.as_slice() {
            [] => "changed an excerpt, which now has no codes".into(),
            ids => format!("changed an excerpt, now coded with {}", names.codes(ids)),
        },
        ExcerptDeleted {
            document_id,
            code_ids,
            ..
        } => {
            let coded = match code_ids.as_slice() {
                [] => String::new(),
                ids => format!(" coded with {}", names.codes(ids)),
            };
            format!(
                "deleted a passage{coded} in {}",
                names.document(*document_id)
            )
        }
        AutocodeApplied {
            query,
            extent,
            created,
            skipped,
            code_id,
            ..
        } => format!(
            "auto-coded {created} passages found by “{query}” ({extent}) with {}, {skipped} already coded",
            names.code(*code_id)
        ),
        AutocodeUndone { removed, .. } => {
            format!("undid an auto-code run ({removed} excerpts removed)")
        }
        DocumentCompletion {
            document_id,
            complete,
        } => match complete {
            true => format!("marked {} complete", names.document(*document_id)),
            false => format!("reopened {}", names.document(*document_id)),
        },
        AssignmentsChanged {
            document_ids,
            coders,
            assigned,
        } => assignments(document_ids, coders, *assigned, names),
        AdjudicationDecided {
            code_id,
            document_id,
            decision,
            ..
        } => format!(
            "settled a disagreement about {} in {}: {decision}",
            names.code(*code_id),
            names.document(*document_id)
        ),
    }
}

fn with_article(noun: &str) -> String {
    let article = match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {noun}")
}

fn project_settings(
    name: Option<&str>,
    description_changed: bool,
    archived: Option<bool>,
    blind_coding: Option<bool>,
) -> String {
    let mut parts = Vec::new();
    if let Some(name) = name {
        parts.push(format!("renamed the project “{name}”"));
    }
    if description_changed {
        parts.push("changed its description".to_owned());
    }
    match archived {
        Some(true) => parts.push("archived the project".to_owned()),
        Some(false) => parts.push("brought the project back from the archive".to_owned()),
        None => {}
    }
    match blind_coding {
        Some(true) => parts.push("turned blind coding on".to_owned()),
        Some(false) => parts.push("turned blind coding off".to_owned()),
        None => {}
    }
    if parts.is_empty() {
        return "saved the project's settings unchanged".into();
    }
    parts.join(" and ")
}

fn document_edit(document: &str, title: Option<&str>, attributes: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let Some(title) = title {
        parts.push(format!("retitled it “{title}”"));
    }
    if let Some(changed) = attributes.as_object().filter(|a| !a.is_empty()) {
        let keys: Vec<&str> = changed.keys().map(String::as_str).collect();
        parts.push(format!("changed its attributes {}", keys.join(", ")));
    }
    match parts.is_empty() {
        true => format!("edited {document}"),
        false => format!("edited {document}: {}", parts.join(" and ")),
    }
}

fn code_change(change: &Change, names: &Names) -> String {
    match change {
        Change::CodeCreated {
            name, parent_id, ..
        } => match parent_id {
            Some(parent) => format!("created the code “{name}” under {}", names.code(*parent)),
            None => format!("created the code “{name}”"),
        },
        Change::CodeUpdated {
            code_id,
            name,
            color,
            description_changed,
            parent_id,
        } => {
            let mut what = Vec::new();
            if let Some(name) = name {
                what.push(format!("renamed it “{name}”"));
            }
            if color.is_some() {
                what.push("changed its colour".to_owned());
            }
            if *description_changed {
                what.push("changed its definition".to_owned());
            }
            match parent_id {
                Some(Some(parent)) => what.push(format!("moved it under {}", names.code(*parent))),
                Some(None) => what.push("moved it to the top level".to_owned()),
                None => {}
            }
            let code = names.code(*code_id);
            match what.is_empty() {
                true => format!("saved the code {code} unchanged"),
                false => format!("edited the code {code}: {}", what.join(" and ")),
            }
        }
        Change::CodeDeleted {
            name,
            excerpts_affected,
            ..
        } => format!("deleted the code “{name}” (it was on {excerpts_affected} excerpts)"),
        Change::CodeMerged {
            name,
            into,
            excerpts,
            ..
        } => format!(
            "merged the code “{name}” into {} ({excerpts} excerpts)",
            names.code(*into)
        ),
        other => format!("changed the codebook ({other:?})"),
    }
}

fn assignments(document_ids: &[i64], coders: &[String], assigned: bool, names: &Names) -> String {
    let (verb, to) = match assigned {
        true => ("assigned", "to"),
        false => ("took back", "from"),
    };
    let documents = match document_ids {
        [one] => names.document(*one),
        ids => format!("{} documents", ids.len()),
    };
    format!("{verb} {documents} {to} {}", coders.join(", "))
}

#[cfg(test)]
#[path = "activity_tests.rs"]
mod tests;
