//! Password hashing, bounded. One argon2 check takes about 19 MiB and a core for tens of
//! milliseconds; run on tokio's blocking pool without a bound, 200 sign-ins with invented
//! names at once took the server from 16 MB to 4.8 GB. So hashes run on one long-lived
//! thread per core, a short queue per database waits for them, and anything beyond is
//! answered at once with 503 and `Retry-After` instead of piling up.
//!
//! Long-lived threads also bound what the allocator keeps: glibc serves each thread from
//! an arena and keeps up to about twice the last large block freed in it, so hashing on
//! ever-changing pool threads left ~40 MiB in each of up to 16 arenas (70 checks in a row,
//! two at a time, still grew the process by 650 MB).

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};

use crate::db::{self, Db, PerDatabase};
use crate::error::{AppError, AppResult};

/// Requests that may wait for a hashing thread, per thread, for each database.
const QUEUE_PER_CORE: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads, shared by the whole process.
struct Workers {
    jobs: Mutex<mpsc::Sender<Job>>,
    threads: usize,
    running: AtomicUsize,
    peak_running: AtomicUsize,
    refused: AtomicU64,
}

static WORKERS: LazyLock<Arc<Workers>> = LazyLock::new(|| {
    return_large_blocks_to_the_system();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (jobs, queue) = mpsc::channel::<Job>();
    let workers = Arc::new(Workers {
        jobs: Mutex::new(jobs),
        threads,
        running: AtomicUsize::new(0),
        peak_running: AtomicUsize::new(0),
        refused: AtomicU64::new(0),
    });
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..threads {
        let (queue, workers) = (queue.clone(), workers.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("gloss-hash-{n}"))
            .spawn(move || work(&queue, &workers));
        if let Err(error) = spawned {
            tracing::error!(%error, "starting a password hashing thread");
        }
    }
    workers
});

/// glibc serves a freed 19 MiB block's successors from the heap (it raises its mmap
/// threshold after the first), and each thread's arena then keeps up to twice that
/// unused; fixing the threshold keeps blocks of a MiB or more mapped separately, so
/// freeing one returns it to the system at once.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

fn work(queue: &Mutex<mpsc::Receiver<Job>>, workers: &Workers) {
    loop {
        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(job) = job else { return };
        let now = workers.running.fetch_add(1, Ordering::SeqCst) + 1;
        workers.peak_running.fetch_max(now, Ordering::SeqCst);
        // A panic is reported to the waiting request (its result channel is dropped);
        // the thread carries on.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
        workers.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the hashing threads have seen, for monitoring and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashStats {
    /// Hashing threads (one per core).
    pub threads: usize,
    /// Most hashes that ever ran at once.
    pub peak_running: usize,
    /// Requests answered "busy" because their queue was full.
    pub refused: u64,
}

pub fn stats() -> HashStats {
    HashStats {
        threads: WORKERS.threads,
        peak_running: WORKERS.peak_running.load(Ordering::SeqCst),
        refused: WORKERS.refused.load(Ordering::SeqCst),
    }
}

/// Hashes of one database that are queued or running.
#[derive(Default)]
struct Admissions(Arc<AtomicUsize>);

/// Counts an admitted hash until dropped (when it has run, or failed to start).
struct Admitted(Arc<AtomicUsize>);

impl Drop for Admitted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn admit(db: &Db) -> AppResult<Admitted> {
    static ADMISSIONS: PerDatabase<Admissions> = LazyLock::new(Default::default);
    let counter = db::per_database(&ADMISSIONS, db).0.clone();
    let capacity = WORKERS.threads * (1 + QUEUE_PER_CORE);
    if counter.fetch_add(1, Ordering::SeqCst) >= capacity {
        counter.fetch_sub(1, Ordering::SeqCst);
        WORKERS.refused.fetch_add(1, Ordering::SeqCst);
        return Err(AppError::unavailable(
            "The server is busy checking other sign-ins. Try again in a moment.",
            1,
        ));
    }
    Ok(Admitted(counter))
}

/// Runs `work` (a password hash or check) on a hashing thread, or refuses with 503 when
/// too many of this database's are already waiting. A request that gives up waiting does
/// not free its place until its hash has run.
pub async fn run<T: Send + 'static>(
    db: &Db,
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let admitted = admit(db)?;
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _admitted = admitted;
        let _ = done.send(work());
    });
    WORKERS
        .jobs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send(job)
        .map_err(|_| anyhow::anyhow!("the password hashing threads have stopped"))?;
    Ok(result
        .await
        .map_err(|_| anyhow::anyhow!("a password hash failed"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_one_hash_per_core_runs_and_the_queue_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let db = db::open(&dir.path().join("gate.db")).await.unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                let (db, running, peak) = (db.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    run(&db, move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        let mut busy = 0;
        for task in tasks {
            if let Err(err) = task.await.unwrap() {
                assert!(matches!(err, AppError::Unavailable { retry_after: 1, .. }));
                busy += 1;
            }
        }
        let stats = stats();
        assert!(peak.load(Ordering::SeqCst) <= stats.threads);
        assert!(stats.peak_running <= stats.threads);
        assert!(busy >= 200 - stats.threads * (1 + QUEUE_PER_CORE), "{busy}");
        assert!(stats.refused >= busy as u64);
    }
}
