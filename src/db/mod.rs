//! Storage: the SQLite connection pool and one module of sqlx queries per table group.
//! Functions take any executor (the pool or an open transaction) so services decide where
//! transaction boundaries go. No SQL lives outside this module.

pub mod adjudications;
pub mod codes;
pub mod documents;
pub mod events;
pub mod excerpts;
pub mod members;
pub mod projects;
pub mod sessions;
pub mod tokens;
pub mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub type Db = SqlitePool;
pub type Tx = Transaction<'static, Sqlite>;

/// Opens (creating if needed) the database at `path`, in WAL mode with foreign keys on and
/// a busy timeout, and applies any pending migrations.
pub async fn open(path: &Path) -> anyhow::Result<Db> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {}", path.display()))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("applying database migrations")?;
    Ok(pool)
}

/// Starts a write transaction that takes SQLite's write lock up front. A deferred `BEGIN`
/// that reads first and writes later can fail with SQLITE_BUSY when another connection
/// committed in between; `BEGIN IMMEDIATE` waits for the lock instead (busy timeout).
pub async fn begin_write(db: &Db) -> sqlx::Result<Tx> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// Writes a consistent copy of the live database to `dest` with `VACUUM INTO`, which reads
/// one snapshot and so is safe while the server keeps writing.
pub async fn backup(db: &Db, dest: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !dest.exists(),
        "{} already exists; choose a new file name so nothing is overwritten",
        dest.display()
    );
    let dest_str = dest
        .to_str()
        .context("the backup path must be valid UTF-8")?
        .to_owned();
    sqlx::query("VACUUM INTO ?")
        .bind(dest_str)
        .execute(db)
        .await
        .with_context(|| format!("writing the backup to {}", dest.display()))?;
    Ok(())
}

/// Seconds since the Unix epoch, for expiry columns.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
