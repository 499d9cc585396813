//! Issue 13: search, auto-code, co-occurrence and crosstabs on the 1,000-interview project
//! coded by three coders (~150,000 excerpts, 50 codes), measured through the API of the
//! release server (a child process on the fixture's SQLite file), server-side latency from
//! its request log:
//! - `GET …/search`: a word, a common word (~6,700 hits), a phrase, a prefix, an OR and a NEAR query, each with and
//!   without `role=participant`, first page (`limit` 50): p99 < 20 ms;
//! - `GET …/cooccurrence` with `scope=overlap|turn|document`, every coder: < 200 ms. The
//!   very first (overlap) request, which finds no coding digests yet and reads every
//!   excerpt, is shown on its own for reference; the timed ones follow two warm-ups;
//! - `GET …/crosstab?attribute=…`: < 100 ms. The corpus CSV has only `transcript_id` and
//!   `text`, so its import sets no attribute; the fixture gives every document two, as a
//!   CSV with more columns would (`wave`: 4 values, `occupation`: 20), written straight
//!   into `document_attributes`. Code × document (no attribute) is shown for reference;
//! - `POST …/autocode` of a query with at least 1,000 hits at the sentence extent: the dry
//!   run and the real run (< 1 s), then `POST …/autocode/undo`, so every run starts from
//!   the same coding;
//! - index build: `gloss import` (the CLI, as a child process) of the corpus CSV into a
//!   fresh database, alternately as shipped and with the FTS table `turn_search` swapped
//!   beforehand for a view whose INSTEAD OF trigger discards what is inserted. The import
//!   writes each turn's index row with the turn (`db::documents::insert_turns`, inside
//!   the import's transaction) and nothing else differs, so the difference in wall time
//!   is what the index adds to an import: < 30 %. After each run the index's row count is
//!   checked (every turn as shipped, none without), so the comparison cannot silently
//!   compare two equal setups.
//!
//! `cargo bench --bench analysis`. Knobs: `GLOSS_BENCH_REQUESTS` (default 20) requests per
//! search variant after 2 warm-up requests (12 variants); `GLOSS_BENCH_RUNS` (default 10)
//! requests per table and auto-code runs; `GLOSS_BENCH_IMPORTS` (default 5) imports per
//! setup. Benchmarks never assert times.

mod support;

use std::process::Command;

use gloss::db::{self, Db};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

const SEARCH_TARGET_MS: f64 = 20.0;
const COOCCURRENCE_TARGET_MS: f64 = 200.0;
const CROSSTAB_TARGET_MS: f64 = 100.0;
const AUTOCODE_TARGET_MS: f64 = 1000.0;
const INDEX_TARGET_PERCENT: f64 = 30.0;

/// Queries for the auto-code run: the first with 1,000 to 10,000 hits is used (about
/// 1,200 on the workforce corpus).
const AUTOCODE_CANDIDATES: [&str; 3] = ["trust OR frustrating", "automat* OR annoying", "time"];

/// The API as the project's lead, with a token.
struct Api<'a> {
    server: &'a Server,
    client: reqwest::Client,
    token: String,
    project: i64,
}

