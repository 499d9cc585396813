use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gloss::telemetry::init();
    let cli = gloss::config::Cli::parse();
    match gloss::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
