//! Exports: the codebook as `.qdc`, and the project as a `.qdpx` (a ZIP holding
//! `sources/<guid>.txt` per document and `project.qde`), streamed in chunks so memory
//! stays flat with the project's size.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex};

use futures_util::Stream;
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use zip::ZipWriter;
use zip::write::{SimpleFileOptions, StreamWriter};

use crate::db::documents::Turn;
use crate::db::excerpts::{self as excerpt_store, Excerpt, ExcerptKey};
use crate::db::refi::{self as store, SourceRow};
use crate::db::{self, Db};
use crate::domain::names::CONSENSUS;
use crate::domain::refi::guid;
use crate::domain::refi::transcript::{self, PositionMap, TurnStart};
use crate::domain::refi::write::{self as refi_write, CodeEntry, ProjectWriter};
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::service::access::ProjectAccess;
use crate::service::coders::{self, Coder, Selection};
use crate::service::codes::{self, CodeView};
use crate::service::export::{ExportFilter, documents_in_scope, overlapping, select_codes};

/// The codebook as a `.qdc` file: every code with its nesting, colour and definition.
pub async fn codebook_qdc(db: &Db, access: &ProjectAccess) -> AppResult<Vec<u8>> {
    let codes = codes::codebook(db, access).await?;
    if codes.is_empty() {
        return Err(AppError::conflict(
            "This codebook has no codes yet, and a REFI-QDA codebook needs at least one. Add a code first.",
        ));
    }
    let guids = store::code_guids(db, access.project_id()).await?;
    let entries = code_entries(&codes, &guids);
    Ok(refi_write::write_codebook(Vec::new(), &entries).map_err(anyhow::Error::from)?)
}

fn code_entries<'a>(codes: &'a [CodeView], guids: &'a HashMap<i64, String>) -> Vec<CodeEntry<'a>> {
    codes
        .iter()
        .map(|c| CodeEntry {
            guid: &guids[&c.id],
            name: &c.name,
            color: &c.color,
            description: &c.description,
            depth: c.depth,
        })
        .collect()
}

/// The bytes the ZIP writer has produced and the stream has not yet sent.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Pending {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

type Zip = ZipWriter<StreamWriter<Pending>>;

/// A project export checked and ready to stream: everything that can be refused (an
/// unknown coder, code or document) is refused before the first byte.
pub struct QdpxExport {
    db: Db,
    project_name: String,
    description: String,
    created_at: String,
    modified_at: String,
    sources: Vec<SourceRow>,
    /// Per document, `(attribute name, value)` in source order.
    attributes: HashMap<i64, Vec<(String, String)>>,
    /// Attribute names, each with its variable GUID.
    variables: Vec<(String, String)>,
    codes: Vec<CodeView>,
    code_guids: HashMap<i64, String>,
    /// The codes whose codings are exported.
    selected: BTreeSet<i64>,
    /// `(GUID, name)` of the users in the file, with the consensus set's.
    users: Vec<(String, String)>,
    user_guids: HashMap<i64, String>,
    consensus_guid: String,
    raters: Selection,
    role: Option<crate::domain::import::SpeakerRole>,
    include_uncoded: bool,
}

