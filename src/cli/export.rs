//! `gloss export`: the excerpts CSV (or the code × document matrix) written to a file,
//! streamed so memory stays flat.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use futures_util::StreamExt;

use crate::db::Db;
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
    let mut sink: Box<dyn Write> = if out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
        ))
    };
    if matrix {
        let csv = export::matrix_csv(db, &access, &filter)
            .await
            .map_err(super::explain)?;
        sink.write_all(csv.as_bytes())?;
    } else {
        let mut stream = Box::pin(
            export::prepare(db, &access, &filter)
                .await
                .map_err(super::explain)?
                .into_stream(),
        );
        while let Some(chunk) = stream.next().await {
            sink.write_all(&chunk?)?;
        }
    }
    sink.flush()?;
    if out.as_os_str() != "-" {
        eprintln!("Wrote {}.", out.display());
    }
    Ok(())
}
