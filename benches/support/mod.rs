//! Shared pieces of the end-to-end benchmarks: fresh databases with fixtures built through
//! the library (services, or the `db` layer in one transaction for bulk coding), the release
//! server as a child process (so its memory can be read from `/proc`), statistics and the
//! machine description printed at the top of every run.

#![allow(dead_code)] // each bench binary uses a different subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gloss::db::{self, Db};
use gloss::service::{self, User};
use sqlx::{QueryBuilder, Sqlite};
use tempfile::TempDir;

/// The `gloss` binary to run: the release binary cargo built alongside this benchmark, or
/// `GLOSS_BENCH_BIN` (to compare another build with the same harness).
pub fn gloss_bin() -> PathBuf {
    std::env::var_os("GLOSS_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_gloss")))
}
pub const PASSWORD: &str = "correct horse battery";

/// The workforce corpus (1,000 interviews, 9.2 MB); `GLOSS_BENCH_CORPUS` overrides it.
pub fn corpus() -> PathBuf {
    std::env::var_os("GLOSS_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from("/work/shared/corpus/anthropic_interviewer/workforce_transcripts.csv")
        })
}

/// A number from the environment, e.g. `GLOSS_BENCH_RUNS=10`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------
// Machine and reporting

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// One line describing the machine: cores, CPU model, RAM, compiler, date.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_owned();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_gib = status_kib(&meminfo, "MemTotal:").unwrap_or(0) as f64 / 1024.0 / 1024.0;
    format!(
        "{} cores ({model}), {ram_gib:.1} GiB RAM, {}, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        command_line("rustc", &["--version"]),
        command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    )
}

/// The 1-minute load average: other work on the machine skews every figure.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_owned()
}

pub fn header(title: &str) {
    println!("\n== {title} ==");
    println!("machine: {}", machine());
    println!("load average at start: {}", load_average());
}

pub fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "NOT MET" }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// min / median / p90 / p99 / max of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub median: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

pub fn summary(values: &[f64]) -> Summary {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |p: f64| {
        if v.is_empty() {
            f64::NAN
        } else {
            // nearest rank
            let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
            v[rank - 1]
        }
    };
    Summary {
        n: v.len(),
        min: v.first().copied().unwrap_or(f64::NAN),
        median: if v.is_empty() {
            f64::NAN
        } else if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        },
        p90: at(0.90),
        p99: at(0.99),
        max: v.last().copied().unwrap_or(f64::NAN),
    }
}

// ---------------------------------------------------------------------------------------
// Process memory and CPU time from /proc

fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resident memory of a process, in MB (10^6 bytes): now (`VmRSS`) and the peak so far
/// (`VmHWM`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss_mb: f64,
    pub peak_mb: f64,
}

pub fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(Memory {
        rss_mb: status_kib(&status, "VmRSS:")? as f64 * 1024.0 / 1e6,
        peak_mb: status_kib(&status, "VmHWM:")? as f64 * 1024.0 / 1e6,
    })
}

/// User + system CPU time a process has used so far.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let total = ticks(11) + ticks(12); // index 0 here is field 3 (state)
    let hz: u64 = command_line("getconf", &["CLK_TCK"]).parse().unwrap_or(100);
    Duration::from_secs_f64(total as f64 / hz as f64)
}

/// Polls a child process's peak RSS until it exits (VmHWM only grows, so the last reading
/// before exit is the peak to within the polling interval).
pub fn run_sampling_peak(mut command: Command) -> (std::process::Output, Duration, f64) {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let peak = Arc::new(Mutex::new(0.0f64));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(m) = memory(pid) {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(m.peak_mb);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let output = child.wait_with_output().expect("wait");
    let elapsed = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    sampler.join().unwrap();
    let peak = *peak.lock().unwrap();
    (output, elapsed, peak)
}

// ---------------------------------------------------------------------------------------
// The server as a child process

/// `gloss serve` on a free loopback port, with the default log level. Standard error is
/// drained in a thread (a full pipe would stall the server), and the per-request latency
/// the request log reports is collected: that is the server's own time for a request.
pub struct Server {
    child: Child,
    pub base: String,
    latencies_us: Arc<Mutex<Vec<f64>>>,
}

impl Server {
    pub fn start(db_path: &Path) -> Server {
        let mut child = Command::new(gloss_bin())
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(db_path)
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gloss serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let base = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("gloss serve exited before listening");
            }
            if let Some(rest) = line.split("running at ").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .trim_end_matches('/')
                    .to_owned();
            }
        };
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let latencies_us = Arc::new(Mutex::new(Vec::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let sink = latencies_us.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                if let Some(rest) = line.split("latency=").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(us) = digits.parse::<f64>() {
                        sink.lock().unwrap().push(us);
                    }
                } else if line.contains("ERROR") || line.contains("WARN") {
                    eprintln!("server: {line}");
                }
            }
        });
        Server {
            child,
            base,
            latencies_us,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn memory(&self) -> Memory {
        memory(self.pid()).expect("server is running")
    }

    pub fn cpu_time(&self) -> Duration {
        cpu_time(self.pid())
    }

    /// Server-side latencies (µs) logged since the last call; waits briefly for the log.
    pub fn take_latencies_us(&self) -> Vec<f64> {
        std::thread::sleep(Duration::from_millis(200));
        std::mem::take(&mut *self.latencies_us.lock().unwrap())
    }
}

