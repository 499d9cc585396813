//! Integration tests: the real server over HTTP, and the real binary for the CLI.

mod helpers;

mod openapi;

mod agreement;
mod auth;
mod cli;
mod coding;
mod documents;
mod export;
mod hardening;
mod projects;
mod retrieval;
mod walkthrough;
