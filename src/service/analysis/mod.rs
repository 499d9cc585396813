//! Analyses across the coding: co-occurrence and crosstabs. Coders are chosen through
//! `service::coders`, so blind coding limits a coder to their own excerpts here as on
//! every other read; the arithmetic is in `domain::analysis`.

pub mod cooccurrence;
pub mod crosstab;
pub mod frequencies;

use std::collections::HashMap;

use super::access::ProjectAccess;
use super::coders::{self, Coder, Selection};
use crate::db::{self, Db};
use crate::domain::analysis::CodedExcerpt;
use crate::domain::names::CONSENSUS;
use crate::error::AppResult;

/// The set key of the consensus set in `CodedExcerpt::set` (user ids are positive).
const CONSENSUS_SET: i64 = -1;

/// The excerpts a selection covers, as the analyses take them, and the name of each set.
pub(crate) struct Coded {
    pub excerpts: Vec<CodedExcerpt>,
    pub set_names: HashMap<i64, String>,
    /// The names of the sets covered, for the page ("everyone" when all).
    pub coders: Vec<String>,
}

pub(crate) async fn coded(db: &Db, access: &ProjectAccess, names: &[String]) -> AppResult<Coded> {
    let selection = coders::select(db, access, "coders", names).await?;
    let rows = db::analysis::coded_excerpts(db, access.project_id()).await?;
    let includes = |consensus: bool, coder_id: i64| match &selection {
        Selection::Everyone => true,
        Selection::Only(chosen) => chosen.iter().any(|c| c.made_span(consensus, coder_id)),
    };
    let excerpts = rows
        .into_iter()
        .filter(|r| includes(r.consensus, r.coder_id))
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
    Ok(Coded {
        excerpts,
        set_names,
        coders,
    })
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
