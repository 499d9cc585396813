//! `gloss export`: the excerpts CSV (or the code × document matrix) written to a file,
//! streamed so memory stays flat.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use futures_util::StreamExt;

use crate::service::Db;
use crate::service::export::{self, ExportFilter};
use crate::service::projects;

pub async fn run(
    db: &Db,
    project: &str,
    out: &Path,
    filter: ExportFilter,
    matrix: bool,
) -> anyhow::Result<()> {
    let project_id = projects::resolve_for_operator(db, project)
        .await
        .map_err(super::explain)?;
    let access = projects::operator_access(db, project_id)
        .await
        .map_err(super::explain)?;
    // Everything that can be refused (unknown codes, coders, documents) is checked
    // before the output file is touched, so a typo never empties an earlier export.
    let output = if matrix {
        Output::Matrix(
            export::matrix_csv(db, &access, &filter)
                .await
                .map_err(super::explain)?,
        )
    } else {
        Output::Rows(Box::new(
            export::prepare(db, &access, &filter)
                .await
                .map_err(super::explain)?,
        ))
    };
    if out.as_os_str() == "-" {
        return output.write_to(&mut std::io::stdout().lock()).await;
    }
    // Written beside the target and renamed at the end: an export that fails halfway
    // leaves the previous file as it was.
    let partial = out.with_file_name(format!(
        ".{}.partial",
        out.file_name()
            .map_or("export".into(), |n| n.to_string_lossy())
    ));
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let written = output.write_to(&mut std::io::BufWriter::new(file)).await;
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, out).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("Wrote {}.", out.display());
    Ok(())
}

enum Output {
    Matrix(String),
    Rows(Box<export::ExcerptExport>),
}

impl Output {
    async fn write_to(self, sink: &mut impl Write) -> anyhow::Result<()> {
        match self {
            Output::Matrix(csv) => sink.write_all(csv.as_bytes())?,
            Output::Rows(rows) => {
                let mut stream = Box::pin(rows.into_stream());
                while let Some(chunk) = stream.next().await {
                    sink.write_all(&chunk?)?;
                }
            }
        }
        sink.flush()?;
        Ok(())
    }
}
