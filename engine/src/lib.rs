//! # blastgraph-engine
//!
//! The pure core of blastgraph: no I/O beyond reading and writing snapshot bytes, no
//! async, no AWS SDK. It owns
//!
//! * [`snapshot`]: the data model of a collected AWS organization and its on-disk format;
//! * [`policy`]: the IAM policy language (typed AST, parser, compiled matchers) and the
//!   request evaluator with AWS's full decision logic, in three values;
//! * [`synth`]: a deterministic generator of realistic synthetic organizations.
//!
//! See `ARCHITECTURE.md` at the repository root for the map of the whole workspace.

pub mod graph;
pub mod policy;
pub mod simulate;
pub mod snapshot;
pub mod synth;
