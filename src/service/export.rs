//! Exports of the coding: every (excerpt, code) as a CSV row, streamed document by
//! document so memory stays flat however large the project; and a code × document matrix.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::Stream;

use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

use super::access::ProjectAccess;
use super::coders::{self, Selection};
use super::codes::{self, CodeView};
use crate::db::documents::{self as doc_store, Turn};
use crate::db::excerpts::{self as excerpt_store, Excerpt, ExcerptKey};
use crate::db::{self, Db};
use crate::domain::export::{self, Columns, EXCEL_BOM, Row};
use crate::domain::file_names;
use crate::domain::import::SpeakerRole;
use crate::domain::names::CONSENSUS;
use crate::domain::spreadsheet::neutralise;
use crate::domain::text;
use crate::error::{AppError, AppResult};

/// Which excerpts to export; empty lists mean "all".
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub codes: Vec<i64>,
    pub include_subcodes: bool,
    /// User names, or `consensus`.
    pub coders: Vec<String>,
    pub documents: Vec<i64>,
    pub attribute: Option<(String, String)>,
    /// Only excerpts overlapping a turn of a speaker with this role.
    pub role: Option<SpeakerRole>,
    /// Start the file with a byte-order mark so Excel reads it as UTF-8.
    pub excel: bool,
}

impl ExportFilter {
    /// What narrowed this export, for its file name ("coders-ann-cal", "participants").
    pub fn qualifiers(&self) -> Vec<String> {
        let mut parts = Vec::new();
        match self.coders.len() {
            0 => {}
            1..=3 => parts.push(format!("coders {}", self.coders.join(" "))),
            n => parts.push(format!("{n} coders")),
        }
        match self.codes.len() {
            0 => {}
            1 => parts.push("1 code".to_owned()),
            n => parts.push(format!("{n} codes")),
        }
        match self.documents.len() {
            0 => {}
            1 => parts.push(format!("document {}", self.documents[0])),
            n => parts.push(format!("{n} documents")),
        }
        if let Some((name, value)) = &self.attribute {
            parts.push(format!("{name} {value}"));
        }
        match self.role {
            Some(SpeakerRole::Participant) => parts.push("participants".to_owned()),
            Some(SpeakerRole::Interviewer) => parts.push("interviewers".to_owned()),
            None => {}
        }
        parts
    }
}

/// A download's file name: the project, the kind of file, what narrowed it, and today's
/// date (UTC), e.g. `pilot-study_excerpts_participants_2026-12-06.csv`.
pub fn file_name(
    access: &ProjectAccess,
    kind: &str,
    qualifiers: &[String],
    extension: &str,
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    file_names::download_name(
        &access.project.name,
        kind,
        qualifiers,
        &file_names::utc_date(now),
        extension,
    )
}

/// An export ready to stream: what is in scope, resolved and checked up front so that
/// every error is reported before the first byte is sent.
pub struct ExcerptExport {
    db: Db,
    project: String,
    documents: Vec<(i64, String)>,
    attributes: HashMap<i64, BTreeMap<String, String>>,
    columns: Columns,
    codes: HashMap<i64, CodeView>,
    raters: Selection,
    role: Option<SpeakerRole>,
    excel: bool,
    /// Excerpts without any code get a row of their own (with empty code columns) when
    /// no code filter is set: a memo-only excerpt is data too.
    include_uncoded: bool,
}

pub(crate) fn select_codes(
    all: &[CodeView],
    wanted: &[i64],
    include_subcodes: bool,
) -> AppResult<BTreeSet<i64>> {
    let known: BTreeSet<i64> = all.iter().map(|c| c.id).collect();
    if wanted.is_empty() {
        return Ok(known);
    }
    if let Some(unknown) = wanted.iter().find(|id| !known.contains(id)) {
        return Err(AppError::invalid(
            "codes",
            format!("There is no code {unknown} in this project."),
        ));
    }
    if !include_subcodes {
        return Ok(wanted.iter().copied().collect());
    }
    Ok(wanted
        .iter()
        .flat_map(|id| codes::subtree_ids(all, *id))
        .collect())
}

