//! Integration tests: the real server over HTTP, and the real binary for the CLI.

#[path = "../support/ci.rs"]
mod ci;
mod helpers;

mod openapi;

mod access;
mod activity;
mod adjudication;
mod administration;
mod agreement;
mod agreement_scope;
mod analysis;
mod analysis_pages;
mod auth;
mod cli;
mod cli_data;
mod coding;
mod crash;
mod crosstab;
mod deactivation;
mod demo;
mod documents;
mod export;
mod forms;
mod hardening;
mod hostile;
mod imports;
mod invitations;
mod layers;
mod progress_chart;
mod projects;
mod refi;
mod retrieval;
mod search;
mod search_page;
mod search_paging;
mod search_ticks;
mod team;
mod tokens;
mod walkthrough;
