//! The codebook and excerpts through the API, one module per area. All of them start from
//! the shared fixture, `crate::helpers::study()`.

/// Creating many excerpts at once: batches (all or nothing) and concurrent creates that
/// share a transaction (group commit).
mod batches;
/// Blind coding, the coder filter, and who may code at all.
mod blind_coding;
/// Codes: the tree, validation, merge, delete, the codebook CSV.
mod codebook;
/// The codebook's usage counts, kept by triggers, against a recount.
mod counts;
/// One excerpt at a time: validation, exact text, ownership, versions, delete.
mod excerpts;