pub(crate) async fn documents_in_scope(
    db: &Db,
    access: &ProjectAccess,
    filter: &ExportFilter,
) -> AppResult<Vec<(i64, String)>> {
    let mut documents: Vec<(i64, String)> = doc_store::lengths(db, access.project_id())
        .await?
        .into_iter()
        .map(|(id, title, _)| (id, title))
        .collect();
    if !filter.documents.is_empty() {
        let known: BTreeSet<i64> = documents.iter().map(|(id, _)| *id).collect();
        if let Some(unknown) = filter.documents.iter().find(|id| !known.contains(id)) {
            return Err(AppError::invalid(
                "documents",
                format!("There is no document {unknown} in this project."),
            ));
        }
        documents.retain(|(id, _)| filter.documents.contains(id));
    }
    if let Some((name, value)) = &filter.attribute {
        let with: BTreeSet<i64> =
            doc_store::ids_with_attribute(db, access.project_id(), name, value)
                .await?
                .into_iter()
                .collect();
        documents.retain(|(id, _)| with.contains(id));
    }
    Ok(documents)
}

pub async fn prepare(
    db: &Db,
    access: &ProjectAccess,
    filter: &ExportFilter,
) -> AppResult<ExcerptExport> {
    let raters = coders::select(db, access, "coders", &filter.coders).await?;
    let all_codes = codes::codebook(db, access).await?;
    let selected = select_codes(&all_codes, &filter.codes, filter.include_subcodes)?;
    let codes = all_codes
        .into_iter()
        .filter(|c| selected.contains(&c.id))
        .map(|c| (c.id, c))
        .collect();
    let documents = documents_in_scope(db, access, filter).await?;
    let (first, last) = (
        documents.first().map_or(0, |d| d.0),
        documents.last().map_or(-1, |d| d.0),
    );
    let mut attributes: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    for attribute in doc_store::attributes_in_range(db, access.project_id(), first, last).await? {
        if !names.contains(&attribute.name) {
            names.push(attribute.name.clone());
        }
        attributes
            .entry(attribute.document_id)
            .or_default()
            .insert(attribute.name, attribute.value);
    }
    let times = doc_store::has_times(db, access.project_id()).await?;
    Ok(ExcerptExport {
        db: db.clone(),
        project: access.project.name.clone(),
        documents,
        attributes,
        columns: Columns {
            attributes: names,
            times,
        },
        codes,
        raters,
        role: filter.role,
        excel: filter.excel,
        include_uncoded: filter.codes.is_empty(),
    })
}

/// Excerpts read and written per chunk: a document with 100,000 excerpts streams in
/// pieces, so memory stays flat whatever the size.
const EXCERPTS_PER_CHUNK: i64 = 2000;

/// Where an export stream is.
#[derive(Default)]
struct Progress {
    header_sent: bool,
    /// The export's own connection, opened on first use.
    conn: Option<PoolConnection<Sqlite>>,
    /// Index into `documents` of the document being written.
    document: usize,
    /// Its text and turns, once read.
    frame: Option<Frame>,
    /// The last excerpt written of it.
    after: ExcerptKey,
}

struct Frame {
    text: String,
    turns: Vec<Turn>,
}

const BEFORE_ALL: ExcerptKey = (i64::MIN, i64::MIN, i64::MIN);

