//! The rows an import has made but not yet written. Excerpts and the codes applied to
//! them are held across documents and written in statements of one fixed size, which the
//! connection keeps prepared: written per document, every statement had its own number
//! of rows and was prepared afresh, and preparing a 150-row insert costs as much as
//! running it (0.36 ms, over 1,000 documents about a tenth of an import).

use crate::db::coverage as coverage_store;
use crate::db::excerpts as excerpt_store;
use crate::db::refi::{self as store, EXCERPTS_PER_INSERT, ImportedExcerpt};
use crate::db::{self};
use crate::domain::analysis::CodedExcerpt;
use crate::domain::analysis::coverage::{self, CodeSetCoverage, ViewCoverage};
use crate::error::AppResult;

/// (excerpt, code) pairs a statement.
const APPLICATIONS_PER_INSERT: usize = 1000;

/// Coverage rows written a few documents' worth at a time.
const COUNTED_PER_WRITE: usize = 5000;

pub(super) struct PendingRows {
    project_id: i64,
    /// In id order, ids ascending across documents.
    excerpts: Vec<ImportedExcerpt>,
    /// In excerpt id order.
    applications: Vec<(i64, i64)>,
    /// The highest excerpt id written so far: codes can be applied up to it (the
    /// foreign key wants the excerpt first).
    written_up_to: i64,
    views: Vec<ViewCoverage>,
    codes: Vec<CodeSetCoverage>,
}

impl PendingRows {
    pub(super) fn new(project_id: i64) -> Self {
        Self {
            project_id,
            excerpts: Vec::new(),
            applications: Vec::new(),
            written_up_to: 0,
            views: Vec::new(),
            codes: Vec::new(),
        }
    }

    /// Takes one document's rows (all of its excerpts, in id order after every earlier
    /// document's, and `counted`, the same excerpts as the analyses see them) and writes
    /// whatever fills whole statements.
    pub(super) async fn add_document(
        &mut self,
        tx: &mut db::Tx,
        excerpts: Vec<ImportedExcerpt>,
        applications: Vec<(i64, i64)>,
        counted: &[CodedExcerpt],
    ) -> AppResult<()> {
        self.excerpts.extend(excerpts);
        self.applications.extend(applications);
        // The document's counts are complete now, whenever its rows are written; the
        // marks those writes leave are cleared in `finish`.
        self.views.extend(coverage::views(counted));
        self.codes.extend(coverage::code_sets(counted));
        self.write(tx, false).await
    }

    /// Writes every row still held and clears the recount marks the import left, so the
    /// commit has nothing to recount.
    pub(super) async fn finish(mut self, tx: &mut db::Tx) -> AppResult<()> {
        self.write(tx, true).await?;
        coverage_store::clear_marks_of_project(tx, self.project_id).await?;
        Ok(())
    }

    /// Writes whole statements' worth of rows, or with `all`, every row.
    async fn write(&mut self, tx: &mut db::Tx, all: bool) -> AppResult<()> {
        let ready = whole(self.excerpts.len(), EXCERPTS_PER_INSERT, all);
        if ready > 0 {
            store::insert_excerpts(tx, self.project_id, &self.excerpts[..ready]).await?;
            self.written_up_to = self.excerpts[ready - 1].id;
            self.excerpts.drain(..ready);
        }
        let written = self.written_up_to;
        let applicable = self.applications.partition_point(|&(id, _)| id <= written);
        let ready = whole(applicable, APPLICATIONS_PER_INSERT, all);
        for chunk in self.applications[..ready].chunks(APPLICATIONS_PER_INSERT) {
            excerpt_store::apply_project_codes(tx, self.project_id, chunk).await?;
        }
        self.applications.drain(..ready);
        if all || self.views.len() + self.codes.len() >= COUNTED_PER_WRITE {
            coverage_store::store_counted(tx, &self.views, &self.codes).await?;
            self.views.clear();
            self.codes.clear();
        }
        Ok(())
    }
}

/// How many of `held` rows to write now: whole statements of `per_statement`, or all.
fn whole(held: usize, per_statement: usize, all: bool) -> usize {
    if all {
        held
    } else {
        held / per_statement * per_statement
    }
}

#[cfg(test)]
mod tests {
    use super::whole;

    #[test]
    fn only_whole_statements_are_written_until_the_end() {
        assert_eq!(whole(999, 1000, false), 0);
        assert_eq!(whole(2500, 1000, false), 2000);
        assert_eq!(whole(2500, 1000, true), 2500);
        assert_eq!(whole(0, 1000, true), 0);
    }
}
