//! `gloss export`: the excerpts CSV, the code × document matrix, or the REFI-QDA project
//! (`.qdpx`) or codebook (`.qdc`) written to a file, streamed so memory stays flat.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use futures_util::StreamExt;

use crate::service::Db;
use crate::service::export::{self, ExportFilter};
use crate::service::{projects, refi};

/// Which file `gloss export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rows,
    Matrix,
    Qdpx,
    Qdc,
}

pub async fn run(
    db: &Db,
    project: &str,
    out: &Path,
    filter: ExportFilter,
    kind: Kind,
) -> anyhow::Result<()> {
    let project_id = projects::resolve_for_operator(db, project)
        .await
        .map_err(super::explain)?;
    let access = projects::operator_access(db, project_id)
        .await
        .map_err(super::explain)?;
    // Everything that can be refused (unknown codes, coders, documents) is checked
    // before the output file is touched, so a typo never empties an earlier export.
    let output = match kind {
        Kind::Matrix => Output::Bytes(
            export::matrix_csv(db, &access, &filter)
                .await
                .map_err(super::explain)?
                .into_bytes(),
        ),
        Kind::Rows => Output::Rows(Box::new(
            export::prepare(db, &access, &filter)
                .await
                .map_err(super::explain)?,
        )),
        Kind::Qdpx => Output::Qdpx(Box::new(
            refi::prepare_qdpx(db, &access, &filter)
                .await
                .map_err(super::explain)?,
        )),
        Kind::Qdc => Output::Bytes(
            refi::codebook_qdc(db, &access)
                .await
                .map_err(super::explain)?,
        ),
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
    Bytes(Vec<u8>),
    Rows(Box<export::ExcerptExport>),
    Qdpx(Box<refi::QdpxExport>),
}

impl Output {
    async fn write_to(self, sink: &mut impl Write) -> anyhow::Result<()> {
        match self {
            Output::Bytes(bytes) => sink.write_all(&bytes)?,
            Output::Rows(rows) => {
                let mut stream = Box::pin(rows.into_stream());
                while let Some(chunk) = stream.next().await {
                    sink.write_all(&chunk?)?;
                }
            }
            Output::Qdpx(project) => {
                let mut stream = Box::pin(project.into_stream());
                while let Some(chunk) = stream.next().await {
                    sink.write_all(&chunk?)?;
                }
            }
        }
        sink.flush()?;
        Ok(())
    }
}
