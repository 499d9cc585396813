//! Excerpts: a coder's span of a document with codes and a memo. Each excerpt belongs to
//! the coder who made it; in blind projects coders see only their own.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

mod group_commit;

use group_commit::{Job, NewRow, Outcome};

use super::User;
use super::access::{InDocument, ProjectAccess, Scoped};
use super::events::{self, Change, Origin};
use crate::db::documents::Document;
use crate::db::excerpts::{self as store, Excerpt};
use crate::db::{self, Db};
use crate::domain::names::free_text;
use crate::domain::text::{self, Span};
use crate::domain::{Invalid, Role};
use crate::error::{AppError, AppResult, is_foreign_key_violation};

/// Whose excerpts a read covers (narrowed by [`ProjectAccess::visible`]).
pub use crate::db::excerpts::CoderFilter;

/// An excerpt with its codes and exact text.
#[derive(Debug, Clone)]
pub struct ExcerptView {
    pub excerpt: Excerpt,
    pub code_ids: Vec<i64>,
    pub text: String,
}

/// The excerpts of a document that the member may see, in document order.
pub async fn for_document(
    db: &Db,
    access: &ProjectAccess,
    document: &Document,
    filter: CoderFilter,
) -> AppResult<Vec<ExcerptView>> {
    let filter = access.visible(filter);
    let excerpts = store::for_document(db, document.summary.id, filter).await?;
    let mut codes: HashMap<i64, Vec<i64>> = HashMap::new();
    for (excerpt_id, code_id) in store::codes_for_document(db, document.summary.id).await? {
        codes.entry(excerpt_id).or_default().push(code_id);
    }
    let spans: Vec<(usize, usize)> = excerpts
        .iter()
        .map(|e| (e.start as usize, e.end as usize))
        .collect();
    let texts = text::slices(&document.text, &spans);
    Ok(excerpts
        .into_iter()
        .zip(texts)
        .map(|(excerpt, text)| ExcerptView {
            code_ids: codes.remove(&excerpt.id).unwrap_or_default(),
            text: text.to_owned(),
            excerpt,
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExcerptInput {
    pub start: i64,
    pub end: i64,
    #[serde(default)]
    pub code_ids: Vec<i64>,
    #[serde(default)]
    pub memo: String,
    /// Adjudicated into the project's consensus set (owners only).
    #[serde(default)]
    pub consensus: bool,
}

/// How many excerpts one request may create.
pub const MAX_BATCH: usize = 1000;

/// Codes a span `[start, end)` of the document (whitespace at its edges trimmed); the
/// excerpt belongs to the caller.
pub async fn create(
    db: &Db,
    access: &ProjectAccess,
    document: &Document,
    input: &NewExcerptInput,
) -> AppResult<ExcerptView> {
    let mut created = create_many(db, access, document, std::slice::from_ref(input)).await?;
    Ok(created.remove(0))
}

/// Creates several excerpts of one document in one transaction: all of them or, if any
/// is invalid, none (the error names which one).
pub async fn create_many(
    db: &Db,
    access: &ProjectAccess,
    document: &Document,
    inputs: &[NewExcerptInput],
) -> AppResult<Vec<ExcerptView>> {
    access.require(Role::can_code, "Viewers cannot code documents.")?;
    access.require_active()?;
    if inputs.iter().any(|input| input.consensus) {
        access.require(
            Role::can_manage_codebook,
            "Only project owners can add to the consensus set.",
        )?;
    }
    if inputs.is_empty() || inputs.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "excerpts",
            format!("Send between 1 and {MAX_BATCH} excerpts per request."),
        ));
    }
    let prepared = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| prepare(document, input).map_err(|e| in_batch(e, i, inputs.len())))
        .collect::<AppResult<Vec<_>>>()?;

    let job = Job {
        project_id: access.project_id(),
        document_id: document.summary.id,
        coder_id: access.user.id,
        rows: prepared,
    };
    let inserted = write(db, access, inputs, &job).await?;
    // Everything the response shows is known here, so nothing is read back.
    Ok(job
        .rows
        .into_iter()
        .zip(inserted)
        .map(|(row, stamp)| ExcerptView {
            text: text::slice(&document.text, row.start as usize, row.end as usize).to_owned(),
            code_ids: row.code_ids,
            excerpt: Excerpt {
                id: stamp.id,
                project_id: job.project_id,
                document_id: job.document_id,
                coder_id: job.coder_id,
                coder: access.user.username.clone(),
                consensus: row.consensus,
                start: row.start,
                end: row.end,
                memo: row.memo,
                version: stamp.version,
                created_at: stamp.created_at,
                updated_at: stamp.updated_at,
            },
        })
        .collect())
}

