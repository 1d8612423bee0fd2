//! dancu cleans batches of Vietnamese citizen records: it reads a population
//! extract, normalises names, dates, IDs, phones and addresses, flags invalid
//! fields, finds records of the same person, and writes a cleaned dataset
//! with a per-commune quality report.
//!
//! The modules follow the pipeline: [`read`] → [`normalize`] → [`validate`]
//! → [`link`] → [`write`] and [`report`]; [`pipeline::run`] drives them.

pub mod clock;
#[cfg(test)]
mod conformance;
pub mod decisions;
pub mod error;
pub mod evaluate;
pub mod fault;
pub mod finding;
pub mod generate;
pub mod guard;
pub mod hash;
pub mod identity;
pub mod legacy;
pub mod link;
pub mod master;
pub mod message;
pub mod normalize;
pub mod output;
pub mod parallel;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod record;
pub mod report;
pub mod review;
pub mod rng;
pub mod rules;
pub mod syllable;
pub mod text;
pub mod validate;
pub mod write;
