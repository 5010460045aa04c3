//! Collection metadata: provenance and coverage.

use serde::{Deserialize, Serialize};

/// When, how and by whom a snapshot was made, and which parts of the organization could
/// not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Version of the blastgraph that wrote the snapshot.
    pub tool_version: String,
    /// RFC 3339 UTC time at which collection started (or the import/generation ran).
    pub created_at: String,
    /// The ARN of the identity that collected, when known. Never a credential.
    pub collected_by: Option<String>,
    /// How the snapshot was made.
    pub origin: Origin,
    /// Which (account, region, service) parts were collected, failed or were never
    /// attempted. Queries warn when a gap could hide a path.
    pub coverage: Vec<Coverage>,
}

/// How a snapshot was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `blastgraph collect` against live AWS APIs (or an emulator).
    Collected {
        /// The endpoint URL override, when an emulator was used.
        endpoint_url: Option<String>,
    },
    /// `blastgraph import gaad` from `get-account-authorization-details` files.
    GaadImport {
        /// The imported files, as given on the command line.
        files: Vec<String>,
    },
    /// `blastgraph gen`: a synthetic organization.
    Synthetic {
        /// The generator profile name.
        profile: String,
        /// The generator seed.
        seed: u64,
    },
    /// Written by hand (the demo organization, test fixtures).
    #[default]
    Handwritten,
}

/// The outcome of collecting one service in one account (and region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The account id.
    pub account_id: String,
    /// The region, or `None` for global services (IAM, Organizations, S3 listing).
    pub region: Option<String>,
    /// The service prefix (`iam`, `ecs`, `eks`, `ec2`, `s3`, `secretsmanager`, ...).
    pub service: String,
    /// What happened.
    pub status: CoverageStatus,
}

/// What happened when a part of the organization was collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Read completely.
    Collected,
    /// Attempted and failed (AccessDenied, throttled out, timeout, malformed answer).
    Failed {
        /// The error as reported, without credentials.
        error: String,
    },
    /// Not attempted: the input had no such data (a GAAD file has only IAM), or the
    /// user excluded it.
    NotCollected {
        /// Why.
        reason: String,
    },
}

impl Coverage {
    /// Whether this entry is a gap that could hide paths.
    pub fn is_gap(&self) -> bool {
        !matches!(self.status, CoverageStatus::Collected)
    }
}

impl Meta {
    /// The coverage entries that are gaps.
    pub fn gaps(&self) -> impl Iterator<Item = &Coverage> {
        self.coverage.iter().filter(|c| c.is_gap())
    }
}
