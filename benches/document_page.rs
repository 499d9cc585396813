//! Target 2: the document page of the longest workforce interview (~27k characters)
//! renders server-side in under 20 ms.
//!
//! `gloss serve` runs as a child process; a signed-in browser-like client requests
//! `GET /documents/{id}` sequentially over one keep-alive loopback connection. Reported:
//! the server's own latency per request (from its request log: request in → response
//! ready, which for a page includes rendering the whole body) and the client round trip.
//! Two states of the same interview: as imported (no coding) and coded by three coders
//! with a 50-code codebook (the agreement fixture: ~150 excerpts on a typical document).
//!
//! `cargo bench --bench document_page`; `GLOSS_BENCH_REQUESTS` (default 300) requests
//! per state after 5 warm-up requests (at most ~30 s per state).

mod support;

use std::time::Instant;

use support::*;

const TARGET_MS: f64 = 20.0;

#[tokio::main]
async fn main() {
    let requests = env_usize("GLOSS_BENCH_REQUESTS", 300);
    header("Target 2: document page of the longest interview");

    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let coders = three_coders(db).await;
    let uncoded = project(db, &lead, "Uncoded").await;
    import_corpus(db, uncoded).await;
    let shape = CodingShape {
        passages_per_document: 58,
        second_code_percent: 10,
        seed: 4,
    };
    let coded_project = coded_project(db, &lead, "Coded", &coders, shape).await;
    let (coded, seeded) = (coded_project.id, coded_project.seeded);
    let (plain_doc, length) = longest_document(db, uncoded).await;
    let (coded_doc, _) = longest_document(db, coded).await;
    let on_page: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM excerpts WHERE document_id = ?")
        .bind(coded_doc)
        .fetch_one(db)
        .await
        .unwrap();
    fixture.close().await;
    println!(
        "longest interview: {length} code points; coded project: {} excerpts in total, {on_page} on this document",
        seeded.excerpts
    );

    let server = Server::start(&fixture.path);
    let browser = signed_in_browser(&server.base, "lead").await;
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>8} {:>9}  target",
        "", "median", "p90", "p99", "max", "page"
    );
    for (state, document) in [
        ("as imported", plain_doc),
        ("coded: 3 coders, 50 codes", coded_doc),
    ] {
        let url = server.url(&format!("/documents/{document}"));
        let mut size = 0;
        for _ in 0..5 {
            let response = browser.get(&url).send().await.unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::OK);
            size = response.bytes().await.unwrap().len();
        }
        server.take_latencies_us();
        let mut client_ms = Vec::with_capacity(requests);
        let budget = Instant::now();
        // At most ~30 s per state: a slow page gets fewer samples, not a stuck benchmark.
        while client_ms.len() < requests
            && (client_ms.len() < 10 || budget.elapsed().as_secs() < 30)
        {
            let started = Instant::now();
            let response = browser.get(&url).send().await.unwrap();
            let body = response.bytes().await.unwrap();
            client_ms.push(ms(started.elapsed()));
            assert_eq!(body.len(), size);
        }
        let server_ms: Vec<f64> = server
            .take_latencies_us()
            .into_iter()
            .map(|us| us / 1000.0)
            .collect();
        assert_eq!(server_ms.len(), client_ms.len(), "one log line per request");
        let s = summary(&server_ms);
        let c = summary(&client_ms);
        println!(
            "{:<34} {:>6.2}ms {:>6.2}ms {:>6.2}ms {:>6.2}ms {:>7.0}kB  < 20 ms: {}  (n = {})",
            format!("server, {state}"),
            s.median,
            s.p90,
            s.p99,
            s.max,
            size as f64 / 1000.0,
            verdict(s.median < TARGET_MS && s.p90 < TARGET_MS),
            s.n
        );
        println!(
            "{:<34} {:>6.2}ms {:>6.2}ms {:>6.2}ms {:>6.2}ms",
            format!("client round trip, {state}"),
            c.median,
            c.p90,
            c.p99,
            c.max
        );
    }
    println!(
        "(verdict on the server median and p90; up to {requests} requests per state, 5 warm-up)"
    );
}
