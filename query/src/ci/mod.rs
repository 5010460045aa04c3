//! Continuous checks on the blast radius: baselines, rules, diffs and simulation deltas.
//!
//! Everything here works on [`OrgReach`], the per-source summary of what each source
//! reaches (identities, administered accounts, crown jewels: bitmaps over interned names,
//! [`targets`]; explained paths only when asked or for what a report shows), and
//! on a [`ReachQuery`] for `what-can-reach` questions. Both come from the graph; this
//! module only compares and judges, so it is tested on hand-made reach data.
//!
//! * [`baseline`]: the accepted blast radius, written by `blastgraph baseline` and read
//!   back by `blastgraph check` to report reach that grew past it.
//! * [`rules`]: the rules file of `blastgraph check` (forbidden reach, forbidden admin,
//!   reach budgets), documented in `docs/ci.md`.
//! * [`check`]: runs both into one [`crate::report::Report`].
//! * [`diff`]: the blast-radius change between two snapshots.
//! * [`delta`]: the before/after delta of a simulation; [`keys`] computes it from the
//!   sets alone and [`explain`] explains the findings it selected; [`query_delta`] is
//!   the same for a `what-can-reach` question.

pub mod baseline;
pub mod check;
pub mod delta;
pub mod diff;
pub mod explain;
pub mod from_graph;
mod glob;
pub mod keys;
mod propagate;
pub mod query_delta;
mod reach;
pub mod rules;
pub mod targets;

pub use glob::glob_match;
pub use reach::{OrgReach, ReachQuery, SourceReach};

#[cfg(test)]
pub(crate) mod sample;
