//! Issue 15: the project's document list stays fast on the 1,000-interview project coded
//! by three coders (~150,000 excerpts): search, sort, filter and paging are done on the
//! server for every request, so each variant is timed as a user would load it.
//!
//! `cargo bench --bench document_list`; `GLOSS_BENCH_REQUESTS` (default 100) requests per
//! variant after 3 warm-up requests. Reported: the server's own latency (its request log).

mod support;

use support::*;

const TARGET_MS: f64 = 100.0;

#[tokio::main]
async fn main() {
    let requests = env_usize("GLOSS_BENCH_REQUESTS", 100);
    header("Document list of the 1,000-interview project");
    let fixture = fresh_db().await;
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let coders = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 50,
        second_code_percent: 10,
        seed: 15,
    };
    let coded = coded_project(db, &lead, "Coded", &coders, shape).await;
    println!("{} excerpts in the project", coded.seeded.excerpts);
    fixture.close().await;

    let server = Server::start(&fixture.path);
    let browser = signed_in_browser(&server.base, "lead").await;
    let id = coded.id;
    println!(
        "{:<40} {:>8} {:>8} {:>8} {:>8}  target",
        "", "median", "p90", "p99", "max"
    );
    for (variant, query) in [
        ("first page (default)", ""),
        ("search a word in titles/attributes", "?q=work_09"),
        ("sort by coded share, descending", "?sort=coded&dir=desc"),
        ("not coded only", "?coded=no"),
        ("page 5 of 200 per page", "?per_page=200&page=5"),
    ] {
        let url = server.url(&format!("/projects/{id}{query}"));
        for _ in 0..3 {
            let response = browser.get(&url).send().await.unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::OK, "{url}");
            response.bytes().await.unwrap();
        }
        server.take_latencies_us();
        for _ in 0..requests {
            browser
                .get(&url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }
        let server_ms: Vec<f64> = server
            .take_latencies_us()
            .into_iter()
            .map(|us| us / 1000.0)
            .collect();
        let s = summary(&server_ms);
        println!(
            "{:<40} {:>6.2}ms {:>6.2}ms {:>6.2}ms {:>6.2}ms  p99 < {TARGET_MS} ms: {}  (n = {})",
            variant,
            s.median,
            s.p90,
            s.p99,
            s.max,
            verdict(s.p99 < TARGET_MS),
            s.n
        );
    }
    println!("machine: {}; load average {}", machine(), load_average());
}
