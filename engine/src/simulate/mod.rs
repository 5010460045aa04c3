//! What-if simulation: hypothetical changes applied to an in-memory copy of a snapshot.
//!
//! A [`Change`] is a typed description of one planned change ("detach this policy from
//! that role", "move this cluster to Fargate", "turn ECScape off for this cluster").
//! [`apply`] validates every change against the snapshot (each target must exist, names
//! must be unambiguous) and returns a [`Simulation`]: the changed copy, the graph-build
//! [`SimulationOptions`] the changes call for, the sources to start from, and one
//! human-readable [`Effect`] per thing that was actually changed, so a reviewer sees what
//! the simulation did and not only its result.
//!
//! The input snapshot is never modified. Changes apply in order, each to the result of
//! the previous ones, so a scenario reads like the plan it describes.
//!
//! A [`Scenario`] is the file form of a list of changes (JSON, documented in
//! `docs/simulate.md`); documents it refers to by path are loaded by the caller through
//! [`Scenario::into_changes`], which keeps this module free of I/O.

mod compute_changes;
mod documents;
mod iam_changes;
pub mod incremental;
mod lookup;
mod options;
mod org_changes;
mod scenario;

pub use options::SimulationOptions;
pub use scenario::{DocumentRef, Scenario, ScenarioChange};

use crate::snapshot::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// One hypothetical change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Detach a managed policy from every user, group and role (as an attached policy or
    /// a permissions boundary) in every account, and drop it.
    RemovePolicy {
        /// The managed policy ARN.
        arn: String,
    },
    /// Detach one policy from one principal.
    Detach {
        /// A managed policy ARN, or the name of one of the principal's inline policies.
        policy: String,
        /// The user, group or role (ARN, or a name unique in the snapshot).
        from: String,
    },
    /// Add a statement (or a whole policy) to a principal as a new inline policy.
    AddStatement {
        /// A statement object, an array of statements, or a policy document.
        document: serde_json::Value,
        /// The user, group or role (ARN, or a name unique in the snapshot).
        to: String,
    },
    /// Attach a new SCP to an organizational unit, the root or an account.
    AddScp {
        /// A statement object, an array of statements, or a policy document.
        document: serde_json::Value,
        /// The root or OU (id or unique name) or the account (id or unique name).
        to: String,
    },
    /// Remove trust: every statement of a role's trust policy, or one principal from it.
    RemoveTrust {
        /// The role (ARN, or a name unique in the snapshot).
        role: String,
        /// The principal to remove (an ARN, an account id, a service or provider name,
        /// or `*`); `None` drops every statement.
        principal: Option<String>,
    },
    /// Change the instance metadata options of instances.
    Imds {
        /// The new setting.
        setting: ImdsSetting,
        /// Instance ids or ARNs, or EKS node group names or ARNs (their instances);
        /// empty means every instance of the snapshot.
        instances: Vec<String>,
    },
    /// Move an ECS cluster's services and tasks to Fargate.
    Fargate {
        /// The cluster (ARN, or a name unique in the snapshot).
        cluster: String,
    },
    /// Switch the ECScape co-location edges on or off (a graph-build option).
    Ecscape {
        /// Whether task-to-task credential theft on shared EC2 container instances is
        /// modelled.
        enabled: bool,
        /// One cluster (ARN, or a name unique in the snapshot); `None` for all.
        cluster: Option<String>,
    },
    /// Start the analysis from these sources (ARNs or short names, resolved by the
    /// query layer, which knows the source naming rules).
    Compromise {
        /// The sources.
        sources: Vec<String>,
    },
}

/// An IMDS exposure level, as set by `--imds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImdsSetting {
    /// `HttpEndpoint=disabled`: nothing on the instance reaches IMDS.
    #[serde(rename = "block")]
    Block,
    /// `HttpTokens=required`, hop limit 1: containers in bridge/awsvpc mode and
    /// non-host-network pods cannot reach IMDS; host-network ones still can.
    #[serde(rename = "v2-hop1")]
    V2Hop1,
    /// `HttpTokens=required`, hop limit 2: every container reaches IMDS.
    #[serde(rename = "v2-hop2")]
    V2Hop2,
    /// `HttpTokens=optional` (IMDSv1 allowed): every container reaches IMDS.
    #[serde(rename = "v1")]
    V1,
}

