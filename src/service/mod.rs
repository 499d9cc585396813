//! Services: the operations Gloss offers, shared by the HTML pages, the JSON API and the
//! command line. Each one validates input with domain types, checks the caller's
//! permission, and runs its writes in one transaction together with an audit event.

pub mod access;
pub mod accounts;
pub mod activity;
pub mod adjudication;
pub mod agreement;
pub mod analysis;
pub mod autocode;
pub mod coders;
pub mod codes;
pub mod demo;
pub mod document_list;
pub mod documents;
pub mod events;
pub mod excerpts;
pub mod export;
pub mod hashing;
pub mod import;
pub mod invitations;
pub mod params;
pub mod progress;
pub mod projects;
pub mod refi;
pub mod retrieval;
pub mod search;
pub mod sessions;
pub mod storage;
pub mod throttle;
pub mod tokens;

pub use crate::db::Db;
pub use crate::db::users::User;

/// Runs a CPU-heavy closure (parsing, statistics) off the async worker threads. Password
/// hashing goes through `hashing::run`, which bounds it.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    Ok(tokio::task::spawn_blocking(work).await?)
}
