//! Issue 16's load test: a realistic team on the 1,000-interview project, on loopback.
//!
//! `gloss serve` runs as a child process on the workforce corpus with a 50-code codebook
//! already coded by three coders (~150,000 excerpts). Then, for `GLOSS_BENCH_SECONDS`
//! (default 300) per phase:
//! - 30 coders, each with a token and a signed-in session: save an excerpt every 3 s, and
//!   every 10th step open the coding page (`GET /documents/{id}`, HTML) and its excerpts;
//! - 2 owners: one imports 20 new transcripts every 60 s, one exports the excerpts CSV of the
//!   whole project every 60 s;
//! - 1 lead: computes the agreement report (character unit, two coders) every 30 s.
//!
//! Phase 2 runs the same at 10× the rates (`GLOSS_BENCH_RATES`, default "1,10"). Each actor
//! has at most one request in flight, so the server sees up to 33 concurrent clients. An
//! actor that falls behind its schedule goes on at once (it never queues a backlog).
//! Reported per phase and request kind: count, rate, p50 / p99 / max, errors; excerpt-save
//! and coding-page p99 also for the requests that started while an import or export ran;
//! server RSS sampled every 5 s.
//!
//! `cargo bench --bench team_load`; `GLOSS_BENCH_SECONDS=30` for a quick look.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;
use tokio::sync::Mutex;

const CODERS: usize = 30;
const SAVE_EVERY: Duration = Duration::from_secs(3);
const PAGE_EVERY_NTH_STEP: u64 = 10;
const IMPORT_EVERY: Duration = Duration::from_secs(60);
const EXPORT_EVERY: Duration = Duration::from_secs(60);
const AGREEMENT_EVERY: Duration = Duration::from_secs(30);
const FILES_PER_IMPORT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ExcerptSave,
    CodingPage,
    DocumentExcerpts,
    Import,
    Export,
    Agreement,
}

struct Sample {
    kind: Kind,
    ms: f64,
    ok: bool,
    /// An import or export was running when this request started.
    during_bulk: bool,
}

struct Coder {
    token: String,
    pages: reqwest::Client,
}

struct Team {
    base: String,
    project: i64,
    coders: Vec<Coder>,
    owner_token: String,
    exporter_token: String,
    lead_token: String,
    agreement_coders: String,
    documents: Vec<(i64, u64)>,
    codes: Vec<i64>,
    /// Transcript texts the importing owner varies into new interviews.
    import_texts: Vec<String>,
    api: reqwest::Client,
    samples: Mutex<Vec<Sample>>,
    bulk_in_flight: AtomicUsize,
    imports_done: AtomicUsize,
}

fn main() {
    let seconds = env_usize("GLOSS_BENCH_SECONDS", 300) as u64;
    let rates: Vec<u32> = std::env::var("GLOSS_BENCH_RATES")
        .unwrap_or_else(|_| "1,10".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(Duration::from_secs(seconds), rates));
}

async fn run(phase: Duration, rates: Vec<u32>) {
    header("Load: 30 coders, 2 owners, 1 lead on the 1,000-interview project");
    let fixture = fresh_db().await;
    let (team_setup, server) = set_up(&fixture).await;
    let team = Arc::new(team_setup);
    println!(
        "{} documents, 50 codes, {} excerpts before the run; phases of {} s; client: one tokio thread on the same machine",
        team.documents.len(),
        excerpt_count(&fixture.path).await,
        phase.as_secs()
    );
    for rate in rates {
        let memory = run_phase(&team, &server, phase, rate).await;
        report(&team, rate, phase, &memory).await;
    }
    println!(
        "excerpts after the run: {}; server peak RSS {:.0} MB",
        excerpt_count(&fixture.path).await,
        server.memory().peak_mb
    );
}