impl ImdsSetting {
    /// Every setting with its command-line spelling.
    pub const ALL: [(&'static str, ImdsSetting); 4] = [
        ("block", ImdsSetting::Block),
        ("v2-hop1", ImdsSetting::V2Hop1),
        ("v2-hop2", ImdsSetting::V2Hop2),
        ("v1", ImdsSetting::V1),
    ];

    /// The command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            ImdsSetting::Block => "block",
            ImdsSetting::V2Hop1 => "v2-hop1",
            ImdsSetting::V2Hop2 => "v2-hop2",
            ImdsSetting::V1 => "v1",
        }
    }

    /// Parses the command-line spelling.
    pub fn parse(text: &str) -> Option<ImdsSetting> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, setting)| *setting)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::RemovePolicy { arn } => write!(f, "remove policy {arn}"),
            Change::Detach { policy, from } => write!(f, "detach {policy} from {from}"),
            Change::AddStatement { to, .. } => write!(f, "add a statement to {to}"),
            Change::AddScp { to, .. } => write!(f, "add an SCP to {to}"),
            Change::RemoveTrust {
                role,
                principal: Some(principal),
            } => write!(f, "remove {principal} from the trust policy of {role}"),
            Change::RemoveTrust {
                role,
                principal: None,
            } => write!(f, "remove every trust statement of {role}"),
            Change::Imds { setting, instances } if instances.is_empty() => {
                write!(f, "set IMDS to {} everywhere", setting.name())
            }
            Change::Imds { setting, instances } => write!(
                f,
                "set IMDS to {} on {}",
                setting.name(),
                instances.join(", ")
            ),
            Change::Fargate { cluster } => write!(f, "move cluster {cluster} to Fargate"),
            Change::Ecscape { enabled, cluster } => write!(
                f,
                "turn ECScape {} for {}",
                if *enabled { "on" } else { "off" },
                cluster.as_deref().unwrap_or("every cluster")
            ),
            Change::Compromise { sources } => write!(f, "compromise {}", sources.join(", ")),
        }
    }
}

/// What one change actually did to the snapshot (or the options): one line per
/// modified object, for the simulation report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Effect {
    /// The index of the change in the list given to [`apply`].
    pub change: usize,
    /// What was changed, in words (`detached arn:... from arn:...`).
    pub description: String,
}

/// The result of applying changes: the changed snapshot and everything the query layer
/// needs to compare before and after.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The snapshot with every change applied.
    pub snapshot: Snapshot,
    /// Graph-build options the changes set (ECScape per cluster).
    pub options: SimulationOptions,
    /// The sources to start from (`--compromise`), in the order given; empty for all.
    pub compromised: Vec<String>,
    /// What each change did, in order.
    pub effects: Vec<Effect>,
    /// The IAM principals (ARNs) whose own policies, boundary or trust policy the
    /// changes touched, when every change is of that kind; `None` when a change reaches
    /// further (an SCP, compute, a graph option). A principal's permissions only decide
    /// its own access and outgoing edges, and its trust policy only its incoming ones, so
    /// only the sources that reach a touched principal can see their reach change: the
    /// query layer recomputes those and no others.
    pub touched: Option<BTreeSet<String>>,
}

/// Why a change could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulationError {
    /// The index of the failing change.
    pub change: usize,
    /// The change, in words.
    pub description: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for SimulationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "change {} ({}): {}",
            self.change + 1,
            self.description,
            self.problem
        )
    }
}

impl std::error::Error for SimulationError {}