/// Writes new excerpts together with other requests' (group commit), or alone if that
/// batch failed.
async fn write(
    db: &Db,
    access: &ProjectAccess,
    inputs: &[NewExcerptInput],
    job: &Job,
) -> AppResult<Vec<store::Inserted>> {
    let written = match group_commit::submit(db, job.clone()).await {
        Outcome::Written(inserted) => Ok(Some(inserted)),
        Outcome::UnknownCode => Ok(None),
        Outcome::Retry => group_commit::write_alone(db, job).await,
    };
    match written {
        Ok(Some(inserted)) => Ok(inserted),
        Ok(None) => Err(unknown_code(db, access, inputs).await),
        // The document was deleted after this request found it.
        Err(e) if is_foreign_key_violation(&e) => Err(AppError::NotFound("Document")),
        Err(e) => Err(e.into()),
    }
}

fn prepare(document: &Document, input: &NewExcerptInput) -> AppResult<NewRow> {
    let (start, end) = trimmed_span(document, input.start, input.end)?;
    Ok(NewRow {
        start: start as i64,
        end: end as i64,
        memo: free_text("memo", &input.memo, 20_000)?,
        code_ids: distinct(&input.code_ids),
        consensus: input.consensus,
    })
}

/// Says which excerpt of a batch an error is about (a batch of one needs no saying).
fn in_batch(error: AppError, index: usize, count: usize) -> AppError {
    match error {
        AppError::Invalid(invalid) if count > 1 => AppError::Invalid(Invalid::new(
            invalid.field,
            format!("Excerpt {} of {count}: {}", index + 1, invalid.message),
        )),
        other => other,
    }
}

/// The error for a batch naming a code that is not in the project.
async fn unknown_code(db: &Db, access: &ProjectAccess, inputs: &[NewExcerptInput]) -> AppError {
    for (i, input) in inputs.iter().enumerate() {
        if let Err(error) = ensure_codes_in_project(db, access, &input.code_ids).await {
            return in_batch(error, i, inputs.len());
        }
    }
    // Every code exists now: one was deleted and recreated meanwhile.
    AppError::Conflict("The codebook changed while saving; try again.".into())
}

/// Validates `[start, end)` against the document and trims whitespace at both ends.
fn trimmed_span(document: &Document, start: i64, end: i64) -> AppResult<(usize, usize)> {
    let span = Span::new(start, end, document.summary.length as usize)?;
    text::trim_span(&document.text, span.start(), span.end()).ok_or_else(|| {
        AppError::invalid(
            "start",
            "The selected passage contains only whitespace; select some text.",
        )
    })
}

