//! `gloss import`: import files into a project from the command line, like the web upload.

use std::path::PathBuf;

use anyhow::Context;

use crate::domain::import::{CsvColumns, ImportOptions};
use crate::service::Db;
use crate::service::import::{self, ImportSettings, UploadedFile};
use crate::service::projects;

pub struct ImportArgs {
    pub project: String,
    pub files: Vec<PathBuf>,
    pub no_repair: bool,
    pub skip_duplicates: bool,
    pub text_column: Option<String>,
    pub id_column: Option<String>,
}

pub async fn run(db: &Db, args: ImportArgs) -> anyhow::Result<()> {
    let project_id = projects::resolve_for_operator(db, &args.project)
        .await
        .map_err(super::explain)?;
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        files.push(UploadedFile { name, bytes });
    }
    let settings = ImportSettings {
        options: ImportOptions {
            repair_mojibake: !args.no_repair,
            csv: CsvColumns {
                text_column: args.text_column,
                id_column: args.id_column,
            },
        },
        skip_duplicates: args.skip_duplicates,
    };
    let summary = import::import_files_as_operator(db, project_id, files, settings)
        .await
        .map_err(super::explain)?;
    for file in &summary.files {
        println!(
            "{}: {} ({}), {} document(s), {} turn(s), {} repair(s)",
            file.name,
            file.format_label(),
            file.encoding,
            file.documents,
            file.turns,
            file.repairs
        );
        for note in &file.notes {
            println!("  note: {note}");
        }
    }
    for skipped in &summary.skipped {
        println!(
            "skipped {} ({}): {}",
            skipped.title, skipped.file, skipped.reason
        );
    }
    println!(
        "Imported {} document(s) with {} turn(s) into project {project_id}.",
        summary.documents.len(),
        summary.turns()
    );
    Ok(())
}
