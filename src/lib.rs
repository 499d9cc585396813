//! Gloss: a self-hosted, browser-based workbench for coding qualitative interviews.
//!
//! Layers, each importing only the ones below it (see ARCHITECTURE.md):
//! `domain` (pure logic) ← `db` (sqlx queries) ← `service` (operations with permissions and
//! transactions) ← `web` (HTML pages and JSON API) and `cli`.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod security;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod web;
