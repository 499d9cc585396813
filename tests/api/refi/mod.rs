//! REFI-QDA exchange: exports validate against the schemas (with `xmllint`), carry stored
//! GUIDs, and cover exactly the excerpts' text; imports of every sample.

mod export;
mod hostile;
mod import;
mod round_trip;
mod support;