async fn set_up(fixture: &Fixture) -> (Team, Server) {
    let db = &fixture.db;
    let lead = user(db, "lead", false).await;
    let seeding = three_coders(db).await;
    let shape = CodingShape {
        passages_per_document: 58,
        second_code_percent: 10,
        seed: 16,
    };
    let coded = coded_project(db, &lead, "Workforce", &seeding, shape).await;
    let owner = user(db, "owner", false).await;
    add_member(db, coded.id, &owner, "owner").await;
    let exporter = user(db, "exporter", false).await;
    add_member(db, coded.id, &exporter, "owner").await;
    let mut coder_users = Vec::new();
    for i in 0..CODERS {
        let coder = user(db, &format!("coder{i:02}"), false).await;
        add_member(db, coded.id, &coder, "coder").await;
        coder_users.push(coder);
    }
    let mut tokens = Vec::new();
    for coder in &coder_users {
        tokens.push(token(db, coder).await);
    }
    let owner_token = token(db, &owner).await;
    let exporter_token = token(db, &exporter).await;
    let lead_token = token(db, &lead).await;
    let documents = gloss::db::documents::lengths(db, coded.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, _, len)| *len > 1000)
        .map(|(id, _, len)| (id, len as u64))
        .collect::<Vec<_>>();
    let import_texts = sample_texts(db, &documents).await;
    fixture.close().await;
    let server = Server::start(&fixture.path);
    let mut coders = Vec::new();
    for (coder, token) in coder_users.iter().zip(tokens) {
        let pages = signed_in_browser(&server.base, &coder.username).await;
        coders.push(Coder { token, pages });
    }
    let team = Team {
        base: server.base.clone(),
        project: coded.id,
        coders,
        owner_token,
        exporter_token,
        lead_token,
        agreement_coders: "a,b".into(),
        documents,
        codes: coded.codes,
        import_texts,
        api: reqwest::Client::new(),
        samples: Mutex::new(Vec::new()),
        bulk_in_flight: AtomicUsize::new(0),
        imports_done: AtomicUsize::new(0),
    };
    (team, server)
}

/// Ten interviews' texts, as speaker turns, for the importer to vary.
async fn sample_texts(db: &gloss::db::Db, documents: &[(i64, u64)]) -> Vec<String> {
    let mut texts = Vec::new();
    for (id, _) in documents.iter().take(10) {
        let document = gloss::db::documents::by_id(db, *id).await.unwrap().unwrap();
        let turns = gloss::db::documents::turns_of(db, *id).await.unwrap();
        let chars: Vec<char> = document.text.chars().collect();
        let text: Vec<String> = turns
            .iter()
            .map(|t| {
                let said: String = chars[t.start as usize..t.end as usize].iter().collect();
                format!("{}: {}", t.speaker, said.replace('\n', " "))
            })
            .collect();
        texts.push(text.join("\n"));
    }
    texts
}

async fn excerpt_count(path: &std::path::Path) -> i64 {
    let db = gloss::db::open(path).await.unwrap();
    let n = sqlx::query_scalar("SELECT COUNT(*) FROM excerpts")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    n
}