impl Drop for Server {
    /// SIGTERM first, so the server (or a profiler wrapping it) shuts down cleanly.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures

/// A fresh database file in a temporary directory.
pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub db: Db,
}

pub async fn fresh_db() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gloss.db");
    let db = db::open(&path).await.expect("database opens");
    Fixture { dir, path, db }
}

impl Fixture {
    /// Closes the pool so the server (or the CLI) has the file to itself. With
    /// `GLOSS_BENCH_KEEP_DB=PATH` the fixture is also copied there, for investigation.
    pub async fn close(&self) {
        self.db.close().await;
        if let Some(keep) = std::env::var_os("GLOSS_BENCH_KEEP_DB") {
            std::fs::copy(&self.path, &keep).expect("copy the fixture database");
            println!("fixture database copied to {}", Path::new(&keep).display());
        }
    }
}

pub async fn user(db: &Db, name: &str, admin: bool) -> User {
    service::accounts::create_user(db, name, PASSWORD, admin)
        .await
        .expect("user created")
}

pub async fn token(db: &Db, user: &User) -> String {
    service::tokens::create(db, user, "bench", Default::default())
        .await
        .expect("token")
        .secret
}

pub async fn project(db: &Db, owner: &User, name: &str) -> i64 {
    service::projects::create(db, owner, name, "")
        .await
        .expect("project created")
        .project_id()
}

pub async fn add_member(db: &Db, project_id: i64, user: &User, role: &str) {
    let role = gloss::domain::Role::parse(role).expect("a role");
    db::members::upsert(db, project_id, user.id, role)
        .await
        .expect("member added");
}

/// Imports the corpus through the same service the CLI uses; returns the document count.
pub async fn import_corpus(db: &Db, project_id: i64) -> usize {
    let path = corpus();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let files = vec![service::import::UploadedFile {
        name: "workforce_transcripts.csv".into(),
        bytes,
    }];
    let summary = service::import::import_files_as_operator(
        db,
        project_id,
        files,
        service::import::ImportSettings::default(),
    )
    .await
    .expect("corpus imported");
    summary.documents.len()
}

/// A codebook of `count` codes: every fifth a top-level theme, the rest its sub-codes.
pub async fn add_codes(db: &Db, project_id: i64, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    let mut parent = None;
    for i in 0..count {
        let top = i % 5 == 0;
        let name = format!("{} {i}", if top { "Theme" } else { "Code" });
        let color = format!("#{:02x}{:02x}{:02x}", (i * 37) % 256, (i * 91) % 256, 128);
        let new = db::codes::NewCode {
            project_id,
            parent_id: if top { None } else { parent },
            name: &name,
            color: &color,
            description: "",
        };
        let id = db::codes::insert(db, &new).await.expect("code inserted");
        if top {
            parent = Some(id);
        }
        ids.push(id);
    }
    ids
}

/// A small deterministic generator (splitmix64): no dependency, same fixture every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Coders `a`, `b` and `c`.
pub async fn three_coders(db: &Db) -> [User; 3] {
    [
        user(db, "a", false).await,
        user(db, "b", false).await,
        user(db, "c", false).await,
    ]
}

/// A project of `lead`'s holding the workforce corpus, coded by `coders` (members) with a
/// 50-code codebook in the given shape.
pub struct CodedProject {
    pub id: i64,
    pub documents: usize,
    pub codes: Vec<i64>,
    pub seeded: Seeded,
}

pub async fn coded_project(
    db: &Db,
    lead: &User,
    name: &str,
    coders: &[User],
    shape: CodingShape,
) -> CodedProject {
    let id = project(db, lead, name).await;
    let documents = import_corpus(db, id).await;
    for coder in coders {
        add_member(db, id, coder, "coder").await;
    }
    let codes = add_codes(db, id, 50).await;
    let coder_ids: Vec<i64> = coders.iter().map(|c| c.id).collect();
    let seeded = seed_coding(db, id, &coder_ids, &codes, shape).await;
    CodedProject {
        id,
        documents,
        codes,
        seeded,
    }
}

