//! Target 3: creating excerpts through the API sustains at least 2,000 per second.
//!
//! `gloss serve` runs as a child process on the imported workforce corpus with a 50-code
//! codebook. A tokio client (one thread, so it takes at most one of the cores) keeps N
//! requests in flight over keep-alive connections: `POST /api/v1/documents/{id}/excerpts`
//! with a bearer token, a random span of a random interview and one or two codes. Reported
//! per concurrency level: excerpts/s, latency, and the server's CPU time per excerpt.
//!
//! Then the same through `POST /api/v1/documents/{id}/excerpts/batch`, 100 excerpts per
//! request (what a script bringing in coding from elsewhere would use).
//!
//! `cargo bench --bench excerpts_api`; `GLOSS_BENCH_EXCERPTS` (default 6000) excerpts per
//! level, `GLOSS_BENCH_CONCURRENCY` (default "1,8,16") the levels, `GLOSS_BENCH_BATCH`
//! (default 100; 0 skips the batch rows) the batch size.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::json;
use support::*;

const TARGET_PER_SECOND: f64 = 2000.0;

struct Work {
    base: String,
    /// Excerpts per request: 1 posts to `/excerpts`, more to `/excerpts/batch`.
    batch: usize,
    token: String,
    documents: Vec<(i64, u64)>,
    codes: Vec<i64>,
    remaining: AtomicUsize,
}

async fn worker(work: Arc<Work>, client: reqwest::Client, seed: u64) -> (Vec<f64>, usize) {
    let mut rng = Rng::new(seed);
    let mut latencies = Vec::new();
    let mut failures = 0;
    while work
        .remaining
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
    {
        let (document, len) = work.documents[rng.index(work.documents.len())];
        let mut random_excerpt = || {
            let start = rng.below(len - 400);
            let end = start + 20 + rng.below(300);
            let mut code_ids = vec![work.codes[rng.index(work.codes.len())]];
            if rng.chance(30) {
                code_ids.push(work.codes[rng.index(work.codes.len())]);
            }
            json!({ "start": start, "end": end, "code_ids": code_ids })
        };
        let (path, body) = if work.batch == 1 {
            ("excerpts", random_excerpt())
        } else {
            let excerpts: Vec<_> = (0..work.batch).map(|_| random_excerpt()).collect();
            ("excerpts/batch", json!({ "excerpts": excerpts }))
        };
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/v1/documents/{document}/{path}", work.base))
            .bearer_auth(&work.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let _ = response.bytes().await.unwrap();
        latencies.push(ms(started.elapsed()));
        if status != reqwest::StatusCode::CREATED {
            failures += 1;
        }
    }
    (latencies, failures)
}

fn main() {
    let per_level = env_usize("GLOSS_BENCH_EXCERPTS", 6000);
    let levels: Vec<usize> = std::env::var("GLOSS_BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1,8,16".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let batch = env_usize("GLOSS_BENCH_BATCH", 100);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(per_level, levels, batch));
}

async fn run(per_level: usize, levels: Vec<usize>, batch: usize) {
    header("Target 3: creating excerpts through the API");
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let coder = user(db, "coder", false).await;
    let token = token(db, &coder).await;
    let project = project(db, &coder, "Coding").await;
    import_corpus(db, project).await;
    let codes = add_codes(db, project, 50).await;
    let documents: Vec<(i64, u64)> = gloss::db::documents::lengths(db, project)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, _, len)| *len > 1000)
        .map(|(id, _, len)| (id, len as u64))
        .collect();
    fixture.close().await;
    let server = Server::start(&fixture.path);
    println!(
        "{} documents, 50 codes; {per_level} excerpts per row; client: one tokio thread on the same machine",
        documents.len()
    );
    println!(
        "{:<11} {:<10} {:>10} {:>9} {:>9} {:>9} {:>11} {:>11} {:>8}  target",
        "per request",
        "in flight",
        "excerpts/s",
        "p50",
        "p90",
        "p99",
        "server CPU",
        "client CPU",
        "failures"
    );
    let mut rows: Vec<(usize, usize)> = levels.iter().map(|&n| (1, n)).collect();
    if batch > 1 {
        rows.extend([(batch, 1), (batch, 4)]);
    }
    for (batch, in_flight) in rows {
        let requests = per_level.div_ceil(batch);
        let work = Arc::new(Work {
            base: server.base.clone(),
            batch,
            token: token.clone(),
            documents: documents.clone(),
            codes: codes.clone(),
            remaining: AtomicUsize::new(requests),
        });
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(in_flight)
            .build()
            .unwrap();
        // Warm the connections and the server's statement caches.
        let warm = Arc::new(Work {
            remaining: AtomicUsize::new(in_flight * 20),
            ..clone_work(&work)
        });
        let tasks: Vec<_> = (0..in_flight)
            .map(|i| tokio::spawn(worker(warm.clone(), client.clone(), 1000 + i as u64)))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let cpu_before = server.cpu_time();
        let client_before = cpu_time(std::process::id());
        let started = Instant::now();
        let tasks: Vec<_> = (0..in_flight)
            .map(|i| tokio::spawn(worker(work.clone(), client.clone(), i as u64)))
            .collect();
        let mut latencies = Vec::new();
        let mut failures = 0;
        for task in tasks {
            let (l, f) = task.await.unwrap();
            latencies.extend(l);
            failures += f;
        }
        let elapsed = started.elapsed();
        let created = requests * batch;
        let cpu = server.cpu_time().saturating_sub(cpu_before);
        let client_cpu = cpu_time(std::process::id()).saturating_sub(client_before);
        let rate = created as f64 / elapsed.as_secs_f64();
        let s = summary(&latencies);
        println!(
            "{:<11} {:<10} {:>10.0} {:>7.2}ms {:>7.2}ms {:>7.2}ms {:>9.0}µs {:>9.0}µs {:>8}  ≥ 2000/s: {}",
            batch,
            in_flight,
            rate,
            s.median,
            s.p90,
            s.p99,
            cpu.as_secs_f64() * 1e6 / created as f64,
            client_cpu.as_secs_f64() * 1e6 / created as f64,
            failures,
            verdict(rate >= TARGET_PER_SECOND && failures == 0)
        );
        server.take_latencies_us();
    }
    let memory = server.memory();
    println!(
        "server peak RSS {:.0} MB; latencies are per request; CPU columns: user+system time per excerpt of the server process and of this client",
        memory.peak_mb
    );
}

fn clone_work(work: &Work) -> Work {
    Work {
        base: work.base.clone(),
        batch: work.batch,
        token: work.token.clone(),
        documents: work.documents.clone(),
        codes: work.codes.clone(),
        remaining: AtomicUsize::new(0),
    }
}
