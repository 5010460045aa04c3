//! One module per subcommand.

pub mod baseline;
pub mod blast_radius;
pub mod can;
pub mod check;
pub mod ci_common;
#[cfg(feature = "collect")]
pub mod collect;
pub mod demo;
pub mod diff;
pub mod eval_cases;
pub mod export;
pub mod gen;
pub mod import;
pub mod info;
pub mod path;
pub mod query_args;
pub mod simulate;
pub mod simulate_args;
pub mod snapshot;
pub mod what_can_reach;
pub mod who_can;