impl ExcerptExport {
    /// The CSV in chunks: the header, then each document's rows, at most
    /// `EXCERPTS_PER_CHUNK` excerpts at a time.
    pub fn into_stream(
        self,
    ) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
        let start = Progress {
            after: BEFORE_ALL,
            ..Progress::default()
        };
        futures_util::stream::unfold((self, start), |(export, mut progress)| async move {
            match export.next_chunk(&mut progress).await {
                Ok(Some(chunk)) => Some((Ok(chunk), (export, progress))),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = ?e, "export failed mid-stream");
                    // Ends the stream after the error: the next poll finds nothing left.
                    progress.document = export.documents.len();
                    let error = std::io::Error::other("the export failed; see the server log");
                    Some((Err(error), (export, progress)))
                }
            }
        })
    }

    /// The next non-empty chunk, or `None` at the end.
    async fn next_chunk(&self, progress: &mut Progress) -> AppResult<Option<Vec<u8>>> {
        if !progress.header_sent {
            progress.header_sent = true;
            return Ok(Some(self.header()));
        }
        while let Some((document_id, title)) = self.documents.get(progress.document) {
            let conn = match &mut progress.conn {
                Some(conn) => conn,
                None => progress.conn.insert(db::scan_connection(&self.db).await?),
            };
            if progress.frame.is_none() {
                let Some((text, turns)) =
                    excerpt_store::document_frame(&mut **conn, *document_id).await?
                else {
                    progress.document += 1; // deleted while the export ran
                    continue;
                };
                progress.frame = Some(Frame { text, turns });
            }
            let batch = excerpt_store::coded_batch(
                &mut **conn,
                *document_id,
                progress.after,
                EXCERPTS_PER_CHUNK,
            )
            .await?;
            let Some((last, _)) = batch.last() else {
                progress.document += 1;
                progress.frame = None;
                progress.after = BEFORE_ALL;
                continue;
            };
            let last_batch = (batch.len() as i64) < EXCERPTS_PER_CHUNK;
            progress.after = (last.start, last.end, last.id);
            let frame = progress.frame.as_ref().expect("read above");
            let rows = self.rows(*document_id, title, frame, batch)?;
            if last_batch {
                // Move on without asking for an empty batch.
                progress.document += 1;
                progress.frame = None;
                progress.after = BEFORE_ALL;
            }
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }

    /// Whether the export includes an excerpt: by one of the chosen coders and, with a
    /// role filter, touching a turn of that role.
    fn keeps(&self, excerpt: &Excerpt, turns: &[Turn]) -> bool {
        self.raters.includes(excerpt)
            && self
                .role
                .is_none_or(|role| overlapping(turns, excerpt).iter().any(|t| t.role == role))
    }

    /// All of a document's excerpts the export includes, with their codes, read in
    /// batches; `None` if the document is gone.
    async fn kept_excerpts(
        &self,
        conn: &mut sqlx::SqliteConnection,
        document_id: i64,
    ) -> AppResult<Option<Vec<(Excerpt, Vec<i64>)>>> {
        let Some((_, turns)) = excerpt_store::document_frame(&mut *conn, document_id).await? else {
            return Ok(None);
        };
        let mut kept = Vec::new();
        let mut after = BEFORE_ALL;
        loop {
            let batch =
                excerpt_store::coded_batch(&mut *conn, document_id, after, EXCERPTS_PER_CHUNK)
                    .await?;
            let Some((last, _)) = batch.last() else {
                break;
            };
            after = (last.start, last.end, last.id);
            let full = batch.len() as i64 == EXCERPTS_PER_CHUNK;
            kept.extend(batch.into_iter().filter(|(e, _)| self.keeps(e, &turns)));
            if !full {
                break;
            }
        }
        Ok(Some(kept))
    }

    fn header(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.excel {
            out.extend_from_slice(EXCEL_BOM.as_bytes());
        }
        let mut writer = csv::Writer::from_writer(out);
        let _ = writer.write_record(self.columns.header());
        writer.into_inner().unwrap_or_default()
    }

    /// The rows of some of a document's excerpts (those of the chosen coders and, with a
    /// role filter, touching a turn of that role): one per excerpt and code.
    fn rows(
        &self,
        document_id: i64,
        title: &str,
        frame: &Frame,
        batch: Vec<(Excerpt, Vec<i64>)>,
    ) -> AppResult<Vec<u8>> {
        let (excerpts, code_ids): (Vec<Excerpt>, Vec<Vec<i64>>) = batch
            .into_iter()
            .filter(|(e, _)| self.keeps(e, &frame.turns))
            .unzip();
        let spans: Vec<(usize, usize)> = excerpts
            .iter()
            .map(|e| (e.start as usize, e.end as usize))
            .collect();
        let texts = text::slices(&frame.text, &spans);
        let no_attributes = BTreeMap::new();
        let attributes = self.attributes.get(&document_id).unwrap_or(&no_attributes);
        let mut writer = csv::Writer::from_writer(Vec::new());
        for ((excerpt, text), code_ids) in excerpts.iter().zip(texts).zip(&code_ids) {
            let overlapping = overlapping(&frame.turns, excerpt);
            let speakers = distinct(overlapping.iter().map(|t| t.speaker.as_str()));
            let roles = distinct(overlapping.iter().map(|t| t.role.as_str()));
            let mut codes: Vec<&CodeView> = code_ids
                .iter()
                .filter_map(|id| self.codes.get(id))
                .collect();
            codes.sort_by(|a, b| a.path.cmp(&b.path));
            let uncoded = self.include_uncoded && code_ids.is_empty();
            let applied: Vec<(&str, &str)> = if uncoded {
                vec![("", "")]
            } else {
                codes
                    .iter()
                    .map(|c| (c.name.as_str(), c.path.as_str()))
                    .collect()
            };
            for (code, code_path) in applied {
                let row = Row {
                    project: &self.project,
                    document_id,
                    document: title,
                    attributes: self
                        .columns
                        .attributes
                        .iter()
                        .map(|name| attributes.get(name).map_or("", String::as_str))
                        .collect(),
                    excerpt_id: excerpt.id,
                    coder: if excerpt.consensus {
                        CONSENSUS
                    } else {
                        &excerpt.coder
                    },
                    code,
                    code_path,
                    start: excerpt.start,
                    end: excerpt.end,
                    speakers: &speakers,
                    speaker_roles: &roles,
                    start_time: overlapping
                        .first()
                        .and_then(|t| t.start_ms)
                        .map(export::clock),
                    end_time: overlapping.last().and_then(|t| t.end_ms).map(export::clock),
                    text,
                    memo: &excerpt.memo,
                    created_at: &excerpt.created_at,
                    updated_at: &excerpt.updated_at,
                };
                writer
                    .write_record(row.cells(&self.columns))
                    .map_err(anyhow::Error::from)?;
            }
        }
        Ok(writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
    }
}

/// The turns an excerpt touches.
pub(crate) fn overlapping<'t>(turns: &'t [Turn], excerpt: &Excerpt) -> Vec<&'t Turn> {
    turns
        .iter()
        .filter(|t| t.start < excerpt.end && excerpt.start < t.end)
        .collect()
}

fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.join("; ")
}

/// Code × document matrix: for each document in scope, per code, the number of excerpts
/// and the characters they cover (overlaps counted once).
pub async fn matrix_csv(
    db: &Db,
    access: &ProjectAccess,
    filter: &ExportFilter,
) -> AppResult<String> {
    let export = prepare(db, access, filter).await?;
    let mut codes: Vec<&CodeView> = export.codes.values().collect();
    codes.sort_by(|a, b| a.path.cmp(&b.path));
    let mut header = vec!["document_id".to_owned(), "document".to_owned()];
    for code in &codes {
        header.push(format!("{} [excerpts]", code.path));
        header.push(format!("{} [characters]", code.path));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    if filter.excel {
        writer = csv::Writer::from_writer(EXCEL_BOM.as_bytes().to_vec());
    }
    writer
        .write_record(header.iter().map(|h| neutralise(h).into_owned()))
        .map_err(anyhow::Error::from)?;
    let mut conn = db::scan_connection(db).await?;
    for (document_id, title) in &export.documents {
        let Some(kept) = export.kept_excerpts(&mut conn, *document_id).await? else {
            continue; // deleted while the export ran
        };
        let mut by_code: HashMap<i64, Vec<(usize, usize)>> = HashMap::new();
        for (excerpt, code_ids) in &kept {
            for code_id in code_ids {
                by_code
                    .entry(*code_id)
                    .or_default()
                    .push((excerpt.start as usize, excerpt.end as usize));
            }
        }
        let mut record = vec![document_id.to_string(), neutralise(title).into_owned()];
        for code in &codes {
            let spans = by_code.get(&code.id).map(Vec::as_slice).unwrap_or_default();
            let covered: usize = spans.iter().map(|&(s, _)| s).min().map_or(0, |from| {
                let to = spans.iter().map(|&(_, e)| e).max().unwrap_or(from);
                text::coverage_runs(from, to, spans)
                    .iter()
                    .filter(|r| r.2)
                    .map(|r| r.1 - r.0)
                    .sum()
            });
            record.push(spans.len().to_string());
            record.push(covered.to_string());
        }
        writer.write_record(&record).map_err(anyhow::Error::from)?;
    }
    Ok(
        String::from_utf8(writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
            .map_err(anyhow::Error::from)?,
    )
}
