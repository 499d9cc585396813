//! Analyses across the coding: co-occurrence and crosstabs. Coders are chosen through
//! `service::coders`, so blind coding limits a coder to their own excerpts here as on
//! every other read; the arithmetic is in `domain::analysis`.

pub mod cooccurrence;
pub mod crosstab;
pub mod frequencies;

use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::access::ProjectAccess;
use super::coders::{self, Coder, Selection};
use crate::db::{self, Db};
use crate::domain::analysis::{CONSENSUS_SET, CodedExcerpt};
use crate::domain::names::CONSENSUS;
use crate::error::AppResult;

/// The excerpts a selection covers, as the analyses take them, and the name of each set.
pub(crate) struct Coded {
    pub excerpts: Vec<CodedExcerpt>,
    pub set_names: HashMap<i64, String>,
    /// The names of the sets covered, for the page ("everyone" when all).
    pub coders: Vec<String>,
}

/// Whose coding an analysis covers, resolved once.
pub(crate) struct Chosen {
    selection: Selection,
    /// Every set's name: coders by id, the consensus set under [`CONSENSUS_SET`].
    pub set_names: HashMap<i64, String>,
    /// The names of the sets covered, for the page (empty: everyone).
    pub coders: Vec<String>,
}

impl Chosen {
    fn includes(&self, consensus: bool, coder_id: i64) -> bool {
        match &self.selection {
            Selection::Everyone => true,
            Selection::Only(chosen) => chosen.iter().any(|c| c.made_span(consensus, coder_id)),
        }
    }

    /// The chosen sets as `db::coverage` keys them; `None` for every set.
    fn sets(&self) -> Option<Vec<i64>> {
        match &self.selection {
            Selection::Everyone => None,
            Selection::Only(chosen) => Some(
                chosen
                    .iter()
                    .map(|c| match c {
                        Coder::Consensus => CONSENSUS_SET,
                        Coder::User(id) => *id,
                    })
                    .collect(),
            ),
        }
    }
}

/// The coders `names` chooses (through blind coding's rules) and every set's name.
pub(crate) async fn choose(db: &Db, access: &ProjectAccess, names: &[String]) -> AppResult<Chosen> {
    let selection = coders::select(db, access, "coders", names).await?;
    let mut set_names: HashMap<i64, String> = db::excerpts::coders(db, access.project_id())
        .await?
        .into_iter()
        .collect();
    set_names.insert(CONSENSUS_SET, CONSENSUS.to_owned());
    let coders = match &selection {
        Selection::Everyone => Vec::new(),
        Selection::Only(chosen) => chosen
            .iter()
            .map(|c| match c {
                Coder::Consensus => CONSENSUS.to_owned(),
                Coder::User(id) => set_names.get(id).cloned().unwrap_or_else(|| {
                    if *id == access.user.id {
                        access.user.username.clone()
                    } else {
                        format!("user {id}")
                    }
                }),
            })
            .collect(),
    };
    Ok(Chosen {
        selection,
        set_names,
        coders,
    })
}

pub(crate) async fn coded(db: &Db, access: &ProjectAccess, names: &[String]) -> AppResult<Coded> {
    let chosen = choose(db, access, names).await?;
    let (rows, some_undigested) = db::analysis::coded_excerpts(db, access.project_id()).await?;
    if some_undigested {
        digest_in_background(db, access.project_id());
    }
    let excerpts = rows
        .into_iter()
        .filter(|r| chosen.includes(r.consensus, r.coder_id))
        .map(|r| CodedExcerpt {
            id: r.id,
            set: if r.consensus {
                CONSENSUS_SET
            } else {
                r.coder_id
            },
            document_id: r.document_id,
            start: r.start,
            end: r.end,
            code_ids: r.code_ids,
        })
        .collect();
    Ok(Coded {
        excerpts,
        set_names: chosen.set_names,
        coders: chosen.coders,
    })
}

/// Stores the coding digests the project's coded documents lack (`db::analysis`), so the
/// next analysis reads them instead of the excerpts, unless this database is already doing
/// so. Off the request's path, and 100 documents a transaction, so neither the analysis
/// that found them missing nor anyone's writes wait for a whole project (about 150 ms for
/// 1,000 interviews).
fn digest_in_background(db: &Db, project_id: i64) {
    static STORING: db::PerDatabase<AtomicBool> = LazyLock::new(Default::default);
    let storing = db::per_database(&STORING, db);
    if storing.swap(true, Ordering::AcqRel) {
        return;
    }
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(error) = digest_project(&db, project_id).await {
            tracing::warn!(%error, project_id, "storing coding digests failed; analyses read the excerpts instead");
        }
        storing.store(false, Ordering::Release);
    });
}

async fn digest_project(db: &Db, project_id: i64) -> sqlx::Result<()> {
    const DOCUMENTS_PER_TRANSACTION: i64 = 100;
    loop {
        let mut tx = db::begin_write(db).await?;
        let stored =
            db::analysis::store_missing_digests(&mut tx, project_id, DOCUMENTS_PER_TRANSACTION)
                .await?;
        tx.commit().await?;
        if (stored as i64) < DOCUMENTS_PER_TRANSACTION {
            return Ok(());
        }
    }
}

/// The chosen sets' excerpts and coded characters per document and code, as the database
/// keeps them: one row per set (`by_set`), or the sets added up.
pub(crate) async fn code_counts(
    db: &Db,
    access: &ProjectAccess,
    chosen: &Chosen,
    by_set: bool,
) -> AppResult<Vec<db::coverage::CodeCounts>> {
    let sets = chosen.sets();
    let of = db::coverage::CodeCountsOf {
        sets: sets.as_deref(),
        by_set,
    };
    Ok(db::coverage::code_counts(db, access.project_id(), of).await?)
}

/// Rows (already formula-safe) as CSV text.
pub(crate) fn csv_text(rows: Vec<Vec<String>>) -> AppResult<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).map_err(anyhow::Error::from)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}
