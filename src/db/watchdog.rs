//! The statement watchdog: on the web server's connections, an SQLite statement that runs
//! longer than the request timeout is interrupted.
//!
//! Dropping a query's future (a request cut off at its deadline, a client that went away)
//! does not stop SQLite: the statement runs to its end on the connection's worker thread
//! and keeps the connection meanwhile; a quadratic query once ran for over an hour, and
//! enough of them exhaust the pool. A statement of a request starts after the request did,
//! so with the limit equal to the request timeout a statement is never cut off before its
//! request's deadline, and an orphaned one stops at most one timeout after it.
//!
//! Binding each statement to its request's exact deadline would mean installing a handler
//! every time a connection is taken from the pool, which is one more hand-off to the
//! connection's worker thread per query (measured: 44 → 88 µs for `SELECT 1`). Instead
//! each connection gets its hooks once: SQLite's trace hook notes when a statement starts
//! and the progress handler, called every few thousand virtual-machine steps, interrupts
//! it once it has run too long. Both run on the connection's worker thread (sqlx runs each
//! connection on its own), so the start time is a thread-local.

use std::cell::Cell;
use std::ffi::{c_int, c_uint, c_void};
use std::time::{Duration, Instant};

use sqlx::SqliteConnection;

/// Virtual-machine steps between two looks at the clock (well under a millisecond).
const STEPS_PER_CHECK: i32 = 20_000;

thread_local! {
    /// When the statement running on this (worker) thread started.
    static STATEMENT_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Installs the watchdog on a new connection.
pub async fn install(conn: &mut SqliteConnection, limit: Duration) -> sqlx::Result<()> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked (the worker thread is not using it) and open; the
    // callback takes no context pointer and touches only a thread-local, never the
    // connection.
    let status = unsafe {
        libsqlite3_sys::sqlite3_trace_v2(
            handle.as_raw_handle().as_ptr(),
            libsqlite3_sys::SQLITE_TRACE_STMT as c_uint,
            Some(statement_started),
            std::ptr::null_mut(),
        )
    };
    if status != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!(
            "installing the statement watchdog failed (SQLite code {status})"
        )));
    }
    handle.set_progress_handler(STEPS_PER_CHECK, move || !overran(limit));
    Ok(())
}

/// Turns the watchdog off for a connection that is meant to run long (a whole-project
/// export streamed to a client).
pub async fn disable(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    conn.lock_handle().await?.remove_progress_handler();
    Ok(())
}

fn overran(limit: Duration) -> bool {
    let overran = STATEMENT_STARTED
        .get()
        .is_some_and(|started| started.elapsed() > limit);
    if overran {
        tracing::warn!(
            limit_seconds = limit.as_secs_f64(),
            "interrupting an SQLite statement that ran longer than the request timeout"
        );
    }
    overran
}

unsafe extern "C" fn statement_started(
    _event: c_uint,
    _context: *mut c_void,
    _statement: *mut c_void,
    _sql: *mut c_void,
) -> c_int {
    STATEMENT_STARTED.set(Some(Instant::now()));
    0
}
