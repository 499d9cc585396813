//! Structured logs: one line per request (see `with_request_log` in `web/mod.rs`) plus application events.
//! `RUST_LOG` overrides the default level, e.g. `RUST_LOG=gloss=debug,tower_http=debug`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
