use std::time::Duration;

use clap::Parser;

fn main() -> std::process::ExitCode {
    gloss::telemetry::init();
    let cli = gloss::config::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: starting the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(gloss::cli::run(cli));
    // Work that is still running (a password hash, a statement of a request cut off at
    // shutdown) must not keep the process alive: the database is already closed or
    // given up on, and SQLite rolls back what was not committed.
    runtime.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
