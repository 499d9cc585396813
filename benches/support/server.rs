//! `gloss serve` as a child process, process memory and CPU time from `/proc`, and a
//! browser-like client signed in to the server.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{PASSWORD, command_line, gloss_bin, status_kib};

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
