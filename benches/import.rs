//! Target 1: importing the workforce corpus (1,000 interviews, 9.2 MB).
//! - CLI: `gloss import --project P FILE` as a child process, wall time (< 2 s), fresh
//!   database each run.
//! - HTTP: `POST /api/v1/projects/{id}/documents` (multipart `files`) to `gloss serve` as a
//!   child process, request time (< 3 s) and the server's peak RSS (`VmHWM`, < 200 MB).
//! - For reference, the parse step alone in-process (`domain::import::parse_file`).
//!
//! `cargo bench --bench import`; `GLOSS_BENCH_RUNS` (default 5) sets the runs per path.

mod support;

use std::process::Command;
use std::time::Instant;

use gloss::domain::import::{ImportOptions, parse_file};
use support::*;

const CLI_TARGET_MS: f64 = 2000.0;
const HTTP_TARGET_MS: f64 = 3000.0;
const MEMORY_TARGET_MB: f64 = 200.0;

/// A database with an owner, a token and an empty project "Bench".
async fn prepared() -> (Fixture, i64, String) {
    let fixture = fresh_db().await;
    let owner = user(&fixture.db, "owner", false).await;
    let token = token(&fixture.db, &owner).await;
    let project = project(&fixture.db, &owner, "Bench").await;
    fixture.close().await;
    (fixture, project, token)
}

#[tokio::main]
async fn main() {
    let runs = env_usize("GLOSS_BENCH_RUNS", 5);
    let corpus = corpus();
    let bytes = std::fs::read(&corpus).expect("corpus");
    header("Target 1: import the workforce corpus");
    println!(
        "file: {} ({:.1} MB), {runs} runs per path, fresh database each run",
        corpus.display(),
        bytes.len() as f64 / 1e6
    );

    // Parse only, in-process: how much of the import is CPU work before any SQL.
    let mut parse = Vec::new();
    let mut documents = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let parsed = parse_file(
            "workforce_transcripts.csv",
            &bytes,
            &ImportOptions::default(),
        )
        .expect("parses");
        parse.push(ms(started.elapsed()));
        documents = parsed.documents.len();
    }

    // CLI, as a child process.
    let mut cli = Vec::new();
    let mut cli_peak = Vec::new();
    for _ in 0..runs {
        let (fixture, _, _) = prepared().await;
        let mut command = Command::new(gloss_bin());
        command
            .args(["import", "--project", "Bench", "--db"])
            .arg(&fixture.path)
            .arg(&corpus)
            .env("RUST_LOG", "warn");
        let (output, elapsed, peak) = run_sampling_peak(command);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("Imported 1000 document(s)"),
            "gloss import failed: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        cli.push(ms(elapsed));
        cli_peak.push(peak);
    }

    // HTTP, against the server as a child process.
    let mut http = Vec::new();
    let mut http_peak = Vec::new();
    let mut http_growth = Vec::new();
    for _ in 0..runs {
        let (fixture, project, token) = prepared().await;
        let server = Server::start(&fixture.path);
        let client = reqwest::Client::new();
        let ok = client.get(server.url("/healthz")).send().await.unwrap();
        assert!(ok.status().is_success());
        let before = server.memory();
        let form = reqwest::multipart::Form::new().part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name("workforce_transcripts.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
        let started = Instant::now();
        let response = client
            .post(server.url(&format!("/api/v1/projects/{project}/documents")))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
        assert_eq!(body["documents"].as_array().map(Vec::len), Some(1000));
        let after = server.memory();
        http.push(ms(elapsed));
        http_peak.push(after.peak_mb);
        http_growth.push(after.peak_mb - before.rss_mb);
    }

    let parse = summary(&parse);
    let cli = summary(&cli);
    let cli_peak = summary(&cli_peak);
    let http = summary(&http);
    let http_peak = summary(&http_peak);
    let http_growth = summary(&http_growth);
    println!("documents per import: {documents}");
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9}  target",
        "", "median", "min", "max", "n"
    );
    let row = |name: &str, s: Summary, unit: &str, target: &str| {
        println!(
            "{name:<34} {:>7.0}{unit} {:>7.0}{unit} {:>7.0}{unit} {:>9}  {target}",
            s.median, s.min, s.max, s.n
        );
    };
    row("parse only, in-process", parse, "ms", "(reference)");
    row(
        "CLI `gloss import` wall time",
        cli,
        "ms",
        &format!("< 2000 ms: {}", verdict(cli.median < CLI_TARGET_MS)),
    );
    row("CLI peak RSS (polled)", cli_peak, "MB", "(reference)");
    row(
        "HTTP POST …/documents",
        http,
        "ms",
        &format!("< 3000 ms: {}", verdict(http.median < HTTP_TARGET_MS)),
    );
    row(
        "HTTP server peak RSS (VmHWM)",
        http_peak,
        "MB",
        &format!("< 200 MB: {}", verdict(http_peak.max < MEMORY_TARGET_MB)),
    );
    row(
        "HTTP server growth (HWM - idle RSS)",
        http_growth,
        "MB",
        "(reference)",
    );
}
