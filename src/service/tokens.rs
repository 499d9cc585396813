//! Personal API tokens: shown once at creation, stored only as a digest, revocable.

use super::User;
use super::events::{self, Change, Origin};
use crate::db::{self, Db};
use crate::domain::names::single_line;
use crate::error::{AppError, AppResult};
use crate::security;

/// What callers see of a token (never its secret after creation).
pub use crate::db::tokens::ApiToken;

pub const TOKEN_PREFIX: &str = "gls_";

/// A token just created: the secret is returned here and never again.
pub struct CreatedToken {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

/// How the caller asking for a new token proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in browser session, or the operator at the command line.
    Person,
    /// Another API token.
    Token,
}

/// Creates a token for `user`, unless they asked with a token: a token that leaks must
/// not be able to mint others that outlive its revocation.
pub async fn create_as(
    db: &Db,
    user: &User,
    name: &str,
    credential: Credential,
) -> AppResult<CreatedToken> {
    if credential == Credential::Token {
        return Err(AppError::forbidden(
            "API tokens cannot create tokens. Create one while signed in (Settings → API \
             tokens) or with `gloss token create`.",
        ));
    }
    create(db, user, name).await
}

/// Creates a token for `user` (a signed-in person, or the command line's operator).
pub async fn create(db: &Db, user: &User, name: &str) -> AppResult<CreatedToken> {
    let name = single_line("name", name, 100, "a token name")?;
    let secret = security::random_token(TOKEN_PREFIX)?;
    let mut tx = db::begin_write(db).await?;
    let id = db::tokens::insert(&mut *tx, user.id, &name, &security::token_digest(&secret)).await?;
    events::commit(
        tx,
        Origin::account(user.id),
        Change::TokenCreated {
            token_id: id,
            name: name.to_owned(),
        },
    )
    .await?;
    Ok(CreatedToken { id, name, secret })
}

/// The user a bearer token belongs to, or `None` for unknown and revoked tokens.
pub async fn authenticate(db: &Db, secret: &str) -> AppResult<Option<User>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let digest = security::token_digest(secret);
    let Some((user, stale)) = db::tokens::owner(db, &digest).await? else {
        return Ok(None);
    };
    // Recording "last used" once a minute is precise enough and keeps API reads read-only.
    if stale {
        db::tokens::touch(db, &digest).await?;
    }
    Ok(Some(user))
}

pub async fn list(db: &Db, user: &User) -> AppResult<Vec<ApiToken>> {
    Ok(db::tokens::list_for_user(db, user.id).await?)
}

pub async fn revoke(db: &Db, user: &User, token_id: i64) -> AppResult<()> {
    let mut tx = db::begin_write(db).await?;
    if !db::tokens::revoke(&mut *tx, user.id, token_id).await? {
        return Err(AppError::NotFound("Token"));
    }
    events::commit(
        tx,
        Origin::account(user.id),
        Change::TokenRevoked { token_id },
    )
    .await?;
    Ok(())
}
