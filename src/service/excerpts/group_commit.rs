//! Group commit for new excerpts: requests that arrive while a write transaction is
//! running are written together in the next one.
//!
//! Why: SQLite takes one writer at a time, and with sqlx every statement is a hand-off to
//! the connection's thread and back. A transaction costs about six hand-offs inside the
//! write lock (`BEGIN`, the excerpts, their codes, the audit events, the coverage recount,
//! `COMMIT`; one more to remove a refused job's excerpts, one more per 1,000 excerpts)
//! however many requests' excerpts it holds (`db::excerpt_batches`), so under
//! load the lock is held for less per excerpt and throughput rises (BENCHMARKS.md,
//! target 3).
//!
//! How: a request queues its job and starts a task that waits for the database's write
//! gate. Whichever task gets the gate takes every queued job and writes them in one
//! transaction; tasks that find the queue empty have nothing to do. The writing happens
//! in a spawned task, so a request cancelled by its client never abandons a batch
//! half-written. A job naming a code outside its project has its excerpts removed again
//! and is answered `UnknownCode`; if a statement fails, the batch is rolled back and
//! every job is answered `Retry`, to be written alone in a transaction of its own.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::SqliteConnection;
use tokio::sync::oneshot;

use crate::db::excerpt_batches as batches;
use crate::db::excerpts::{self as store, Inserted, NewExcerpt};
use crate::db::{self, Db};
use crate::service::events::{self, Change, Origin};

/// A validated excerpt to write.
#[derive(Debug, Clone)]
pub struct NewRow {
    pub start: i64,
    pub end: i64,
    pub memo: String,
    pub code_ids: Vec<i64>,
    pub consensus: bool,
}

/// One request's excerpts: all of one coder, in one document.
#[derive(Clone)]
pub struct Job {
    pub project_id: i64,
    pub document_id: i64,
    pub coder_id: i64,
    pub rows: Vec<NewRow>,
}

/// What became of a job.
#[derive(Debug)]
pub enum Outcome {
    /// Written and committed, in the order of the job's rows.
    Written(Vec<Inserted>),
    /// A code is not one of the project's; nothing was written.
    UnknownCode,
    /// The batch failed; nothing of this job was written.
    Retry,
}

struct Queued {
    job: Job,
    reply: oneshot::Sender<Outcome>,
}

type Queue = Arc<Mutex<Vec<Queued>>>;

/// The queue of jobs waiting for the write gate of the database file `db` writes to.
fn queue_of(db: &Db) -> Queue {
    static QUEUES: db::PerDatabase<Mutex<Vec<Queued>>> = LazyLock::new(Default::default);
    db::per_database(&QUEUES, db)
}

