//! `hit_count(turn_search)`: an FTS5 auxiliary function giving how many hits
//! `highlight()` would mark in a matching turn, computed from FTS5's position lists
//! (`xInst`) without reading or tokenizing the turn's text.
//!
//! A search's `total` counts every hit of every matching turn. Highlighting each turn to
//! count its marks re-tokenizes all of them (a common word: 5,600 turns, 3 MB, ~60 ms);
//! counting the phrase instances FTS5 already holds costs a few milliseconds. The count
//! follows `highlight()`'s own grouping of instances (`domain::search::coalesced_hits`),
//! and the API tests compare it with the hits read page by page.
//!
//! SQLite has no SQL-level way to add an FTS5 function: it is registered on each new
//! connection through the `fts5_api` pointer that `SELECT fts5(?1)` hands out, as the
//! FTS5 documentation describes.

use std::ffi::{CStr, c_int, c_void};
use std::ptr;

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

use crate::domain::search::coalesced_hits;

const NAME: &CStr = c"hit_count";

/// Registers `hit_count` on a new connection.
pub async fn install(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: the handle is locked (its worker thread is not using it) and open. The
    // statement is finalized before returning; the pointer bound to it is a local that
    // outlives the statement. The function takes no user data and no destructor.
    let status = unsafe {
        let api = fts5_api(db);
        if api.is_null() {
            ffi::SQLITE_ERROR
        } else {
            match (*api).xCreateFunction {
                Some(create) => create(api, NAME.as_ptr(), ptr::null_mut(), Some(hit_count), None),
                None => ffi::SQLITE_ERROR,
            }
        }
    };
    if status != ffi::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!(
            "registering the FTS5 function hit_count failed (SQLite code {status})"
        )));
    }
    Ok(())
}

/// The connection's FTS5 API, or null.
///
/// # Safety
/// `db` must be an open connection not in use by another thread.
unsafe fn fts5_api(db: *mut ffi::sqlite3) -> *mut ffi::fts5_api {
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut statement: *mut ffi::sqlite3_stmt = ptr::null_mut();
    // SAFETY: as the caller promises; `api` outlives the statement, finalized below.
    unsafe {
        let sql = c"SELECT fts5(?1)";
        if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut statement, ptr::null_mut())
            == ffi::SQLITE_OK
        {
            ffi::sqlite3_bind_pointer(
                statement,
                1,
                (&raw mut api).cast::<c_void>(),
                c"fts5_api_ptr".as_ptr(),
                None,
            );
            ffi::sqlite3_step(statement);
        }
        ffi::sqlite3_finalize(statement);
    }
    api
}

/// The function itself: the coalesced phrase instances of column 0 of the current row.
unsafe extern "C" fn hit_count(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    context: *mut ffi::sqlite3_context,
    _argc: c_int,
    _argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 calls this with its own valid API table and context for the row.
    unsafe {
        match instances(&*api, fts) {
            Ok(spans) => ffi::sqlite3_result_int64(context, coalesced_hits(spans) as i64),
            Err(code) => ffi::sqlite3_result_error_code(context, code),
        }
    }
}

/// The row's phrase instances in column 0 as (first, last) token positions, in FTS5's
/// order.
///
/// # Safety
/// `api` and `fts` must be the pair FTS5 passed to an auxiliary function.
unsafe fn instances(
    api: &ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
) -> Result<Vec<(i64, i64)>, c_int> {
    let (Some(inst_count), Some(inst), Some(phrase_size)) =
        (api.xInstCount, api.xInst, api.xPhraseSize)
    else {
        return Err(ffi::SQLITE_MISUSE);
    };
    let mut count: c_int = 0;
    // SAFETY: as the caller promises; every out-pointer is a local.
    unsafe {
        check(inst_count(fts, &mut count))?;
        let mut spans = Vec::with_capacity(count.max(0) as usize);
        for i in 0..count {
            let (mut phrase, mut column, mut offset): (c_int, c_int, c_int) = (0, 0, 0);
            check(inst(fts, i, &mut phrase, &mut column, &mut offset))?;
            if column == 0 {
                let size = phrase_size(fts, phrase);
                spans.push((i64::from(offset), i64::from(offset + size - 1)));
            }
        }
        Ok(spans)
    }
}

fn check(code: c_int) -> Result<(), c_int> {
    if code == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(code)
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::search::{HIT_END, HIT_START, hit_spans};

    /// `hit_count` against the marks `highlight()` makes, on the real index.
    #[tokio::test]
    async fn counts_what_highlight_marks() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&dir.path().join("t.db")).await.unwrap();
        for (rowid, body) in [
            (1, "time after time, Time 🤖time sometimes timetable"),
            (2, "nothing"),
            (3, "the time the time"),
        ] {
            sqlx::query("INSERT INTO turn_search (rowid, body) VALUES (?, ?)")
                .bind(rowid)
                .bind(body)
                .execute(&db)
                .await
                .unwrap();
        }
        for query in [
            "\"time\"",
            "\"tim\"*",
            "\"time\" OR \"tim\"*",
            "\"after time\" OR \"time\"",
            "\"the time\" OR \"time\"",
            "NEAR(\"after\" \"time\", 2)",
        ] {
            let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT hit_count(turn_search),
                        highlight(turn_search, 0, '{HIT_START}', '{HIT_END}')
                 FROM turn_search WHERE turn_search MATCH ? ORDER BY rowid"
            )))
            .bind(query)
            .fetch_all(&db)
            .await
            .unwrap();
            assert!(!rows.is_empty(), "{query}");
            for (count, highlighted) in rows {
                let marks = hit_spans(&highlighted).1.len() as i64;
                assert_eq!(count, marks, "{query}: {highlighted}");
            }
        }
    }
}
