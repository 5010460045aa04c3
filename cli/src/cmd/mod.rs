//! One module per subcommand.

pub mod blast_radius;
pub mod demo;
pub mod eval_cases;
pub mod export;
pub mod gen;
pub mod import;
pub mod info;
pub mod path;
pub mod query_args;
pub mod snapshot;
pub mod what_can_reach;
pub mod who_can;
