//! Integration tests: the real server over HTTP, and the real binary for the CLI.

#[path = "../support/ci.rs"]
mod ci;
mod helpers;

mod openapi;

mod adjudication;
mod agreement;
mod auth;
mod cli;
mod coding;
mod documents;
mod export;
mod forms;
mod hardening;
mod imports;
mod layers;
mod projects;
mod refi;
mod retrieval;
mod walkthrough;