/// Runs every actor at `rate`× for `phase`; answers the RSS samples (MB) taken meanwhile.
async fn run_phase(team: &Arc<Team>, server: &Server, phase: Duration, rate: u32) -> Vec<f64> {
    team.samples.lock().await.clear();
    let deadline = Instant::now() + phase;
    let mut actors = Vec::new();
    for i in 0..team.coders.len() {
        actors.push(tokio::spawn(coder(team.clone(), i, rate, deadline)));
    }
    actors.push(tokio::spawn(importer(team.clone(), rate, deadline)));
    actors.push(tokio::spawn(exporter(team.clone(), rate, deadline)));
    actors.push(tokio::spawn(lead(team.clone(), rate, deadline)));
    let mut memory = Vec::new();
    while Instant::now() < deadline {
        memory.push(server.memory().rss_mb);
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    for actor in actors {
        actor.await.unwrap();
    }
    memory.push(server.memory().rss_mb);
    server.take_latencies_us();
    memory
}

/// Sleeps until the next step of a schedule with period `every`, with jitter so that
/// 30 coders do not fire in lockstep; false once the phase is over.
async fn next_step(next: &mut Instant, every: Duration, rng: &mut Rng, deadline: Instant) -> bool {
    let jittered = every.mul_f64(0.8 + rng.below(400) as f64 / 1000.0);
    *next = (*next + jittered).max(Instant::now());
    if *next >= deadline {
        return false;
    }
    tokio::time::sleep_until((*next).into()).await;
    true
}

async fn coder(team: Arc<Team>, i: usize, rate: u32, deadline: Instant) {
    let mut rng = Rng::new(100 + i as u64);
    let every = SAVE_EVERY / rate;
    let mut next = Instant::now() + every.mul_f64(rng.below(1000) as f64 / 1000.0);
    let mut step = 0u64;
    while next_step(&mut next, every, &mut rng, deadline).await {
        step += 1;
        let (document, len) = team.documents[rng.index(team.documents.len())];
        let start = rng.below(len - 400);
        let end = start + 20 + rng.below(300);
        let code = team.codes[rng.index(team.codes.len())];
        let body = json!({ "start": start, "end": end, "code_ids": [code] });
        let coder = &team.coders[i];
        let save = team
            .api
            .post(format!(
                "{}/api/v1/documents/{document}/excerpts",
                team.base
            ))
            .bearer_auth(&coder.token)
            .json(&body);
        timed(&team, Kind::ExcerptSave, save, 201).await;
        if step.is_multiple_of(PAGE_EVERY_NTH_STEP) {
            let page = coder
                .pages
                .get(format!("{}/documents/{document}", team.base));
            timed(&team, Kind::CodingPage, page, 200).await;
            let excerpts = team
                .api
                .get(format!(
                    "{}/api/v1/documents/{document}/excerpts",
                    team.base
                ))
                .bearer_auth(&coder.token);
            timed(&team, Kind::DocumentExcerpts, excerpts, 200).await;
        }
    }
}

async fn importer(team: Arc<Team>, rate: u32, deadline: Instant) {
    let mut rng = Rng::new(7);
    let every = IMPORT_EVERY / rate;
    let mut next = Instant::now();
    while next_step(&mut next, every, &mut rng, deadline).await {
        let batch = team.imports_done.fetch_add(1, Ordering::Relaxed);
        let mut form = reqwest::multipart::Form::new();
        for k in 0..FILES_PER_IMPORT {
            let text = &team.import_texts[(batch + k) % team.import_texts.len()];
            let varied = format!("User: Load test import {batch}, interview {k}.\n{text}");
            let part = reqwest::multipart::Part::bytes(varied.into_bytes())
                .file_name(format!("load-{batch}-{k}.txt"));
            form = form.part("files", part);
        }
        let import = team
            .api
            .post(format!(
                "{}/api/v1/projects/{}/documents",
                team.base, team.project
            ))
            .bearer_auth(&team.owner_token)
            .multipart(form);
        bulk(&team, Kind::Import, import, 201).await;
    }
}

async fn exporter(team: Arc<Team>, rate: u32, deadline: Instant) {
    let mut rng = Rng::new(8);
    let every = EXPORT_EVERY / rate;
    let mut next = Instant::now() + every / 2;
    while next_step(&mut next, every, &mut rng, deadline).await {
        let export = team
            .api
            .get(format!(
                "{}/api/v1/projects/{}/excerpts.csv",
                team.base, team.project
            ))
            .bearer_auth(&team.exporter_token);
        bulk(&team, Kind::Export, export, 200).await;
    }
}

async fn lead(team: Arc<Team>, rate: u32, deadline: Instant) {
    let mut rng = Rng::new(9);
    let every = AGREEMENT_EVERY / rate;
    let mut next = Instant::now() + every / 3;
    while next_step(&mut next, every, &mut rng, deadline).await {
        let url = format!(
            "{}/api/v1/projects/{}/agreement?coders={}&unit=character",
            team.base, team.project, team.agreement_coders
        );
        let report = team.api.get(url).bearer_auth(&team.lead_token);
        timed(&team, Kind::Agreement, report, 200).await;
    }
}

/// An import or export: counted as "bulk work running" while it runs.
async fn bulk(team: &Team, kind: Kind, request: reqwest::RequestBuilder, expected: u16) {
    team.bulk_in_flight.fetch_add(1, Ordering::SeqCst);
    timed(team, kind, request, expected).await;
    team.bulk_in_flight.fetch_sub(1, Ordering::SeqCst);
}

/// Sends a request, reads the whole answer, and records how long that took.
async fn timed(team: &Team, kind: Kind, request: reqwest::RequestBuilder, expected: u16) {
    let during_bulk = team.bulk_in_flight.load(Ordering::SeqCst) > 0;
    let started = Instant::now();
    let ok = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await;
            if status != expected {
                let text = body.map(|b| String::from_utf8_lossy(&b).into_owned());
                eprintln!("{kind:?}: {status} {}", text.unwrap_or_default());
            }
            status == expected
        }
        Err(err) => {
            eprintln!("{kind:?}: {err}");
            false
        }
    };
    let ms = ms(started.elapsed());
    team.samples.lock().await.push(Sample {
        kind,
        ms,
        ok,
        during_bulk,
    });
}

