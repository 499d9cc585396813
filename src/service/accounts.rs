//! User accounts: creation, the first administrator, sign-in with throttling, passwords.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::events::{self, Change, Origin};
use super::{User, blocking};
use crate::db::{self, Db};
use crate::domain::{Password, Username};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::security;

/// The account called `username`, if there is one.
pub async fn by_name(db: &Db, username: &str) -> AppResult<Option<User>> {
    Ok(db::users::by_username(db, username.trim()).await?)
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
    let hash = blocking(move || security::hash_password(&password)).await??;
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
    let hash = blocking(move || security::hash_password(&password)).await??;
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

/// Checks a user name and password. Failed attempts per user name are counted; after a few
/// in a row, further attempts are refused for a growing wait, even with the right password.
pub async fn authenticate(
    db: &Db,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
) -> AppResult<User> {
    let key = username.trim().to_lowercase();
    // The attempt is counted before the (slow) password check, so parallel guesses
    // cannot slip through while earlier ones are still being verified.
    throttle.attempt(&key)?;
    let credentials = db::users::credentials(db, username.trim()).await?;
    let typed = password.to_owned();
    let verified = match credentials {
        Some(c) => {
            let ok = blocking(move || security::verify_password(&typed, &c.password_hash)).await?;
            ok.then_some(c.id)
        }
        None => {
            blocking(move || security::verify_against_dummy(&typed)).await?;
            None
        }
    };
    match verified {
        Some(id) => {
            throttle.succeeded(&key);
            db::users::by_id(db, id)
                .await?
                .ok_or(AppError::BadCredentials)
        }
        None => Err(AppError::BadCredentials),
    }
}

/// Sets a new password for the named user and ends their browser sessions. API tokens
/// are separate credentials and stay valid until revoked.
pub async fn set_password(db: &Db, username: &str, password: &str) -> AppResult<User> {
    let password = Password::parse(password)?;
    let user = db::users::by_username(db, username.trim())
        .await?
        .ok_or(AppError::NotFound("User"))?;
    let hash = blocking(move || security::hash_password(&password)).await??;
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
    let ok =
        blocking(move || security::verify_password(&typed, &credentials.password_hash)).await?;
    if !ok {
        return Err(AppError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    set_password(db, &user.username, new).await?;
    Ok(())
}

pub async fn list_users(db: &Db, actor: &User) -> AppResult<Vec<User>> {
    require_admin(actor)?;
    Ok(db::users::list(db).await?)
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

/// Slows down password guessing: after `FREE_ATTEMPTS` consecutive failures for a user
/// name, each further attempt must wait twice as long as the previous one (capped).
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    const FREE_ATTEMPTS: u32 = 5;
    const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
    const MAX_TRACKED: usize = 100_000;

    /// Counts an attempt for `key`, or refuses it while the wait after earlier failures
    /// lasts. A successful sign-in then clears the count (`succeeded`).
    fn attempt(&self, key: &str) -> AppResult<()> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&(count, last)) = failures.get(key) {
            let wait = Self::wait_after(count);
            let elapsed = last.elapsed();
            if elapsed < wait {
                return Err(AppError::RateLimited((wait - elapsed).as_secs().max(1)));
            }
        }
        if failures.len() >= Self::MAX_TRACKED {
            // Bound memory against floods of invented user names: forget only the counts
            // whose wait is long over, never an active lock-out.
            failures.retain(|_, (_, last)| last.elapsed() < Self::MAX_WAIT);
        }
        let entry = failures
            .entry(key.to_owned())
            .or_insert((0, Instant::now()));
        *entry = (entry.0 + 1, Instant::now());
        Ok(())
    }

    fn wait_after(failures: u32) -> Duration {
        if failures < Self::FREE_ATTEMPTS {
            return Duration::ZERO;
        }
        let exponent = (failures - Self::FREE_ATTEMPTS).min(10);
        Duration::from_secs(30u64 << exponent).min(Self::MAX_WAIT)
    }

    fn succeeded(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_allows_a_few_attempts_then_waits() {
        let throttle = LoginThrottle::default();
        for _ in 0..LoginThrottle::FREE_ATTEMPTS {
            assert!(throttle.attempt("alice").is_ok());
        }
        assert!(matches!(throttle.attempt("alice"), Err(AppError::RateLimited(s)) if s >= 29));
        assert!(
            throttle.attempt("bob").is_ok(),
            "other user names are not affected"
        );
        throttle.succeeded("alice");
        assert!(throttle.attempt("alice").is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_exceed_the_free_ones() {
        let throttle = std::sync::Arc::new(LoginThrottle::default());
        let allowed: usize = (0..60)
            .map(|_| {
                let throttle = throttle.clone();
                std::thread::spawn(move || throttle.attempt("carol").is_ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum();
        assert_eq!(allowed, LoginThrottle::FREE_ATTEMPTS as usize);
    }

    #[test]
    fn throttle_wait_doubles_and_is_capped() {
        assert_eq!(LoginThrottle::wait_after(4), Duration::ZERO);
        assert_eq!(LoginThrottle::wait_after(5), Duration::from_secs(30));
        assert_eq!(LoginThrottle::wait_after(6), Duration::from_secs(60));
        assert_eq!(LoginThrottle::wait_after(40), LoginThrottle::MAX_WAIT);
    }
}
