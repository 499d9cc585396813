//! Issue 12: on the 1,000-interview project coded by 3 coders with 50 codes (~150,000
//! excerpts), `.qdpx` export in under 3 s and import in under 5 s, server memory growth
//! under 50 MB for either.
//!
//! The server runs as a child process. Export: `GET /api/v1/projects/{id}/project.qdpx`
//! after a warm-up (a one-document export); growth is `VmHWM` after the first full
//! export minus `VmRSS` before. Import: the exported file is posted to
//! `POST /api/v1/projects/import/qdpx` (a new project each run); growth is measured the
//! same way, before the first import.
//!
//! `cargo bench --bench refi`; `GLOSS_BENCH_RUNS` (default 3) of each; `GLOSS_BENCH_SAVE_QDPX=FILE`
//! keeps the exported file (to profile an import of it).

mod support;

use std::time::Instant;

use support::*;

const EXPORT_TARGET_MS: f64 = 3000.0;
const IMPORT_TARGET_MS: f64 = 5000.0;
const GROWTH_TARGET_MB: f64 = 50.0;

#[tokio::main]
async fn main() {
    let runs = env_usize("GLOSS_BENCH_RUNS", 3);
    header("Issue 12: REFI-QDA .qdpx export and import of ~150,000 excerpts");
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let token = token(db, &lead).await;
    let coders = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 59,
        second_code_percent: 0,
        seed: 12,
    };
    let coded = coded_project(db, &lead, "REFI", &coders, shape).await;
    let (project, documents, seeded) = (coded.id, coded.documents, coded.seeded);
    let first_document = gloss::db::documents::lengths(db, project).await.unwrap()[0].0;
    fixture.close().await;
    println!(
        "fixture: {documents} documents, {} excerpts",
        seeded.excerpts
    );

    let server = Server::start(&fixture.path);
    let client = reqwest::Client::new();
    let url = server.url(&format!("/api/v1/projects/{project}/project.qdpx"));
    let warm = client
        .get(format!("{url}?documents={first_document}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(warm.status().is_success());
    let _ = warm.bytes().await.unwrap();
    let baseline = server.memory();
    let mut export_times = Vec::new();
    let mut export_growth = 0.0;
    let mut file = Vec::new();
    for run in 0..runs {
        let started = Instant::now();
        let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        file = response.bytes().await.unwrap().to_vec();
        export_times.push(ms(started.elapsed()));
        if run == 0 {
            export_growth = server.memory().peak_mb - baseline.rss_mb;
        }
    }
    println!("{:.1} MB per .qdpx", file.len() as f64 / 1e6);
    // For profiling the import outside the bench (`gloss import-qdpx` under a profiler).
    if let Ok(path) = std::env::var("GLOSS_BENCH_SAVE_QDPX") {
        std::fs::write(&path, &file).expect("writing the .qdpx");
        println!("saved the .qdpx to {path}");
    }

    let before_import = server.memory();
    let mut import_times = Vec::new();
    let mut import_growth = 0.0;
    for run in 0..runs {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file.clone()).file_name("project.qdpx"),
        );
        let started = Instant::now();
        let response = client
            .post(server.url("/api/v1/projects/import/qdpx"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        import_times.push(ms(started.elapsed()));
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
        if run == 0 {
            import_growth = server.memory().peak_mb - before_import.rss_mb;
            println!(
                "imported {} documents, {} excerpts",
                body["summary"]["documents"], body["summary"]["excerpts"]
            );
        }
    }
    let e = summary(&export_times);
    let i = summary(&import_times);
    println!(
        "{:<28} {:>9} {:>9} {:>9}  target",
        "", "median", "min", "max"
    );
    println!(
        "{:<28} {:>7.0}ms {:>7.0}ms {:>7.0}ms  < 3000 ms: {}",
        "export (last byte)",
        e.median,
        e.min,
        e.max,
        verdict(e.median < EXPORT_TARGET_MS)
    );
    println!(
        "{:<28} {:>7.0}ms {:>7.0}ms {:>7.0}ms  < 5000 ms: {}",
        "import (answer)",
        i.median,
        i.min,
        i.max,
        verdict(i.median < IMPORT_TARGET_MS)
    );
    println!(
        "memory growth: export {export_growth:.1} MB, import {import_growth:.1} MB  < 50 MB: {}",
        verdict(export_growth < GROWTH_TARGET_MB && import_growth < GROWTH_TARGET_MB)
    );
}
