//! Target 4: the agreement report of 1,000 documents (the workforce corpus) × 3 coders ×
//! 50 codes (~150,000 excerpts) at each unit, α_U included, in under 1 second.
//!
//! The coding is written straight into the database in one transaction (realistic,
//! overlapping, partially agreeing spans: see `support::seed_coding`). Then:
//! - in-process, for reference: `service::agreement::load` (the SQL and the mapping to
//!   dense indices) and the pure `domain::agreement::compute_levels` at all three units;
//! - end to end: `GET /api/v1/projects/{id}/agreement?coders=a,b,c&unit=...` against
//!   `gloss serve` as a child process, full response time, and the server's peak RSS.
//!
//! `cargo bench --bench agreement`; `GLOSS_BENCH_RUNS` (default 5) timed runs per figure
//! after one warm-up.

mod support;

use std::time::Instant;

use gloss::domain::agreement::{UnitLevel, compute_levels};
use gloss::service::agreement::{self, AgreementRequest, CodeScope, DocumentScope};
use support::*;

const TARGET_MS: f64 = 1000.0;

#[tokio::main]
async fn main() {
    let runs = env_usize("GLOSS_BENCH_RUNS", 5);
    header("Target 4: agreement report, 1,000 documents × 3 coders × 50 codes");
    let setup = Instant::now();
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let token = token(db, &lead).await;
    let coders = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 58,
        second_code_percent: 10,
        seed: 4,
    };
    let coded = coded_project(db, &lead, "Agreement", &coders, shape).await;
    let (project, documents, seeded) = (coded.id, coded.documents, coded.seeded);
    println!(
        "fixture: {documents} documents, {} excerpts, {} (excerpt, code) codings, 3 coders, 50 codes (built in {:.1} s)",
        seeded.excerpts,
        seeded.applications,
        setup.elapsed().as_secs_f64()
    );

    // In-process reference: loading and the pure computation.
    let access = gloss::service::access::project(db, &lead, project)
        .await
        .unwrap();
    let request = AgreementRequest {
        coders: vec!["a".into(), "b".into(), "c".into()],
        unit: UnitLevel::Character,
        participant_turns_only: false,
        codes: CodeScope::All,
        documents: DocumentScope::default(),
    };
    let mut load_ms = Vec::new();
    let mut data = None;
    for _ in 0..=runs {
        let started = Instant::now();
        data = Some(agreement::load(db, &access, &request).await.unwrap());
        load_ms.push(ms(started.elapsed()));
    }
    load_ms.remove(0);
    let data = data.unwrap();
    let mut domain_ms = Vec::new();
    let mut alpha_u = None;
    for _ in 0..=runs {
        let started = Instant::now();
        let reports = compute_levels(&data.input, &UnitLevel::ALL).unwrap();
        domain_ms.push(ms(started.elapsed()));
        alpha_u = reports[0].pooled.unitizing.alpha.value();
    }
    domain_ms.remove(0);
    let mut service_ms = Vec::new();
    for _ in 0..=runs {
        let data = agreement::load(db, &access, &request).await.unwrap();
        let started = Instant::now();
        let (data, computed) = agreement::compute(data).await.unwrap();
        let _ = agreement::figures(&data, &computed);
        service_ms.push(ms(started.elapsed()));
    }
    service_ms.remove(0);
    fixture.close().await;

    let row = |name: &str, s: Summary, verdict_text: &str| {
        println!(
            "{name:<44} {:>8.0}ms {:>8.0}ms {:>8.0}ms  {verdict_text}",
            s.median, s.min, s.max
        );
    };
    println!(
        "{} codings in the input, pooled α_U = {alpha_u:.3?}",
        data.input.codings.len()
    );
    println!("{:<44} {:>10} {:>10} {:>10}", "", "median", "min", "max");
    row(
        "in-process: service::agreement::load",
        summary(&load_ms),
        "(SQL + mapping, any unit)",
    );
    row(
        "in-process: domain compute_levels (3 units)",
        summary(&domain_ms),
        "(reference)",
    );
    row(
        "in-process: service compute + figures (char)",
        summary(&service_ms),
        "(what one API call computes)",
    );

    // End to end through the API.
    let server = Server::start(&fixture.path);
    let client = reqwest::Client::new();
    let idle = {
        let ok = client.get(server.url("/healthz")).send().await.unwrap();
        assert!(ok.status().is_success());
        server.memory()
    };
    for unit in ["character", "turn", "document"] {
        let url = server.url(&format!(
            "/api/v1/projects/{project}/agreement?coders=a,b,c&unit={unit}"
        ));
        let mut times = Vec::new();
        let mut size = 0;
        let mut pooled = (None, None);
        for _ in 0..=runs {
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await.unwrap();
            let status = response.status();
            let body = response.bytes().await.unwrap();
            times.push(ms(started.elapsed()));
            assert_eq!(status, reqwest::StatusCode::OK);
            size = body.len();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let p = &json["overall"]["pooled"];
            pooled = (
                p["krippendorff_alpha"].as_f64(),
                p["unitizing_alpha"].as_f64(),
            );
        }
        times.remove(0);
        let s = summary(&times);
        row(
            &format!("API GET agreement unit={unit}"),
            s,
            &format!(
                "< 1000 ms: {}  ({:.0} kB, pooled α = {:.3}, α_U = {:.3})",
                verdict(s.max < TARGET_MS),
                size as f64 / 1000.0,
                pooled.0.unwrap_or(f64::NAN),
                pooled.1.unwrap_or(f64::NAN)
            ),
        );
    }
    let memory = server.memory();
    println!(
        "server RSS idle {:.0} MB, peak {:.0} MB during the agreement requests",
        idle.rss_mb, memory.peak_mb
    );
}
