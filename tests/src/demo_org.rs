//! The demo organization (`datasets/demo-org/`) for end-to-end tests: its snapshot, the
//! ARNs the tests name, and its per-source reach under simulation options.

use blastgraph_engine::graph::analyse_with;
use blastgraph_engine::simulate::SimulationOptions;
use blastgraph_engine::snapshot::Snapshot;
use blastgraph_query::ci::from_graph::{org_reach, Paths};
use blastgraph_query::ci::OrgReach;

/// The frontend task definition (ECS on EC2, shares a container instance with payments).
pub const FRONTEND: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/frontend:3";
/// The payments task definition.
pub const PAYMENTS: &str = "arn:aws:ecs:eu-west-1:222222222222:task-definition/payments:7";
/// The EC2 container instance both tasks run on.
pub const CONTAINER_INSTANCE: &str =
    "arn:aws:ec2:eu-west-1:222222222222:instance/i-0ec5a1b2c3d4e5f60";
/// The container instance's role.
pub const INSTANCE_ROLE: &str = "arn:aws:iam::222222222222:role/ecs-instance";
/// The frontend's task role.
pub const FRONTEND_ROLE: &str = "arn:aws:iam::222222222222:role/frontend-task";
/// The payments task role.
pub const PAYMENTS_ROLE: &str = "arn:aws:iam::222222222222:role/payments-task";
/// The task execution role.
pub const EXECUTION_ROLE: &str = "arn:aws:iam::222222222222:role/ecs-task-execution";
/// The payments secret.
pub const SECRET: &str =
    "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/stripe-api-key-a1B2c3";

/// The demo organization's snapshot.
pub fn snapshot() -> Snapshot {
    blastgraph_collector::demo::build()
        .expect("the demo org builds")
        .snapshot
}

/// Per-source reach of `snapshot` analysed with `options`.
pub fn reach(snapshot: &Snapshot, options: &SimulationOptions, paths: Paths) -> OrgReach {
    analyse_with(snapshot, &options.graph_options(), |analysis| {
        org_reach(analysis, paths)
    })
}
