//! Storage: the SQLite connection pool and one module of sqlx queries per table group.
//! Functions take any executor (the pool or an open transaction) so services decide where
//! transaction boundaries go. No SQL lives outside this module.

pub mod adjudications;
pub mod analysis;
pub mod codes;
pub mod coverage;
pub mod documents;
pub mod events;
pub mod excerpt_batches;
pub mod excerpts;
pub mod hit_count;
pub mod invitations;
pub mod keys;
pub mod members;
pub mod progress;
pub mod projects;
pub mod refi;
pub mod search;
pub mod sessions;
#[cfg(test)]
pub(crate) mod test_rows;
pub mod tokens;
pub mod types;
pub mod users;
pub mod watchdog;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::domain::refi::guid;
use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub type Db = SqlitePool;

/// A write transaction (see [`begin_write`]); it holds the database's write gate until it
/// commits, rolls back or is dropped. Dereferences to the connection, so `&mut *tx` is an
/// executor.
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
    _gate: WriteGuard,
}

impl Tx {
    /// Commits, first recounting the coded characters of documents whose excerpts this
    /// transaction changed (see [`coverage`]), so the counts commit with the change.
    pub async fn commit(mut self) -> sqlx::Result<()> {
        coverage::refresh(&mut self.tx).await?;
        self.tx.commit().await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Opens (creating if needed) the database at `path`, in WAL mode with foreign keys on and
/// a busy timeout, and applies any pending migrations.
pub async fn open(path: &Path) -> anyhow::Result<Db> {
    open_with(path, None).await
}

/// [`open`] for the web server: statements running longer than `statement_limit` are
/// interrupted (see [`watchdog`]).
pub async fn open_with(path: &Path, statement_limit: Option<Duration>) -> anyhow::Result<Db> {
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
        .busy_timeout(Duration::from_secs(10))
        // 8 MB of page cache per connection (SQLite's default is 2 MB): an agreement
        // report looks up every coded span's codes, and with the default cache those
        // lookups evict each other and the report runs 2-3x slower (BENCHMARKS.md).
        .pragma("cache_size", "-8000");
    // An embedded database has no network link that could drop, so pinging a connection
    // before every use (sqlx's default) only costs a thread hand-off per query.
    // Every connection gets the FTS5 function `hit_count` (search totals), the coverage
    // recount's statement and, on the web server, the statement watchdog.
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                hit_count::install(conn).await?;
                coverage::install(conn).await?;
                match statement_limit {
                    Some(limit) => watchdog::install(conn, limit).await,
                    None => Ok(()),
                }
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {}", path.display()))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("applying database migrations")?;
    // Counts left stale by a migration or by a write outside `Tx` are made now.
    let mut conn = pool.acquire().await?;
    coverage::refresh(&mut conn)
        .await
        .context("counting coded characters")?;
    drop(conn);
    Ok(pool)
}

/// The write gate of the database file `db` writes to.
///
/// SQLite lets one connection write at a time. A connection that finds the write lock
/// taken sleeps in growing steps (1, 2, 5, 10 … 100 ms) before retrying, so with a few
/// concurrent writers most of the wait is oversleeping: the 99th-percentile time to create
/// an excerpt with 8 requests in flight was 80 ms against 12 ms with this gate, which
/// queues the process's writers in order instead. It is per file, as the lock is.
fn write_gate(db: &Db) -> Arc<tokio::sync::Mutex<()>> {
    static GATES: PerDatabase<tokio::sync::Mutex<()>> = LazyLock::new(Default::default);
    per_database(&GATES, db)
}

/// Process-wide state kept per database file (as SQLite's write lock is per file), e.g.
/// the write gate and the queue of new excerpts.
pub type PerDatabase<T> = LazyLock<Mutex<HashMap<PathBuf, Arc<T>>>>;

/// The entry of `registry` for the database file `db` uses, created on first use.
pub fn per_database<T: Default>(registry: &PerDatabase<T>, db: &Db) -> Arc<T> {
    let file = db.connect_options().get_filename().to_path_buf();
    let mut entries = registry
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    entries.entry(file).or_default().clone()
}

/// The right to write to a database: while it is held, no other write transaction of
/// this process starts.
pub type WriteGuard = tokio::sync::OwnedMutexGuard<()>;

/// Waits for the database's write gate (see [`write_gate`]).
pub async fn lock_writes(db: &Db) -> WriteGuard {
    write_gate(db).lock_owned().await
}

/// Starts a write transaction that takes SQLite's write lock up front. A deferred `BEGIN`
/// that reads first and writes later can fail with SQLITE_BUSY when another connection
/// committed in between; `BEGIN IMMEDIATE` waits for the lock instead (busy timeout).
pub async fn begin_write(db: &Db) -> sqlx::Result<Tx> {
    let gate = lock_writes(db).await;
    begin_write_holding(db, gate).await
}

/// [`begin_write`] for a caller that already holds the write gate.
pub async fn begin_write_holding(db: &Db, gate: WriteGuard) -> sqlx::Result<Tx> {
    Ok(Tx {
        tx: db.begin_with("BEGIN IMMEDIATE").await?,
        _gate: gate,
    })
}

/// `count` fresh time-ordered GUIDs, in order, for excerpts inserted with their GUID (see
/// `domain::refi::guid::time_ordered`).
pub(crate) fn fresh_guids(count: usize) -> sqlx::Result<Vec<String>> {
    let mut bytes = vec![0u8; count * 16];
    getrandom::fill(&mut bytes).map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
    let unix_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    Ok(bytes
        .chunks_exact(16)
        .enumerate()
        .map(|(i, b)| guid::time_ordered(unix_ms, i as u32, b.try_into().expect("16 bytes")))
        .collect())
}

/// A connection for reading a whole project once, as exports do. Such a scan gains nothing
/// from a large page cache but would fill one on every pooled connection it happened to
/// use; so it runs on one connection, with SQLite's default 2 MB cache, closed when
/// dropped rather than returned to the pool with its cache full. It may run for longer
/// than the request timeout (the export streams), so the statement watchdog is off.
pub async fn scan_connection(db: &Db) -> sqlx::Result<PoolConnection<Sqlite>> {
    let mut conn = db.acquire().await?;
    conn.close_on_drop();
    watchdog::disable(&mut conn).await?;
    sqlx::query("PRAGMA cache_size = -2000")
        .execute(&mut *conn)
        .await?;
    Ok(conn)
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