/// Applies `changes` in order to a copy of `snapshot`, starting from default graph
/// options; the first change that cannot be applied stops the simulation.
pub fn apply(snapshot: &Snapshot, changes: &[Change]) -> Result<Simulation, SimulationError> {
    let mut simulation = Simulation {
        snapshot: snapshot.clone(),
        options: SimulationOptions::default(),
        compromised: Vec::new(),
        effects: Vec::new(),
        touched: Some(BTreeSet::new()),
    };
    for (index, change) in changes.iter().enumerate() {
        let touched = touched_by(&simulation.snapshot, change);
        simulation.touched = match (simulation.touched.take(), touched) {
            (Some(mut all), Some(more)) => {
                all.extend(more);
                Some(all)
            }
            _ => None,
        };
        let lines = apply_one(&mut simulation, change).map_err(|problem| SimulationError {
            change: index,
            description: change.to_string(),
            problem,
        })?;
        simulation
            .effects
            .extend(lines.into_iter().map(|description| Effect {
                change: index,
                description,
            }));
    }
    Ok(simulation)
}

/// The principals a change touches (see [`Simulation::touched`]), from the snapshot
/// before it; `None` for a change that reaches beyond principals. A lookup that fails
/// here fails in [`apply_one`] too, with its message.
fn touched_by(snapshot: &Snapshot, change: &Change) -> Option<BTreeSet<String>> {
    let one = |name: &str| lookup::principal(snapshot, name).ok().map(|p| p.arn);
    match change {
        Change::RemovePolicy { arn } => Some(policy_holders(snapshot, arn)),
        Change::Detach { from: name, .. }
        | Change::AddStatement { to: name, .. }
        | Change::RemoveTrust { role: name, .. } => Some(one(name).into_iter().collect()),
        Change::Compromise { .. } => Some(BTreeSet::new()),
        Change::AddScp { .. }
        | Change::Imds { .. }
        | Change::Fargate { .. }
        | Change::Ecscape { .. } => None,
    }
}

/// Every user, group and role with `arn` attached or as permissions boundary.
fn policy_holders(snapshot: &Snapshot, arn: &str) -> BTreeSet<String> {
    let mut holders = BTreeSet::new();
    for iam in snapshot.accounts.iter().map(|a| &a.iam) {
        let has = |attached: &[String], boundary: Option<&String>| {
            attached.iter().any(|p| p == arn) || boundary.is_some_and(|b| b == arn)
        };
        for user in &iam.users {
            if has(&user.attached_policies, user.permissions_boundary.as_ref()) {
                holders.insert(user.arn.clone());
            }
        }
        for group in &iam.groups {
            if has(&group.attached_policies, None) {
                holders.insert(group.arn.clone());
            }
        }
        for role in &iam.roles {
            if has(&role.attached_policies, role.permissions_boundary.as_ref()) {
                holders.insert(role.arn.clone());
            }
        }
    }
    holders
}

/// Applies one change; returns the effect lines or the problem.
fn apply_one(simulation: &mut Simulation, change: &Change) -> Result<Vec<String>, String> {
    let snapshot = &mut simulation.snapshot;
    match change {
        Change::RemovePolicy { arn } => iam_changes::remove_policy(snapshot, arn),
        Change::Detach { policy, from } => iam_changes::detach(snapshot, policy, from),
        Change::AddStatement { document, to } => iam_changes::add_statement(snapshot, document, to),
        Change::AddScp { document, to } => org_changes::add_scp(snapshot, document, to),
        Change::RemoveTrust { role, principal } => {
            iam_changes::remove_trust(snapshot, role, principal.as_deref())
        }
        Change::Imds { setting, instances } => {
            compute_changes::set_imds(snapshot, *setting, instances)
        }
        Change::Fargate { cluster } => compute_changes::move_to_fargate(snapshot, cluster),
        Change::Ecscape { enabled, cluster } => {
            let cluster_arn = match cluster {
                Some(name) => Some(lookup::ecs_cluster(snapshot, name)?.1),
                None => None,
            };
            Ok(vec![simulation
                .options
                .set_ecscape(*enabled, cluster_arn.as_deref())])
        }
        Change::Compromise { sources } => {
            if sources.is_empty() {
                return Err("no source given".into());
            }
            simulation.compromised.extend(sources.iter().cloned());
            Ok(vec![format!("starting from {}", sources.join(", "))])
        }
    }
}

#[cfg(test)]
pub(crate) mod fixture;