async fn report(team: &Team, rate: u32, phase: Duration, memory: &[f64]) {
    let samples = team.samples.lock().await;
    let mut by_kind: BTreeMap<Kind, Vec<&Sample>> = BTreeMap::new();
    for sample in samples.iter() {
        by_kind.entry(sample.kind).or_default().push(sample);
    }
    println!("\n{rate}× the rates, {} s:", phase.as_secs());
    println!(
        "{:<18} {:>7} {:>8} {:>9} {:>9} {:>9} {:>7}   {:>16}",
        "request", "count", "per s", "p50", "p99", "max", "errors", "p99 during bulk"
    );
    for (kind, list) in &by_kind {
        let all: Vec<f64> = list.iter().map(|s| s.ms).collect();
        let busy: Vec<f64> = list
            .iter()
            .filter(|s| s.during_bulk)
            .map(|s| s.ms)
            .collect();
        let errors = list.iter().filter(|s| !s.ok).count();
        let s = summary(&all);
        let during = if busy.is_empty() {
            "-".to_owned()
        } else {
            format!("{:.1} ms (n={})", summary(&busy).p99, busy.len())
        };
        println!(
            "{:<18} {:>7} {:>8.2} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>7}   {:>16}",
            format!("{kind:?}"),
            all.len(),
            all.len() as f64 / phase.as_secs_f64(),
            s.median,
            s.p99,
            s.max,
            errors,
            during
        );
    }
    // A goal with no samples behind it is reported as such, not as met or missed.
    let under = |kind: Kind, limit: f64| {
        let all: Vec<f64> = by_kind
            .get(&kind)
            .map_or_else(Vec::new, |l| l.iter().map(|s| s.ms).collect());
        if all.is_empty() {
            "no samples"
        } else {
            verdict(summary(&all).p99 < limit)
        }
    };
    let errors = samples.iter().filter(|s| !s.ok).count();
    let (low, high) = memory
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &m| (lo.min(m), hi.max(m)));
    let series: Vec<String> = memory.iter().map(|m| format!("{m:.0}")).collect();
    println!("server RSS (MB, every 5 s): {}", series.join(" "));
    println!(
        "goals: excerpt-save p99 < 50 ms: {}; coding page p99 < 200 ms: {}; zero errors: {}; RSS < 200 MB (min {low:.0}, max {high:.0}): {}",
        under(Kind::ExcerptSave, 50.0),
        under(Kind::CodingPage, 200.0),
        verdict(errors == 0),
        verdict(high < 200.0)
    );
}