pub async fn prepare_qdpx(
    db: &Db,
    access: &ProjectAccess,
    filter: &ExportFilter,
) -> AppResult<QdpxExport> {
    let raters = coders::select(db, access, "coders", &filter.coders).await?;
    let codes = codes::codebook(db, access).await?;
    let selected = select_codes(&codes, &filter.codes, filter.include_subcodes)?;
    let in_scope: BTreeSet<i64> = documents_in_scope(db, access, filter)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let project_id = access.project_id();
    let sources: Vec<SourceRow> = store::sources(db, project_id)
        .await?
        .into_iter()
        .filter(|s| in_scope.contains(&s.id))
        .collect();
    let consensus_guid = store::consensus_guid(db, project_id).await?;
    let mut attributes: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    let mut variables: Vec<(String, String)> = Vec::new();
    if let (Some(first), Some(last)) = (sources.first(), sources.last()) {
        let rows = crate::db::documents::attributes_in_range(db, project_id, first.id, last.id);
        for attribute in rows.await? {
            if !in_scope.contains(&attribute.document_id) {
                continue;
            }
            if !variables.iter().any(|(name, _)| *name == attribute.name) {
                let variable_guid = guid::derived("variable", &[&consensus_guid, &attribute.name]);
                variables.push((attribute.name.clone(), variable_guid));
            }
            let values = attributes.entry(attribute.document_id).or_default();
            values.push((attribute.name, attribute.value));
        }
    }
    let everyone = store::users(db, project_id).await?;
    let user_guids: HashMap<i64, String> =
        everyone.iter().map(|(id, _, g)| (*id, g.clone())).collect();
    let mut users: Vec<(String, String)> = everyone
        .into_iter()
        .filter(|(id, _, _)| covers(&raters, Coder::User(*id)))
        .map(|(_, name, g)| (g, name))
        .collect();
    if access.sees_all_coders() && covers(&raters, Coder::Consensus) {
        users.push((consensus_guid.clone(), CONSENSUS.to_owned()));
    }
    Ok(QdpxExport {
        db: db.clone(),
        project_name: access.project.name.clone(),
        description: access.project.description.clone(),
        created_at: access.project.created_at.clone(),
        modified_at: access.project.updated_at.clone(),
        sources,
        attributes,
        variables,
        code_guids: store::code_guids(db, project_id).await?,
        codes,
        selected,
        users,
        user_guids,
        consensus_guid,
        raters,
        role: filter.role,
        include_uncoded: filter.codes.is_empty(),
    })
}

fn covers(selection: &Selection, coder: Coder) -> bool {
    match selection {
        Selection::Everyone => true,
        Selection::Only(coders) => coders.contains(&coder),
    }
}

/// Excerpts read per database round trip.
const EXCERPTS_PER_CHUNK: i64 = 2000;
const BEFORE_ALL: ExcerptKey = (i64::MIN, i64::MIN, i64::MIN);

/// Where the stream is: the texts first (one ZIP entry per document), then the project
/// file, source by source.
enum Phase {
    Texts(usize),
    Head,
    Sources(usize, ExcerptKey),
    Finish,
    Done,
}

struct Progress {
    phase: Phase,
    conn: Option<PoolConnection<Sqlite>>,
    zip: Option<Zip>,
    project: Option<ProjectWriter<Zip>>,
    pending: Pending,
    /// The current document's text and turns while its selections are written.
    frame: Option<(String, Vec<Turn>)>,
}

fn options() -> SimpleFileOptions {
    // Fast deflate: a project file is mostly repetitive XML, which compresses well even
    // at level 1, and export time matters more than a few percent of size.
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
}

fn io(error: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(error.into())
}

