//! The error type shared by the service layer. The web layer turns it into an HTML page
//! or a JSON body (`web::error`); the CLI prints its message.

use crate::domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that cannot be used as given (400 for malformed requests).
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed input that breaks a rule (422), tied to a field.
    #[error("{0}")]
    Invalid(Invalid),
    #[error("Sign in to continue.")]
    Unauthenticated,
    /// A credential that was valid once and has run out (401), with what to do about it.
    #[error("{0}")]
    CredentialExpired(String),
    #[error("Wrong user name or password.")]
    BadCredentials,
    /// Signed in, allowed to see the resource, but not to do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing request from a browser whose CSRF token is missing or belongs to
    /// another sign-in (403): the page is older than the session.
    #[error(
        "This request is missing its security token (CSRF), or the token is from an earlier \
         sign-in. Reload the page and try again."
    )]
    CsrfRejected,
    /// Missing, or not visible to this user: the two are deliberately indistinguishable.
    #[error("{0} not found.")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("Too many failed attempts. Try again in {0} seconds.")]
    RateLimited(u64),
    /// The server cannot take this on right now (503); worth retrying after `retry_after`
    /// seconds.
    #[error("{message}")]
    Unavailable { message: String, retry_after: u64 },
    /// The client took too long sending its request (408).
    #[error("{0}")]
    RequestTimeout(String),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> Self {
        AppError::Invalid(invalid)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(err.into())
    }
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict(message.into())
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(Invalid::new(field, message))
    }

    pub fn unavailable(message: impl Into<String>, retry_after: u64) -> Self {
        AppError::Unavailable {
            message: message.into(),
            retry_after,
        }
    }

    /// Seconds after which the request is worth repeating, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited(seconds) => Some(*seconds),
            AppError::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// True when a database error is a UNIQUE constraint violation, so callers can answer 409
/// with a message about the field instead of checking before writing.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// True when a database error is a FOREIGN KEY violation: a row refers to one that was
/// deleted meanwhile.
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_foreign_key_violation(),
        _ => false,
    }
}
