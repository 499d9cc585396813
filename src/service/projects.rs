//! Projects and their members. `open` is the single gate to everything inside a project:
//! it answers "not found" to anyone who is not a member, whatever the project's existence.

use super::User;
use super::access::{self, ProjectAccess};
use super::events::LoggedEvent;
use super::events::{self, Change, Origin};
use super::invitations::{self, Invitation};
use crate::db::{self, Db};
use crate::domain::names::{Username, free_text};
use crate::domain::{ProjectName, Role};
use crate::error::{AppError, AppResult};

/// What callers see of a project and its members.
pub use crate::db::{members::Member, projects::Project};

pub async fn list_mine(db: &Db, user: &User) -> AppResult<Vec<(Project, Role)>> {
    db::projects::list_for_member(db, user.id)
        .await?
        .into_iter()
        .map(|row| Ok((row.project, row.role)))
        .collect()
}

/// Creates a project with its creator as owner.
pub async fn create(
    db: &Db,
    user: &User,
    name: &str,
    description: &str,
) -> AppResult<ProjectAccess> {
    let name = ProjectName::parse(name)?;
    let description = free_text("description", description, 10_000)?;
    let mut tx = db::begin_write(db).await?;
    let id = db::projects::insert(&mut *tx, name.as_str(), &description).await?;
    db::members::upsert(&mut *tx, id, user.id, Role::Owner).await?;
    events::commit(
        tx,
        Origin::in_project(id, Some(user.id)),
        Change::ProjectCreated {
            name: name.as_str().to_owned(),
        },
    )
    .await?;
    access::project(db, user, id).await
}

/// Changes to a project's settings; absent fields stay as they are.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub archived: Option<bool>,
    pub blind_coding: Option<bool>,
}

pub async fn update(
    db: &Db,
    access: &ProjectAccess,
    changes: &ProjectChanges,
) -> AppResult<ProjectAccess> {
    access.require(
        Role::can_manage_project,
        "Only project owners can change project settings.",
    )?;
    let name = changes
        .name
        .as_deref()
        .map(ProjectName::parse)
        .transpose()?;
    let description = changes
        .description
        .as_deref()
        .map(|d| free_text("description", d, 10_000))
        .transpose()?;
    let db_changes = db::projects::Changes {
        name: name.as_ref().map(ProjectName::as_str),
        description: description.as_deref(),
        archived: changes.archived,
        blind_coding: changes.blind_coding,
    };
    let mut tx = db::begin_write(db).await?;
    db::projects::update(&mut *tx, access.project_id(), &db_changes).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::ProjectUpdated {
            name: db_changes.name.map(str::to_owned),
            description_changed: description.is_some(),
            archived: changes.archived,
            blind_coding: changes.blind_coding,
        },
    )
    .await?;
    access::project(db, &access.user, access.project_id()).await
}

/// Deletes the project with everything in it (documents, codes, coding, decisions, its
/// activity), for its owners, once `confirm` repeats its name. The deletion itself stays in
/// the server's activity.
pub async fn delete(db: &Db, access: &ProjectAccess, confirm: &str) -> AppResult<()> {
    access.require(
        Role::can_manage_project,
        "Only project owners can delete a project.",
    )?;
    let name = &access.project.name;
    if confirm.trim() != name {
        return Err(AppError::invalid(
            "confirm",
            format!("Type the project's name, “{name}”, to confirm that it should be deleted."),
        ));
    }
    let mut tx = db::begin_write(db).await?;
    db::projects::delete(&mut tx, access.project_id()).await?;
    let change = Change::ProjectDeleted {
        project_id: access.project_id(),
        name: name.clone(),
    };
    events::commit(tx, Origin::account(access.user.id), change).await?;
    Ok(())
}

pub async fn members(db: &Db, access: &ProjectAccess) -> AppResult<Vec<Member>> {
    Ok(db::members::list(db, access.project_id()).await?)
}

/// What adding someone did: they are a member now, or they have been invited.
#[derive(Debug)]
pub enum Membership {
    Member(Member),
    Invited(Invitation),
}

/// Adds a member, changes a member's role, or invites someone. An existing member's role
/// changes at once, and administrators add anyone directly; anyone else's request becomes
/// an invitation that the invitee accepts, whether or not the name belongs to an account
/// (see `service::invitations`). The last owner cannot step down.
pub async fn set_member(
    db: &Db,
    access: &ProjectAccess,
    username: &str,
    role: &str,
) -> AppResult<Membership> {
    access.require(
        Role::can_manage_members,
        "Only project owners can manage members.",
    )?;
    let role = Role::parse(role)?;
    let name = Username::parse(username)?;
    let target = db::users::by_username(db, name.as_str()).await?;
    let is_member = match &target {
        Some(user) => db::members::role_of(db, access.project_id(), user.id)
            .await?
            .is_some(),
        None => false,
    };
    match target {
        Some(user) if is_member || access.user.is_admin => set_role(db, access, &user, role)
            .await
            .map(Membership::Member),
        None if access.user.is_admin => Err(AppError::invalid(
            "username",
            format!(
                "There is no user named '{}'. Create the account first (Administration → \
                 Users).",
                name.as_str()
            ),
        )),
        _ => invitations::invite(db, access, &name, role)
            .await
            .map(Membership::Invited),
    }
}

