//! REFI-QDA exchange for a project: the codebook `.qdc` and the project `.qdpx` (export),
//! and reading both back (import). Access, visibility and filters are those of every
//! other export (`service::coders`, `ProjectAccess::visible`, `ExportFilter`).

pub mod codebook;
pub mod export;
pub mod import;
mod rows;

pub use codebook::{QdcImportSummary, import_qdc};
pub use export::{QdpxExport, codebook_qdc, prepare_qdpx};
pub use import::{QdpxImportSummary, QdpxOptions, import_qdpx};