fn take_all(queue: &Queue) -> Vec<Queued> {
    std::mem::take(
        &mut *queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}

/// Writes the job, together with whatever other jobs are waiting, and says how it went.
pub async fn submit(db: &Db, job: Job) -> Outcome {
    let (reply, outcome) = oneshot::channel();
    let queue = queue_of(db);
    queue
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(Queued { job, reply });
    let db = db.clone();
    tokio::spawn(async move {
        let gate = db::lock_writes(&db).await;
        let batch = take_all(&queue);
        if !batch.is_empty() {
            write_batch(&db, gate, batch).await;
        }
    });
    // The sender is dropped unanswered only if the writing task panicked.
    outcome.await.unwrap_or(Outcome::Retry)
}

/// Writes one job in a transaction of its own; `None` when a code is not the project's
/// (nothing is written then).
pub async fn write_alone(db: &Db, job: &Job) -> sqlx::Result<Option<Vec<Inserted>>> {
    let mut tx = db::begin_write(db).await?;
    let written = write_together(&mut tx, &[job]).await?.remove(0);
    if !written.codes_known {
        tx.rollback().await?;
        return Ok(None);
    }
    record_created(&mut tx, &[(job, &written.inserted)]).await?;
    tx.commit().await?;
    Ok(Some(written.inserted))
}

async fn write_batch(db: &Db, gate: db::WriteGuard, batch: Vec<Queued>) {
    tracing::debug!(jobs = batch.len(), "writing new excerpts together");
    match write_jobs(db, gate, &batch).await {
        Ok(outcomes) => {
            for (queued, outcome) in batch.into_iter().zip(outcomes) {
                let _ = queued.reply.send(outcome); // the request may have gone
            }
        }
        Err(error) => {
            tracing::warn!(%error, jobs = batch.len(), "a batch of new excerpts failed; writing each alone");
            for queued in batch {
                let _ = queued.reply.send(Outcome::Retry);
            }
        }
    }
}

/// Writes the jobs in one transaction; a job with an unknown code leaves nothing behind.
async fn write_jobs(db: &Db, gate: db::WriteGuard, batch: &[Queued]) -> sqlx::Result<Vec<Outcome>> {
    let mut tx = db::begin_write_holding(db, gate).await?;
    let jobs: Vec<&Job> = batch.iter().map(|queued| &queued.job).collect();
    let written = write_together(&mut tx, &jobs).await?;
    let refused: Vec<i64> = written
        .iter()
        .filter(|w| !w.codes_known)
        .flat_map(|w| w.inserted.iter().map(|e| e.id))
        .collect();
    if !refused.is_empty() {
        store::delete_all(&mut *tx, &refused).await?;
    }
    let outcomes: Vec<Outcome> = written
        .into_iter()
        .map(|w| match w.codes_known {
            true => Outcome::Written(w.inserted),
            false => Outcome::UnknownCode,
        })
        .collect();
    let kept: Vec<(&Job, &[Inserted])> = jobs
        .iter()
        .zip(&outcomes)
        .filter_map(|(job, outcome)| match outcome {
            Outcome::Written(inserted) => Some((*job, inserted.as_slice())),
            _ => None,
        })
        .collect();
    record_created(&mut tx, &kept).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// What `write_together` inserted for one job, and whether every code was one of the
/// job's project's (if not, the excerpts were inserted without all their codes and must
/// not be kept).
struct Written {
    inserted: Vec<Inserted>,
    codes_known: bool,
}

/// Inserts every job's excerpts and applies their codes: two statements for the whole
/// batch (each a round trip to the database thread while the write gate is held; one
/// per excerpt and one per job's codes held it twice as long for a batch of four).
async fn write_together(conn: &mut SqliteConnection, jobs: &[&Job]) -> sqlx::Result<Vec<Written>> {
    let new: Vec<NewExcerpt> = jobs
        .iter()
        .flat_map(|job| {
            job.rows.iter().map(|row| NewExcerpt {
                project_id: job.project_id,
                document_id: job.document_id,
                coder_id: job.coder_id,
                consensus: row.consensus,
                start: row.start,
                end: row.end,
                memo: &row.memo,
            })
        })
        .collect();
    let mut inserted = batches::insert_many(&mut *conn, &new).await?.into_iter();
    let mut written: Vec<Written> = jobs
        .iter()
        .map(|job| Written {
            inserted: inserted.by_ref().take(job.rows.len()).collect(),
            codes_known: true,
        })
        .collect();
    let mut asked: HashMap<i64, (usize, usize)> = HashMap::new(); // excerpt -> (job, codes)
    let mut applications = Vec::new();
    for (j, (job, w)) in jobs.iter().zip(&written).enumerate() {
        for (row, new) in job.rows.iter().zip(&w.inserted) {
            asked.insert(new.id, (j, row.code_ids.len()));
            applications.extend(
                row.code_ids
                    .iter()
                    .map(|code| (new.id, *code, job.project_id)),
            );
        }
    }
    let mut applied: HashMap<i64, usize> = HashMap::new();
    for excerpt_id in batches::apply_project_codes(&mut *conn, &applications).await? {
        *applied.entry(excerpt_id).or_default() += 1;
    }
    for (excerpt_id, (j, codes)) in asked {
        if applied.get(&excerpt_id).copied().unwrap_or(0) != codes {
            written[j].codes_known = false;
        }
    }
    Ok(written)
}

/// One `excerpt.created` audit event per written excerpt.
async fn record_created(
    conn: &mut SqliteConnection,
    written: &[(&Job, &[Inserted])],
) -> sqlx::Result<()> {
    let changes: Vec<(Origin, Change)> = written
        .iter()
        .flat_map(|(job, inserted)| {
            let origin = Origin::in_project(job.project_id, Some(job.coder_id));
            job.rows.iter().zip(inserted.iter()).map(move |(row, new)| {
                let change = Change::ExcerptCreated {
                    excerpt_id: new.id,
                    document_id: job.document_id,
                    start: row.start,
                    end: row.end,
                    code_ids: row.code_ids.clone(),
                    consensus: row.consensus,
                };
                (origin, change)
            })
        })
        .collect();
    events::record_all(conn, &changes).await
}
