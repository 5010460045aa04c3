//! # blastgraph-query
//!
//! Turns questions (`what-can-reach`, `blast-radius`, `path`, `who-can`, `info`) into
//! results over an engine snapshot, and renders them as text, JSON, Markdown, SARIF or
//! Graphviz.

pub mod ci;
pub mod info;
pub mod report;