impl Api<'_> {
    fn url(&self, rest: &str) -> String {
        self.server
            .url(&format!("/api/v1/projects/{}/{rest}", self.project))
    }

    async fn get(&self, rest: &str, query: &[(&str, &str)]) -> Value {
        let response = self
            .client
            .get(format!(
                "{}?{}",
                self.url(rest),
                serde_urlencoded::to_string(query).unwrap()
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{rest} {query:?}: {body}");
        body
    }

    async fn post(&self, rest: &str, body: &Value) -> Value {
        let response = self
            .client
            .post(self.url(rest))
            .json(body)
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{rest} {body}: {answer}");
        answer
    }

    /// `n` timed GETs after 2 warm-up requests: the warm-up's answer and the server's
    /// latencies in ms.
    async fn timed_gets(&self, rest: &str, query: &[(&str, &str)], n: usize) -> (Value, Summary) {
        let answer = self.get(rest, query).await;
        self.get(rest, query).await;
        self.server.take_latencies_us();
        for _ in 0..n {
            self.get(rest, query).await;
        }
        (answer, self.server_summary())
    }

    fn server_summary(&self) -> Summary {
        let server_ms: Vec<f64> = self
            .server
            .take_latencies_us()
            .into_iter()
            .map(|us| us / 1000.0)
            .collect();
        summary(&server_ms)
    }
}

fn table_header() {
    println!(
        "{:<46} {:>9} {:>9} {:>9} {:>9}  target",
        "", "median", "p90", "p99", "max"
    );
}

fn row(name: &str, s: Summary, target: &str) {
    println!(
        "{name:<46} {:>7.2}ms {:>7.2}ms {:>7.2}ms {:>7.2}ms  {target}  (n = {})",
        s.median, s.p90, s.p99, s.max, s.n
    );
}

/// Two attributes per document, in document order: `wave` (4 values) and `occupation`
/// (20 values), as CSV columns would set them.
async fn add_attributes(db: &Db, project_id: i64) {
    let documents = db::documents::lengths(db, project_id)
        .await
        .expect("documents");
    let mut tx = db::begin_write(db).await.expect("transaction");
    for (i, (document_id, _, _)) in documents.iter().enumerate() {
        for (position, name, value) in [
            (10, "wave", format!("Wave {}", i % 4 + 1)),
            (
                11,
                "occupation",
                format!("Occupation {:02}", (i * 7) % 20 + 1),
            ),
        ] {
            sqlx::query(
                "INSERT INTO document_attributes (document_id, position, name, value)
                 VALUES (?, ?, ?, ?)",
            )
            .bind(document_id)
            .bind(position)
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await
            .expect("attribute");
        }
    }
    tx.commit().await.expect("commit");
}

async fn bench_search(api: &Api<'_>, requests: usize) {
    println!("\nGET …/search, first page (limit 50), {requests} requests per variant:");
    table_header();
    let mut all = Vec::new();
    for (kind, q) in [
        ("word", "trust"),
        ("common word", "time"),
        ("phrase", "\"saves me time\""),
        ("prefix", "automat*"),
        ("OR", "frustrating OR annoying"),
        ("NEAR", "NEAR(code review, 5)"),
    ] {
        for role in ["", "participant"] {
            let mut query = vec![("q", q)];
            if !role.is_empty() {
                query.push(("role", role));
            }
            let (answer, s) = api.timed_gets("search", &query, requests).await;
            let total = answer["total"].as_u64().unwrap_or(0);
            let filter = if role.is_empty() {
                ""
            } else {
                ", participants"
            };
            let name = format!("{kind} {q}{filter} ({total} hits)");
            row(
                &name,
                s,
                &format!("p99 < 20 ms: {}", verdict(s.p99 < SEARCH_TARGET_MS)),
            );
            all.push(s.p99);
        }
    }
    let worst = all.iter().copied().fold(0.0, f64::max);
    println!(
        "search, worst p99 of the variants: {worst:.2} ms: {}",
        verdict(worst < SEARCH_TARGET_MS)
    );
}

async fn bench_tables(api: &Api<'_>, runs: usize) {
    println!("\nAnalysis tables, every coder, {runs} requests each:");
    table_header();
    // The first analysis after the import finds no coding digests and reads every excerpt
    // (then stores the digests in the background); the timed requests below come after it.
    api.server.take_latencies_us();
    api.get("cooccurrence", &[("scope", "overlap")]).await;
    row(
        "co-occurrence, overlap: first, no digests yet",
        api.server_summary(),
        "(reference)",
    );
    for scope in ["overlap", "turn", "document"] {
        let (answer, s) = api
            .timed_gets("cooccurrence", &[("scope", scope)], runs)
            .await;
        let cells = answer["cells"].as_array().map_or(0, Vec::len);
        let codes = answer["codes"].as_array().map_or(0, Vec::len);
        let name = format!("co-occurrence, {scope} ({codes} codes, {cells} cells)");
        let met = verdict(s.p99 < COOCCURRENCE_TARGET_MS);
        row(&name, s, &format!("< 200 ms: {met}"));
    }
    for attribute in ["wave", "occupation", ""] {
        let (answer, s) = api
            .timed_gets("crosstab", &[("attribute", attribute)], runs)
            .await;
        let columns = answer["columns"].as_array().map_or(0, Vec::len);
        if attribute.is_empty() {
            let name = format!("code × document ({columns} columns)");
            row(&name, s, "(reference)");
        } else {
            let name = format!("crosstab, attribute={attribute} ({columns} values)");
            let met = verdict(s.p99 < CROSSTAB_TARGET_MS);
            row(&name, s, &format!("< 100 ms: {met}"));
        }
    }
}

/// The first candidate query with 1,000 to 10,000 hits.
async fn autocode_query(api: &Api<'_>) -> (&'static str, u64) {
    for q in AUTOCODE_CANDIDATES {
        let answer = api.get("search", &[("q", q), ("limit", "1")]).await;
        let total = answer["total"].as_u64().unwrap_or(0);
        if (1000..=10_000).contains(&total) {
            return (q, total);
        }
    }
    panic!("no candidate query has 1,000 to 10,000 hits in this corpus");
}

async fn bench_autocode(api: &Api<'_>, code_id: i64, runs: usize) {
    let (q, total) = autocode_query(api).await;
    println!("\nPOST …/autocode, q={q} ({total} hits), extent sentence, {runs} runs:");
    let request = |dry_run: bool| json!({"q": q, "code_id": code_id, "extent": "sentence", "dry_run": dry_run});
    let (mut dry, mut real, mut undo) = (Vec::new(), Vec::new(), Vec::new());
    let mut outcome = Value::Null;
    api.server.take_latencies_us();
    for _ in 0..runs {
        api.post("autocode", &request(true)).await;
        dry.extend(api.server.take_latencies_us());
        outcome = api.post("autocode", &request(false)).await;
        real.extend(api.server.take_latencies_us());
        let undone = api.post("autocode/undo", &json!({})).await;
        assert_eq!(
            undone["removed"], outcome["created"],
            "undo removes the run"
        );
        undo.extend(api.server.take_latencies_us());
    }
    println!(
        "a run: {} hits, {} excerpts created, {} skipped",
        outcome["hits"], outcome["created"], outcome["skipped"]
    );
    let in_ms = |v: Vec<f64>| summary(&v.into_iter().map(|us| us / 1000.0).collect::<Vec<_>>());
    table_header();
    row("auto-code, dry run", in_ms(dry), "(reference)");
    let real = in_ms(real);
    let met = verdict(real.p99 < AUTOCODE_TARGET_MS);
    row("auto-code, real run", real, &format!("< 1 s: {met}"));
    row("undo of the run", in_ms(undo), "(reference)");
}

/// One `gloss import` of the corpus into a fresh database, with the FTS index or with
/// it swapped for a view that discards its rows: wall time in ms and the index's row count afterwards.
async fn one_import(with_index: bool) -> (f64, i64) {
    let fixture = fresh_db().await;
    let owner = user(&fixture.db, "owner", false).await;
    project(&fixture.db, &owner, "Bench").await;
    if !with_index {
        // The import writes index rows with its turns (`db::documents::insert_turns`):
        // the index is swapped for a view that discards them, so the statements still
        // run (a conservative baseline) but nothing is indexed.
        sqlx::raw_sql(
            "DROP TABLE turn_search; \
             CREATE VIEW turn_search (rowid, body) AS SELECT NULL, NULL WHERE 0; \
             CREATE TRIGGER turn_search_discards INSTEAD OF INSERT ON turn_search \
             BEGIN SELECT 1; END;",
        )
        .execute(&fixture.db)
        .await
        .expect("index swapped for a view that discards its rows");
    }
    fixture.db.close().await;
    let mut command = Command::new(gloss_bin());
    command
        .args(["import", "--project", "Bench", "--db"])
        .arg(&fixture.path)
        .arg(corpus())
        .env("RUST_LOG", "warn");
    let (output, elapsed, _) = run_sampling_peak(command);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("Imported 1000 document(s)"),
        "gloss import failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let db = db::open(&fixture.path).await.expect("database opens");
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM turn_search")
        .fetch_one(&db)
        .await
        .expect("index rows");
    db.close().await;
    (ms(elapsed), indexed)
}

async fn bench_index_build(imports: usize) {
    println!("\nIndex build: `gloss import` of the corpus, {imports} runs per setup, alternating:");
    let (mut with, mut without) = (Vec::new(), Vec::new());
    let (mut rows_with, mut rows_without) = (0, 0);
    for _ in 0..imports {
        let (t, rows) = one_import(true).await;
        with.push(t);
        rows_with = rows;
        let (t, rows) = one_import(false).await;
        without.push(t);
        rows_without = rows;
    }
    assert!(
        rows_with > 0 && rows_without == 0,
        "{rows_with} / {rows_without} index rows"
    );
    let (with, without) = (summary(&with), summary(&without));
    println!("{:<46} {:>9} {:>9} {:>9}", "", "median", "min", "max");
    for (name, s) in [
        (
            format!("with the FTS index ({rows_with} turns indexed)"),
            with,
        ),
        ("index discarded (nothing indexed)".to_owned(), without),
    ] {
        println!(
            "{name:<46} {:>7.0}ms {:>7.0}ms {:>7.0}ms",
            s.median, s.min, s.max
        );
    }
    let added = (with.median / without.median - 1.0) * 100.0;
    println!(
        "the index adds {added:.1} % to the import (medians): < 30 %: {}",
        verdict(added < INDEX_TARGET_PERCENT)
    );
}

#[tokio::main]
async fn main() {
    let requests = env_usize("GLOSS_BENCH_REQUESTS", 20);
    let runs = env_usize("GLOSS_BENCH_RUNS", 10);
    let imports = env_usize("GLOSS_BENCH_IMPORTS", 5);
    header("Search, auto-code, co-occurrence and crosstabs on the 1,000-interview project");
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let token = token(db, &lead).await;
    let coders = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 50,
        second_code_percent: 10,
        seed: 13,
    };
    let coded = coded_project(db, &lead, "Coded", &coders, shape).await;
    add_attributes(db, coded.id).await;
    println!(
        "{} documents, {} codes, {} excerpts ({} code applications) by 3 coders",
        coded.documents,
        coded.codes.len(),
        coded.seeded.excerpts,
        coded.seeded.applications
    );
    fixture.close().await;

    let server = Server::start(&fixture.path);
    let api = Api {
        server: &server,
        client: reqwest::Client::new(),
        token,
        project: coded.id,
    };
    bench_search(&api, requests).await;
    bench_tables(&api, runs).await;
    bench_autocode(&api, coded.codes[0], runs).await;
    println!("server memory: {:?}", server.memory());
    drop(server);
    bench_index_build(imports).await;
    println!(
        "\nmachine: {}; load average at the end {}",
        machine(),
        load_average()
    );
}
