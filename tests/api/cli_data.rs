//! The `gloss` binary moving data: imports of transcripts into a project, exports of the
//! excerpts CSV and the matrix, and REFI-QDA files through the command line.

use std::path::Path;

use crate::cli::{field_work, gloss, gloss_ok, stdout};

#[tokio::test]
async fn import_adds_files_to_a_project_by_name_or_id_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _api, project) = field_work(dir.path()).await;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let seed = fixtures.join("work_0759.txt");
    let csv = fixtures.join("anthropic_workforce_excerpt.csv");

    let out = gloss_ok(
        &db,
        &[
            "import",
            "--project",
            "Field work",
            seed.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.contains("Imported 5 document(s)"), "{out}");
    assert!(out.contains("1 repair(s)"), "{out}");

    let fresh = dir.path().join("fresh.txt");
    std::fs::write(&fresh, "User: a new interview\n\nAI: not yet imported").unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,text\nx,\"unterminated\n").unwrap();
    let id = project.to_string();
    let refused = gloss(
        &db,
        &[
            "import",
            "--project",
            &id,
            fresh.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
        "",
    );
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("bad.csv") && message.contains("never closed"),
        "{message}"
    );
    let documents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents")
        .fetch_one(&gloss::db::open(&db).await.unwrap())
        .await
        .unwrap();
    assert_eq!(documents, 5, "a failing run imports nothing");

    let skipped = gloss(
        &db,
        &[
            "import",
            "--project",
            &id,
            "--skip-duplicates",
            seed.to_str().unwrap(),
        ],
        "",
    );
    assert!(skipped.status.success());
    assert!(stdout(&skipped).contains("Imported 0 document(s)"));
    let unknown = gloss(
        &db,
        &[
            "import",
            "--project",
            "No such project",
            seed.to_str().unwrap(),
        ],
        "",
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("Project not found"));
}

#[tokio::test]
async fn export_writes_the_excerpts_csv_and_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let (db, api, project) = field_work(dir.path()).await;
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/work_0759.txt");
    gloss_ok(
        &db,
        &["import", "--project", "Field work", seed.to_str().unwrap()],
        "",
    );
    let code = api
        .create_code(project, serde_json::json!({ "name": "=Trust" }))
        .await;
    let document = api.documents(project, "").await.items[0].id;
    api.create_excerpt(document, 0, 9, &[code.id]).await;

    let out = dir.path().join("excerpts.csv");
    gloss_ok(
        &db,
        &[
            "export",
            "--project",
            "Field work",
            "--out",
            out.to_str().unwrap(),
            "--excel",
        ],
        "",
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let headers = reader.headers().unwrap().clone();
    let cell = |name: &str| rows[0][headers.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("code"), "'=Trust", "neutralised for spreadsheets");
    assert_eq!(cell("text"), "Hi there!");
    assert_eq!(cell("Transcript ID"), "work_0759");
    assert_eq!(cell("speakers"), "Assistant");

    let matrix = gloss_ok(
        &db,
        &["export", "--project", "1", "--out", "-", "--matrix"],
        "",
    );
    assert!(
        matrix.starts_with("document_id,document,'=Trust [excerpts],'=Trust [characters]\n"),
        "{matrix}"
    );
    refused_exports_leave_the_earlier_file(&db, &out, &csv);
}

/// A bad or refused export fails and leaves the file `out` (holding `csv`) as it was, with
/// no partial file beside it.
fn refused_exports_leave_the_earlier_file(db: &Path, out: &Path, csv: &str) {
    let bad = gloss(
        db,
        &["export", "--project", "1", "--out", "-", "--codes", "x"],
        "",
    );
    assert!(!bad.status.success());
    let refused = gloss(
        db,
        &[
            "export",
            "--project",
            "1",
            "--out",
            out.to_str().unwrap(),
            "--codes",
            "999",
        ],
        "",
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("999"));
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        csv,
        "a refused export leaves the earlier file as it was"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "no partial files left behind");
}

/// The database is opened in WAL mode with foreign keys enforced, a busy timeout, and
/// every migration applied.
#[tokio::test]
async fn refi_exports_and_imports_round_trip_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, api, project) = field_work(dir.path()).await;
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/work_0759.txt");
    gloss_ok(
        &db,
        &["import", "--project", "Field work", seed.to_str().unwrap()],
        "",
    );
    let code = api
        .create_code(project, serde_json::json!({ "name": "Trust" }))
        .await;
    let document = api.documents(project, "").await.items[0].id;
    let excerpt = api.create_excerpt(document, 3, 40, &[code.id]).await;
    let qdc = dir.path().join("codebook.qdc");
    let qdpx = dir.path().join("project.qdpx");
    for (format, out) in [("qdc", &qdc), ("qdpx", &qdpx)] {
        let args = [
            "export",
            "--project",
            "Field work",
            "--format",
            format,
            "--out",
        ];
        let mut args = args.to_vec();
        args.push(out.to_str().unwrap());
        gloss_ok(&db, &args, "");
    }
    assert!(
        std::fs::read_to_string(&qdc)
            .unwrap()
            .contains("name=\"Trust\"")
    );
    let refused = gloss(
        &db,
        &[
            "export",
            "--project",
            "Field work",
            "--format",
            "qdpx",
            "--matrix",
            "--out",
            "x",
        ],
        "",
    );
    assert!(!refused.status.success());
    let summary = gloss_ok(
        &db,
        &[
            "import-qdpx",
            "--owner",
            "ada",
            "--match-users",
            qdpx.to_str().unwrap(),
        ],
        "",
    );
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["excerpts"], 1, "{summary}");
    assert_eq!(summary["coders_matched"], serde_json::json!(["ada"]));
    let copy = summary["project_id"].as_i64().unwrap();
    let copied = api.documents(copy, "").await.items[0].id;
    let excerpts = api.excerpts(copied, "").await.items;
    assert_eq!(
        (excerpts[0].start, excerpts[0].end),
        (excerpt.start, excerpt.end)
    );
    assert_eq!(excerpts[0].text, excerpt.text);
}
