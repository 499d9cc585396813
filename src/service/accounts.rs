//! User accounts: creation, the first administrator, sign-in with throttling, passwords.

use std::net::IpAddr;

use super::events::{self, Change, Origin};
pub use super::throttle::LoginThrottle;
use super::{User, hashing};
use crate::db::{self, Db};
use crate::domain::{Password, Username};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::security;

/// An account as administrators see it (with whether it is deactivated).
pub use crate::db::users::Account;

/// The account called `username`, if there is one.
pub async fn by_name(db: &Db, username: &str) -> AppResult<Option<User>> {
    Ok(db::users::by_username(db, username.trim()).await?)
}

/// The account called `username` with its status, for administrators.
pub async fn account_named(db: &Db, actor: &User, username: &str) -> AppResult<Account> {
    require_admin(actor)?;
    db::users::account_named(db, username.trim())
        .await?
        .ok_or(AppError::NotFound("User"))
}

pub async fn needs_setup(db: &Db) -> AppResult<bool> {
    Ok(db::users::count(db).await? == 0)
}

pub async fn create_user(
    db: &Db,
    username: &str,
    password: &str,
    is_admin: bool,
) -> AppResult<User> {
    let username = Username::parse(username)?;
    let password = Password::parse(password)?;
    let hash = hashing::run(db, move || security::hash_password(&password)).await??;
    let mut tx = db::begin_write(db).await?;
    let id = db::users::insert(&mut *tx, username.as_str(), &hash, is_admin)
        .await
        .map_err(|e| taken_or_internal(e, &username))?;
    let user = created(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(user)
}

/// Records a new account's creation and reads it back, inside its transaction.
async fn created(tx: &mut db::Tx, id: i64, first: bool) -> AppResult<User> {
    let user = db::users::by_id(&mut **tx, id)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let change = Change::UserCreated {
        username: user.username.clone(),
        admin: user.is_admin,
        first,
    };
    events::record(tx, Origin::account(id), &change).await?;
    Ok(user)
}

/// Creates the first administrator. Only possible while there are no users at all, checked
/// inside the write transaction so two simultaneous set-ups cannot both succeed.
pub async fn create_first_admin(db: &Db, username: &str, password: &str) -> AppResult<User> {
    let username = Username::parse(username)?;
    let password = Password::parse(password)?;
    let hash = hashing::run(db, move || security::hash_password(&password)).await??;
    let mut tx = db::begin_write(db).await?;
    if db::users::count(&mut *tx).await? > 0 {
        return Err(AppError::conflict(
            "Gloss already has an administrator. Sign in instead.",
        ));
    }
    let id = db::users::insert(&mut *tx, username.as_str(), &hash, true).await?;
    let user = created(&mut tx, id, true).await?;
    tx.commit().await?;
    Ok(user)
}

/// Checks a user name and password for a caller without a network address (the command
/// line, tests): [`authenticate_from`] with the unspecified address.
pub async fn authenticate(
    db: &Db,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
) -> AppResult<User> {
    let local = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    authenticate_from(db, throttle, local, username, password).await
}

/// Checks a user name and password from a client at `client`. Failed attempts are
/// counted per address and name and per address (`LoginThrottle`); after a few, further
/// attempts from there are refused for a growing wait, even with the right password.
pub async fn authenticate_from(
    db: &Db,
    throttle: &LoginThrottle,
    client: IpAddr,
    username: &str,
    password: &str,
) -> AppResult<User> {
    let key = username.trim().to_lowercase();
    throttle.attempt(client, &key)?;
    let verified = match check_password(db, username, password).await {
        Ok(verified) => verified,
        Err(err) => {
            if matches!(err, AppError::Unavailable { .. }) {
                throttle.cancelled(client, &key);
            }
            return Err(err);
        }
    };
    match verified {
        Some((id, active)) => {
            throttle.succeeded(client, &key);
            // Said only to someone who knows the password, so it reveals nothing new.
            if !active {
                return Err(AppError::forbidden(
                    "This account has been deactivated. Ask an administrator to reactivate it.",
                ));
            }
            db::users::by_id(db, id)
                .await?
                .ok_or(AppError::BadCredentials)
        }
        None => Err(AppError::BadCredentials),
    }
}

/// The user's id, and whether the account is active, if the password is theirs. An
/// unknown name costs as long as a wrong password (no user enumeration).
async fn check_password(db: &Db, username: &str, password: &str) -> AppResult<Option<(i64, bool)>> {
    let credentials = db::users::credentials(db, username.trim()).await?;
    let typed = password.to_owned();
    Ok(match credentials {
        Some(c) => {
            let ok = hashing::run(db, move || {
                security::verify_password(&typed, &c.password_hash)
            })
            .await?;
            ok.then_some((c.id, c.active))
        }
        None => {
            hashing::run(db, move || security::verify_against_dummy(&typed)).await?;
            None
        }
    })
}

/// Sets a new password for the named user and ends their browser sessions. API tokens
/// are separate credentials and stay valid until revoked.
pub async fn set_password(db: &Db, username: &str, password: &str) -> AppResult<User> {
    let password = Password::parse(password)?;
    let user = db::users::by_username(db, username.trim())
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let hash = hashing::run(db, move || security::hash_password(&password)).await??;
    let mut tx = db::begin_write(db).await?;
    db::users::set_password(&mut *tx, user.id, &hash).await?;
    db::sessions::delete_for_user(&mut *tx, user.id).await?;
    events::commit(tx, Origin::account(user.id), Change::PasswordChanged {}).await?;
    Ok(user)
}

/// A signed-in user changes their own password, proving they know the current one.
pub async fn change_own_password(db: &Db, user: &User, current: &str, new: &str) -> AppResult<()> {
    let credentials = db::users::credentials(db, &user.username)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let typed = current.to_owned();
    let ok = hashing::run(db, move || {
        security::verify_password(&typed, &credentials.password_hash)
    })
    .await?;
    if !ok {
        return Err(AppError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    set_password(db, &user.username, new).await?;
    Ok(())
}

pub async fn list_users(db: &Db, actor: &User) -> AppResult<Vec<Account>> {
    require_admin(actor)?;
    Ok(db::users::list(db).await?)
}

/// Deactivates an account (`active: false`): it cannot sign in, its browser sessions end
/// and its API tokens are revoked, all at once; everything it did stays attributed to it.
/// Reactivating lets it sign in again (with new sessions and tokens). Administrators
/// cannot deactivate themselves, nor the last active administrator.
pub async fn set_active(db: &Db, actor: &User, username: &str, active: bool) -> AppResult<()> {
    require_admin(actor)?;
    let target = db::users::by_username(db, username.trim())
        .await?
        .ok_or(AppError::NotFound("User"))?;
    if !active && target.id == actor.id {
        return Err(AppError::conflict(
            "You cannot deactivate your own account; ask another administrator.",
        ));
    }
    let mut tx = db::begin_write(db).await?;
    if !active && target.is_admin && db::users::count_active_admins(&mut *tx).await? <= 1 {
        return Err(AppError::conflict(
            "Gloss needs at least one active administrator; make someone else an administrator first.",
        ));
    }
    if !db::users::set_deactivated(&mut *tx, target.id, !active).await? {
        // Already as asked: nothing to record.
        return Ok(());
    }
    if !active {
        db::sessions::delete_for_user(&mut *tx, target.id).await?;
        db::tokens::revoke_all(&mut *tx, target.id).await?;
    }
    let change = if active {
        Change::UserReactivated {
            username: target.username,
        }
    } else {
        Change::UserDeactivated {
            username: target.username,
        }
    };
    events::commit(tx, Origin::account(actor.id), change).await?;
    Ok(())
}

pub async fn set_admin(db: &Db, actor: &User, username: &str, is_admin: bool) -> AppResult<User> {
    require_admin(actor)?;
    let target = db::users::by_username(db, username)
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let mut tx = db::begin_write(db).await?;
    if !is_admin && target.is_admin && db::users::count_admins(&mut *tx).await? <= 1 {
        return Err(AppError::conflict(
            "Gloss needs at least one administrator; make someone else an administrator first.",
        ));
    }
    db::users::set_admin(&mut *tx, target.id, is_admin).await?;
    events::commit(
        tx,
        Origin::account(actor.id),
        Change::AdminChanged {
            username: target.username.clone(),
            admin: is_admin,
        },
    )
    .await?;
    Ok(User { is_admin, ..target })
}

pub fn require_admin(actor: &User) -> AppResult<()> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(AppError::forbidden("Only administrators can manage users."))
    }
}

fn taken_or_internal(err: sqlx::Error, username: &Username) -> AppError {
    if is_unique_violation(&err) {
        AppError::conflict(format!(
            "The user name '{}' is already taken.",
            username.as_str()
        ))
    } else {
        err.into()
    }
}
