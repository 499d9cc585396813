//! Shared pieces of the end-to-end benchmarks: fresh databases with fixtures built through
//! the library (services, or the `db` layer in one transaction for bulk coding), the release
//! server as a child process (so its memory can be read from `/proc`), statistics and the
//! machine description printed at the top of every run.
//!
//! - [`server`]: `gloss serve` as a child process, memory and CPU time from `/proc`, and a
//!   signed-in HTTP client;
//! - [`fixtures`]: databases, users, projects, the corpus import and seeded coding;
//! - here: environment knobs, the machine description and the statistics of a run.

#![allow(dead_code)] // each bench binary uses a different subset

mod fixtures;
mod server;

pub use fixtures::*;
pub use server::*;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

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

fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
