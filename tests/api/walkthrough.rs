//! docs/API.md is executable: its `sh` blocks run in order against a real server, with
//! the real `gloss` binary on the PATH.

use std::path::Path;
use std::process::Command;

use crate::helpers::spawn_app;

fn sh_blocks(markdown: &str) -> String {
    let mut script = String::new();
    let mut inside = false;
    for line in markdown.lines() {
        match (inside, line.trim_end()) {
            (false, "```sh") => inside = true,
            (true, "```") => inside = false,
            (true, code) => {
                script.push_str(code);
                script.push('\n');
            }
            _ => {}
        }
    }
    script
}

#[tokio::test]
async fn the_api_walkthrough_runs_as_written() {
    for tool in ["bash", "curl", "jq"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "{tool} is needed to run docs/API.md (.ci/run installs it)"
        );
    }
    let app = spawn_app().await;
    let db: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let markdown =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/API.md")).unwrap();
    let script = sh_blocks(&markdown);
    assert!(
        script.contains("curl") && script.lines().count() > 40,
        "the walk-through has its commands"
    );

    let work = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_gloss"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = tokio::task::spawn_blocking({
        let base = app.base.clone();
        let dir = work.path().to_owned();
        move || {
            Command::new("bash")
                .arg("-c")
                .arg(format!("set -euo pipefail\n{script}"))
                .current_dir(dir)
                .env("GLOSS", base)
                .env("GLOSS_DB", db)
                .env("PATH", path)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the walk-through failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("\"title\": \"Interview 1\""), "{stdout}");
    assert!(
        stdout.contains("\"text\": \"Mostly for drafts.\""),
        "bob's excerpt text: {stdout}"
    );
    assert!(stdout.contains("\"krippendorff_alpha\""), "{stdout}");
    assert!(
        stdout.contains("\"snippet\": \"I trust it for wording 💛 but not for decisions.\""),
        "the search hit in its sentence: {stdout}"
    );
    assert!(
        stdout.contains("\"removed\": 2"),
        "the auto-code undone: {stdout}"
    );
    assert!(
        stdout.contains("\"count\":1,\"c\":0.5}"),
        "trust and accountability meet once in alice's coding: {stdout}"
    );
    assert!(stdout.contains("\"value\":\"Leeds\""), "{stdout}");

    let csv = std::fs::read_to_string(work.path().join("excerpts.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.records().count(),
        4,
        "four excerpts with one code each"
    );
}
