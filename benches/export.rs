//! Target 5: exporting 100,000 coded excerpts (`GET /api/v1/projects/{id}/excerpts.csv`)
//! completes in under 1 second with server memory growth under 20 MB.
//!
//! The workforce corpus is coded by three coders with a 50-code codebook, one code per
//! excerpt (so excerpts = CSV rows ≈ 100,000), written straight into the database. The
//! server runs as a child process; after a warm-up request (a one-document export) its
//! `VmRSS` is the baseline, and the growth is `VmHWM` after the first full export minus
//! that baseline. Later runs time the export again (the peak cannot rise unnoticed: it is
//! read again at the end).
//!
//! `cargo bench --bench export`; `GLOSS_BENCH_RUNS` (default 5) exports.

mod support;

use std::time::Instant;

use support::*;

const TARGET_MS: f64 = 1000.0;
const GROWTH_TARGET_MB: f64 = 20.0;

#[tokio::main]
async fn main() {
    let runs = env_usize("GLOSS_BENCH_RUNS", 5);
    header("Target 5: CSV export of 100,000 coded excerpts");
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let token = token(db, &lead).await;
    let coders = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 39,
        second_code_percent: 0,
        seed: 5,
    };
    let coded = coded_project(db, &lead, "Export", &coders, shape).await;
    let (project, documents, seeded) = (coded.id, coded.documents, coded.seeded);
    let first_document = gloss::db::documents::lengths(db, project).await.unwrap()[0].0;
    fixture.close().await;
    println!(
        "fixture: {documents} documents, {} excerpts, {} (excerpt, code) rows to export",
        seeded.excerpts, seeded.applications
    );

    let server = Server::start(&fixture.path);
    let client = reqwest::Client::new();
    let url = server.url(&format!("/api/v1/projects/{project}/excerpts.csv"));
    let warm = client
        .get(format!("{url}?documents={first_document}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(warm.status().is_success());
    let _ = warm.bytes().await.unwrap();
    let baseline = server.memory();

    let mut times = Vec::new();
    let mut first_byte = Vec::new();
    let mut growth_first = 0.0;
    let mut bytes = 0;
    let mut body = Vec::new();
    for run in 0..runs {
        let started = Instant::now();
        let mut response = client.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let mut first = None;
        body.clear();
        while let Some(chunk) = response.chunk().await.unwrap() {
            first.get_or_insert_with(|| started.elapsed());
            body.extend_from_slice(&chunk);
        }
        times.push(ms(started.elapsed()));
        first_byte.push(ms(first.unwrap_or_default()));
        bytes = body.len();
        if run == 0 {
            growth_first = server.memory().peak_mb - baseline.rss_mb;
        }
    }
    let end = server.memory();
    let rows = csv::Reader::from_reader(body.as_slice()).records().count();
    let t = summary(&times);
    let f = summary(&first_byte);
    println!("{rows} CSV rows, {:.1} MB per export", bytes as f64 / 1e6);
    println!(
        "{:<36} {:>9} {:>9} {:>9}  target",
        "", "median", "min", "max"
    );
    println!(
        "{:<36} {:>7.0}ms {:>7.0}ms {:>7.0}ms  < 1000 ms: {}",
        "full export (last byte)",
        t.median,
        t.min,
        t.max,
        verdict(t.median < TARGET_MS)
    );
    println!(
        "{:<36} {:>7.1}ms {:>7.1}ms {:>7.1}ms",
        "first byte", f.median, f.min, f.max
    );
    let growth_all = end.peak_mb - baseline.rss_mb;
    println!(
        "server RSS before {:.1} MB; peak growth after the first export {:.1} MB, after all {runs} {:.1} MB; RSS after {:.1} MB  < 20 MB: {}",
        baseline.rss_mb,
        growth_first,
        growth_all,
        end.rss_mb,
        verdict(growth_all < GROWTH_TARGET_MB)
    );
}
