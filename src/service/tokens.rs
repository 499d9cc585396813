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
    pub expires_at: Option<String>,
    pub read_only: bool,
}

/// What a new token may do and for how long.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenScope {
    /// Days until the token stops working; `None`: until revoked.
    pub expires_in_days: Option<u32>,
    /// Reading only: any request that would change something is refused (403).
    pub read_only: bool,
}

/// The longest expiry a token may be given (ten years); "never" is `None`.
pub const MAX_EXPIRY_DAYS: u32 = 3650;

impl TokenScope {
    fn checked(self) -> AppResult<TokenScope> {
        match self.expires_in_days {
            Some(days) if !(1..=MAX_EXPIRY_DAYS).contains(&days) => Err(AppError::invalid(
                "expires_in_days",
                format!(
                    "A token expires after 1 to {MAX_EXPIRY_DAYS} days; leave it out for a \
                     token that works until revoked."
                ),
            )),
            _ => Ok(self),
        }
    }
}

/// A caller proven by a bearer token.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub user: User,
    pub read_only: bool,
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
    scope: TokenScope,
    credential: Credential,
) -> AppResult<CreatedToken> {
    if credential == Credential::Token {
        return Err(AppError::forbidden(
            "API tokens cannot create tokens. Create one while signed in (Settings → API \
             tokens) or with `gloss token create`.",
        ));
    }
    create(db, user, name, scope).await
}

/// Creates a token for `user` (a signed-in person, or the command line's operator).
pub async fn create(
    db: &Db,
    user: &User,
    name: &str,
    scope: TokenScope,
) -> AppResult<CreatedToken> {
    let name = single_line("name", name, 100, "a token name")?;
    let scope = scope.checked()?;
    let secret = security::random_token(TOKEN_PREFIX)?;
    let mut tx = db::begin_write(db).await?;
    let digest = security::token_digest(&secret);
    let (id, expires_at) = db::tokens::insert(
        &mut *tx,
        user.id,
        &name,
        &digest,
        scope.expires_in_days,
        scope.read_only,
    )
    .await?;
    events::commit(
        tx,
        Origin::account(user.id),
        Change::TokenCreated {
            token_id: id,
            name: name.to_owned(),
        },
    )
    .await?;
    Ok(CreatedToken {
        id,
        name,
        secret,
        expires_at,
        read_only: scope.read_only,
    })
}

/// The caller a bearer token proves, or `None` for unknown and revoked tokens. An expired
/// token is refused with its expiry time, so a script's operator knows what to renew.
pub async fn authenticate(db: &Db, secret: &str) -> AppResult<Option<Bearer>> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let digest = security::token_digest(secret);
    let Some(owner) = db::tokens::owner(db, &digest).await? else {
        return Ok(None);
    };
    if owner.expired {
        let at = owner.expires_at.unwrap_or_default();
        return Err(AppError::CredentialExpired(format!(
            "This API token expired at {at}. Create a new one (Settings → API tokens, or \
             `gloss token create`)."
        )));
    }
    // Recording "last used" once a minute is precise enough and keeps API reads read-only.
    if owner.stale {
        db::tokens::touch(db, &digest).await?;
    }
    Ok(Some(Bearer {
        user: owner.user,
        read_only: owner.read_only,
    }))
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
