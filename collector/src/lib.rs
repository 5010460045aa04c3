//! # blastgraph-collector
//!
//! Builds [`blastgraph_engine::snapshot::Snapshot`]s from the outside world:
//!
//! * [`gaad`]: imports `aws iam get-account-authorization-details` JSON files (no AWS
//!   access needed);
//! * [`overlay`]: lays a hand-written JSON overlay (organization, resources, compute)
//!   over an import;
//! * [`demo`]: the demo organization of `datasets/demo-org/`, compiled in;
//! * `aws` (feature `aws`, on by default): collects a live organization through the AWS
//!   SDK.

pub mod demo;
pub mod error;
pub mod gaad;
pub mod overlay;
pub mod time;
