//! # blastgraph-collector
//!
//! Builds [`blastgraph_engine::snapshot::Snapshot`]s from the outside world:
//!
//! * [`gaad`]: imports `aws iam get-account-authorization-details` JSON files (no AWS
//!   access needed);
//! * `aws` (feature `aws`, on by default): collects a live organization through the AWS
//!   SDK.

pub mod error;
pub mod gaad;
pub mod overlay;
pub mod time;