/// How the synthetic coding looks.
#[derive(Debug, Clone, Copy)]
pub struct CodingShape {
    /// Coded passages per document; each coder codes each passage with 85 % probability,
    /// with its own boundaries (±20 code points) and, 10 % of the time, a different code.
    pub passages_per_document: usize,
    /// Percentage of excerpts that carry a second code.
    pub second_code_percent: u64,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Seeded {
    pub excerpts: usize,
    /// `(excerpt, code)` pairs: rows of the excerpt export, codings of the agreement.
    pub applications: usize,
    pub documents: usize,
}

struct Row {
    id: i64,
    document_id: i64,
    coder_id: i64,
    start: i64,
    end: i64,
}

/// Codes every document of the project for each coder, written directly through SQL in
/// one transaction (multi-row inserts): realistic, overlapping, partially agreeing spans.
pub async fn seed_coding(
    db: &Db,
    project_id: i64,
    coders: &[i64],
    codes: &[i64],
    shape: CodingShape,
) -> Seeded {
    let documents = db::documents::lengths(db, project_id)
        .await
        .expect("documents");
    let mut rng = Rng::new(shape.seed);
    let mut tx = db::begin_write(db).await.expect("transaction");
    let mut next_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM excerpts")
        .fetch_one(&mut *tx)
        .await
        .expect("next id");
    let mut rows: Vec<Row> = Vec::new();
    let mut applications: Vec<(i64, i64)> = Vec::new();
    let mut seeded = Seeded::default();
    for (document_id, _, len) in &documents {
        let len = *len as u64;
        if len < 700 {
            continue;
        }
        seeded.documents += 1;
        let mut push = |rng: &mut Rng, coder_id: i64, code: i64, start: u64, end: u64| {
            let id = next_id;
            next_id += 1;
            rows.push(Row {
                id,
                document_id: *document_id,
                coder_id,
                start: start as i64,
                end: end as i64,
            });
            applications.push((id, code));
            if rng.chance(shape.second_code_percent) {
                let other = codes[rng.index(codes.len())];
                if other != code {
                    applications.push((id, other));
                }
            }
        };
        for _ in 0..shape.passages_per_document {
            let code = codes[rng.index(codes.len())];
            let start = rng.below(len - 600);
            let end = start + 30 + rng.below(470);
            for &coder in coders {
                if rng.chance(85) {
                    let s = (start + rng.below(41)).saturating_sub(20);
                    let e = (end + rng.below(41)).saturating_sub(20).min(len);
                    let code = if rng.chance(10) {
                        codes[rng.index(codes.len())]
                    } else {
                        code
                    };
                    push(&mut rng, coder, code, s, e.max(s + 1));
                }
            }
        }
        // Stray codings only one coder made.
        for &coder in coders {
            if rng.chance(30) {
                let start = rng.below(len - 200);
                let code = codes[rng.index(codes.len())];
                push(&mut rng, coder, code, start, start + 100);
            }
        }
    }
    for chunk in rows.chunks(1000) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO excerpts (id, project_id, document_id, coder_id, start, end, memo) ",
        );
        insert.push_values(chunk, |mut row, r| {
            row.push_bind(r.id)
                .push_bind(project_id)
                .push_bind(r.document_id)
                .push_bind(r.coder_id)
                .push_bind(r.start)
                .push_bind(r.end)
                .push_bind("");
        });
        insert.build().execute(&mut *tx).await.expect("excerpts");
    }
    for chunk in applications.chunks(5000) {
        let mut insert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT OR IGNORE INTO excerpt_codes (excerpt_id, code_id) ");
        insert.push_values(chunk, |mut row, (excerpt, code)| {
            row.push_bind(*excerpt).push_bind(*code);
        });
        insert
            .build()
            .execute(&mut *tx)
            .await
            .expect("excerpt codes");
    }
    tx.commit().await.expect("commit");
    seeded.excerpts = rows.len();
    seeded.applications = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM excerpt_codes ec JOIN excerpts e ON e.id = ec.excerpt_id
         WHERE e.project_id = ?",
    )
    .bind(project_id)
    .fetch_one(db)
    .await
    .expect("count") as usize;
    seeded
}

/// The project's longest document: `(id, length in code points)`.
pub async fn longest_document(db: &Db, project_id: i64) -> (i64, i64) {
    db::documents::lengths(db, project_id)
        .await
        .expect("documents")
        .into_iter()
        .map(|(id, _, len)| (id, len))
        .max_by_key(|&(_, len)| len)
        .expect("a document")
}

// ---------------------------------------------------------------------------------------
// HTTP clients

/// A browser-like client signed in with a session cookie (as tests/api/helpers.rs does).
pub async fn signed_in_browser(base: &str, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf-token\" content=\"";
    let start = login.find(marker).expect("CSRF meta tag") + marker.len();
    let csrf = login[start..].split('"').next().unwrap().to_owned();
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER, "sign-in");
    client
}