fn distinct(ids: &[i64]) -> Vec<i64> {
    ids.iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

async fn ensure_codes_in_project(
    ex: impl sqlx::SqliteExecutor<'_>,
    access: &ProjectAccess,
    code_ids: &[i64],
) -> AppResult<()> {
    if code_ids.is_empty() {
        return Ok(());
    }
    let known: BTreeSet<i64> = db::codes::list(ex, access.project_id())
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    match code_ids.iter().find(|id| !known.contains(id)) {
        Some(unknown) => Err(AppError::Invalid(Invalid::new(
            "code_ids",
            format!("There is no code {unknown} in this project."),
        ))),
        None => Ok(()),
    }
}

async fn view(db: &Db, document: &Document, excerpt_id: i64) -> AppResult<ExcerptView> {
    let excerpt = store::by_id(db, excerpt_id)
        .await?
        .ok_or(AppError::NotFound("Excerpt"))?;
    let code_ids = store::code_ids(db, excerpt_id).await?;
    let text = text::slice(&document.text, excerpt.start as usize, excerpt.end as usize).to_owned();
    Ok(ExcerptView {
        excerpt,
        code_ids,
        text,
    })
}

/// An excerpt with its document and the caller's access to the project: only for
/// members who may see it (in blind projects, coders see only their own).
pub struct InExcerpt {
    pub access: ProjectAccess,
    pub document: Document,
    pub excerpt: ExcerptView,
}

impl Scoped for InExcerpt {
    const NAME: &'static str = "Excerpt";

    async fn lookup(db: &Db, user: &User, id: i64) -> AppResult<Self> {
        let excerpt = store::by_id(db, id)
            .await?
            .ok_or(AppError::NotFound(Self::NAME))?;
        let InDocument { access, document } =
            InDocument::lookup(db, user, excerpt.document_id).await?;
        if !access.may_see(&excerpt) {
            return Err(AppError::NotFound(Self::NAME));
        }
        let excerpt = view(db, &document, id).await?;
        Ok(InExcerpt {
            access,
            document,
            excerpt,
        })
    }
}

/// Changes to an excerpt. `code_ids` replaces the codes; `add_code_ids`/`remove_code_ids`
/// adjust them. `version`, when given, must match (else 409: someone else changed it).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcerptChanges {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub code_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub add_code_ids: Vec<i64>,
    #[serde(default)]
    pub remove_code_ids: Vec<i64>,
    pub memo: Option<String>,
    pub version: Option<i64>,
}

fn require_owner_of(access: &ProjectAccess, excerpt: &Excerpt) -> AppResult<()> {
    access.require_active()?;
    let allowed = if excerpt.consensus {
        access.role.can_manage_codebook()
    } else {
        excerpt.coder_id == access.user.id && access.role.can_code()
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Excerpts belong to the coder who made them; you can only change your own.",
        ))
    }
}

pub async fn update(
    db: &Db,
    access: &ProjectAccess,
    document: &Document,
    current: &ExcerptView,
    changes: &ExcerptChanges,
) -> AppResult<ExcerptView> {
    let excerpt = &current.excerpt;
    require_owner_of(access, excerpt)?;
    let (start, end) = trimmed_span(
        document,
        changes.start.unwrap_or(excerpt.start),
        changes.end.unwrap_or(excerpt.end),
    )?;
    let memo = match &changes.memo {
        Some(memo) => free_text("memo", memo, 20_000)?,
        None => excerpt.memo.clone(),
    };
    let mut codes: BTreeSet<i64> = changes
        .code_ids
        .as_deref()
        .unwrap_or(&current.code_ids)
        .iter()
        .copied()
        .collect();
    codes.extend(&changes.add_code_ids);
    for id in &changes.remove_code_ids {
        codes.remove(id);
    }
    let code_ids: Vec<i64> = codes.into_iter().collect();

    let mut tx = db::begin_write(db).await?;
    ensure_codes_in_project(&mut *tx, access, &code_ids).await?;
    let expected = changes.version.unwrap_or(excerpt.version);
    if !store::update(
        &mut *tx,
        excerpt.id,
        expected,
        start as i64,
        end as i64,
        &memo,
    )
    .await?
    {
        return Err(AppError::conflict(
            "This excerpt was changed elsewhere (another tab or device) since you loaded it. Reload to see the current version.",
        ));
    }
    store::set_codes(&mut tx, excerpt.id, &code_ids).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::ExcerptUpdated {
            excerpt_id: excerpt.id,
            start,
            end,
            code_ids: code_ids.clone(),
            memo_changed: changes.memo.is_some(),
        },
    )
    .await?;
    view(db, document, excerpt.id).await
}

pub async fn delete(db: &Db, access: &ProjectAccess, current: &ExcerptView) -> AppResult<()> {
    let excerpt = &current.excerpt;
    require_owner_of(access, excerpt)?;
    let mut tx = db::begin_write(db).await?;
    store::delete(&mut *tx, excerpt.id).await?;
    events::commit(
        tx,
        Origin::member(access),
        Change::ExcerptDeleted {
            excerpt_id: excerpt.id,
            document_id: excerpt.document_id,
            start: excerpt.start,
            end: excerpt.end,
            code_ids: current.code_ids.clone(),
            memo: excerpt.memo.clone(),
        },
    )
    .await?;
    Ok(())
}
