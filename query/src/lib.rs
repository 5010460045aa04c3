//! # blastgraph-query
//!
//! Turns questions (`what-can-reach`, `blast-radius`, `path`, `who-can`, `export dot`)
//! into results over an analysed snapshot ([`blastgraph_engine::graph::Analysis`]), and
//! renders them as text tables, JSON (the stable contracts documented in the README) or
//! Graphviz.
//!
//! Every result carries the snapshot's coverage gaps ([`coverage`]): parts of the
//! organization that were not read, and references the snapshot cannot resolve, either
//! of which could hide a path. Every ordering is deterministic, so the JSON of the same
//! snapshot is byte-identical across runs.

pub mod blast_radius;
pub mod ci;
pub mod coverage;
pub mod dot;
pub mod info;
pub mod names;
pub mod path;
pub mod paths;
pub mod report;
mod successors;
pub mod table;
pub mod what_can_reach;
pub mod who_can;

/// A query that cannot be answered as asked (unknown source, bad pattern).
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A SOURCE or TARGET names nothing in the snapshot.
    #[error("{0}")]
    NotFound(String),
    /// A name matches several nodes.
    #[error("{0}")]
    Ambiguous(String),
    /// A malformed argument.
    #[error("{0}")]
    BadArgument(String),
}
