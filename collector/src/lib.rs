//! # blastgraph-collector
//!
//! Builds [`blastgraph_engine::snapshot::Snapshot`]s from the outside world:
//!
//! * [`gaad`]: imports `aws iam get-account-authorization-details` JSON files (no AWS
//!   access needed);
//! * [`overlay`]: lays a hand-written JSON overlay (organization, resources, compute)
//!   over an import;
//! * [`demo`]: the demo organization of `datasets/demo-org/`, compiled in;
//! * [`kubernetes`]: reads `kubectl get pods,serviceaccounts -A -o json` output and binds
//!   pods to service accounts, IRSA roles and nodes of an EKS cluster;
//! * `aws` (feature `aws`, on by default): collects a live organization through the AWS
//!   SDK.

#[cfg(feature = "aws")]
pub mod aws;
pub mod demo;
pub mod error;
pub mod gaad;
pub mod kubernetes;
pub mod overlay;
pub mod time;
