//! Tests of the agreement module.
//!
//! - `worked_example`: every number of spec §8.
//! - `published`: spec §7.2, §7.6 and §9 (published values and DKPro's checks).
//! - `rules`: normalisation, validation, warnings and the null policy (§1, §6).
//! - `properties`: seeded randomized properties against the naive reference.
//! - `exports`: disagreement regions and reliability rows.
//! - `performance`: cost independent of text length; a scaled-down synthetic run.
//! - `naive`: test-only reference implementations that visit every character.

mod exports;
mod naive;
mod performance;
mod properties;
mod published;
mod rules;
mod support;
mod worked_example;