async fn set_role(db: &Db, access: &ProjectAccess, target: &User, role: Role) -> AppResult<Member> {
    let mut tx = db::begin_write(db).await?;
    let current = db::members::role_of(&mut *tx, access.project_id(), target.id).await?;
    if current == Some(Role::Owner) && role != Role::Owner {
        ensure_another_owner(&mut tx, access.project_id()).await?;
    }
    db::members::upsert(&mut *tx, access.project_id(), target.id, role).await?;
    db::invitations::delete_for(&mut *tx, access.project_id(), &target.username).await?;
    events::record(
        &mut tx,
        Origin::member(access),
        &Change::MemberSet {
            username: target.username.clone(),
            role,
        },
    )
    .await?;
    let member = db::members::list(&mut *tx, access.project_id())
        .await?
        .into_iter()
        .find(|m| m.user_id == target.id)
        .ok_or(AppError::NotFound("Member"))?;
    tx.commit().await?;
    Ok(member)
}

pub async fn remove_member(db: &Db, access: &ProjectAccess, username: &str) -> AppResult<()> {
    access.require(
        Role::can_manage_members,
        "Only project owners can manage members.",
    )?;
    let target = db::users::by_username(db, username.trim())
        .await?
        .ok_or(AppError::NotFound("Member"))?;
    let mut tx = db::begin_write(db).await?;
    let current = db::members::role_of(&mut *tx, access.project_id(), target.id)
        .await?
        .ok_or(AppError::NotFound("Member"))?;
    if current == Role::Owner {
        ensure_another_owner(&mut tx, access.project_id()).await?;
    }
    db::members::remove(&mut *tx, access.project_id(), target.id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::MemberRemoved {
            username: target.username.clone(),
        },
    )
    .await?;
    Ok(())
}

async fn ensure_another_owner(tx: &mut db::Tx, project_id: i64) -> AppResult<()> {
    if db::members::count_owners(&mut **tx, project_id).await? <= 1 {
        return Err(AppError::conflict(
            "A project needs at least one owner. Make someone else an owner first.",
        ));
    }
    Ok(())
}

/// One page of a project's audit trail (newest first), for owners and viewers: who
/// changed what and when — the record a methods section can cite.
pub async fn activity(
    db: &Db,
    access: &ProjectAccess,
    before_id: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<LoggedEvent>, Option<i64>)> {
    access.require(
        Role::can_run_reports,
        "The activity log is for project owners and viewers.",
    )?;
    let limit = limit.clamp(1, 1000);
    let mut events = events::for_project(
        db,
        access.project_id(),
        before_id.unwrap_or(i64::MAX),
        limit + 1,
    )
    .await?;
    let more = events.len() as i64 > limit;
    events.truncate(limit as usize);
    let next = if more {
        events.last().map(|e| e.id)
    } else {
        None
    };
    Ok((events, next))
}

/// Full access for the server's operator at the command line (imports, exports), who acts
/// outside any account.
pub async fn operator_access(db: &Db, project_id: i64) -> AppResult<ProjectAccess> {
    let project = db::projects::by_id(db, project_id)
        .await?
        .ok_or(AppError::NotFound("Project"))?;
    let operator = User {
        id: 0,
        username: "operator".into(),
        is_admin: true,
        created_at: String::new(),
    };
    Ok(ProjectAccess {
        project,
        role: Role::Owner,
        user: operator,
    })
}

/// Resolves the CLI's `--project NAME_OR_ID` (no membership check: the CLI is the server's
/// operator). A name shared by several projects is refused with their ids.
pub async fn resolve_for_operator(db: &Db, name_or_id: &str) -> AppResult<i64> {
    if let Ok(id) = name_or_id.trim().parse::<i64>()
        && db::projects::exists(db, id).await?
    {
        return Ok(id);
    }
    let ids = db::projects::ids_by_name(db, name_or_id.trim()).await?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(AppError::NotFound("Project")),
        many => Err(AppError::conflict(format!(
            "Several projects are named '{}' (ids {}); pass the id instead.",
            name_or_id.trim(),
            many.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
