//! Browser tests: the real server and headless Chromium (via chromedriver), one test at a
//! time. Without Chromium they are skipped locally and fail when `CI` is set; see
//! `harness.rs`.

mod coding_support;
mod harness;

mod adjudication;
mod coding;
mod coding_display;
mod coding_edits;
mod import;
mod offsets_functions;
mod selections;
