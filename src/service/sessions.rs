//! Browser sessions: a random cookie token whose digest keys a row holding the user, the
//! CSRF token and a one-shot flash message.

use crate::db::{self, Db};
use crate::error::AppResult;
use crate::security;

use super::User;

const SIGNED_IN_LIFETIME: i64 = 14 * 24 * 3600;

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user: Option<User>,
    pub csrf_token: String,
    pub flash: Option<String>,
}

/// A new session and the cookie value that names it (shown to the browser only).
pub struct NewSession {
    pub cookie_token: String,
    pub session: Session,
}

pub async fn load(db: &Db, cookie_token: &str) -> AppResult<Option<Session>> {
    let token_hash = security::token_digest(cookie_token);
    let Some(row) = db::sessions::find_live(db, &token_hash, db::unix_now()).await? else {
        return Ok(None);
    };
    let user = match row.user_id {
        Some(id) => db::users::active_by_id(db, id).await?,
        None => None,
    };
    Ok(Some(Session {
        token_hash: row.token_hash,
        user,
        csrf_token: row.csrf_token,
        flash: row.flash,
    }))
}

/// Starts a session for a user who just signed in. Visitors who are not signed in have
/// none: the sign-in and set-up forms carry a signed token instead ([`form_tokens`]), so
/// a visit to them writes nothing.
pub async fn start(db: &Db, user: User) -> AppResult<NewSession> {
    let cookie_token = security::random_token("")?;
    let csrf_token = security::random_token("")?;
    let token_hash = security::token_digest(&cookie_token);
    let now = db::unix_now();
    db::sessions::delete_expired(db, now).await?;
    db::sessions::insert(
        db,
        &token_hash,
        Some(user.id),
        &csrf_token,
        now + SIGNED_IN_LIFETIME,
    )
    .await?;
    Ok(NewSession {
        cookie_token,
        session: Session {
            token_hash,
            user: Some(user),
            csrf_token,
            flash: None,
        },
    })
}

/// The signer of the tokens that protect the forms shown before sign-in, with this
/// installation's key (created on first use).
pub async fn form_tokens(db: &Db) -> AppResult<security::FormTokens> {
    let candidate = security::random_token("")?;
    let key = db::keys::get_or_create(db, "form_tokens", &candidate).await?;
    Ok(security::FormTokens::new(&key))
}

/// Signing in always issues a fresh session (and drops any earlier one), so a session id
/// planted before sign-in is worthless afterwards.
pub async fn sign_in(db: &Db, previous: Option<&Session>, user: User) -> AppResult<NewSession> {
    if let Some(old) = previous {
        db::sessions::delete(db, &old.token_hash).await?;
    }
    start(db, user).await
}

pub async fn end(db: &Db, session: &Session) -> AppResult<()> {
    db::sessions::delete(db, &session.token_hash).await?;
    Ok(())
}

pub async fn set_flash(db: &Db, session: &Session, message: &str) -> AppResult<()> {
    db::sessions::set_flash(db, &session.token_hash, Some(message)).await?;
    Ok(())
}

/// Returns the pending flash message and clears it, so it is shown exactly once.
pub async fn take_flash(db: &Db, session: &mut Session) -> AppResult<Option<String>> {
    let flash = session.flash.take();
    if flash.is_some() {
        db::sessions::set_flash(db, &session.token_hash, None).await?;
    }
    Ok(flash)
}
