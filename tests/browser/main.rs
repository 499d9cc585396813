//! Browser tests: the real server and headless Chromium (via chromedriver), one test at a
//! time. Without Chromium they are skipped locally and fail when `CI` is set; see
//! `harness.rs`.

mod harness;

mod import;
mod offsets_functions;
mod selections;
