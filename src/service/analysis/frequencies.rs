//! Code frequencies per coder: how many excerpts each coding set gave each code.

use std::collections::HashMap;

use super::coded;
use super::crosstab::CodeName;
use crate::db::Db;
use crate::domain::names::CONSENSUS;
use crate::error::AppResult;
use crate::service::access::ProjectAccess;
use crate::service::codes;

pub struct Frequencies {
    /// The coding sets, one series each: the chosen ones, or every set with coding.
    pub coders: Vec<String>,
    pub codes: Vec<CodeName>,
    /// `(code_id, index into coders)` → excerpts.
    pub counts: HashMap<(i64, usize), u64>,
}

impl Frequencies {
    pub fn count(&self, code_id: i64, coder: usize) -> u64 {
        self.counts.get(&(code_id, coder)).copied().unwrap_or(0)
    }

    /// Whether any chosen coder applied the code.
    pub fn used(&self, code_id: i64) -> bool {
        (0..self.coders.len()).any(|c| self.count(code_id, c) > 0)
    }
}

pub async fn frequencies(
    db: &Db,
    access: &ProjectAccess,
    coders: &[String],
) -> AppResult<Frequencies> {
    let coded = coded(db, access, coders).await?;
    let name_of = |set: i64| coded.set_names.get(&set).cloned().unwrap_or_default();
    let series: Vec<String> = if coded.coders.is_empty() {
        let mut present: Vec<String> = coded.excerpts.iter().map(|e| name_of(e.set)).collect();
        present.sort_by_key(|n| (n == CONSENSUS, n.clone()));
        present.dedup();
        present
    } else {
        coded.coders.clone()
    };
    let mut counts = HashMap::new();
    for e in &coded.excerpts {
        let Some(index) = series.iter().position(|s| *s == name_of(e.set)) else {
            continue;
        };
        for code in &e.code_ids {
            *counts.entry((*code, index)).or_default() += 1;
        }
    }
    let codes = codes::codebook(db, access)
        .await?
        .into_iter()
        .map(|c| CodeName {
            id: c.id,
            name: c.name,
            path: c.path,
        })
        .collect();
    Ok(Frequencies {
        coders: series,
        codes,
        counts,
    })
}
