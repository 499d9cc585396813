//! REFI-QDA exchange (the standard in `shared/refi/`): the codebook `.qdc` and project
//! `.qde` XML, the transcript text a `.qdpx` carries, GUIDs, and (for imports) reading
//! peers' files and working out how they count positions.
//!
//! Pure format code: writers take any `std::io::Write`, readers take bytes; nothing here
//! knows about the database or HTTP.

pub mod archive;
pub mod guid;
pub mod offsets;
pub mod plan;
pub mod read;
pub mod transcript;
pub mod write;
pub mod xml;

/// What Gloss puts in the `origin` attribute of the files it writes.
pub const ORIGIN: &str = concat!("Gloss ", env!("CARGO_PKG_VERSION"));

/// The default namespaces of the two file kinds.
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
