//! Joining a project takes the invitee's consent. An owner who is not an administrator
//! invites a user *name*; a user of that name sees the invitation (project, role, who sent
//! it) and accepts or declines it. Until then they are not a member and see nothing of the
//! project. Because invitations are kept by name, an owner learns nothing about which
//! accounts exist: inviting a name nobody has looks exactly like inviting one that exists.
//! Administrators, who manage accounts anyway, still add members directly.

use super::User;
use super::access::ProjectAccess;
use super::events::{self, Change, Origin};
use crate::db::{self, Db};
use crate::domain::Role;
use crate::domain::names::Username;
use crate::error::{AppError, AppResult};

pub use crate::db::invitations::Invitation;

/// Invites `username` to the project in `role` (or changes the role of the pending
/// invitation). Callers have checked that the inviter may manage members.
pub(super) async fn invite(
    db: &Db,
    access: &ProjectAccess,
    username: &Username,
    role: Role,
) -> AppResult<Invitation> {
    let mut tx = db::begin_write(db).await?;
    let id = db::invitations::upsert(
        &mut *tx,
        access.project_id(),
        username.as_str(),
        role,
        access.user.id,
    )
    .await?;
    events::record(
        &mut tx,
        Origin::member(access),
        &Change::MemberInvited {
            username: username.as_str().to_owned(),
            role,
        },
    )
    .await?;
    let invitation = db::invitations::addressed_to(&mut *tx, id, username.as_str())
        .await?
        .ok_or(AppError::NotFound("Invitation"))?;
    tx.commit().await?;
    Ok(invitation)
}

/// A project's pending invitations, for its owners.
pub async fn of_project(db: &Db, access: &ProjectAccess) -> AppResult<Vec<Invitation>> {
    access.require(
        Role::can_manage_members,
        "Only project owners can see and withdraw invitations.",
    )?;
    Ok(db::invitations::for_project(db, access.project_id()).await?)
}

/// Withdraws a pending invitation (owners).
pub async fn withdraw(db: &Db, access: &ProjectAccess, invitation_id: i64) -> AppResult<()> {
    access.require(
        Role::can_manage_members,
        "Only project owners can see and withdraw invitations.",
    )?;
    let mut tx = db::begin_write(db).await?;
    let pending = db::invitations::for_project(&mut *tx, access.project_id()).await?;
    let invitation = pending
        .into_iter()
        .find(|i| i.id == invitation_id)
        .ok_or(AppError::NotFound("Invitation"))?;
    db::invitations::delete(&mut *tx, access.project_id(), invitation_id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::InvitationWithdrawn {
            username: invitation.username,
        },
    )
    .await?;
    Ok(())
}

/// The invitations waiting for this user.
pub async fn mine(db: &Db, user: &User) -> AppResult<Vec<Invitation>> {
    Ok(db::invitations::for_username(db, &user.username).await?)
}

/// Accepts an invitation addressed to this user: they join the project in its role.
/// Answers the project's id. Someone else's invitation is "not found".
pub async fn accept(db: &Db, user: &User, invitation_id: i64) -> AppResult<i64> {
    settle(db, user, invitation_id, true).await
}

/// Declines an invitation addressed to this user; it is gone and they do not join.
pub async fn decline(db: &Db, user: &User, invitation_id: i64) -> AppResult<()> {
    settle(db, user, invitation_id, false).await.map(drop)
}

async fn settle(db: &Db, user: &User, invitation_id: i64, join: bool) -> AppResult<i64> {
    let mut tx = db::begin_write(db).await?;
    let invitation = db::invitations::addressed_to(&mut *tx, invitation_id, &user.username)
        .await?
        .ok_or(AppError::NotFound("Invitation"))?;
    let project_id = invitation.project_id;
    db::invitations::delete(&mut *tx, project_id, invitation_id).await?;
    let already = db::members::role_of(&mut *tx, project_id, user.id).await?;
    let change = if join {
        // Accepting never lowers a role someone already holds (an owner stays owner).
        if already.is_none() {
            db::members::upsert(&mut *tx, project_id, user.id, invitation.role).await?;
        }
        Change::InvitationAccepted {
            username: user.username.clone(),
            role: already.unwrap_or(invitation.role),
        }
    } else {
        Change::InvitationDeclined {
            username: user.username.clone(),
        }
    };
    events::commit(tx, Origin::in_project(project_id, Some(user.id)), change).await?;
    Ok(project_id)
}
