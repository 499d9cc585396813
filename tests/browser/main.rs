//! Browser tests: the real server and headless Chromium (via chromedriver), one test at a
//! time. Every test starts from `prelude.rs`; `harness.rs` runs the server and the browser,
//! `page.rs` drives the page. Without Chromium they are skipped locally and fail when `CI`
//! is set.

mod harness;
mod page;
mod prelude;

mod accessibility;
mod adjudication;
mod agreement;
mod analysis;
mod coding;
mod coding_display;
mod coding_edits;
mod coding_frictions;
mod coding_functions;
mod demo;
mod document_list;
mod find;
mod import;
mod import_functions;
mod narrow;
mod offsets_functions;
mod pages;
mod screenshots;
mod selections;
mod session_end;
mod team;