impl QdpxExport {
    /// The `.qdpx` in chunks of at most a few hundred kilobytes.
    pub fn into_stream(
        self,
    ) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
        let pending = Pending::default();
        let start = Progress {
            phase: Phase::Texts(0),
            conn: None,
            zip: Some(ZipWriter::new_stream(pending.clone())),
            project: None,
            pending,
            frame: None,
        };
        futures_util::stream::unfold((self, start), |(export, mut progress)| async move {
            loop {
                match export.step(&mut progress).await {
                    Ok(true) => {
                        let chunk = progress.pending.take();
                        if !chunk.is_empty() {
                            return Some((Ok(chunk), (export, progress)));
                        }
                    }
                    Ok(false) => {
                        let chunk = progress.pending.take();
                        return (!chunk.is_empty()).then_some((Ok(chunk), (export, progress)));
                    }
                    Err(e) => {
                        tracing::error!(error = ?e, "qdpx export failed mid-stream");
                        progress.phase = Phase::Done;
                        let error = std::io::Error::other("the export failed; see the server log");
                        return Some((Err(error), (export, progress)));
                    }
                }
            }
        })
    }

    /// Does one piece of work; `false` when everything has been written.
    async fn step(&self, progress: &mut Progress) -> AppResult<bool> {
        if progress.conn.is_none() {
            progress.conn = Some(db::scan_connection(&self.db).await?);
        }
        let conn = progress.conn.as_mut().expect("opened above");
        match progress.phase {
            Phase::Texts(index) => {
                let Some(source) = self.sources.get(index) else {
                    progress.phase = Phase::Head;
                    return Ok(true);
                };
                progress.phase = Phase::Texts(index + 1);
                let Some((text, turns)) =
                    excerpt_store::document_frame(&mut **conn, source.id).await?
                else {
                    return Ok(true); // deleted while the export ran: its entry is skipped
                };
                let zip = progress.zip.as_mut().expect("texts come first");
                zip.start_file(format!("sources/{}.txt", source.guid), options())
                    .map_err(io)?;
                transcript::write_text(zip, &text, &turn_starts(&turns)).map_err(io)?;
            }
            Phase::Head => {
                let mut zip = progress.zip.take().expect("the ZIP is open");
                zip.start_file("project.qde", options()).map_err(io)?;
                progress.project = Some(self.head(zip)?);
                progress.phase = Phase::Sources(0, BEFORE_ALL);
            }
            Phase::Sources(index, after) => {
                let Some(source) = self.sources.get(index) else {
                    progress.phase = Phase::Finish;
                    return Ok(true);
                };
                let project = progress.project.as_mut().expect("the head is written");
                if after == BEFORE_ALL {
                    let Some(frame) = excerpt_store::document_frame(&mut **conn, source.id).await?
                    else {
                        progress.phase = Phase::Sources(index + 1, BEFORE_ALL);
                        return Ok(true);
                    };
                    progress.frame = Some(frame);
                    let path = format!("internal://{}.txt", source.guid);
                    project
                        .source(&refi_write::SourceEntry {
                            guid: &source.guid,
                            name: &source.title,
                            plain_text_path: &path,
                            created_at: &source.created_at,
                            modified_at: &source.updated_at,
                        })
                        .map_err(io)?;
                }
                let batch =
                    excerpt_store::coded_batch(&mut **conn, source.id, after, EXCERPTS_PER_CHUNK)
                        .await?;
                let guids =
                    store::excerpt_guids(&mut **conn, source.id, after, EXCERPTS_PER_CHUNK).await?;
                let frame = progress.frame.as_ref().expect("read above");
                let full = batch.len() as i64 == EXCERPTS_PER_CHUNK;
                let next = batch.last().map(|(e, _)| (e.start, e.end, e.id));
                self.selections(project, frame, &batch, &guids)?;
                match next {
                    Some(key) if full => progress.phase = Phase::Sources(index, key),
                    _ => {
                        let values = self.values_of(source.id);
                        project.end_source(&values).map_err(io)?;
                        progress.frame = None;
                        progress.phase = Phase::Sources(index + 1, BEFORE_ALL);
                    }
                }
            }
            Phase::Finish => {
                let project = progress.project.take().expect("the head is written");
                let zip = project.finish(&self.description).map_err(io)?;
                zip.finish().map_err(io)?;
                progress.phase = Phase::Done;
            }
            Phase::Done => return Ok(false),
        }
        Ok(true)
    }

    fn values_of(&self, document_id: i64) -> Vec<(&str, &str)> {
        let Some(values) = self.attributes.get(&document_id) else {
            return Vec::new();
        };
        values
            .iter()
            .filter_map(|(name, value)| {
                let variable = self.variables.iter().find(|(n, _)| n == name)?;
                Some((variable.1.as_str(), value.as_str()))
            })
            .collect()
    }

    fn head(&self, zip: Zip) -> AppResult<ProjectWriter<Zip>> {
        let users: Vec<refi_write::UserEntry<'_>> = self
            .users
            .iter()
            .map(|(guid, name)| refi_write::UserEntry { guid, name })
            .collect();
        let codes = code_entries(&self.codes, &self.code_guids);
        let variables: Vec<refi_write::VariableEntry<'_>> = self
            .variables
            .iter()
            .map(|(name, guid)| refi_write::VariableEntry { guid, name })
            .collect();
        let cases: Vec<refi_write::CaseEntry<'_>> = self
            .sources
            .iter()
            .map(|s| refi_write::CaseEntry {
                guid: guid::derived("case", &[&s.guid]),
                name: &s.title,
                source_guid: &s.guid,
                values: self.values_of(s.id),
            })
            .collect();
        let head = refi_write::ProjectHead {
            name: &self.project_name,
            created_at: &self.created_at,
            modified_at: &self.modified_at,
            users: &users,
            codes: &codes,
            variables: &variables,
            cases: &cases,
        };
        ProjectWriter::begin(zip, &head).map_err(io)
    }

    /// Whether the export includes an excerpt (the rule of the CSV export).
    fn keeps(&self, excerpt: &Excerpt, codes: &[i64], turns: &[Turn]) -> bool {
        let coded = codes.iter().any(|c| self.selected.contains(c))
            || (self.include_uncoded && codes.is_empty());
        coded
            && self.raters.includes(excerpt)
            && self
                .role
                .is_none_or(|role| overlapping(turns, excerpt).iter().any(|t| t.role == role))
    }

    fn selections(
        &self,
        project: &mut ProjectWriter<Zip>,
        (text, turns): &(String, Vec<Turn>),
        batch: &[(Excerpt, Vec<i64>)],
        guids: &HashMap<i64, String>,
    ) -> AppResult<()> {
        let map = PositionMap::new(&turn_starts(turns));
        let kept: Vec<&(Excerpt, Vec<i64>)> = batch
            .iter()
            .filter(|(e, codes)| self.keeps(e, codes, turns))
            .collect();
        let spans: Vec<(usize, usize)> = kept
            .iter()
            .map(|(e, _)| (e.start as usize, e.end as usize))
            .collect();
        let texts = text::slices(text, &spans);
        for ((excerpt, code_ids), passage) in kept.into_iter().zip(texts) {
            let Some(excerpt_guid) = guids.get(&excerpt.id) else {
                continue; // created after this batch was read
            };
            let user = if excerpt.consensus {
                &self.consensus_guid
            } else {
                let Some(user) = self.user_guids.get(&excerpt.coder_id) else {
                    continue; // a coder who joined after the export started
                };
                user
            };
            let codings: Vec<refi_write::CodingEntry<'_>> = code_ids
                .iter()
                .filter(|id| self.selected.contains(id))
                .filter_map(|id| self.code_guids.get(id))
                .map(|code_guid| refi_write::CodingEntry {
                    guid: guid::derived("coding", &[excerpt_guid, code_guid]),
                    code_guid,
                    creating_user: user,
                    created_at: &excerpt.created_at,
                })
                .collect();
            let (start, end) = map.span(excerpt.start as usize, excerpt.end as usize);
            let name = refi_write::quote(&exported_passage(passage, turns, excerpt));
            project
                .selection(&refi_write::SelectionEntry {
                    guid: excerpt_guid,
                    name: &name,
                    start,
                    end,
                    creating_user: user,
                    created_at: &excerpt.created_at,
                    modified_at: &excerpt.updated_at,
                    memo: &excerpt.memo,
                    codings: &codings,
                })
                .map_err(io)?;
        }
        Ok(())
    }
}

/// An excerpt's text as the exported file has it: with the labels of the turns it runs
/// into (so a peer's quote check, and Gloss's own, line up).
fn exported_passage(passage: &str, turns: &[Turn], excerpt: &Excerpt) -> String {
    let inside: Vec<TurnStart<'_>> = turns
        .iter()
        .filter(|t| excerpt.start < t.start && t.start < excerpt.end)
        .map(|t| TurnStart {
            start: (t.start - excerpt.start) as usize,
            speaker: &t.speaker,
        })
        .collect();
    let mut out = Vec::with_capacity(passage.len() + 16);
    transcript::write_text(&mut out, passage, &inside).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

fn turn_starts(turns: &[Turn]) -> Vec<TurnStart<'_>> {
    turns
        .iter()
        .map(|t| TurnStart {
            start: t.start as usize,
            speaker: &t.speaker,
        })
        .collect()
}
